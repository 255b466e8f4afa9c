"""Output shapes every workflow object shares in the API (API.md): ``state``, ``state_display``,
``allowed_actions`` (for the calling user), ``history``, ``deadlines``, ``documents`` and ``version``.

A workflow's case serializer subclasses ``WorkflowCaseSerializer`` (lists) and adds
``WorkflowCaseDetailMixin`` (detail), setting ``workflow`` to its declarative table. Each detail field costs
one query (documents two), whatever the length of the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.core.scoping import ScopedQuerySet
from ssc.deadlines.models import Deadline, DeadlineStatus
from ssc.deadlines.services import for_case as deadlines_for_case
from ssc.documents.models import Document, DocumentKind, DocumentVersion
from ssc.workflow import engine
from ssc.workflow.definition import Workflow
from ssc.workflow.models import CaseEvent


def choice_string_field(values: Iterable[str], help_text: str = "", **kwargs: Any) -> serializers.CharField:
    """A read-only string whose values are listed in its description. (Not an OpenAPI enum: drf-spectacular turns
    enums into components named after the field, and ``state``/``status``/``kind`` of different workflows and
    records would collide.)"""
    listed = ", ".join(f"`{v}`" for v in values)
    kwargs.setdefault("read_only", True)
    return serializers.CharField(help_text=f"{help_text} One of: {listed}.".strip(), **kwargs)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class OrganisationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# Plain serializers (not ModelSerializer): they are built for every detail response, and model introspection
# would cost more than the queries.


class CaseEventSerializer(serializers.Serializer):
    """流程记录 — one action taken: who, for which organisation, when, the article it rests on, what was recorded."""

    id = serializers.IntegerField(read_only=True)
    action = serializers.CharField(read_only=True)
    action_display = serializers.SerializerMethodField()
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    at = serializers.DateTimeField(read_only=True)
    article = serializers.CharField(read_only=True, help_text="The article (条/项) the action rests on, e.g. 7(2).")
    payload = serializers.JSONField(read_only=True, help_text="Summary of the recorded payload (documents as ids).")
    elapsed_workdays = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Working days since the previous step."
    )

    def get_action_display(self, obj: CaseEvent) -> str:
        wf: Workflow | None = self.context.get("workflow")
        t = wf.get(obj.action) if wf is not None else None
        return str(t.label) if t is not None else obj.action


def is_overdue(due_on: date | None, status: str | None, today: date | None = None) -> bool:
    """Pending past its last day, or already marked missed by the sweep (Art 203: the last day counts)."""
    if status == DeadlineStatus.MISSED:
        return True
    if due_on is None or status not in (None, DeadlineStatus.PENDING):
        return False
    return due_on < (today or timezone.localdate())


class DeadlineSerializer(serializers.Serializer):
    """期限 — the latest date the law allows (``due_on``), and whether it was met."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="e.g. `center_open_accounts`.")
    # Declared fields leave the class attributes (DRF's metaclass), so ``label`` does not replace ``Field.label``.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    article = serializers.CharField(read_only=True)
    responsible = serializers.CharField(read_only=True, help_text="Who must act: `center`, `district_agency`, …")
    started_on = serializers.DateField(read_only=True, help_text="The day of the act that started it (not counted).")
    due_on = serializers.DateField(read_only=True, help_text="The last day allowed by law.")
    completed_on = serializers.DateField(read_only=True, allow_null=True)
    status = choice_string_field(DeadlineStatus.values)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="Past its last day without the act it waits for.")

    def get_overdue(self, obj: Deadline) -> bool:
        return is_overdue(obj.due_on, obj.status) and obj.completed_on is None


def document_download_path(document_id: int, number: int) -> str:
    return reverse("api-document-download", kwargs={"pk": document_id, "number": number})


class DocumentVersionSerializer(serializers.Serializer):
    """文档版本 — immutable bytes, identified by their SM3 digest."""

    number = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True)
    content_type = serializers.CharField(read_only=True, help_text="As found in the bytes on upload.")
    size = serializers.IntegerField(read_only=True, help_text="Bytes.")
    sm3 = serializers.CharField(read_only=True, help_text="SM3 digest of the bytes (hex).")
    uploaded_by = UserBriefSerializer(read_only=True)
    uploaded_at = serializers.DateTimeField(read_only=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj: DocumentVersion) -> str:
        path = document_download_path(obj.document_id, obj.number)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DocumentSerializer(serializers.Serializer):
    """文档 — one piece of evidence attached to a case, with all its versions."""

    id = serializers.IntegerField(read_only=True)
    case_type = serializers.CharField(read_only=True)
    case_id = serializers.IntegerField(read_only=True)
    outlet = serializers.IntegerField(source="outlet_id", read_only=True)
    kind = choice_string_field(DocumentKind.values)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.CharField(read_only=True)
    action = serializers.CharField(read_only=True, help_text="The workflow action it was attached with.")
    created_at = serializers.DateTimeField(read_only=True)
    versions = DocumentVersionSerializer(many=True, read_only=True)


def documents_queryset() -> ScopedQuerySet[Document]:
    # Through ``all()``: the manager's generated ``prefetch_related`` loses ``Prefetch``'s type parameters.
    return Document.objects.all().prefetch_related(
        # ``uploaded_by`` for the brief; versions in number order.
        Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("number"))
    )


class WorkflowCaseSerializer(serializers.ModelSerializer):
    """Base of a workflow object's serializer. Subclasses set ``workflow`` and ``Meta``; the context must hold
    the ``request`` (``allowed_actions`` are those of the calling user)."""

    workflow: Workflow

    state_display = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="The actions the calling user may take now (POST …/actions/<action>/)."
    )

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["state"] = choice_string_field(list(self.workflow.states), "Workflow state (WORKFLOW.md).")
        return fields

    def get_state_display(self, obj: Any) -> str:
        return str(self.workflow.state_label(obj.state))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj: Any) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return self.workflow.allowed_actions(obj, user)


def _many(serializer: type[serializers.Serializer], items: Any, context: dict[str, Any]) -> list[dict[str, Any]]:
    # ``many=True`` builds a ListSerializer whose ``data`` is a list; the stubs type it as the child's dict.
    return cast("list[dict[str, Any]]", serializer(items, many=True, context=context).data)


class WorkflowCaseDetailMixin(serializers.Serializer):
    """``history``, ``deadlines`` and ``documents`` of one case (detail responses)."""

    workflow: Workflow

    history = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_history(self, obj: Any) -> list[dict[str, Any]]:
        events = engine.history(self.workflow.name, obj.pk)
        return _many(CaseEventSerializer, events, {**self.context, "workflow": self.workflow})

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, obj: Any) -> list[dict[str, Any]]:
        return _many(DeadlineSerializer, deadlines_for_case(self.workflow.name, obj.pk), self.context)

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj: Any) -> list[dict[str, Any]]:
        docs = documents_queryset().filter(case_type=self.workflow.name, case_id=obj.pk).order_by("created_at", "id")
        return _many(DocumentSerializer, docs, self.context)
