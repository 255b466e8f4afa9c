"""Reusable API pieces for workflow objects (applications now; rectifications, terminations, … later).

- ``WorkflowCaseViewSet`` — list (filtered, ``?ordering=``), detail (``ETag: "<version>"``) and ``POST`` creating a
  case (201 with ``ETag`` and ``Location``, ``Idempotency-Key``); each workflow declares its selector, filter,
  orderings and ``create_case``.
- ``WorkflowActionView`` + ``action_urlpatterns`` — one documented ``POST …/{id}/actions/<action>/`` per row of
  the workflow table: JSON or multipart payload, ``If-Match`` (412 when stale), ``Idempotency-Key``; success →
  200 with the updated object. Unknown action → 404 (no such route), state → 409, role → 403, scope → 404,
  payload → 400 naming each field: all decided by ``ssc.workflow.engine.perform``.
- ``apply_ordering`` — ``?ordering=`` over a fixed list of names (400 naming ``ordering`` otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import F, QuerySet
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ssc.core.api.concurrency import etag, if_match_version
from ssc.core.api.filters import parse_query
from ssc.core.api.schema import ProblemAutoSchema, problem_response
from ssc.core.errors import ValidationFailed
from ssc.workflow import engine
from ssc.workflow.definition import Transition, Workflow

from . import idempotency
from .payload import has_documents, outlet_id_from, payload_serializer, read_payload, requires_documents

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
    """List, detail and creation of one kind of workflow case; subclasses declare what differs.

    - ``workflow``, ``list_serializer_class``, ``detail_serializer_class``;
    - the list: ``list_selector(user, params)`` (scoped with ``restrict``) called with the query parsed by
      ``filter_class`` and turned into selector parameters by ``selector_params``, ordered by ``?ordering=`` over
      ``ordering_fields`` or else ``default_ordering`` (``awaiting_ordering`` for ``awaiting=me``, when given);
    - the detail: ``detail_queryset(user)`` — by default the list selector without filters; override it to load
      what the detail serializer needs;
    - ``POST``: ``read_create_payload`` (``create_serializer_class``, or ``read_payload`` shaped for
      ``create_form``, with the outlet's id read by ``read_outlet_id`` when ``create_for_outlet``), then
      ``create_case(request, data, files)`` calling the service, inside ``run_idempotent``.
    """

    schema = ProblemAutoSchema()
    lookup_value_regex = ID_PATTERN
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]
    workflow: Workflow
    list_serializer_class: type[serializers.Serializer]
    detail_serializer_class: type[serializers.Serializer]
    # Functions of the app, assigned with ``staticmethod(…)`` so that they are not bound to the view.
    list_selector: Callable[[Any, dict[str, Any]], QuerySet[Any]]
    selector_params: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    filter_class: type[serializers.Serializer]
    ordering_fields: dict[str, str]
    default_ordering: list[Any]
    awaiting_ordering: list[Any] | None = None
    create_serializer_class: type[serializers.Serializer] | None = None
    create_form: Any = None
    # ``POST`` is for one outlet: ``read_outlet_id`` turns ``data["outlet"]`` into its id before anything runs.
    create_for_outlet = False

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.list_serializer_class if self.action == "list" else self.detail_serializer_class

    @classmethod
    def detail_queryset(cls, user: Any) -> QuerySet[Any]:
        """The cases ``user`` may see, loaded for ``detail_serializer_class`` (detail, actions, creation)."""
        return cls.list_selector(user, {})

    def list_queryset(self, user: Any, params: dict[str, Any]) -> QuerySet[Any]:
        """The cases of the list for the parsed query ``params``, before ordering."""
        return self.list_selector(user, self.selector_params(params) if self.selector_params else params)

    def get_queryset(self) -> QuerySet[Any]:
        user = self.request.user
        if self.action != "list":
            return self.detail_queryset(user)
        params = parse_query(self.filter_class, self.request)
        qs = self.list_queryset(user, params)
        default = self.default_ordering
        if self.awaiting_ordering is not None and params.get("awaiting") == "me":
            default = self.awaiting_ordering
        return apply_ordering(qs, self.request.query_params.get("ordering"), self.ordering_fields, default)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        return Response(self.get_serializer(obj).data, headers={"ETag": etag(obj.version)})

    def read_create_payload(self, request: Request) -> tuple[dict[str, Any], Any]:
        """``(data, files)`` of ``POST``, read and checked before anything runs (400 naming each field)."""
        if self.create_serializer_class is not None:
            ser = self.create_serializer_class(data=request.data)
            ser.is_valid(raise_exception=True)
            return ser.validated_data, None
        data, files = read_payload(request, self.create_form)
        if self.create_for_outlet:
            data["outlet"] = self.read_outlet_id(data)
        return data, files

    def read_outlet_id(self, data: dict[str, Any]) -> int | None:
        """The id of the outlet ``POST`` names (400 naming ``outlet`` otherwise); by default required."""
        return outlet_id_from(data)

    def create_case(self, request: Request, data: dict[str, Any], files: Any) -> Any:
        """Create the case through the workflow's service; returns it (reloaded for the response)."""
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data, files = self.read_create_payload(request)

        def produce() -> Response:
            case = self.create_case(request, data, files)
            obj = self.detail_queryset(request.user).get(pk=case.pk)
            body = self.detail_serializer_class(obj, context=self.get_serializer_context()).data
            headers = {"ETag": etag(obj.version), "Location": request.build_absolute_uri(f"{obj.pk}/")}
            return Response(body, status=status.HTTP_201_CREATED, headers=headers)

        return idempotency.run_idempotent(request, produce)


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

    Subclasses set ``workflow``, ``resource`` (the URL collection), ``response_serializer`` and ``case_viewset``
    (whose ``detail_queryset`` reloads the case for the response, scoped to the caller) or ``get_object``;
    ``action_name`` comes from ``as_view``.
    """

    schema = WorkflowActionSchema()
    workflow: Workflow
    resource: str = ""
    action_name: str = ""
    response_serializer: type[serializers.Serializer]
    # Documentation-only replacements for payload fields the form describes too loosely (name → field).
    payload_overrides: dict[str, serializers.Field] = {}
    case_viewset: type[WorkflowCaseViewSet]

    def get_object(self, request: Request, case: Any) -> Any:
        return self.case_viewset.detail_queryset(request.user).get(pk=case.pk)

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
