"""Input and output shapes of the authentication endpoints."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.accounts.choices import Role
from ssc.registry.choices import OrganisationKind


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(
        label=_("密码"), max_length=256, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(label=_("用途"), max_length=60, required=False, allow_blank=True, default="")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`; shown only once.")
    token_type = serializers.CharField(default="Bearer")
    expires_at = serializers.DateTimeField()


class UserOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_display = serializers.CharField(source="get_role_display")
    organisation = UserOrganisationSerializer(allow_null=True)
    district_id = serializers.SerializerMethodField(help_text="The district a district agency user acts in.")
    bank_id = serializers.SerializerMethodField(help_text="The bank of a bank user.")
    sub_branch_id = serializers.SerializerMethodField(help_text="The first-level sub-branch of a bank user.")
    outlet_id = serializers.IntegerField(allow_null=True, help_text="The outlet of an outlet staff member.")
    token_expires_at = serializers.SerializerMethodField()

    def get_district_id(self, user: Any) -> int | None:
        return user.district_id

    def get_bank_id(self, user: Any) -> int | None:
        org = user.organisation
        return org.bank_id if org is not None else None

    def get_sub_branch_id(self, user: Any) -> int | None:
        org = user.organisation
        return org.pk if org is not None and org.kind == OrganisationKind.SUB_BRANCH else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_token_expires_at(self, user: Any) -> str | None:
        token = self.context.get("token")
        return serializers.DateTimeField().to_representation(token.expires_at) if token is not None else None
