"""Payload forms of the ticket and problem report actions (WORKFLOW.md §5). Used by the pages and the API alike."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssc.registry.choices import OutletStatus
from ssc.registry.models import Outlet
from ssc.workflow.forms import ActionForm, MultipleDocumentField

from .models import Channel, TicketCategory

# Outlets that serve (or still serve) cardholders: the ones a caller can have consulted or complained about.
TICKETABLE_STATUSES = (OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION, OutletStatus.TERMINATING)

_PHONE = re.compile(r"^\+?\d[\d\- ]{3,24}$")

SATISFACTION_CHOICES = [
    (5, _("5 非常满意")),
    (4, _("4 满意")),
    (3, _("3 基本满意")),
    (2, _("2 不满意")),
    (1, _("1 非常不满意")),
]


def clean_contact(value: str) -> str:
    """A phone number (5–15 digits; ``-`` and spaces allowed) or an e-mail address."""
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError(_("请填写有效的电话号码或电子邮箱。"), code="invalid") from exc
        return value
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or not 5 <= len(digits) <= 15:
        raise ValidationError(_("请填写有效的电话号码（如 13812341234 或 023-63000001）或电子邮箱。"), code="invalid")
    return value


class LogForm(ActionForm):
    """登记工单 — who called about which outlet, through which channel, and what about (Art 10)."""

    outlet = forms.ModelChoiceField(
        label=_("网点"),
        queryset=Outlet.objects.filter(status__in=TICKETABLE_STATUSES),
        error_messages={"invalid_choice": _("请选择有效的网点（合作中、整改中或退出中的网点）。")},
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("类别"), choices=TicketCategory.choices, widget=forms.RadioSelect)
    content = forms.CharField(
        label=_("来电内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}), strip=True
    )
    caller_name = forms.CharField(label=_("来电人"), required=False, max_length=40)
    caller_contact = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=40,
        help_text=_("属个人信息，除登记热线和答复的网点、区县外一律脱敏显示。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    received_at = forms.DateTimeField(
        label=_("受理时间"),
        required=False,
        help_text=_("留空即为登记时间。答复期限自受理次日起按工作日计算。"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_caller_contact(self) -> str:
        return clean_contact(self.cleaned_data.get("caller_contact", ""))

    def clean_received_at(self) -> Any:
        value = self.cleaned_data.get("received_at")
        if value is not None and value > timezone.now():
            raise ValidationError(_("受理时间不能晚于当前时间。"), code="future")
        return value


class AnswerForm(ActionForm):
    """答复 — what the outlet (or the district agency) told the caller."""

    answer = forms.CharField(label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class ReopenForm(ActionForm):
    reason = forms.CharField(label=_("退回原因（回访情况）"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(ActionForm):
    """办结 — after the call-back, with the caller's satisfaction when given."""

    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=[("", _("未评价")), *SATISFACTION_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("回访情况"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReportForm(ActionForm):
    """报告问题 — the outlet tells its district agency what happened (Art 10)."""

    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("情况说明"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))
    documents = MultipleDocumentField(label=_("附件"), required=False, help_text=_("PDF、OFD 或图片，可多选。"))


class ReplyForm(ActionForm):
    """答复 — the district agency's reply to the outlet."""

    reply = forms.CharField(label=_("答复内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    documents = MultipleDocumentField(label=_("附件"), required=False, help_text=_("PDF、OFD 或图片，可多选。"))
