"""Output and input shapes of the registry API (districts, organisations, banks, outlets, services)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import InterconnectionMode, OrganisationKind, OutletStatus
from ..models import (
    CQ_LAT,
    CQ_LNG,
    Bank,
    CardService,
    District,
    Organisation,
    Outlet,
    SystemAccount,
    hours_validator,
    phone_validator,
)

# --- output ---------------------------------------------------------------------------------------------


class DistrictSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    overlaps = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True
    )

    class Meta:
        model = District
        fields = ["id", "code", "name", "kind", "kind_display", "overlaps"]


class BankSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bank
        fields = ["id", "code", "name", "short_name", "hotline", "sort_order"]


class OrganisationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "kind", "kind_display", "parent", "district", "bank", "address", "phone"]
        fields += ["is_active", "updated_at"]


class CardServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CardService
        fields = ["id", "code", "name", "description", "sort_order", "is_active"]


class BankBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class SubBranchBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DistrictBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OutletSerializer(serializers.ModelSerializer):
    """合作银行网点 as the staff API shows it. Needs ``select_related`` of bank, sub_branch, district and
    ``prefetch_related("services")`` (see ``views.outlet_queryset``) to stay at a constant query count."""

    bank = BankBriefSerializer(read_only=True)
    sub_branch = SubBranchBriefSerializer(read_only=True)
    district = DistrictBriefSerializer(read_only=True)
    services = serializers.ManyRelatedField(
        child_relation=serializers.SlugRelatedField(read_only=True, slug_field="code"), read_only=True
    )
    opening_hours = serializers.CharField(read_only=True)
    interconnection_mode_display = serializers.CharField(source="get_interconnection_mode_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Outlet
        fields = [
            "id",
            "code",
            "name",
            "bank",
            "sub_branch",
            "district",
            "address",
            "latitude",
            "longitude",
            "weekday_hours",
            "weekend_hours",
            "hours_note",
            "opening_hours",
            "services",
            "instant_issuance",
            "consultation_phone",
            "complaint_phone",
            "interconnection_mode",
            "interconnection_mode_display",
            "jinyu_migration_planned_on",
            "status",
            "status_display",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    # The declared fields above document the shape (OpenAPI) and are checked against this in the tests;
    # the representation itself is built directly: generic field-by-field serialisation costs ~1 ms per row,
    # most of the P10 budget for a page of 50.
    def to_representation(self, outlet: Outlet) -> dict[str, Any]:
        labels = self._labels()
        bank, sub, district = outlet.bank, outlet.sub_branch, outlet.district
        planned = outlet.jinyu_migration_planned_on
        return {
            "id": outlet.pk,
            "code": outlet.code,
            "name": outlet.name,
            "bank": {"id": bank.pk, "name": bank.name, "short_name": bank.short_name},
            "sub_branch": {"id": sub.pk, "name": sub.name},
            "district": {"id": district.pk, "code": district.code, "name": district.name},
            "address": outlet.address,
            "latitude": outlet.latitude,
            "longitude": outlet.longitude,
            "weekday_hours": outlet.weekday_hours,
            "weekend_hours": outlet.weekend_hours,
            "hours_note": outlet.hours_note,
            "opening_hours": outlet.opening_hours,
            "services": self._service_codes(outlet),
            "instant_issuance": outlet.instant_issuance,
            "consultation_phone": outlet.consultation_phone,
            "complaint_phone": outlet.complaint_phone,
            "interconnection_mode": outlet.interconnection_mode,
            "interconnection_mode_display": labels["mode"].get(
                outlet.interconnection_mode, outlet.interconnection_mode
            ),
            "jinyu_migration_planned_on": planned.isoformat() if planned else None,
            "status": outlet.status,
            "status_display": labels["status"].get(outlet.status, outlet.status),
            "version": outlet.version,
            "updated_at": timezone.localtime(outlet.updated_at).isoformat() if outlet.updated_at else None,
        }

    @staticmethod
    def _service_codes(outlet: Outlet) -> list[str]:
        codes = getattr(outlet, "service_codes", None)  # set by ``views.with_service_codes``
        return list(codes) if codes is not None else [s.code for s in outlet.services.all()]

    def _labels(self) -> dict[str, dict[str, str]]:
        # Once per response (the list's child serializer is shared by its rows), in the request's language.
        lang = get_language()
        cached = getattr(self, "_label_cache", None)
        if cached is None or cached[0] != lang:
            cached = (
                lang,
                {
                    "status": {v: str(label) for v, label in OutletStatus.choices},
                    "mode": {v: str(label) for v, label in InterconnectionMode.choices},
                },
            )
            self._label_cache = cached
        return cached[1]


class SystemAccountSerializer(serializers.ModelSerializer):
    account_type_display = serializers.CharField(source="get_account_type_display", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = SystemAccount
        fields = ["id", "outlet", "account_type", "account_type_display", "identifier", "holder", "opened_on"]
        fields += ["closed_on", "is_open"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------------------


class OutletWriteSerializer(serializers.Serializer):
    """登记/修改网点 — outlet master data. Status and instant issuance are not written here: status follows
    the outlet's cases, instant issuance follows the ``instant_issuance`` service."""

    code = serializers.CharField(label=_("网点编码"), max_length=30)
    name = serializers.CharField(label=_("网点名称"), max_length=100)
    bank = serializers.PrimaryKeyRelatedField(label=_("银行"), queryset=Bank.objects.all())
    sub_branch = serializers.PrimaryKeyRelatedField(
        label=_("所属一级支行"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.SUB_BRANCH),
        help_text="Id of a first-level sub-branch (一级支行) of the same bank.",
    )
    district = serializers.PrimaryKeyRelatedField(label=_("所在区县"), queryset=District.objects.all())
    address = serializers.CharField(label=_("地址"), max_length=200)
    latitude = serializers.FloatField(label=_("纬度"), help_text="GCJ-02, within Chongqing.")
    longitude = serializers.FloatField(label=_("经度"), help_text="GCJ-02, within Chongqing.")
    weekday_hours = serializers.CharField(
        label=_("工作日营业时间"),
        max_length=11,
        allow_blank=True,
        default="",
        validators=[hours_validator],
        help_text="HH:MM-HH:MM or empty.",
    )
    weekend_hours = serializers.CharField(
        label=_("周末营业时间"),
        max_length=11,
        allow_blank=True,
        default="",
        validators=[hours_validator],
        help_text="HH:MM-HH:MM or empty.",
    )
    hours_note = serializers.CharField(label=_("营业时间说明"), max_length=100, allow_blank=True, default="")
    services = serializers.ListField(
        label=_("服务项目"),
        child=serializers.SlugField(max_length=30),
        default=list,
        max_length=50,
        help_text="Card service codes (see /api/v1/card_services/).",
    )
    consultation_phone = serializers.CharField(
        label=_("咨询电话"), max_length=20, allow_blank=True, default="", validators=[phone_validator]
    )
    complaint_phone = serializers.CharField(
        label=_("投诉电话"), max_length=20, allow_blank=True, default="", validators=[phone_validator]
    )
    interconnection_mode = serializers.ChoiceField(
        label=_("互联方式"), choices=InterconnectionMode.choices, default=InterconnectionMode.JINYU
    )
    jinyu_migration_planned_on = serializers.DateField(label=_("计划迁移金渝网日期"), allow_null=True, default=None)

    def validate_latitude(self, value: float) -> float:
        if not CQ_LAT[0] <= value <= CQ_LAT[1]:
            raise serializers.ValidationError(
                _("纬度须在重庆市范围内（%(min)s–%(max)s，GCJ-02）。") % {"min": CQ_LAT[0], "max": CQ_LAT[1]}
            )
        return value

    def validate_longitude(self, value: float) -> float:
        if not CQ_LNG[0] <= value <= CQ_LNG[1]:
            raise serializers.ValidationError(
                _("经度须在重庆市范围内（%(min)s–%(max)s，GCJ-02）。") % {"min": CQ_LNG[0], "max": CQ_LNG[1]}
            )
        return value
