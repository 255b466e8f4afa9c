"""Shapes of the termination API: the case (解除合作) in lists and in detail, what initiates one, and the grounds
available for an outlet."""

from __future__ import annotations

from rest_framework import serializers

from ssc.registry.api.serializers import BankBriefSerializer, DistrictBriefSerializer
from ssc.registry.choices import OutletStatus
from ssc.workflow.api.serializers import (
    OrganisationBriefSerializer,
    UserBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
    choice_string_field,
)
from ssc.workflow.definition import Workflow

from ..models import Ground, InitiatorSide, Termination
from ..workflow import TERMINATION


class TerminationOutletSerializer(serializers.Serializer):
    """The outlet whose cooperation ends."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    status = choice_string_field(OutletStatus.values)
    status_display = serializers.CharField(source="get_status_display")
    district = DistrictBriefSerializer()
    bank = BankBriefSerializer()


class TerminationSerializer(WorkflowCaseSerializer):
    """解除合作 in lists: the outlet, the ground (Art 8(1)–(4), 9(1)–(4)), who initiated it and the key dates."""

    workflow: Workflow = TERMINATION

    outlet = TerminationOutletSerializer(read_only=True)
    ground = choice_string_field(Ground.values, "The ground.")
    ground_display = serializers.CharField(source="get_ground_display", read_only=True)
    ground_article = serializers.CharField(read_only=True, help_text="The ground's article and item, e.g. `8(3)`.")
    initiated_by = UserBriefSerializer(read_only=True)
    initiator_organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    initiator_side = choice_string_field(InitiatorSide.values, "Who asked to end the cooperation.")
    rectification = serializers.IntegerField(
        source="rectification_id", read_only=True, allow_null=True, help_text="8(3): the overdue rectification."
    )
    relocation = serializers.IntegerField(
        source="relocation_id", read_only=True, allow_null=True, help_text="9(3): the non-compliant relocation."
    )
    agreement = serializers.IntegerField(
        source="agreement_id", read_only=True, allow_null=True, help_text="9(4): the agreement not renewed."
    )

    class Meta:
        model = Termination
        fields = [
            "id",
            "outlet",
            "ground",
            "ground_display",
            "ground_article",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "reasons",
            "initiated_by",
            "initiator_organisation",
            "initiator_side",
            "rectification",
            "relocation",
            "agreement",
            "initiated_on",
            "decided_on",
            "legal_liability",
            "filed_on",
            "closed_on",
            "cancelled_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TerminationDetailSerializer(WorkflowCaseDetailMixin, TerminationSerializer):
    """One termination with what each step recorded (``facts``), history, deadlines and documents."""

    facts = serializers.JSONField(read_only=True, help_text="What each action recorded, by action name.")

    class Meta(TerminationSerializer.Meta):
        fields = [*TerminationSerializer.Meta.fields, "facts", "history", "deadlines", "documents"]
        read_only_fields = fields


class TerminationInitiateSerializer(serializers.Serializer):
    """发起解除合作 (Art 8, 9). JSON, or multipart with ``evidence`` file parts and the other fields as parts or one
    JSON ``payload`` part. For 8.3, 9.3 and 9.4 the system links the record that makes the ground available."""

    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Outlet id.")
    ground = serializers.CharField(help_text="One of: " + "; ".join(f"`{k}` = {v}" for k, v in Ground.choices) + ".")
    reasons = serializers.CharField(max_length=4000, help_text="Facts and reasons.")
    requested_on = serializers.DateField(
        required=False, help_text="When the request was made / the facts were found; not in the future."
    )
    evidence = serializers.ListField(child=serializers.FileField(), required=False, help_text="Evidence documents.")


class GroundOptionSerializer(serializers.Serializer):
    """One ground, and whether the calling user may initiate on it for the outlet now (the reason when not)."""

    code = serializers.CharField(help_text="`8.1` … `9.4`.")
    label = serializers.CharField()  # type: ignore[assignment]
    article = serializers.CharField(help_text="e.g. `8(3)`.")
    available = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why not, when `available` is false; empty otherwise.")


class AvailableGroundsSerializer(serializers.Serializer):
    outlet = serializers.IntegerField()
    open_termination = serializers.IntegerField(allow_null=True, help_text="The outlet's running termination, if any.")
    grounds = GroundOptionSerializer(many=True)
