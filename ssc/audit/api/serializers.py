"""Audit events as the API shows them, the list's query parameters, and the verification result."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    """审计事件 — who did what to which object, when, under which article; hash-chained."""

    actor_role_display = serializers.CharField(source="actor_role_label", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "at",
            "actor_id",
            "actor_username",
            "actor_role",
            "actor_role_display",
            "organisation_id",
            "organisation_name",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "article",
            "request_id",
            "client_ip",
            "source",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditEventDetailSerializer(AuditEventSerializer):
    """One event with its before/after states decoded from the stored canonical JSON."""

    before = serializers.SerializerMethodField(help_text="State before the change (JSON), or null.")
    after = serializers.SerializerMethodField(help_text="State after the change (JSON), or null.")

    class Meta(AuditEventSerializer.Meta):
        fields = [*AuditEventSerializer.Meta.fields, "before", "after"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.ANY)
    def get_before(self, obj: AuditEvent) -> Any:
        return obj.before

    @extend_schema_field(OpenApiTypes.ANY)
    def get_after(self, obj: AuditEvent) -> Any:
        return obj.after


class AuditEventFilter(serializers.Serializer):
    """Query parameters of ``GET /api/v1/audit_events/`` (all optional, combined with AND)."""

    action = serializers.CharField(required=False, max_length=80, help_text="Exact action, e.g. `outlet.update`.")
    object_type = serializers.CharField(
        required=False, max_length=60, help_text="Exact object type (`app_label.model`), e.g. `registry.outlet`."
    )
    object_id = serializers.CharField(required=False, max_length=40, help_text="The object's id.")
    actor = serializers.CharField(required=False, max_length=150, help_text="The actor's user id or username.")
    article = serializers.CharField(required=False, max_length=20, help_text="Article cited, e.g. `7(4)`.")
    request_id = serializers.CharField(required=False, max_length=64, help_text="Request id (`X-Request-ID`).")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # ``from`` is a Python keyword, so these two are added here rather than declared.
        fields["from"] = serializers.DateField(
            required=False, help_text="Events on or after this date (YYYY-MM-DD, Asia/Shanghai)."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Events on or before this date (YYYY-MM-DD, Asia/Shanghai)."
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("结束日期不能早于开始日期。")]})
        return attrs


class VerifyQuery(serializers.Serializer):
    from_seq = serializers.IntegerField(
        required=False, min_value=1, max_value=10**15, help_text="Start at this seq (default: the first event)."
    )


class VerifyResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when every checked event matches its hash and the chain head.")
    checked = serializers.IntegerField(help_text="Events verified (before the break, if any).")
    broken_at = serializers.IntegerField(allow_null=True, help_text="Seq of the first broken link, or null.")
    reason = serializers.CharField(allow_null=True, help_text="Why it is broken, localised; null when ok.")
    code = serializers.CharField(
        allow_null=True,
        help_text="Machine-readable reason: missing, prev_hash, edited, head, head_hash, beyond_head, start.",
    )
    from_seq = serializers.IntegerField()
    head_seq = serializers.IntegerField(help_text="The chain head's seq when the check started.")
    head_hash = serializers.CharField(help_text="The chain head's SM3 hash (record it elsewhere as an anchor).")
