"""Payload forms of the rectification actions (WORKFLOW.md §3)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ssc.workflow.forms import ActionForm, LinesField, MultipleDocumentField, PastDateField

from .models import RectificationSource


class IssueForm(ActionForm):
    """下达整改通知 — the items and the notice date; the deadline is computed, never typed."""

    items = LinesField(label=_("整改事项（每行一项）"), min_items=1, max_items=30, max_length=300)
    issued_on = PastDateField(label=_("通知日期"))
    source = forms.ChoiceField(label=_("来源"), choices=RectificationSource.choices, initial=RectificationSource.OTHER)
    source_ref = forms.CharField(label=_("来源记录编号"), required=False, max_length=60)
    notice = MultipleDocumentField(label=_("整改通知书"), required=False)


class ReportForm(ActionForm):
    """提交整改报告 — what was done, with evidence."""

    report = forms.CharField(label=_("整改情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    evidence = MultipleDocumentField(label=_("证明材料"), required=False)


class RejectReportForm(ActionForm):
    reasons = forms.CharField(label=_("退回原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(ActionForm):
    verified_on = PastDateField(label=_("核验日期"))
    note = forms.CharField(
        label=_("核验意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
