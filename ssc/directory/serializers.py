"""Shapes of the public API, for the OpenAPI document (the views write the published data as it is)."""

from __future__ import annotations

from rest_framework import serializers


class _BankSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    hotline = serializers.CharField(help_text="Customer-service hotline of the bank.")

    class Meta:
        ref_name = "PublicBank"


class _DistrictSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="6-digit administrative division code.")
    name = serializers.CharField()

    class Meta:
        ref_name = "PublicDistrict"


class _ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()

    class Meta:
        ref_name = "PublicService"


class PublicOutletSerializer(serializers.Serializer):
    """An outlet as the roster publishes it (Art 7(5), 10)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    bank = _BankSerializer()
    district = _DistrictSerializer()
    address = serializers.CharField()
    latitude = serializers.FloatField(help_text="GCJ-02.")
    longitude = serializers.FloatField(help_text="GCJ-02.")
    weekday_hours = serializers.CharField(help_text="`HH:MM-HH:MM`, empty when closed.")
    weekend_hours = serializers.CharField(help_text="`HH:MM-HH:MM`, empty when closed.")
    hours_note = serializers.CharField()
    services = _ServiceSerializer(many=True)
    instant_issuance = serializers.BooleanField()
    consultation_phone = serializers.CharField()
    complaint_phone = serializers.CharField()
    distance_m = serializers.IntegerField(
        required=False, help_text="Only with `near`: great-circle distance in metres from the given point."
    )

    class Meta:
        ref_name = "PublicOutlet"


class PublicOutletPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicOutletSerializer(many=True)

    class Meta:
        ref_name = "PublicOutletPage"


class _RosterVersionInfoSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    total = serializers.IntegerField()

    class Meta:
        ref_name = "PublicRosterVersionInfo"


class RosterJsonSerializer(serializers.Serializer):
    version = _RosterVersionInfoSerializer(allow_null=True)
    coordinate_system = serializers.CharField(help_text="`GCJ-02`.")
    count = serializers.IntegerField()
    outlets = PublicOutletSerializer(many=True)

    class Meta:
        ref_name = "PublicRoster"
