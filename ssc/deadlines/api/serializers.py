"""Deadlines in lists across cases: the deadline, which case it belongs to, and that case's outlet."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.workflow.api.serializers import DeadlineSerializer


def case_url(case_type: str, case_id: int) -> str | None:
    """The case's API path; each workflow registers its collection with the basename ``api-<case_type>``."""
    try:
        return reverse(f"api-{case_type.replace('_', '-')}-detail", args=[case_id])
    except NoReverseMatch:
        return None


class CaseBriefSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    state = serializers.CharField(allow_null=True)
    outlet = serializers.DictField(allow_null=True, help_text="`{id, code, name}` of the case's outlet.")
    url = serializers.CharField(allow_null=True, help_text="The case in the API.")


class DeadlineListSerializer(DeadlineSerializer):
    """期限 with its case (``context["cases"]`` holds the cases of the page, loaded in one query per type)."""

    case_type = serializers.CharField(read_only=True)
    case_id = serializers.IntegerField(read_only=True)
    district = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_district(self, obj: Any) -> int | None:
        return obj.district_id

    @extend_schema_field(CaseBriefSerializer)
    def get_case(self, obj: Any) -> dict[str, Any]:
        case = (self.context.get("cases") or {}).get((obj.case_type, obj.case_id))
        outlet = getattr(case, "outlet", None) if case is not None else None
        return {
            "type": obj.case_type,
            "id": obj.case_id,
            "state": getattr(case, "state", None),
            "outlet": {"id": outlet.pk, "code": outlet.code, "name": outlet.name} if outlet is not None else None,
            "url": case_url(obj.case_type, obj.case_id),
        }
