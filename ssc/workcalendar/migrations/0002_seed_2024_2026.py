"""Seed the working-day calendar for 2024–2026 from chinesecalendar, so a fresh database can compute
deadlines at once. Later years are entered by the center (or ``manage.py load_calendar``)."""

from django.db import migrations
from django.utils import timezone

SEED_YEARS = (2024, 2025, 2026)


def seed(apps, schema_editor):
    from ssc.workcalendar import yeardata

    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    for year in SEED_YEARS:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        row = CalendarYear.objects.create(
            year=year,
            source="chinesecalendar",
            notice=yeardata.library_notice(year),
            entered_at=timezone.now(),
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(
                date=r.date,
                calendar_year=row,
                is_workday=r.is_workday,
                is_holiday=r.is_holiday,
                holiday_name=r.holiday_name,
            )
            for r in yeardata.library_year(year)
        )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    CalendarYear.objects.filter(year__in=SEED_YEARS, source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
