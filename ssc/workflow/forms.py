"""Form pieces for action payloads. The same form validates a page's POST and an API call's JSON."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssc.documents.validation import check_upload


class ActionForm(forms.Form):
    """Base of every action payload form. ``wants_context`` forms receive ``case`` and ``actor``."""

    wants_context = False

    def __init__(self, *args: Any, case: Any = None, actor: Any = None, **kwargs: Any):
        self.case = case
        self.actor = actor
        super().__init__(*args, **kwargs)


class LinesField(forms.Field):
    """A list of strings: a JSON list, or one item per line of a textarea."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, min_items: int = 0, max_items: int = 50, max_length: int = 200, **kwargs: Any):
        self.min_items, self.max_items, self.max_length = min_items, max_items, max_length
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            items = [line.strip() for line in value.replace("，", "\n").replace("、", "\n").splitlines()]
        elif isinstance(value, list | tuple):
            items = [str(v).strip() for v in value]
        else:
            raise ValidationError(_("格式不正确：应为列表或每行一项。"), code="invalid")
        return [i for i in items if i]

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) < self.min_items:
            raise ValidationError(_("至少需要 %(n)d 项。") % {"n": self.min_items}, code="min_items")
        if len(value) > self.max_items:
            raise ValidationError(_("最多 %(n)d 项。") % {"n": self.max_items}, code="max_items")
        for v in value:
            if len(v) > self.max_length:
                raise ValidationError(_("每项不超过 %(n)d 个字符。") % {"n": self.max_length}, code="too_long")


class DocumentField(forms.FileField):
    """An uploaded document, checked by content (PDF, JPEG, PNG, OFD) and size."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        f = super().clean(data, initial)
        if f:
            f.ssc_content_type = check_upload(f)
        return f


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleDocumentField(DocumentField):
    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [DocumentField.clean(self, d, initial) for d in data if d] if data else self._empty()
        return [DocumentField.clean(self, data, initial)] if data else self._empty()

    def _empty(self) -> list[Any]:
        if self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return []


class PastDateField(forms.DateField):
    """A date that cannot lie in the future (something that already happened)."""

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise ValidationError(_("日期不能晚于今天。"), code="future")


def files_getlist(files: Any, name: str) -> list[Any]:
    if files is None:
        return []
    if hasattr(files, "getlist"):
        return files.getlist(name)
    v = files.get(name)
    return v if isinstance(v, list) else ([v] if v else [])
