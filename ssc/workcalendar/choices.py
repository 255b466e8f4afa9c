"""Choices of the working-day calendar (工作日历), declared once for models, forms, API and badges."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarSource(models.TextChoices):
    """Where a year's calendar came from (数据来源)."""

    CHINESECALENDAR = "chinesecalendar", _("chinesecalendar 程序库")
    MANUAL = "manual", _("人工录入")


class DayKind(models.TextChoices):
    """What a day is for deadline counting. Shown with a text mark as well as a colour (UI.md)."""

    WORKDAY = "workday", _("工作日")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班日")
    HOLIDAY = "holiday", _("法定节假日")
    REST = "rest", _("休息日")


# Short marks printed in each calendar cell, so the kind never depends on colour alone.
DAY_MARKS = {
    DayKind.WORKDAY: "",
    DayKind.MAKEUP_WORKDAY: _("班"),
    DayKind.HOLIDAY: _("假"),
    DayKind.REST: _("休"),
}
DAY_BADGE_COLOURS = {
    DayKind.WORKDAY: "grey",
    DayKind.MAKEUP_WORKDAY: "orange",
    DayKind.HOLIDAY: "red",
    DayKind.REST: "green",
}

# The years the calendar may hold at all (a typo like 20227 is refused, not stored).
MIN_YEAR = 2000
MAX_YEAR = 2100
