"""Payload forms of the agreement actions, shared by the pages and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ssc.registry.choices import OrganisationKind
from ssc.registry.models import Bank, Organisation
from ssc.workflow.forms import ActionForm, DocumentField, PastDateField


def _number_is_free(value: str) -> str:
    from .models import Agreement

    value = value.strip()
    if not value:
        raise ValidationError(_("请填写协议编号。"))
    if Agreement.objects.filter(number=value).exists():
        raise ValidationError(_("该协议编号已存在。"))
    return value


class _TermForm(ActionForm):
    number = forms.CharField(label=_("协议编号"), max_length=60)
    signed_on = PastDateField(label=_("签订日期"))
    term_start = forms.DateField(label=_("有效期起"))
    term_end = forms.DateField(label=_("有效期止"))

    def clean_number(self) -> str:
        return _number_is_free(self.cleaned_data["number"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end, signed = data.get("term_start"), data.get("term_end"), data.get("signed_on")
        if start and end and end <= start:
            self.add_error("term_end", _("有效期止须晚于有效期起。"))
        if signed and start and start < signed:
            self.add_error("term_start", _("协议有效期不能早于签订日期。"))
        return data


class RenewForm(_TermForm):
    """续签协议 — a new agreement: number, signing date, new term, signed copy (Art 7(3), 9(4))."""

    wants_context = True
    signed_copy = DocumentField(label=_("协议签署件"), help_text=_("PDF、OFD 或图片。"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        old = self.case
        start, signed = data.get("term_start"), data.get("signed_on")
        if old is None or not start:
            return data
        next_day = old.term_end + timedelta(days=1)
        if start <= old.term_end:
            self.add_error(
                "term_start",
                _("续签协议须在原协议到期（%(d)s）后生效，有效期不能与原协议重叠。") % {"d": old.term_end.isoformat()},
            )
        elif signed and signed <= old.term_end and start != next_day:
            # Renewed before the end: the new term continues the old one without a gap (Art 3).
            self.add_error(
                "term_start",
                _("到期前续签的，新协议须自原协议到期次日（%(d)s）起生效，不留空档。") % {"d": next_day.isoformat()},
            )
        return data


class RegisterForm(_TermForm):
    """登记存量协议 — an agreement signed on paper before the platform existed, for an outlet that already
    cooperates (Art 3: an outlet cooperates exactly while an agreement is in force)."""

    signed_copy = DocumentField(
        label=_("协议签署件"), required=False, help_text=_("存量协议可暂不上传，之后续签时须上传签署件。")
    )


class FrameworkAgreementForm(forms.Form):
    """登记合作框架协议 — a bank's head office / Chongqing branch with the municipal HRSS bureau (Art 6(1))."""

    bank = forms.ModelChoiceField(label=_("银行"), queryset=Bank.objects.all())
    bank_organisation = forms.ModelChoiceField(
        label=_("签约银行机构"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.BANK_BRANCH),
        help_text=_("银行总行或重庆（市）分行。"),
    )
    number = forms.CharField(label=_("协议编号"), max_length=60)
    signed_on = PastDateField(label=_("签订日期"))
    term_start = forms.DateField(label=_("有效期起"))
    term_end = forms.DateField(label=_("有效期止"), required=False, help_text=_("长期有效请留空。"))
    liability_clauses = forms.CharField(
        label=_("责任条款"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("协议中的责任条款全文或摘要。"),
    )
    document = DocumentField(label=_("协议文本"), help_text=_("PDF、OFD 或图片。"))

    def clean_number(self) -> str:
        from .models import FrameworkAgreement

        value = self.cleaned_data["number"].strip()
        if FrameworkAgreement.objects.filter(number=value).exists():
            raise ValidationError(_("该协议编号已存在。"))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        bank, org = data.get("bank"), data.get("bank_organisation")
        if bank and org and org.bank_id != bank.pk:
            self.add_error("bank_organisation", _("签约机构须为该银行的总行或重庆（市）分行。"))
        start, end, signed = data.get("term_start"), data.get("term_end"), data.get("signed_on")
        if start and end and end <= start:
            self.add_error("term_end", _("有效期止须晚于有效期起。"))
        if signed and start and start < signed:
            self.add_error("term_start", _("协议有效期不能早于签订日期。"))
        return data
