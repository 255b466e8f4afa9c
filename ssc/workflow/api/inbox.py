"""``GET /api/v1/inbox/`` — what waits on the calling user across every workflow (待办), soonest deadline first.

Built on ``ssc.workflow.inbox``: the same items as the ``/inbox/`` page, paginated like every collection
(``{"count", "next", "previous", "results"}``, ``?page=``, ``?page_size=`` up to 200), ``?kind=`` for one workflow.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema
from ssc.core.errors import NotFound
from ssc.workflow import engine
from ssc.workflow import inbox as inbox_service
from ssc.workflow.views import READER_ROLES

MAX_PAGE_SIZE = 200
PAGE_SIZE = 50


class CaseReaderPermission(permissions.BasePermission):
    """The security and audit administrators have no business with cases (三员分立)."""

    message = gettext_lazy("您的角色无权查看业务事项。")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.role in READER_ROLES)


class InboxQuery(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=10**6, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)
    kind = serializers.SlugField(max_length=30, required=False, help_text="One workflow, e.g. `rectification`.")

    def validate_kind(self, value: str) -> str:
        if value not in engine._bindings:
            raise serializers.ValidationError(
                _("未知的事项类型：%(k)s。可选：%(c)s。") % {"k": value, "c": "，".join(sorted(engine._bindings))}
            )
        return value


class _OutletBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class _DistrictBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class InboxItemSerializer(serializers.Serializer):
    """One case waiting on the caller."""

    case_type = serializers.CharField(help_text="The workflow: `application`, `rectification`, `inspection`, …")
    kind_label = serializers.CharField(help_text="The workflow's name, e.g. 整改.")
    id = serializers.IntegerField(source="case.pk")
    subject = serializers.CharField(help_text="What the item is about: the outlet, or the case itself.")
    outlet = _OutletBrief(allow_null=True)
    district = _DistrictBrief(allow_null=True)
    state = serializers.CharField()
    state_display = serializers.CharField(source="state_label")
    task = serializers.CharField(help_text="What the caller must do, e.g. 核验通过／退回整改报告.")
    due_on = serializers.DateField(allow_null=True, help_text="Last day of the soonest open statutory deadline.")
    deadline_status = serializers.CharField(allow_null=True, help_text="`pending` or `missed`; null without one.")
    overdue = serializers.BooleanField(help_text="The deadline's last day has passed.")
    overdue_workdays = serializers.IntegerField(
        allow_null=True, help_text="Working days past `due_on` (0 when not late; null without a deadline/calendar)."
    )
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The case's page.")
    api_url = serializers.SerializerMethodField(help_text="The case in the API (when it has an endpoint).")

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if (request is not None and path) else path

    @extend_schema_field(serializers.CharField())
    def get_url(self, obj: inbox_service.InboxItem) -> str:
        return self._absolute(obj.url)

    @extend_schema_field(serializers.CharField())
    def get_api_url(self, obj: inbox_service.InboxItem) -> str:
        return self._absolute(obj.api_url)


class InboxPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InboxItemSerializer(many=True)


class InboxView(APIView):
    """待办 — every case waiting on the caller, soonest deadline first (none last), then the oldest."""

    schema = ProblemAutoSchema()
    permission_classes = [permissions.IsAuthenticated, CaseReaderPermission]

    @extend_schema(
        summary="The caller's inbox (待办) across every workflow, soonest deadline first",
        parameters=[InboxQuery],
        responses={200: InboxPageSerializer},
        tags=["inbox"],
    )
    def get(self, request: Request) -> Response:
        params = parse_query(InboxQuery, request)
        size = params.get("page_size", PAGE_SIZE)
        number = params.get("page", 1)
        kinds = [params["kind"]] if params.get("kind") else None
        total = inbox_service.inbox_total(request.user, case_types=kinds)
        pages = max(1, -(-total // size))
        if number > pages:
            raise NotFound(_("无效页码。"))
        end = min(number * size, total)
        items = inbox_service.inbox_items(request.user, limit=end, case_types=kinds)[(number - 1) * size : end]
        url = request.build_absolute_uri()
        nxt = replace_query_param(url, "page", number + 1) if number < pages else None
        if number <= 1:
            prev = None
        elif number == 2:
            prev = remove_query_param(url, "page")
        else:
            prev = replace_query_param(url, "page", number - 1)
        results = InboxItemSerializer(items, many=True, context={"request": request}).data
        return Response({"count": total, "next": nxt, "previous": prev, "results": results})
