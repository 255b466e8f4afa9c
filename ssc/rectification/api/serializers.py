"""Shapes of the rectification API: the case (整改) in lists and in detail, and what issues one."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ssc.registry.api.serializers import BankBriefSerializer, DistrictBriefSerializer
from ssc.registry.choices import OutletStatus
from ssc.workflow.api.serializers import (
    UserBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
    choice_string_field,
)

from ..models import OPEN_STATES, Rectification, RectificationSource
from ..models import RectificationState as S
from ..workflow import RECTIFICATION


class RectificationOutletSerializer(serializers.Serializer):
    """The outlet ordered to rectify."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    status = choice_string_field(OutletStatus.values)
    status_display = serializers.CharField(source="get_status_display")
    district = DistrictBriefSerializer()
    bank = BankBriefSerializer()


class RectificationSerializer(WorkflowCaseSerializer):
    """整改 in lists: the outlet, the items, the notice date and the 3-month last day (Civil Code Art 201–203)."""

    workflow = RECTIFICATION

    outlet = RectificationOutletSerializer(read_only=True)
    issued_by = UserBriefSerializer(read_only=True)
    source = choice_string_field(RectificationSource.values)  # type: ignore[assignment]  # named like Field.source
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    items = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="What must be fixed.")
    due_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Last day: 3 calendar months after `issued_on` (Art 8(3))."
    )
    overdue = serializers.SerializerMethodField(
        help_text="Marked overdue by the sweep, or still open past its last day."
    )

    class Meta:
        model = Rectification
        fields = [
            "id",
            "outlet",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "items",
            "issued_on",
            "due_on",
            "overdue",
            "source",
            "source_display",
            "source_ref",
            "issued_by",
            "closed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Rectification) -> bool:
        if obj.state == S.OVERDUE:
            return True
        return obj.state in OPEN_STATES and obj.due_on is not None and obj.due_on < timezone.localdate()


class RectificationDetailSerializer(WorkflowCaseDetailMixin, RectificationSerializer):
    """One rectification with what each step recorded (``facts``), history, deadlines and documents."""

    facts = serializers.JSONField(read_only=True, help_text="What each action recorded, by action name (a list).")

    class Meta(RectificationSerializer.Meta):
        fields = [*RectificationSerializer.Meta.fields, "facts", "history", "deadlines", "documents"]
        read_only_fields = fields


class RectificationIssueSerializer(serializers.Serializer):
    """下达整改通知 (Art 8(3)) — by a district officer, for an outlet of the district that cooperates. JSON, or
    multipart with the notice (``notice`` file parts) and the other fields as parts or one JSON ``payload`` part.
    The last day is computed from ``issued_on``, never sent."""

    outlet = serializers.IntegerField(label=_("网点"), min_value=1, max_value=2**63 - 1, help_text="Outlet id.")
    items = serializers.ListField(
        child=serializers.CharField(max_length=300),
        min_length=1,
        max_length=30,
        help_text="What must be fixed (1–30 items). Also accepted: one item per line.",
    )
    issued_on = serializers.DateField(help_text="Date of the notice (督促整改通知); not in the future.")
    source = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.source
        help_text="Why: " + "; ".join(f"`{k}` = {v}" for k, v in RectificationSource.choices) + "."
    )
    source_ref = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="Id of the record it comes from."
    )
    notice = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="The signed notice (PDF, OFD or image)."
    )
