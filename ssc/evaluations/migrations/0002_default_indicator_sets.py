from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    from ssc.evaluations.models import DEFAULT_BANDS, DEFAULT_INDICATORS, DEFAULT_SET_NAMES

    IndicatorSet = apps.get_model("evaluations", "IndicatorSet")
    Indicator = apps.get_model("evaluations", "Indicator")
    for kind, name in DEFAULT_SET_NAMES.items():
        s, created = IndicatorSet.objects.get_or_create(
            period_kind=str(kind), version=1, defaults={"name": name, "grade_bands": DEFAULT_BANDS, "is_active": True}
        )
        if not created:
            continue
        for i, (code, label, category, max_points, auto, deduction, description) in enumerate(DEFAULT_INDICATORS):
            Indicator.objects.create(
                indicator_set=s,
                code=code,
                label=label,
                category=category,
                max_points=Decimal(max_points),
                weight=Decimal(1),
                auto_source=auto,
                deduction=Decimal(deduction),
                description=description,
                sort_order=i,
            )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
