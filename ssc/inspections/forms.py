"""Payload forms of the inspection actions. Used by the pages and the API alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ssc.registry.models import District, Outlet
from ssc.workflow.forms import ActionForm, LinesField, MultipleDocumentField, PastDateField

from .models import InspectionState

MAX_OUTLETS = 200


class OutletsField(LinesField):
    """Outlets named by id or by code: a JSON list, or one per line of a textarea."""

    def __init__(self, **kwargs: Any):
        super().__init__(max_items=MAX_OUTLETS, max_length=30, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, int):
            value = [value]
        if isinstance(value, list | tuple):
            value = [str(v) for v in value]
        return super().to_python(value)

    def clean(self, value: Any) -> list[Outlet]:
        names = list(dict.fromkeys(super().clean(value)))  # unique, in the order given
        if not names:
            return []
        ids = [int(n) for n in names if n.isdigit() and len(n) <= 18]
        found = list(Outlet.objects.filter(Q(code__in=names) | Q(pk__in=ids)).select_related("district"))
        by_key = {o.code: o for o in found} | {str(o.pk): o for o in found}
        missing = [n for n in names if n not in by_key]
        if missing:
            msg = _("找不到以下网点（网点编码或 ID）：%(m)s") % {"m": "、".join(missing)}
            raise ValidationError(msg, code="unknown")
        out: list[Outlet] = []
        for n in names:
            if by_key[n] not in out:
                out.append(by_key[n])
        return out


class RecordForm(ActionForm):
    """记录监督检查 (Art 5) — what was inspected, when, what was found; optionally what the district must do."""

    inspected_on = PastDateField(label=_("检查日期"))
    scope = forms.CharField(
        label=_("检查范围"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("检查的内容和方式。"),
    )
    district = forms.ModelChoiceField(
        label=_("区县"),
        queryset=District.objects.all(),
        required=False,
        help_text=_("检查整个区县时选择；只列网点时可不选（网点同属一个区县时自动确定）。"),
    )
    outlets = OutletsField(
        label=_("检查的网点（网点编码，每行一个）"), required=False, help_text=_("可不填：检查整个区县。")
    )
    findings = forms.CharField(label=_("检查发现"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    requests_action = forms.BooleanField(label=_("要求区县社保卡管理机构处理"), required=False)
    requested_action = forms.CharField(
        label=_("要求区县处理的事项"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("勾选“要求区县处理”时必填，例如督促网点整改、核实情况并反馈。"),
    )
    documents = MultipleDocumentField(label=_("检查材料"), required=False, help_text=_("PDF、OFD 或图片。"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        district = data.get("district")
        outlets = data.get("outlets") or []
        if "outlets" in self.errors or "district" in self.errors:
            return data
        if district is not None:
            outside = [o.name for o in outlets if o.district_id != district.pk]
            if outside:
                self.add_error(
                    "outlets",
                    _("以下网点不在%(d)s：%(o)s") % {"d": district.name, "o": "、".join(outside)},
                )
                return data
        elif outlets:
            districts = {o.district_id for o in outlets}
            if len(districts) == 1:
                district = data["district"] = outlets[0].district
        if district is None and not outlets:
            self.add_error("district", _("请指定检查的区县或网点（至少一项）。"))
        if data.get("requests_action"):
            if not (data.get("requested_action") or "").strip():
                self.add_error("requested_action", _("请写明要求区县处理的事项。"))
            if district is None:
                self.add_error("district", _("要求区县处理时须指定一个区县（所列网点须同属该区县）。"))
        else:
            data["requested_action"] = ""
        data["outcome"] = InspectionState.ACTION_REQUESTED if data.get("requests_action") else InspectionState.RECORDED
        return data


class RespondForm(ActionForm):
    """区县反馈处理情况."""

    response = forms.CharField(label=_("处理情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    documents = MultipleDocumentField(label=_("证明材料"), required=False, help_text=_("PDF、OFD 或图片。"))


class CloseForm(ActionForm):
    """办结 — by the organisation that recorded the inspection."""

    note = forms.CharField(
        label=_("办结意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
