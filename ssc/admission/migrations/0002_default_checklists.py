from django.db import migrations


def create(apps, schema_editor):
    from ssc.admission.models import DEFAULT_READINESS_CHECKLIST, DEFAULT_SITE_CHECKLIST

    Checklist = apps.get_model("admission", "Checklist")
    Checklist.objects.get_or_create(kind="site_verification", version=1, defaults={"items": DEFAULT_SITE_CHECKLIST})
    Checklist.objects.get_or_create(kind="readiness", version=1, defaults={"items": DEFAULT_READINESS_CHECKLIST})


class Migration(migrations.Migration):
    dependencies = [("admission", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
