from django.db import migrations

from ssc.audit.triggers import EVENT_TRIGGERS
from ssc.core.triggers import migration_operations


def create_head(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        migration_operations(EVENT_TRIGGERS),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
