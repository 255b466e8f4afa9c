"""Working-day calendar (工作日历): the State Council's yearly holiday arrangement, day by day.

Deadlines counted in working days (工作日) and the rest-day rule for periods of months (民法典 Art 201–203)
are computed only from these tables, by ``ssc.workcalendar.services``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import MAX_YEAR, MIN_YEAR, CalendarSource, DayKind


class CalendarYear(models.Model):
    """工作日历年度 — one year of the working-day calendar, as set by the State Council's notice
    (国务院办公厅关于××年部分节假日安排的通知, e.g. 国办发明电〔2024〕12号).

    A year is either fully present (one ``CalendarDay`` for each of its days, written in one transaction by
    the services) or absent; a deadline that needs an absent year is refused, never guessed.
    """

    year = models.PositiveSmallIntegerField(
        _("年度"), primary_key=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    source = models.CharField(_("数据来源"), max_length=20, choices=CalendarSource.choices)
    notice = models.CharField(_("国务院节假日安排通知"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    # Every change to the year or one of its days increments ``revision``; the in-process cache of the
    # services compares it to notice edits made by other processes.
    revision = models.PositiveIntegerField(_("修订次数"), default=1)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return _("%(year)s年工作日历") % {"year": self.year}


class CalendarDay(models.Model):
    """日历日 — one day of a calendar year: 工作日 (working day), 休息日 (weekend rest), 法定节假日
    (statutory holiday, incl. the weekend days inside a holiday period) or 调休上班日 (make-up working day
    on a weekend, 调休)."""

    date = models.DateField(_("日期"), primary_key=True)
    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days", db_column="year"
    )
    is_workday = models.BooleanField(_("工作日"))
    is_holiday = models.BooleanField(_("法定节假日"), default=False)
    # The holiday's name; on a make-up working day, the holiday it makes up for (e.g. 春节).
    holiday_name = models.CharField(_("节日名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_workday=True, is_holiday=True), name="workcalendar_day_holiday_is_rest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def kind(self) -> DayKind:
        return day_kind(self.date, self.is_workday, self.is_holiday)

    def get_kind_display(self) -> str:
        return str(DayKind(self.kind).label)


def day_kind(d: datetime.date, is_workday: bool, is_holiday: bool) -> DayKind:
    """工作日 / 调休上班日 / 法定节假日 / 休息日 for one day."""
    if is_workday:
        return DayKind.MAKEUP_WORKDAY if d.weekday() >= 5 else DayKind.WORKDAY
    return DayKind.HOLIDAY if is_holiday else DayKind.REST
