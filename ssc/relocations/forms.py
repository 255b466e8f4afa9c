"""Payload forms of the relocation actions (WORKFLOW.md §5), shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ssc.registry.models import CQ_LAT, CQ_LNG, District
from ssc.workflow.forms import ActionForm, DocumentField, MultipleDocumentField, PastDateField


class ReportForm(ActionForm):
    """报告迁址 — the new address, its district (the same district: a move elsewhere is a new admission), GCJ-02
    coordinates, the planned date, supporting documents (Art 10: the outlet keeps its agency informed)."""

    wants_context = True
    new_address = forms.CharField(label=_("新地址"), max_length=200)
    new_district = forms.ModelChoiceField(label=_("新址所在区县"), queryset=District.objects.all())
    new_latitude = forms.FloatField(
        label=_("新址纬度（GCJ-02）"), min_value=CQ_LAT[0], max_value=CQ_LAT[1], help_text=_("高德地图拾取的坐标。")
    )
    new_longitude = forms.FloatField(label=_("新址经度（GCJ-02）"), min_value=CQ_LNG[0], max_value=CQ_LNG[1])
    planned_move_on = forms.DateField(label=_("计划迁址日期"))
    reason = forms.CharField(
        label=_("迁址原因"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = MultipleDocumentField(
        label=_("证明材料"), required=False, help_text=_("新址租赁合同、平面图、照片等（PDF、OFD 或图片）。")
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        outlet = getattr(self.case, "outlet", None)
        district = data.get("new_district")
        if outlet is None:
            return data
        if district is not None and district.pk != outlet.district_id:
            self.add_error(
                "new_district",
                ValidationError(
                    _(
                        "迁址后须仍在%(d)s。迁往其他区县的，不能按迁址办理：须向新址所在区县重新申请准入（第七条），"
                        "原网点按规定退出合作。"
                    )
                    % {"d": outlet.district.name},
                    code="other_district",
                ),
            )
        same_place = (
            (data.get("new_address") or "").strip() == (outlet.address or "").strip()
            and data.get("new_latitude") == outlet.latitude
            and data.get("new_longitude") == outlet.longitude
        )
        if same_place:
            self.add_error("new_address", _("新地址与网点现地址相同。"))
        return data


class WithdrawForm(ActionForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class AssessForm(ActionForm):
    """评估新址 — does the new site meet the national and Chongqing requirements for HRSS convenience services?
    Compliant: the outlet's address is updated and the roster republished; not compliant: Art 9(3) exit is
    available."""

    assessed_on = PastDateField(label=_("评估日期"))
    result = forms.ChoiceField(
        label=_("评估结论"),
        choices=[("compliant", _("新址符合便民服务要求")), ("non_compliant", _("新址不符合便民服务要求"))],
    )
    findings = forms.CharField(
        label=_("评估意见"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    report = DocumentField(label=_("评估报告"), required=False)
    photos = MultipleDocumentField(label=_("现场照片"), required=False)
    # WORKFLOW.md §5: a non-compliant assessment opens the Art 9(3) termination. The page ticks this by default;
    # API clients say so explicitly (the case can also be opened later from the outlet page).
    open_termination = forms.BooleanField(
        label=_("同时依第九条第(三)项发起解除合作"),
        required=False,
        initial=True,
        help_text=_("仅在评估为不符合要求时有效；解除合作案件以本次评估为依据，由区县负责人决定。"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("result") == "non_compliant" and not (data.get("findings") or "").strip():
            self.add_error("findings", _("评估为不符合要求时须写明不符合之处。"))
        return data
