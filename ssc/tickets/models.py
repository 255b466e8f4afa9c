"""Hotline tickets (热线工单) and outlet problem reports (问题报告) — Art 10."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.core.scoping import ALL, NONE, ScopedManager
from ssc.workflow.models import WorkflowCase

from .masking import mask_contact, mask_name


class Channel(models.TextChoices):
    HOTLINE_12333 = "12333", _("12333人社服务热线")
    HOTLINE_12345 = "12345", _("12345政务服务便民热线")
    BANK_HOTLINE = "bank", _("银行客服热线")
    WALK_IN = "walk_in", _("现场")
    ONLINE = "online", _("网上")


class TicketCategory(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")


class TicketState(models.TextChoices):
    NEW = "new", _("新建")  # exists only inside the transaction of ``log``
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")


# Ticket and problem report states share one badge palette (``ssc.workflow.templatetags.workflow.state_badge``).
STATE_COLOURS = {
    "new": "grey",
    "open": "amber",
    "answered": "blue",
    "closed": "green",
    "submitted": "amber",
    "replied": "green",
}

DEFAULT_RESPONSE_WORKDAYS = 3


class ChannelPolicy(models.Model):
    """渠道时限 — the response limit per channel, set by the center (working days). A channel without a row has
    the default limit of 3 working days."""

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, unique=True)
    response_workdays = models.PositiveSmallIntegerField(
        _("答复时限（工作日）"),
        default=DEFAULT_RESPONSE_WORKDAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("渠道时限")
        verbose_name_plural = _("渠道时限")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ≤ {self.response_workdays}"

    @classmethod
    def workdays_for(cls, channel: str) -> int:
        """The channel's response limit in working days (the default when the center set none)."""
        value = cls.objects.filter(channel=channel).values_list("response_workdays", flat=True).first()
        return int(value) if value else DEFAULT_RESPONSE_WORKDAYS


class Ticket(WorkflowCase):
    """热线工单 — a consultation or complaint about an outlet from 12333 / 12345 / the bank's hotline / walk-in /
    online (Art 10). The caller's contact is personal data: masked everywhere except for the roles that need it,
    and every unmasked view is audited."""

    case_type = "ticket"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("网点")
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("类别"), max_length=20, choices=TicketCategory.choices, db_index=True)
    content = models.TextField(_("内容"))
    caller_name = models.CharField(_("来电人"), max_length=40, blank=True)
    caller_contact = models.CharField(_("联系方式"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("受理时间"), null=True, blank=True, db_index=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    # The hotline (organisation) that logged the ticket: its operators follow it up and close it.
    hotline = models.ForeignKey(
        "registry.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记热线"),
    )
    response_due_on = models.DateField(_("答复期限"), null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度（1–5）"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("热线工单")
        verbose_name_plural = _("热线工单")
        indexes = [
            models.Index(fields=["outlet", "category", "received_at"], name="ticket_outlet_cat_time"),
            models.Index(fields=["hotline", "received_at"], name="ticket_hotline_time"),
            models.Index(fields=["state", "response_due_on"], name="ticket_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_category_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tickets:ticket_detail", args=[self.pk])

    def get_state_display(self) -> str:
        return str(TicketState(self.state).label) if self.state in TicketState.values else self.state

    @property
    def caller_contact_masked(self) -> str:
        return mask_contact(self.caller_contact)

    @property
    def caller_name_masked(self) -> str:
        return mask_name(self.caller_name)

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.accounts.choices import Role
        from ssc.registry.models import Outlet

        if user.role == Role.HOTLINE_OPERATOR:
            # Operators see the tickets their own hotline logged (status follow-up), not every outlet's.
            return Q(hotline_id=user.organisation_id) if user.organisation_id else NONE
        flt = Outlet.scope_filter(user, "view")
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))


class ProblemReportState(models.TextChoices):
    NEW = "new", _("新建")
    SUBMITTED = "submitted", _("待答复")
    REPLIED = "replied", _("已答复")


class ProblemReport(WorkflowCase):
    """问题报告 — an outlet tells its district agency about a problem (Art 10: keep in touch, report promptly)."""

    case_type = "problem_report"

    outlet = models.ForeignKey(
        "registry.Outlet", on_delete=models.PROTECT, related_name="problem_reports", verbose_name=_("网点")
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("情况说明"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True, db_index=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("问题报告")
        verbose_name_plural = _("问题报告")
        indexes = [models.Index(fields=["outlet", "state"], name="problem_report_outlet_state")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tickets:problem_report_detail", args=[self.pk])

    def get_state_display(self) -> str:
        return str(ProblemReportState(self.state).label) if self.state in ProblemReportState.values else self.state

    @classmethod
    def scope_filter(cls, user: Any, action: str = "view") -> Any:
        from ssc.accounts.choices import Role
        from ssc.registry.models import Outlet

        if user.role == Role.HOTLINE_OPERATOR:
            # A problem report is between the outlet and its district agency (Art 10); hotlines read outlets
            # citywide only to log tickets.
            return NONE
        flt = Outlet.scope_filter(user, "view")
        if flt is ALL or flt is NONE or flt is None:
            return flt
        return Q(outlet__in=Outlet.objects.filter(flt).values("pk"))
