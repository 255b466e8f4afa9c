"""Shapes of the admission API: the application (网点开设申请) in lists and in detail, and what creates one."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.registry.api.serializers import (
    BankBriefSerializer,
    DistrictBriefSerializer,
    OutletSerializer,
    OutletWriteSerializer,
)
from ssc.registry.choices import AccountType, OutletStatus
from ssc.workflow.api.serializers import (
    OrganisationBriefSerializer,
    UserBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
    choice_string_field,
    is_overdue,
)

from ..models import Application
from ..workflow import ADMISSION


class OutletSummarySerializer(serializers.Serializer):
    """The outlet an application is for, as lists show it."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    status = choice_string_field(OutletStatus.values)
    status_display = serializers.CharField(source="get_status_display")
    district = DistrictBriefSerializer()
    bank = BankBriefSerializer()


class ApplicationSerializer(WorkflowCaseSerializer):
    """网点开设申请 in lists (the inbox included): state, what the caller may do, the soonest open deadline."""

    workflow = ADMISSION

    outlet = OutletSummarySerializer(read_only=True)
    due_on = serializers.SerializerMethodField(help_text="Last day of the soonest open statutory deadline.")
    deadline_status = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField(help_text="The soonest open deadline has passed.")

    class Meta:
        model = Application
        fields = [
            "id",
            "outlet",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "filing_number",
            "submitted_at",
            "completed_at",
            "created_at",
            "updated_at",
            "due_on",
            "deadline_status",
            "overdue",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_on(self, obj: Application) -> date | None:
        return getattr(obj, "due_on", None)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="pending or missed; null without one."))
    def get_deadline_status(self, obj: Application) -> str | None:
        return getattr(obj, "deadline_status", None)

    def get_overdue(self, obj: Application) -> bool:
        return is_overdue(getattr(obj, "due_on", None), getattr(obj, "deadline_status", None))


class ApplicationDetailSerializer(WorkflowCaseDetailMixin, ApplicationSerializer):
    """One application with its outlet, the data each step recorded (``facts``), history, deadlines and
    documents."""

    outlet = OutletSerializer(read_only=True)  # type: ignore[assignment]
    consent_organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    created_by = UserBriefSerializer(read_only=True)
    facts = serializers.JSONField(read_only=True, help_text="What each action recorded, by action name.")

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "consent_organisation",
            "consent_date",
            "created_by",
            "facts",
            "history",
            "deadlines",
            "documents",
        ]
        read_only_fields = fields


class ApplicationOutletDataSerializer(OutletWriteSerializer):
    """A new outlet registered with its application: the applicant's own bank and sub-branch are implied."""

    # DRF's way to drop an inherited declared field (the stubs do not model it).
    bank = None  # type: ignore[assignment]
    sub_branch = None  # type: ignore[assignment]
    services = None  # type: ignore[assignment]


class ApplicationCreateSerializer(serializers.Serializer):
    """新建网点开设申请 (draft) — for an outlet of the caller's sub-branch (``outlet``), or registering a new one
    (``outlet_data`` + ``services``). Exactly one of ``outlet`` and ``outlet_data``."""

    outlet = serializers.IntegerField(
        label=_("网点"), min_value=1, max_value=2**63 - 1, required=False, help_text="Id of a registered outlet."
    )
    outlet_data = ApplicationOutletDataSerializer(label=_("新网点信息"), required=False)
    services = serializers.ListField(
        label=_("服务项目"),
        child=serializers.SlugField(max_length=30),
        required=False,
        default=list,
        max_length=50,
        help_text="Card service codes of the new outlet (see /api/v1/card_services/).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_outlet, has_data = attrs.get("outlet") is not None, attrs.get("outlet_data") is not None
        if has_outlet == has_data:
            raise serializers.ValidationError({"outlet": [_("请指定已登记的网点，或填写新网点信息（二者选一）。")]})
        if has_outlet and attrs.get("services"):
            raise serializers.ValidationError({"services": [_("已登记网点的服务项目请在网点信息中修改。")]})
        return attrs


class AccountPayloadSerializer(serializers.Serializer):
    """One system account opened by the center (documentation of ``open_accounts``)."""

    account_type = serializers.ChoiceField(choices=AccountType.choices)
    identifier = serializers.RegexField(r"^[A-Za-z0-9_\-.]{2,50}$")
    holder = serializers.CharField(max_length=50, allow_blank=True, required=False)


# Payload fields whose form field is too loose to describe itself.
PAYLOAD_OVERRIDES: dict[str, serializers.Field] = {
    "checklist": serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="The center's active checklist: item code → true (meets) / false (does not). Every item is "
        "required. Multipart: `checklist.<code>` parts with yes/no.",
    ),
    "accounts": serializers.ListField(
        child=AccountPayloadSerializer(),
        min_length=1,
        help_text="Accounts opened. Also accepted: lines `type,identifier,holder`.",
    ),
}
