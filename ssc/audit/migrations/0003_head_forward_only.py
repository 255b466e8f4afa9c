from django.db import migrations

from ssc.audit.triggers import HEAD_TRIGGERS
from ssc.core.triggers import migration_operations


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migration_operations(HEAD_TRIGGERS)]
