"""Shapes of the roster versions API (名单版本): the versions and what each changed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.workflow.api.serializers import choice_string_field

from ..models import ChangeKind, RosterChange, RosterVersion

# How many changes a version's detail embeds; the rest are paged at ``…/{number}/changes/``.
EMBEDDED_CHANGES = 200


class PublisherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class OutletRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class RosterVersionSerializer(serializers.ModelSerializer):
    published_by = PublisherSerializer(read_only=True, allow_null=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = RosterVersion
        fields = ["number", "published_at", "published_by", "reason", "counts", "total"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.DictField(child=serializers.IntegerField(), help_text="`added`, `changed`, `removed`.")
    )
    def get_counts(self, obj: RosterVersion) -> dict[str, int]:
        return {"added": obj.added_count, "changed": obj.changed_count, "removed": obj.removed_count}


class RosterChangeSerializer(serializers.ModelSerializer):
    """One outlet added, changed or removed, with the published data before and after."""

    outlet = OutletRefSerializer(read_only=True)
    kind = choice_string_field(ChangeKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = RosterChange
        fields = ["outlet", "kind", "kind_display", "before", "after"]
        read_only_fields = fields


def changes_queryset() -> Any:
    return RosterChange.objects.select_related("outlet").only(
        "id", "version_id", "kind", "before", "after", "outlet__id", "outlet__code", "outlet__name"
    )


class RosterVersionDetailSerializer(RosterVersionSerializer):
    """A version with its changes: up to ``EMBEDDED_CHANGES`` embedded, all of them at ``changes_url``."""

    changes = serializers.SerializerMethodField()
    changes_truncated = serializers.SerializerMethodField(
        help_text="True when the version changed more outlets than embedded here; page through `changes_url`."
    )
    changes_url = serializers.SerializerMethodField()

    class Meta(RosterVersionSerializer.Meta):
        fields = [*RosterVersionSerializer.Meta.fields, "changes", "changes_truncated", "changes_url"]
        read_only_fields = fields

    def _changes(self, obj: RosterVersion) -> list[RosterChange]:
        cache = self.context.setdefault("_changes", {})
        if obj.pk not in cache:
            cache[obj.pk] = list(changes_queryset().filter(version=obj).order_by("id")[: EMBEDDED_CHANGES + 1])
        return cache[obj.pk]

    @extend_schema_field(RosterChangeSerializer(many=True))
    def get_changes(self, obj: RosterVersion) -> Any:
        return RosterChangeSerializer(self._changes(obj)[:EMBEDDED_CHANGES], many=True).data

    def get_changes_truncated(self, obj: RosterVersion) -> bool:
        return len(self._changes(obj)) > EMBEDDED_CHANGES

    def get_changes_url(self, obj: RosterVersion) -> str:
        path = reverse("api-roster-version-changes", kwargs={"number": obj.number})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
