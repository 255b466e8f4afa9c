"""The audit page's filter bar."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _


def object_type_choices() -> list[tuple[str, str]]:
    """``app_label.model`` of the project's models, with their Chinese names (for the datalist)."""
    out = []
    for model in apps.get_models():
        if model.__module__.startswith("ssc."):
            out.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(out)


class EventFilterForm(forms.Form):
    """Its cleaned values are the ``params`` of ``selectors.events_filter``."""

    action = forms.CharField(
        label=_("操作"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("如：outlet.update")}),
    )
    object_type = forms.CharField(
        label=_("对象类型"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "audit-object-types", "placeholder": _("如：registry.outlet")}),
    )
    actor = forms.CharField(
        label=_("操作人"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("用户名或用户ID")}),
    )
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    q = forms.CharField(
        label=_("对象名称"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("包含的文字")}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def params(self) -> dict[str, Any]:
        """Valid filters only: a bad value is reported beside its field and otherwise ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        names = {"date_from": "from", "date_to": "to"}
        return {
            names.get(k, k): (v.strip() if isinstance(v, str) else v)
            for k, v in data.items()
            if v not in (None, "") and k not in self.errors
        }
