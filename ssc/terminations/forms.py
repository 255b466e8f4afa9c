"""Payload forms of the termination actions (WORKFLOW.md §4). Used by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ssc.workflow.forms import ActionForm, DocumentField, LinesField, MultipleDocumentField, PastDateField

from .models import Ground


class InitiateForm(ActionForm):
    """发起解除合作 — the ground (Art 8(1)–(4), 9(1)–(4)), the facts and reasons, and the evidence. For 8(3), 9(3)
    and 9(4) the record that makes the ground available (overdue rectification, non-compliant relocation, agreement
    ended without renewal) is found and linked by the system; it is never typed."""

    ground = forms.ChoiceField(label=_("解除情形"), choices=Ground.choices)
    reasons = forms.CharField(label=_("事实与理由"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    requested_on = PastDateField(
        label=_("申请/发现日期"),
        required=False,
        help_text=_("总行/分行提出申请、一方提出终止或发现有关情形的日期。"),
    )
    evidence = MultipleDocumentField(label=_("证据材料"), required=False)


class CenterConsentForm(ActionForm):
    """市社保卡服务中心书面同意 (Art 9(1)) — the written consent is a document, never a tick box."""

    consented_on = PastDateField(label=_("同意日期"))
    consent_document = DocumentField(label=_("书面同意文件"))
    note = forms.CharField(label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CounterpartyAgreeForm(ActionForm):
    """另一方同意终止 (Art 9(2)) — the other side's agreement, recorded with its date."""

    agreed_on = PastDateField(label=_("同意日期"))
    statement = forms.CharField(label=_("同意意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    agreement_document = DocumentField(label=_("同意终止的书面材料"), required=False)


class DecideForm(ActionForm):
    """解除合作决定 — by the district leader, with the decision document; for Art 8 the legal liability pursued."""

    wants_context = True
    decided_on = PastDateField(label=_("决定日期"))
    decision_document = DocumentField(label=_("解除合作决定书"))
    legal_liability = forms.CharField(
        label=_("法律责任追究情况"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("依第八条单方解除的，须记录依法追究法律责任的情况。"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        ground = getattr(self.case, "ground", "") or ""
        if ground.startswith("8") and not (data.get("legal_liability") or "").strip():
            self.add_error("legal_liability", _("依第八条单方解除合作的，须记录法律责任追究情况。"))
        return data


class FileWithCenterForm(ActionForm):
    """报市社保卡服务中心备案 — starts the center's 5 working days; the outlet leaves the public directory at once."""

    note = forms.CharField(label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CloseAccountsForm(ActionForm):
    """关闭系统账户并更新名单 — every open system account of the outlet, by identifier, and the closing date."""

    wants_context = True
    accounts = LinesField(
        label=_("关闭的账户（每行一个账户标识）"),
        required=False,
        max_items=200,
        max_length=50,
        help_text=_("须包括网点全部未关闭的系统账户。"),
    )
    closed_on = PastDateField(label=_("关闭日期"))
    note = forms.CharField(label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_closed_on(self) -> Any:
        value = self.cleaned_data["closed_on"]
        filed_on = getattr(self.case, "filed_on", None)
        if value and filed_on and value < filed_on:
            raise ValidationError(_("关闭日期不能早于报备日期（%(d)s）。") % {"d": filed_on.isoformat()})
        return value

    def clean_accounts(self) -> list[str]:
        value = self.cleaned_data.get("accounts") or []
        seen: list[str] = []
        for v in value:
            if v not in seen:
                seen.append(v)
        return seen


class CancelForm(ActionForm):
    """撤销 — by the initiating organisation, before filing, with a reason."""

    reason = forms.CharField(label=_("撤销原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
