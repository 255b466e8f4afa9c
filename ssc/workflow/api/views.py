"""Reusable API pieces for workflow objects (applications now; rectifications, terminations, … later).

- ``WorkflowCaseViewSet`` — list + detail; the detail answers ``ETag: "<version>"``.
- ``WorkflowActionView`` + ``action_urlpatterns`` — one documented ``POST …/{id}/actions/<action>/`` per row of
  the workflow table: JSON or multipart payload, ``If-Match`` (412 when stale), ``Idempotency-Key``; success →
  200 with the updated object. Unknown action → 404 (no such route), state → 409, role → 403, scope → 404,
  payload → 400 naming each field: all decided by ``ssc.workflow.engine.perform``.
- ``apply_ordering`` — ``?ordering=`` over a fixed list of names (400 naming ``ordering`` otherwise).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ssc.core.api.concurrency import etag, if_match_version
from ssc.core.api.schema import ProblemAutoSchema, problem_response
from ssc.core.errors import ValidationFailed
from ssc.workflow import engine
from ssc.workflow.definition import Transition, Workflow

from . import idempotency
from .payload import has_documents, payload_serializer, read_payload, requires_documents

ID_PATTERN = r"\d{1,18}"

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='`"<version>"` as received in `ETag`; another version → 412 and nothing changes.',
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=idempotency.DESCRIPTION,
)


def ordering_parameter(names: list[str], default: str) -> OpenApiParameter:
    return OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        required=False,
        description=(
            f"Comma separated, `-` for descending. One of: {', '.join(f'`{n}`' for n in names)}. Default: {default}."
        ),
    )


def apply_ordering(qs: QuerySet, raw: str | None, allowed: dict[str, str], default: list[Any]) -> QuerySet:
    """Order ``qs`` by ``raw`` (``?ordering=``) over the names of ``allowed`` (name → field path), empty values
    last, the primary key as the final tie-breaker so pages never repeat or skip rows."""
    if not raw:
        return qs.order_by(*default)
    terms: list[Any] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        desc = part.startswith("-")
        name = part[1:] if desc else part
        if name not in allowed:
            raise ValidationFailed(
                errors={"ordering": [_("无法按“%(n)s”排序。可选：%(c)s。") % {"n": name, "c": "，".join(allowed)}]}
            )
        expr = F(allowed[name])
        terms.append(expr.desc(nulls_last=True) if desc else expr.asc(nulls_last=True))
    return qs.order_by(*terms, "pk")


class WorkflowCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List + detail of one kind of workflow case. Subclasses set ``workflow``, ``list_serializer_class``,
    ``detail_serializer_class`` and ``get_queryset`` (scoped with ``restrict``)."""

    schema = ProblemAutoSchema()
    lookup_value_regex = ID_PATTERN
    filter_backends: list[Any] = []
    workflow: Workflow
    list_serializer_class: type[serializers.Serializer]
    detail_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.list_serializer_class if self.action == "list" else self.detail_serializer_class

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        return Response(self.get_serializer(obj).data, headers={"ETag": etag(obj.version)})


# --- actions --------------------------------------------------------------------------------------------------

_payload_serializers: dict[tuple[str, str], type[serializers.Serializer]] = {}


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


class WorkflowActionSchema(ProblemAutoSchema):
    """Documents one action: its payload form (JSON and/or multipart), roles, states, article, errors."""

    @property
    def action_view(self) -> WorkflowActionView:
        view = self.view
        assert isinstance(view, WorkflowActionView)  # this schema documents WorkflowActionView only
        return view

    def _transition(self) -> Transition:
        t = self.action_view.workflow.get(self.action_view.action_name)
        assert t is not None, self.action_view.action_name
        return t

    def get_operation_id(self) -> str:
        return f"{self.action_view.resource}_actions_{self.action_view.action_name}"

    def get_tags(self) -> list[str]:
        return [self.action_view.resource]

    def get_summary(self) -> str:
        return str(self._transition().label)

    def get_description(self) -> str:  # type: ignore[override]
        t = self._transition()
        wf = self.action_view.workflow
        lines = [
            f"**{t.label}** (`{t.action}`) — Art {t.article}.",
            "",
            f"- by: {', '.join(f'`{r}`' for r in sorted(t.roles))}",
            f"- from: {', '.join(f'`{s}`' for s in t.sources)} → {' / '.join(f'`{s}`' for s in t.possible_targets())}",
        ]
        if t.target_from_field:
            lines.append(f"- the target state is the value of `{t.target_from_field}`")
        if t.starts_deadline:
            d = t.starts_deadline
            span = f"{d.workdays} working days" if d.workdays else f"{d.months} months"
            lines.append(f"- starts the deadline `{d.kind}` ({span}, counted from the day after the action)")
        if t.stops_deadlines:
            lines.append(f"- meets the deadline(s) {', '.join(f'`{k}`' for k in t.stops_deadlines)}")
        if t.help:
            lines += ["", str(t.help)]
        lines += [
            "",
            f"Returns the updated {wf.name} (as the detail endpoint) with its new `ETag`.",
            "",
            "Multipart: files are file parts; the other fields are parts too (a repeated part makes a list; "
            "checklist answers may be sent as `checklist.<code>` parts) or all together one JSON part named "
            "`payload`.",
        ]
        return "\n".join(lines)

    def get_override_parameters(self) -> list[Any]:
        case_id = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The case's id.")
        return [case_id, IF_MATCH_PARAMETER, IDEMPOTENCY_PARAMETER]

    def get_request_serializer(self) -> Any:
        t = self._transition()
        key = (self.action_view.workflow.name, t.action)
        ser = _payload_serializers.get(key)
        if ser is None:
            name = f"{_camel(self.action_view.workflow.name)}{_camel(t.action)}Payload"
            ser = payload_serializer(name, t, getattr(self.view, "payload_overrides", {}))
            _payload_serializers[key] = ser
        if requires_documents(t.form):
            return {"multipart/form-data": ser}
        if has_documents(t.form):
            return {"multipart/form-data": ser, "application/json": ser}
        return {"application/json": ser, "multipart/form-data": ser}

    def get_response_serializers(self) -> Any:
        return {
            200: self.action_view.response_serializer,
            409: problem_response("The case's current state does not allow this action."),
            412: problem_response("`If-Match` names an outdated version."),
            422: problem_response(
                "`Idempotency-Key` already used for a different request, or the working-day calendar lacks a year "
                "a deadline needs."
            ),
        }


class WorkflowActionView(APIView):
    """``POST …/{id}/actions/<action>/`` for one action of one workflow.

    Subclasses set ``workflow``, ``resource`` (the URL collection), ``response_serializer`` and ``get_object``
    (the case reloaded for the response, scoped to the caller); ``action_name`` comes from ``as_view``.
    """

    schema = WorkflowActionSchema()
    workflow: Workflow
    resource: str = ""
    action_name: str = ""
    response_serializer: type[serializers.Serializer]
    # Documentation-only replacements for payload fields the form describes too loosely (name → field).
    payload_overrides: dict[str, serializers.Field] = {}

    def get_object(self, request: Request, case: Any) -> Any:
        raise NotImplementedError

    def perform_action(self, request: Request, pk: int, data: dict[str, Any], files: Any, expected: int | None) -> Any:
        return engine.perform(
            self.workflow.name,
            pk,
            self.action_name,
            actor=request.user,
            data=data,
            files=files,
            expected_version=expected,
        )

    def post(self, request: Request, pk: str) -> Response:
        case_id = int(pk)
        expected = if_match_version(request)  # 412 for a malformed tag, before anything runs
        t = self.workflow.get(self.action_name)
        data, files = read_payload(request, t.form if t is not None else None)

        def produce() -> Response:
            case = self.perform_action(request, case_id, data, files, expected)
            obj = self.get_object(request, case)
            body = self.response_serializer(obj, context={"request": request, "view": self}).data
            return Response(body, headers={"ETag": etag(obj.version)})

        return idempotency.run_idempotent(request, produce)


def action_urlpatterns(view: type[WorkflowActionView], name_prefix: str) -> list[URLPattern]:
    """One route per action of ``view.workflow``: ``<resource>/<id>/actions/<action>/``. An action name that is
    not in the table has no route, so it answers 404 (problem+json, like every unknown API path)."""
    return [
        re_path(
            rf"^{view.resource}/(?P<pk>{ID_PATTERN})/actions/{t.action}/$",
            view.as_view(action_name=t.action),
            name=f"{name_prefix}-action-{t.action}",
        )
        for t in view.workflow.transitions
    ]
