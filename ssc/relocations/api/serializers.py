"""Shapes of the relocation API (网点迁址)."""

from __future__ import annotations

from rest_framework import serializers

from ssc.admission.api.serializers import OutletSummarySerializer
from ssc.registry.api.serializers import DistrictBriefSerializer
from ssc.workflow.api.serializers import UserBriefSerializer, WorkflowCaseDetailMixin, WorkflowCaseSerializer

from ..models import Relocation
from ..workflow import RELOCATION


class RelocationSerializer(WorkflowCaseSerializer):
    """网点迁址 in lists: outlet, old and new address, planned date, state."""

    workflow = RELOCATION

    outlet = OutletSummarySerializer(read_only=True)
    new_district = DistrictBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Relocation
        fields = [
            "id",
            "outlet",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "old_address",
            "new_address",
            "new_district",
            "new_latitude",
            "new_longitude",
            "planned_move_on",
            "reported_at",
            "assessed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RelocationDetailSerializer(WorkflowCaseDetailMixin, RelocationSerializer):
    """One relocation with the old coordinates, the assessment, what each step recorded, history and documents."""

    reported_by = UserBriefSerializer(read_only=True)
    assessed_by = UserBriefSerializer(read_only=True, allow_null=True)
    facts = serializers.JSONField(read_only=True, help_text="What each action recorded, by action name.")

    class Meta(RelocationSerializer.Meta):
        fields = [
            *RelocationSerializer.Meta.fields,
            "old_latitude",
            "old_longitude",
            "reported_by",
            "assessed_by",
            "findings",
            "facts",
            "history",
            "deadlines",
            "documents",
        ]
        read_only_fields = fields
