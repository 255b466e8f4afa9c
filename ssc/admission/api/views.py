"""Admission endpoints (Art 7): applications, their detail, creating a draft, and one route per action.

Thin, as everywhere: scoping comes from ``Application.objects.restrict`` (through the selector), every rule of
the workflow from ``ssc.workflow.engine.perform``; this module only parses and renders.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request

from ssc.core.api.schema import problem_response
from ssc.registry.models import CardService
from ssc.workflow.api.views import (
    IDEMPOTENCY_PARAMETER,
    WorkflowActionView,
    WorkflowCaseViewSet,
    ordering_parameter,
)

from .. import selectors, services
from ..models import Application
from ..workflow import ADMISSION
from .filters import ORDERING, ApplicationFilter, selector_params
from .serializers import (
    PAYLOAD_OVERRIDES,
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
)

DEFAULT_ORDER = "`-created_at` (newest first); with `awaiting=me`: `due_on` (soonest deadline first), then oldest"


@extend_schema_view(
    list=extend_schema(
        summary="Applications in the caller's scope; awaiting=me is the inbox",
        parameters=[ApplicationFilter, ordering_parameter(list(ORDERING), DEFAULT_ORDER)],
    ),
    retrieve=extend_schema(summary="One application, with history, deadlines and documents (ETag: version)"),
    create=extend_schema(
        summary="Start an application (draft) — bank applicant of the outlet's sub-branch",
        request=ApplicationCreateSerializer,
        responses={
            201: ApplicationDetailSerializer,
            409: problem_response("The outlet already has an open application, or its status does not allow one."),
            422: problem_response("`Idempotency-Key` already used for a different request."),
        },
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
)
class ApplicationViewSet(WorkflowCaseViewSet):
    """网点开设申请 (Art 7). Each role sees the applications of the outlets in its scope; others answer 404."""

    workflow = ADMISSION
    list_serializer_class = ApplicationSerializer
    detail_serializer_class = ApplicationDetailSerializer
    list_selector = staticmethod(selectors.applications_for_list)
    selector_params = staticmethod(selector_params)
    filter_class = ApplicationFilter
    ordering_fields = ORDERING
    default_ordering = ["-created_at", "-pk"]
    awaiting_ordering = [F("due_on").asc(nulls_last=True), "updated_at", "pk"]
    create_serializer_class = ApplicationCreateSerializer

    @classmethod
    def detail_queryset(cls, user: Any) -> QuerySet[Application]:
        """The applications ``user`` may see, loaded for ``ApplicationDetailSerializer``."""
        return (
            super()
            .detail_queryset(user)
            .select_related("outlet__sub_branch", "consent_organisation", "created_by")
            .prefetch_related(Prefetch("outlet__services", queryset=CardService.objects.only("pk", "code")))
        )

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Application:
        return services.application_create(
            actor=request.user,
            outlet_id=data.get("outlet"),
            outlet_data=dict(data["outlet_data"]) if data.get("outlet_data") is not None else None,
            services=data.get("services") or (),
        )


class ApplicationActionView(WorkflowActionView):
    """``POST /api/v1/applications/{id}/actions/<action>/`` — one admission step (WORKFLOW.md §1)."""

    workflow = ADMISSION
    resource = "applications"
    response_serializer = ApplicationDetailSerializer
    payload_overrides = PAYLOAD_OVERRIDES
    case_viewset = ApplicationViewSet
