"""``/api/v1/audit_events/`` — read-only, for the audit administrator and the regulators only.

Every other role has no audit scope at all and gets 403 (not an empty list). Nothing can be written:
POST/PUT/PATCH/DELETE answer 405, and the database refuses UPDATE and DELETE anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ssc.accounts.choices import AUDIT_READER_ROLES, Role
from ssc.core.api.filters import StableOrderingFilter, parse_query
from ssc.core.api.schema import ProblemAutoSchema

from .. import selectors, services
from ..verification import verify_chain
from .serializers import (
    AuditEventDetailSerializer,
    AuditEventFilter,
    AuditEventSerializer,
    VerifyQuery,
    VerifyResultSerializer,
)

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission  # the stubs' protocol for permissions


class IsAuditReader(permissions.BasePermission):
    """审计管理员与监管人员 read the trail; nobody else."""

    message = _("只有审计管理员和监管人员可以查看审计日志。")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in AUDIT_READER_ROLES)


class IsAuditAdmin(permissions.BasePermission):
    message = _("只有审计管理员可以校验审计链。")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.AUDIT_ADMIN)


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        description="Newest first by default. Audit administrator and regulators only; other roles get 403.",
        parameters=[AuditEventFilter],
    ),
    retrieve=extend_schema(summary="One audit event with its before/after states"),
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """审计日志 — the append-only, SM3 hash-chained audit trail."""

    schema = ProblemAutoSchema()
    permission_classes = [permissions.IsAuthenticated, IsAuditReader]
    lookup_field = "seq"
    lookup_value_regex = r"\d{1,18}"
    filter_backends = [StableOrderingFilter]
    ordering_fields = ["seq", "at"]
    ordering = ["-seq"]
    unique_ordering_fields = ["seq"]

    def get_permissions(self) -> Sequence[_SupportsHasPermission]:
        if self.action == "verify":
            return [permissions.IsAuthenticated(), IsAuditAdmin()]
        return super().get_permissions()

    def get_serializer_class(self) -> type:
        return AuditEventDetailSerializer if self.action == "retrieve" else AuditEventSerializer

    def get_queryset(self) -> QuerySet:
        qs = selectors.events_for(self.request.user)
        if self.action == "list":
            qs = selectors.events_filter(qs, parse_query(AuditEventFilter, self.request))
        return qs

    @extend_schema(
        summary="Verify the hash chain",
        description=(
            "Recomputes the SM3 hash of every event from `from_seq` (default the first) to the chain head and "
            "checks the links. Audit administrator only. The check itself is recorded as an `audit.verify` event."
        ),
        parameters=[VerifyQuery],
        responses={200: VerifyResultSerializer},
    )
    @action(detail=False, methods=["get"], url_path="verify", pagination_class=None, filter_backends=[])
    def verify(self, request: Request) -> Response:
        params = parse_query(VerifyQuery, request)
        result = verify_chain(from_seq=params.get("from_seq"))
        body = result.as_dict()
        services.record(
            action="audit.verify",
            object_type="audit.auditevent",
            object_repr=str(_("审计链")),
            after={k: body[k] for k in ("ok", "checked", "broken_at", "code", "from_seq", "head_seq")},
        )
        return Response(body)
