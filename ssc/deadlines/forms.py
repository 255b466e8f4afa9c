"""Forms of the deadline pages: the list's filter bar, the step report's filters and the target editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ssc.core.forms import form_field
from ssc.workflow.views import CaseFilterForm

from .models import DeadlineStatus
from .services import MAX_TARGET_WORKDAYS

ANY = [("", _("全部"))]
STATUS_CHOICES = [
    ("", _("全部")),
    ("pending", DeadlineStatus.PENDING.label),
    ("overdue", _("已过截止日未办结")),
    ("met", DeadlineStatus.MET.label),
    ("missed", DeadlineStatus.MISSED.label),
]


def workflow_choices() -> list[tuple[str, Any]]:
    from ssc.workflow import engine

    return [(name, b.workflow.label) for name, b in sorted(engine._bindings.items())]


def deadline_kind_choices() -> list[tuple[str, Any]]:
    """Every deadline kind a registered workflow starts, with its label."""
    from ssc.workflow import engine

    seen: dict[str, Any] = {}
    for _name, b in sorted(engine._bindings.items()):
        for t in b.workflow.transitions:
            if t.starts_deadline is not None:
                seen.setdefault(t.starts_deadline.kind, t.starts_deadline.label or t.starts_deadline.kind)
    return list(seen.items())


class DeadlineFilterForm(CaseFilterForm):
    """A district sees its own area only: no district to choose (``CaseFilterForm``)."""

    status = forms.ChoiceField(label=_("状态"), required=False, choices=STATUS_CHOICES)
    kind = forms.ChoiceField(label=_("期限类型"), required=False)
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = ANY + deadline_kind_choices()


class StepReportFilterForm(CaseFilterForm):
    case_type = forms.ChoiceField(label=_("流程"), required=False)
    district = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "case_type", forms.ChoiceField).choices = workflow_choices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data


class StepTargetForm(forms.Form):
    """设定内部时限 — empty ``workdays`` removes the target."""

    case_type = forms.CharField(widget=forms.HiddenInput)
    action = forms.CharField(widget=forms.HiddenInput)
    workdays = forms.IntegerField(
        label=_("目标用时（工作日）"), required=False, min_value=1, max_value=MAX_TARGET_WORKDAYS
    )
