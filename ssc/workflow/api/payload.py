"""Action payloads over HTTP: reading JSON or multipart into what the payload form expects, and describing the
form in the OpenAPI document.

The payload *form* (``Transition.form``) is the one validator, shared with the pages; the API only adapts the
request to it:

- ``application/json`` — the object is handed to the form as is (lists and objects allowed);
- ``multipart/form-data`` — files are the file parts; the other fields are parts too (a repeated part is a list,
  checklist answers may be ``checklist.<code>`` parts), or all of them one JSON part named ``payload``.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import serializers

from ssc.core.errors import ValidationFailed
from ssc.workflow.definition import Transition
from ssc.workflow.forms import DocumentField, LinesField, MultipleDocumentField

PAYLOAD_PART = "payload"


def read_payload(request: Any, form_class: Any = None) -> tuple[dict[str, Any], Any]:
    """``(data, files)`` of an action request, for ``engine.perform``; values shaped for ``form_class``."""
    raw = request.data
    files = None
    if isinstance(raw, QueryDict):
        files = request.FILES
        data: dict[str, Any] = {}
        if PAYLOAD_PART in raw and PAYLOAD_PART not in files:
            try:
                parsed = json.loads(raw.get(PAYLOAD_PART) or "{}")
            except ValueError as exc:
                raise ValidationFailed(errors={PAYLOAD_PART: [_("不是有效的 JSON。")]}) from exc
            if not isinstance(parsed, dict):
                raise ValidationFailed(errors={PAYLOAD_PART: [_("应为 JSON 对象。")]})
            data.update(parsed)
        for key in raw:
            if key == PAYLOAD_PART or key in files:
                continue
            values = raw.getlist(key)
            data[key] = values[0] if len(values) == 1 else values
    elif raw is None or raw == {} or raw == "":
        data = {}
    elif not isinstance(raw, dict):
        raise ValidationFailed(errors={"non_field_errors": [_("请求体应为 JSON 对象。")]})
    else:
        data = dict(raw)
    return shape_for_form(form_class, data), files


def outlet_id_from(data: dict[str, Any]) -> int:
    """The outlet id of a payload that creates a case for one outlet (its ``outlet`` field: one positive integer,
    as a JSON number or text, or a single multipart part); 400 naming ``outlet`` otherwise."""
    raw = data.get("outlet")
    if isinstance(raw, list):
        raw = raw[0] if len(raw) == 1 else None
    if raw in (None, ""):
        raise ValidationFailed(errors={"outlet": [_("请指定网点。")]})
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        raise ValidationFailed(errors={"outlet": [_("网点应为网点 ID（整数）。")]}) from None
    if not 1 <= value < 2**63:
        raise ValidationFailed(errors={"outlet": [_("网点应为网点 ID（整数）。")]})
    return value


def shape_for_form(form_class: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Give each field the kind of value an HTML form would (the payload forms are shared with the pages): one
    value for a single-valued field — a list or an object there is refused, a number becomes its text —, lists only
    of one kind of item, and no file content outside multipart. ``null`` means absent. Refusals name the field."""
    if form_class is None:
        return data
    errors: dict[str, list[str]] = {}
    out = dict(data)
    for name, field in form_class.base_fields.items():
        if name not in out:
            continue
        value = out[name]
        if value is None:
            del out[name]
        elif isinstance(field, forms.FileField):
            errors[name] = [_("文件须以 multipart/form-data 的文件部分上传。")]
        elif isinstance(field, LinesField):
            if isinstance(value, list) and len({isinstance(v, dict) for v in value}) > 1:
                errors[name] = [_("列表中的各项类型应一致。")]
            elif isinstance(value, list) and any(isinstance(v, list) for v in value):
                errors[name] = [_("列表项不能再是列表。")]
        elif type(field) is forms.Field:
            continue  # a structured value (e.g. checklist answers): the form reads it as it is
        elif isinstance(value, list | dict):
            errors[name] = [_("应为单个值，不能是列表或对象。")]
        elif isinstance(field, forms.BooleanField):
            continue
        elif not isinstance(value, str):
            out[name] = str(value).lower() if isinstance(value, bool) else str(value)
    if errors:
        raise ValidationFailed(errors=errors)
    return out


def has_documents(form_class: Any) -> bool:
    return form_class is not None and any(isinstance(f, forms.FileField) for f in form_class.base_fields.values())


def requires_documents(form_class: Any) -> bool:
    return form_class is not None and any(
        isinstance(f, forms.FileField) and f.required for f in form_class.base_fields.values()
    )


def _help(field: forms.Field) -> str:
    parts = [str(field.label or "")]
    if field.help_text:
        parts.append(str(field.help_text))
    return " — ".join(p for p in parts if p)


def serializer_field_for(field: forms.Field) -> serializers.Field:
    """The documentation counterpart of one form field (validation stays in the form)."""
    common: dict[str, Any] = {"required": field.required, "help_text": _help(field)}
    if isinstance(field, MultipleDocumentField):
        return serializers.ListField(child=serializers.FileField(), **common)
    if isinstance(field, DocumentField | forms.FileField):
        return serializers.FileField(**common)
    if isinstance(field, LinesField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
        # Values listed in the description rather than as an OpenAPI enum: enum components are named after the
        # field, and payload fields named alike (``decision``, ``result``) in other workflows would collide.
        # The setter normalises choices to (value, label) pairs; the stubs type the getter as any accepted input.
        choices = cast("list[tuple[Any, Any]]", field.choices)
        listed = "; ".join(f"`{k}` = {v}" for k, v in choices if k != "")
        common["help_text"] = f"{common['help_text']} — one of: {listed}"
        return serializers.CharField(**common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    if isinstance(field, forms.CharField):
        # ``max_length=None`` means no limit (DRF's default); drf-stubs only admit an int.
        return serializers.CharField(
            max_length=field.max_length,  # type: ignore[arg-type]
            allow_blank=not field.required,
            **common,
        )
    return serializers.JSONField(**common)


def payload_serializer(
    name: str, t: Transition, overrides: dict[str, serializers.Field] | None = None
) -> type[serializers.Serializer]:
    """A serializer class describing ``t``'s payload form in the OpenAPI document (component ``name``)."""
    attrs: dict[str, Any] = {}
    if t.form is not None:
        for field_name, field in t.form.base_fields.items():
            attrs[field_name] = (overrides or {}).get(field_name) or serializer_field_for(field)
    attrs["__doc__"] = f"Payload of `{t.action}` ({t.label}), Art {t.article}."
    return type(f"{name}Serializer", (serializers.Serializer,), attrs)
