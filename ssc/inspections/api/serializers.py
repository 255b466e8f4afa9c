"""Shapes of the inspection API: the inspection (监督检查) in lists and in detail, its files, what records one."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.registry.api.serializers import DistrictBriefSerializer
from ssc.workflow.api.serializers import (
    OrganisationBriefSerializer,
    UserBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
)

from ..models import Inspection, InspectionDocument
from ..workflow import INSPECTION


class InspectedOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    district = serializers.IntegerField(source="district_id")


class InspectionSerializer(WorkflowCaseSerializer):
    """监督检查 in lists: who inspected what and when, the findings, and what the district was asked to do."""

    workflow = INSPECTION

    organisation = OrganisationBriefSerializer(read_only=True, help_text="The inspecting organisation.")
    recorded_by = UserBriefSerializer(read_only=True)
    district = DistrictBriefSerializer(read_only=True, allow_null=True)
    outlets = InspectedOutletSerializer(many=True, read_only=True)
    responded_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "organisation",
            "recorded_by",
            "inspected_on",
            "scope",
            "district",
            "outlets",
            "findings",
            "requests_action",
            "requested_action",
            "district_response",
            "responded_at",
            "responded_by",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InspectionDocumentSerializer(serializers.Serializer):
    """监督检查材料 — a file recorded with an action, immutable, identified by its SM3 digest."""

    id = serializers.IntegerField()
    action = serializers.CharField(help_text="The action it was recorded with: `record` or `respond`.")
    title = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sm3 = serializers.CharField()
    uploaded_by = UserBriefSerializer()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj: InspectionDocument) -> str:
        path = reverse("api-inspection-document", kwargs={"pk": obj.inspection_id, "doc_id": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class InspectionDetailSerializer(WorkflowCaseDetailMixin, InspectionSerializer):
    """One inspection with what each step recorded (``facts``), history, deadlines and its files."""

    facts = serializers.JSONField(read_only=True, help_text="What each action recorded, by action name.")

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "facts", "history", "deadlines", "documents"]
        read_only_fields = fields

    @extend_schema_field(InspectionDocumentSerializer(many=True))
    def get_documents(self, obj: Inspection) -> list[dict[str, Any]]:
        docs = InspectionDocument.objects.filter(inspection=obj).select_related("uploaded_by").order_by("pk")
        # ``many=True`` builds a ListSerializer whose ``data`` is a list; the stubs type it as the child's dict.
        return cast("list[dict[str, Any]]", InspectionDocumentSerializer(docs, many=True, context=self.context).data)


class InspectionRecordSerializer(serializers.Serializer):
    """记录监督检查 (Art 5) — by a regulator or the center, for its own organisation. JSON, or multipart with
    ``documents`` file parts and the other fields as parts or one JSON ``payload`` part."""

    inspected_on = serializers.DateField(help_text="Day of the inspection; not in the future.")
    scope = serializers.CharField(max_length=2000, help_text="What was inspected, and how.")
    district = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="District id. May be left out when the outlets all lie in one district (it is then derived).",
    )
    outlets = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Outlets inspected, by id or code (up to 200). Inside `district` when both are given.",
    )
    findings = serializers.CharField(max_length=4000)
    requests_action = serializers.BooleanField(
        required=False, help_text="Ask the district agency to act (→ `action_requested`); needs a district."
    )
    requested_action = serializers.CharField(
        required=False, max_length=2000, help_text="What the district must do; required with `requests_action`."
    )
    documents = serializers.ListField(child=serializers.FileField(), required=False, help_text="PDF, OFD or image.")
