"""Forms of the staff pages: the outlet filter bar, the outlet edit form and the import upload."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ssc.accounts.choices import BANK_ROLES, DISTRICT_ROLES, Role
from ssc.core.forms import form_field
from ssc.registry.choices import InterconnectionMode, OrganisationKind, OutletStatus
from ssc.registry.models import Bank, CardService, District, Organisation, Outlet

ANY = [("", _("全部"))]
YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class OutletFilterForm(forms.Form):
    """The outlet list's filter bar. Its cleaned values are the ``params`` of ``outlets_for_list``."""

    q = forms.CharField(
        label=_("关键字"),
        required=False,
        max_length=100,
        help_text=_("名称、地址、编码或拼音首字母"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("如：解放碑 或 jfb")}),
    )
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    bank = forms.TypedChoiceField(label=_("银行"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=ANY + list(OutletStatus.choices))
    service = forms.ChoiceField(label=_("服务项目"), required=False)
    instant_issuance = forms.ChoiceField(label=_("即时制卡"), required=False, choices=YES_NO)
    interconnection_mode = forms.ChoiceField(
        label=_("互联方式"), required=False, choices=ANY + list(InterconnectionMode.choices)
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # A district sees one district and a bank one bank: those filters would only offer one choice.
        if user.role in DISTRICT_ROLES:
            del self.fields["district"]
        else:
            form_field(self, "district", forms.ChoiceField).choices = ANY + [
                (d.pk, d.name) for d in District.objects.only("pk", "name")
            ]
        if user.role in BANK_ROLES:
            del self.fields["bank"]
        else:
            form_field(self, "bank", forms.ChoiceField).choices = ANY + [
                (b.pk, b.short_name or b.name) for b in Bank.objects.all()
            ]
        form_field(self, "service", forms.ChoiceField).choices = ANY + [
            (s.code, s.name) for s in CardService.objects.filter(is_active=True).only("code", "name")
        ]

    def params(self) -> dict[str, Any]:
        """Valid filters only: a bad value is reported beside its field and otherwise ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "") and k not in self.errors}

    @property
    def active_count(self) -> int:
        return len(self.params())


def _services_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("服务项目"),
        queryset=CardService.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选“即时制卡”即表示网点提供即时制卡服务。"),
    )


# Who may move an outlet to another bank, sub-branch or district, or renumber it: the city level only.
CITYWIDE_EDIT_FIELDS = ["code", "bank", "sub_branch", "district"]
EDIT_FIELDS = [
    "name",
    "address",
    "latitude",
    "longitude",
    "weekday_hours",
    "weekend_hours",
    "hours_note",
    "consultation_phone",
    "complaint_phone",
    "interconnection_mode",
    "jinyu_migration_planned_on",
]


class OutletEditForm(forms.ModelForm):
    """修改网点信息. Validates like the model; ``outlet_update`` re-checks everything and saves."""

    services = _services_field()
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Outlet
        fields = [*CITYWIDE_EDIT_FIELDS, *EDIT_FIELDS]
        widgets = {
            "jinyu_migration_planned_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "latitude": forms.NumberInput(attrs={"step": "0.000001"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001"}),
            "weekday_hours": forms.TextInput(attrs={"placeholder": "09:00-17:00"}),
            "weekend_hours": forms.TextInput(attrs={"placeholder": "09:00-12:00"}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if user.role not in {Role.CENTER_OFFICER, Role.SYSTEM_ADMIN}:
            for name in CITYWIDE_EDIT_FIELDS:
                del self.fields[name]
        else:
            form_field(self, "sub_branch", forms.ModelChoiceField).queryset = Organisation.objects.filter(
                kind=OrganisationKind.SUB_BRANCH
            ).select_related("bank")
        if not self.is_bound:
            self.initial["services"] = [s.code for s in self.instance.services.all()]
            self.initial["version"] = self.instance.version

    def service_codes(self) -> list[str]:
        return [s.code for s in self.cleaned_data.get("services") or []]

    def changes(self) -> dict[str, Any]:
        """The master-data fields as submitted (the service keeps only what really changed)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.fields}


class OutletImportForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("Excel（.xlsx）或 CSV（UTF-8）文件，第一行为表头，格式见导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"empty": _("文件是空的。"), "required": _("请选择要导入的文件。")},
    )

    ALLOWED_SUFFIXES = (".xlsx", ".csv")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        suffix = PurePath(f.name or "").suffix.lower()
        if suffix not in self.ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("只能导入 .xlsx 或 .csv 文件。"), code="file_type")
        limit = settings.DOCUMENT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(
                _("文件过大（上限 %(limit)s）。"), code="file_size", params={"limit": filesizeformat(limit)}
            )
        if f.size == 0:
            raise forms.ValidationError(_("文件是空的。"), code="file_empty")
        return f
