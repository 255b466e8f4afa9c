"""Shapes of the agreement API: cooperation agreements (list, detail with their renewal chain and history) and the
banks' framework agreements with HRSS (Art 6(1))."""

from __future__ import annotations

from typing import Any, cast

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.admission.api.serializers import OutletSummarySerializer
from ssc.registry.api.serializers import BankBriefSerializer
from ssc.workflow.api.serializers import (
    OrganisationBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
    choice_string_field,
)
from ssc.workflow.definition import Workflow

from .. import selectors
from ..models import Agreement, AgreementStatus, FrameworkAgreement
from ..workflow import AGREEMENT


class AgreementBriefSerializer(serializers.Serializer):
    """One term of an outlet's cooperation (in a renewal chain)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField()
    status = choice_string_field(AgreementStatus.values)


class FrameworkAgreementBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    signed_on = serializers.DateField()
    term_start = serializers.DateField()
    term_end = serializers.DateField(allow_null=True)
    bank_organisation = OrganisationBriefSerializer()


class AgreementSerializer(WorkflowCaseSerializer):
    """合作协议 in lists: its term, status, whether it was renewed, days left."""

    workflow: Workflow = AGREEMENT

    outlet = OutletSummarySerializer(read_only=True)
    agency = OrganisationBriefSerializer(read_only=True)
    status = choice_string_field(AgreementStatus.values, "Same as `state`.")
    renews = serializers.IntegerField(source="renews_id", read_only=True, allow_null=True)
    renewed = serializers.SerializerMethodField(help_text="A renewal of this agreement exists.")
    days_left = serializers.SerializerMethodField(help_text="Days from today to the last day (negative: ended).")
    expired_unrenewed = serializers.SerializerMethodField(
        help_text="Past its last day without renewal, outlet not exited: Art 9(4) exit is available."
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "outlet",
            "agency",
            "signed_on",
            "term_start",
            "term_end",
            "status",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "renews",
            "renewed",
            "days_left",
            "expired_unrenewed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _renewed(self, obj: Agreement) -> bool:
        flag = getattr(obj, "has_successor", None)
        return bool(flag) if flag is not None else obj.successor is not None

    def get_renewed(self, obj: Agreement) -> bool:
        return self._renewed(obj)

    def get_days_left(self, obj: Agreement) -> int:
        return (obj.term_end - timezone.localdate()).days

    def get_expired_unrenewed(self, obj: Agreement) -> bool:
        return (
            obj.status in (AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED)
            and obj.term_end < timezone.localdate()
            and not self._renewed(obj)
            and obj.outlet.status in selectors.EXIT_PENDING_OUTLET_STATUSES
        )


class AgreementDetailSerializer(WorkflowCaseDetailMixin, AgreementSerializer):
    """One agreement with its renewal chain, the bank's framework agreement, history and documents."""

    document = serializers.IntegerField(source="document_id", read_only=True, allow_null=True)
    application = serializers.IntegerField(source="application_id", read_only=True, allow_null=True)
    renewed_by = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField(help_text="Every term of this cooperation, oldest first.")
    framework_agreement = serializers.SerializerMethodField(
        help_text="The bank's framework agreement with HRSS (Art 6(1)), null when none is recorded."
    )

    class Meta(AgreementSerializer.Meta):
        fields = [
            *AgreementSerializer.Meta.fields,
            "document",
            "application",
            "renewed_by",
            "reminded_90_on",
            "reminded_30_on",
            "ended_on",
            "chain",
            "framework_agreement",
            "history",
            "deadlines",
            "documents",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_renewed_by(self, obj: Agreement) -> int | None:
        s = obj.successor
        return s.pk if s is not None else None

    @extend_schema_field(AgreementBriefSerializer(many=True))
    def get_chain(self, obj: Agreement) -> list[dict[str, Any]]:
        # ``many=True`` builds a ListSerializer whose ``data`` is a list; the stubs type it as the child's dict.
        return cast("list[dict[str, Any]]", AgreementBriefSerializer(selectors.chain(obj), many=True).data)

    @extend_schema_field(FrameworkAgreementBriefSerializer(allow_null=True))
    def get_framework_agreement(self, obj: Agreement) -> dict[str, Any] | None:
        fa = selectors.framework_agreement_for_bank(obj.outlet.bank_id)
        return FrameworkAgreementBriefSerializer(fa).data if fa is not None else None


class FrameworkDocumentSerializer(serializers.Serializer):
    name = serializers.CharField(source="document_name")
    content_type = serializers.CharField(source="document_content_type")
    size = serializers.IntegerField(source="document_size")
    sm3 = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj: FrameworkAgreement) -> str:
        path = reverse("api-framework_agreement-document", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class FrameworkAgreementSerializer(serializers.ModelSerializer):
    """合作框架协议 — bank ↔ HRSS (Art 6(1)): parties, number, dates, liability clauses, signed copy."""

    bank = BankBriefSerializer(read_only=True)
    bank_organisation = OrganisationBriefSerializer(read_only=True)
    hrss = OrganisationBriefSerializer(read_only=True)
    in_force = serializers.SerializerMethodField(help_text="Its term covers today.")
    document = serializers.SerializerMethodField()

    class Meta:
        model = FrameworkAgreement
        fields = [
            "id",
            "bank",
            "bank_organisation",
            "hrss",
            "number",
            "signed_on",
            "term_start",
            "term_end",
            "in_force",
            "liability_clauses",
            "document",
            "created_at",
        ]
        read_only_fields = fields

    def get_in_force(self, obj: FrameworkAgreement) -> bool:
        return obj.in_force_on(timezone.localdate())

    @extend_schema_field(FrameworkDocumentSerializer(allow_null=True))
    def get_document(self, obj: FrameworkAgreement) -> dict[str, Any] | None:
        if not obj.document:
            return None
        return FrameworkDocumentSerializer(obj, context=self.context).data
