from django.db import migrations

from ssc.core.triggers import migration_operations
from ssc.registry.triggers import TRIGGERS


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migration_operations(TRIGGERS)]
