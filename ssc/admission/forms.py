"""Payload forms of the admission actions (WORKFLOW.md §1). Used by the pages and the API alike."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ssc.core.forms import form_field
from ssc.registry.choices import AccountType, InterconnectionMode, OrganisationKind
from ssc.registry.models import Organisation, SystemAccount
from ssc.workflow.forms import ActionForm, DocumentField, LinesField, MultipleDocumentField, PastDateField

from .models import Application, Checklist, ChecklistKind


class SubmitForm(ActionForm):
    """提交申请 — with the head office / Chongqing branch consent (Art 7(1))."""

    wants_context = True
    consent_organisation = forms.ModelChoiceField(
        label=_("同意的总行/重庆分行"), queryset=Organisation.objects.filter(kind=OrganisationKind.BANK_BRANCH)
    )
    consent_date = PastDateField(label=_("同意日期"))
    consent_letter = DocumentField(
        label=_("同意函"), required=False, help_text=_("PDF、OFD 或图片；退回后重新提交时可沿用已上传的同意函。")
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.case is not None:
            form_field(self, "consent_organisation", forms.ModelChoiceField).queryset = Organisation.objects.filter(
                kind=OrganisationKind.BANK_BRANCH, bank_id=self.case.outlet.bank_id
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.case is not None and not data.get("consent_letter"):
            from ssc.documents.models import Document, DocumentKind

            has = Document.objects.filter(
                case_type="application", case_id=self.case.pk, kind=DocumentKind.CONSENT_LETTER
            ).exists()
            if not has:
                self.add_error("consent_letter", _("请上传总行或重庆分行的同意函。"))
        return data


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(ActionForm):
    """退回申请 — what to correct (Art 7(2))."""

    reasons = forms.CharField(
        label=_("退回原因（需补正的内容）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ChecklistMixin:
    checklist_kind = ""

    def checklist_items(self) -> list[dict[str, str]]:
        cl = Checklist.active(self.checklist_kind)
        return cl.items if cl else []

    def clean_checklist(self) -> dict[str, Any]:
        raw = self.data.get("checklist") if hasattr(self, "data") else None  # type: ignore[attr-defined]
        answers: dict[str, Any] = {}
        if isinstance(raw, dict):
            answers = raw
        else:  # page: one field per item, "checklist.<code>" = "yes"/"no"
            for key in self.data:  # type: ignore[attr-defined]
                if key.startswith("checklist."):
                    answers[key.split(".", 1)[1]] = self.data.get(key)  # type: ignore[attr-defined]
        items = self.checklist_items()
        out: dict[str, bool] = {}
        missing = []
        for item in items:
            v = answers.get(item["code"])
            if v in (True, "yes", "true", "1", "on", 1):
                out[item["code"]] = True
            elif v in (False, "no", "false", "0", 0):
                out[item["code"]] = False
            else:
                missing.append(item["label"])
        unknown = set(answers) - {i["code"] for i in items}
        if unknown:
            raise ValidationError(_("未知的检查项：%(c)s") % {"c": "、".join(sorted(unknown))})
        if missing:
            raise ValidationError(_("以下检查项未填写：%(m)s") % {"m": "；".join(missing)})
        return out


class SiteVerificationForm(ChecklistMixin, ActionForm):
    """现场核实 — at least two inspectors, the center's checklist, report/photos, conclusion (Art 7(2))."""

    checklist_kind = ChecklistKind.SITE_VERIFICATION
    visited_on = PastDateField(label=_("核实日期"))
    inspectors = LinesField(label=_("核实人员（每行一人，至少两人）"), min_items=2, max_items=10, max_length=40)
    checklist = forms.Field(label=_("现场核实清单"), required=False)
    conclusion = forms.ChoiceField(
        label=_("核实结论"), choices=[("passed", _("符合条件")), ("failed", _("不符合条件"))]
    )
    findings = forms.CharField(
        label=_("核实情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    report = DocumentField(label=_("核实报告"), required=False)
    photos = MultipleDocumentField(label=_("现场照片"), required=False)

    def clean_inspectors(self) -> list[str]:
        names = self.cleaned_data["inspectors"]
        if len(set(names)) != len(names):
            raise ValidationError(_("核实人员不能重复。"))
        return names

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("conclusion") == "failed" and not data.get("findings"):
            self.add_error("findings", _("结论为不符合条件时须说明核实情况。"))
        return data


class DecideForm(ActionForm):
    """集体研究决定 — by the district leader: meeting date, attendees, decision, reasons, minutes (Art 7(2))."""

    meeting_date = PastDateField(label=_("会议日期"))
    attendees = LinesField(label=_("参会人员（每行一人，至少三人）"), min_items=3, max_items=30, max_length=40)
    decision = forms.ChoiceField(label=_("研究结论"), choices=[("approved", _("同意")), ("rejected", _("不同意"))])
    reasons = forms.CharField(
        label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = DocumentField(label=_("会议纪要"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "rejected" and not data.get("reasons"):
            self.add_error("reasons", _("不同意时须说明理由。"))
        return data


class NoteForm(ActionForm):
    note = forms.CharField(label=_("备注"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class FileWithCenterForm(NoteForm):
    """报市社保卡服务中心备案."""


class AcknowledgeFilingForm(ActionForm):
    """备案确认 — the center gives a filing number."""

    filing_number = forms.CharField(label=_("备案编号"), max_length=60)
    receipt = DocumentField(label=_("备案回执"), required=False)

    def clean_filing_number(self) -> str:
        value = self.cleaned_data["filing_number"].strip()
        if Application.objects.filter(filing_number=value).exists():
            raise ValidationError(_("该备案编号已被使用。"))
        return value


class NotifyOutletForm(NoteForm):
    """告知网点备案结果 (Art 7(3))."""

    notice = DocumentField(label=_("告知书"), required=False)


class SignAgreementForm(ActionForm):
    """签订合作协议 — number, signing date, term, signed copy (Art 7(3))."""

    agreement_number = forms.CharField(label=_("协议编号"), max_length=60)
    signed_on = PastDateField(label=_("签订日期"))
    term_start = forms.DateField(label=_("有效期起"))
    term_end = forms.DateField(label=_("有效期止"))
    signed_copy = DocumentField(label=_("协议签署件"))

    def clean_agreement_number(self) -> str:
        from ssc.agreements.models import Agreement

        value = self.cleaned_data["agreement_number"].strip()
        if Agreement.objects.filter(number=value).exists():
            raise ValidationError(_("该协议编号已存在。"))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", _("有效期止须晚于有效期起。"))
        signed = data.get("signed_on")
        if signed and start and start < signed:
            self.add_error("term_start", _("协议有效期不能早于签订日期。"))
        return data


_STAFF_LINE = re.compile(r"^\s*(?P<name>[^,，\s]{1,40})\s*[,，\s]\s*(?P<date>\d{4}-\d{2}-\d{2})\s*$")


class PreparationForm(ActionForm):
    """网点筹备 — system integration (incl. interconnection mode), hardware/software, trained staff (Art 7(4))."""

    system_integration_done = forms.BooleanField(label=_("系统对接已完成并联调通过"), required=False)
    interconnection_mode = forms.ChoiceField(label=_("互联方式"), choices=InterconnectionMode.choices)
    integration_tested_on = PastDateField(label=_("联调日期"), required=False)
    hardware_done = forms.BooleanField(label=_("软硬件已安装调试"), required=False)
    hardware_note = forms.CharField(label=_("设备说明"), required=False, max_length=500)
    trained_staff = LinesField(
        label=_("已培训人员（每行：姓名,培训日期 如 张三,2026-03-20）"), required=False, max_items=100
    )

    def clean_trained_staff(self) -> list[dict[str, str]]:
        out = []
        for line in self.cleaned_data["trained_staff"]:
            m = _STAFF_LINE.match(line) if isinstance(line, str) else None
            if not m:
                raise ValidationError(_("格式应为“姓名,YYYY-MM-DD”：%(l)s") % {"l": line})
            try:
                d = date.fromisoformat(m["date"])
            except ValueError as exc:
                raise ValidationError(_("日期无效：%(l)s") % {"l": line}) from exc
            out.append({"name": m["name"], "trained_on": d.isoformat()})
        return out

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("system_integration_done") and not data.get("integration_tested_on"):
            self.add_error("integration_tested_on", _("系统对接完成时须填写联调日期。"))
        return data


class InspectReadinessForm(ChecklistMixin, ActionForm):
    """开通验收 — pass, or back to preparation with findings (Art 7(4))."""

    checklist_kind = ChecklistKind.READINESS
    inspected_on = PastDateField(label=_("验收日期"))
    result = forms.ChoiceField(
        label=_("验收结果"), choices=[("readiness_passed", _("通过")), ("preparing", _("不通过，退回筹备"))]
    )
    checklist = forms.Field(label=_("开通验收清单"), required=False)
    findings = forms.CharField(
        label=_("发现的问题"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    report = DocumentField(label=_("验收报告"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("result") == "preparing" and not data.get("findings"):
            self.add_error("findings", _("验收不通过时须写明发现的问题。"))
        answers = data.get("checklist") or {}
        if data.get("result") == "readiness_passed" and answers and not all(answers.values()):
            self.add_error("result", _("清单有未达标项，不能验收通过。"))
        return data


_ACCOUNT_LINE = re.compile(
    r"^\s*(?P<type>[a-z_]+)\s*[,，]\s*(?P<id>[A-Za-z0-9_\-.]{2,50})\s*(?:[,，]\s*(?P<holder>.{0,50}))?$"
)


class OpenAccountsForm(ActionForm):
    """开通系统账户 — the accounts opened (type, identifier, holder) (Art 7(5))."""

    accounts = LinesField(
        label=_("开通的账户（每行：类型,账户标识,使用人；类型为 operator/terminal/interface）"),
        min_items=1,
        max_items=50,
    )

    def clean_accounts(self) -> list[dict[str, str]]:
        raw = self.data.get("accounts")
        items: list[dict[str, str]] = []
        if isinstance(raw, list) and raw and isinstance(raw[0], dict):
            for a in raw:
                items.append(
                    {
                        "account_type": str(a.get("account_type") or a.get("type") or ""),
                        "identifier": str(a.get("identifier") or ""),
                        "holder": str(a.get("holder") or ""),
                    }
                )
        else:
            for line in self.cleaned_data["accounts"]:
                m = _ACCOUNT_LINE.match(line)
                if not m:
                    raise ValidationError(_("格式应为“类型,账户标识,使用人”：%(l)s") % {"l": line})
                items.append({"account_type": m["type"], "identifier": m["id"], "holder": (m["holder"] or "").strip()})
        seen = set()
        for a in items:
            if a["account_type"] not in AccountType.values:
                raise ValidationError(_("未知的账户类型：%(t)s") % {"t": a["account_type"]})
            if not re.fullmatch(r"[A-Za-z0-9_\-.]{2,50}", a["identifier"]):
                raise ValidationError(_("账户标识无效：%(i)s") % {"i": a["identifier"]})
            if a["identifier"] in seen:
                raise ValidationError(_("账户标识重复：%(i)s") % {"i": a["identifier"]})
            seen.add(a["identifier"])
        taken = set(
            SystemAccount.objects.filter(identifier__in=seen, closed_on__isnull=True).values_list(
                "identifier", flat=True
            )
        )
        if taken:
            raise ValidationError(_("账户标识已在使用：%(i)s") % {"i": "、".join(sorted(taken))})
        return items
