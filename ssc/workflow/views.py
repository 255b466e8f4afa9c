"""Pages shared by every workflow: the generic action page (``CaseActionView``), the common inbox (待办), and the
parts every workflow's list and case pages share: the filter bar (``CaseFilterForm``), the sort order
(``list_ordering``), the export (``export_response``) and a case page's documents, deadlines, read marks and
links (``case_documents``, ``case_deadlines``, ``mark_case_read``, ``reverse_or_empty``; templates
``workflow/_documents.html``, ``workflow/_deadlines.html``, ``workflow/_deadline_box.html``,
``workflow/_timeline.html``).

``CaseActionView`` renders any transition's payload form (``Transition.form``) and runs it through the workflow's
``perform``; a workflow subclasses it with its own ``workflow``, ``model``, ``perform``, ``get_case`` and url
names. Which rows a user sees is decided by the case model's ``restrict`` (404 outside the scope); which buttons
show by ``Workflow.allowed_actions``; the engine re-checks everything on submit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from ssc.accounts.choices import BANK_ROLES, DISTRICT_ROLES, Role
from ssc.audit import services as audit
from ssc.core.errors import DomainError, InvalidState, NotAllowed, NotFound, StaleVersion, ValidationFailed
from ssc.core.exports import csv_response, xlsx_response
from ssc.core.forms import form_field
from ssc.core.scoping import restricted
from ssc.workflow import engine
from ssc.workflow.definition import Workflow

from . import inbox as inbox_service

if TYPE_CHECKING:
    from ssc.documents.models import Document

# Security and audit administrators have no business with cases (三员分立); everyone else sees their scope.
READER_ROLES = frozenset(set(Role) - {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
PAGE_SIZE = 50


class ReaderRequiredMixin(LoginRequiredMixin):
    """Anonymous → log-in page; a role that reads no cases → 403."""

    roles: frozenset[str] = READER_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and request.user.role not in self.roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def add_domain_errors(form: forms.BaseForm, exc: DomainError) -> None:
    """Put a ``DomainError``'s field errors beside the fields of ``form`` (the others above the form)."""
    errors = exc.errors or {}
    if not errors:
        form.add_error(None, str(exc.detail))
        return
    for key, msgs in errors.items():
        for msg in msgs:
            form.add_error(key if key in form.fields else None, str(msg))


_FormT = TypeVar("_FormT", bound=forms.BaseForm)


def date_inputs(form: _FormT) -> _FormT:
    """Render the form's date fields as ``<input type="date">`` (ISO values)."""
    for f in form.fields.values():
        if isinstance(f, forms.DateField) and isinstance(f.widget, forms.DateInput):
            f.widget.input_type = "date"
            f.widget.format = "%Y-%m-%d"
    return form


# --- list pages: filters, order, export ---------------------------------------------------------------------

ANY: list[tuple[Any, Any]] = [("", _("全部"))]


class CaseFilterForm(forms.Form):
    """A list page's filter bar. Its ``district`` and ``bank`` fields (``TypedChoiceField``, when the subclass
    declares them) offer every district and bank, except to a user who sees one only (a district or a bank
    user): there the field would offer a single choice and is left out."""

    district_hidden_for: frozenset[str] = DISTRICT_ROLES
    bank_hidden_for: frozenset[str] = BANK_ROLES

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ssc.registry.models import Bank, District

        if "district" in self.fields:
            if user.role in self.district_hidden_for:
                del self.fields["district"]
            else:
                form_field(self, "district", forms.ChoiceField).choices = ANY + [
                    (d.pk, d.name) for d in District.objects.only("pk", "name")
                ]
        if "bank" in self.fields:
            if user.role in self.bank_hidden_for:
                del self.fields["bank"]
            else:
                form_field(self, "bank", forms.ChoiceField).choices = ANY + [
                    (b.pk, b.short_name or b.name) for b in Bank.objects.all()
                ]

    def params(self) -> dict[str, Any]:
        """Valid filters only: a bad value is reported beside its field and otherwise ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "") and k not in self.errors}


def list_ordering(sort: str | None, sorts: dict[str, tuple[str, ...]], default: str) -> tuple[str, list[Any]]:
    """``?sort=`` of a list page: a key of ``sorts`` (``-key`` descending, empty values last), else ``default``;
    the primary key breaks ties. Returns the sort in force and the ``order_by`` arguments."""
    key = (sort or "").lstrip("-")
    if key not in sorts:
        sort, key = default, default.lstrip("-")
    desc = bool(sort and sort.startswith("-"))
    fields: list[Any] = [(F(f).desc(nulls_last=True) if desc else F(f).asc(nulls_last=True)) for f in sorts[key]]
    fields.append("-pk" if desc else "pk")
    return sort or default, fields


ExportColumns = Sequence[tuple[Any, Callable[[Any], Any]]]


def export_response(
    request: HttpRequest,
    qs: QuerySet[Any],
    columns: ExportColumns,
    *,
    params: dict[str, Any],
    action: str,
    object_type: str,
    object_repr: str,
    filename: str,
    sheet_title: str,
    article: str = "",
    chunk_size: int = 2000,
) -> HttpResponseBase:
    """A list's export (``?format=csv``, else Excel) of every row of ``qs``, recorded in the audit trail with the
    filters it was made with."""
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    audit.record(
        action=action,
        object_type=object_type,
        object_repr=object_repr,
        after={"filters": {k: str(v) for k, v in params.items()}, "format": fmt},
        article=article,
    )
    headers = [h for h, _get in columns]
    rows = ([get(o) for _h, get in columns] for o in qs.iterator(chunk_size=chunk_size))
    if fmt == "csv":
        return csv_response(filename, headers, rows)
    return xlsx_response(filename, headers, rows, sheet_title=sheet_title)


# --- case pages: documents, deadlines, notifications ----------------------------------------------------------


def case_documents(user: Any, case_type: str, *case_ids: int) -> list[Document]:
    """The documents of the case(s) ``user`` may see, with their versions and uploaders
    (template ``workflow/_documents.html``)."""
    from ssc.documents.models import Document

    return list(
        Document.objects.restrict(user)
        .filter(case_type=case_type, case_id__in=case_ids)
        .prefetch_related("versions", "versions__uploaded_by")
    )


def case_deadlines(case_type: str, case_id: int, today: date | None = None) -> list[dict[str, Any]]:
    """The case's statutory deadlines, each as ``{"d": Deadline, "info": DeadlineInfo}`` (how it stands today;
    template ``workflow/_deadlines.html``)."""
    from ssc.deadlines.services import for_case
    from ssc.workflow.templatetags.workflow import deadline_info

    today = today or timezone.localdate()
    return [
        {"d": d, "info": deadline_info(d.due_on, completed_on=d.completed_on, status=d.status, today=today)}
        for d in for_case(case_type, case_id)
    ]


def reverse_or_empty(name: str, *args: Any) -> str:
    """The URL of ``name``, or "" where that page does not exist (a link a template leaves out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def mark_case_read(user: Any, case_type: str, case_id: int) -> None:
    """Opening the case reads the user's notifications about it."""
    from ssc.notifications.models import Notification

    Notification.objects.filter(user=user, case_type=case_type, case_id=case_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- the generic action page -------------------------------------------------------------------------------


class CaseActionView(LoginRequiredMixin, View):
    """One page for every action of a workflow: the transition's payload form (``Transition.form``), the article,
    a confirmation for irreversible steps, and the engine's errors beside the fields. The case's ``version``
    travels as a hidden field and becomes ``expected_version``: two officers cannot overwrite each other.

    Subclasses set ``workflow``, ``model``, ``detail_url_name`` and usually ``template_name``, ``get_case`` (the
    scoped case with what the template reads) and ``perform`` (the workflow's service; the engine by default).
    ``context_object_name`` names the case once more in the template context (e.g. ``application``)."""

    workflow: Workflow
    model: type[Model]
    template_name = "workflow/case_action.html"
    detail_url_name = ""
    list_url_name = ""
    list_label: Any = ""
    context_object_name = ""

    def perform(self, case_id: int, action: str, **kwargs: Any) -> Any:
        return engine.perform(self.workflow.name, case_id, action, **kwargs)

    def get_case(self, request: HttpRequest, pk: int) -> Any:
        return get_object_or_404(restricted(self.model, request.user), pk=pk)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # → log-in page
        self.case = self.get_case(request, kwargs["pk"])
        t = self.workflow.get(kwargs["action"])
        if t is None:
            raise Http404
        self.t = t
        if request.user.role not in t.roles or not self.workflow.actor_in_scope(self.case, request.user, t):
            raise PermissionDenied
        if self.case.state not in t.sources:
            state = self.workflow.state_label(self.case.state)
            if request.method == "POST" and request.POST.get("version") != str(self.case.version):
                # Submitted from a page that was current before someone else moved the case on.
                messages.error(request, _t("%(d)s 当前状态：%(s)s。") % {"d": StaleVersion.default_title, "s": state})
            else:
                messages.warning(request, _t("当前状态“%(s)s”不允许执行“%(a)s”。") % {"s": state, "a": t.label})
            return redirect(self.detail_url_name, pk=self.case.pk)
        return super().dispatch(request, *args, **kwargs)

    # form ----------------------------------------------------------------------------------------------------

    def make_form(self, data: Any = None, files: Any = None) -> forms.Form | None:
        if self.t.form is None:
            return None
        kwargs: dict[str, Any] = {"data": data, "files": files}
        if getattr(self.t.form, "wants_context", False):
            kwargs.update(case=self.case, actor=self.request.user)
        return date_inputs(self.t.form(**kwargs))

    def checklist(self, form: Any) -> list[dict[str, Any]]:
        if form is None or not hasattr(form, "checklist_items") or "checklist" not in form.fields:
            return []
        data = form.data if form.is_bound else {}
        return [
            {
                "code": item["code"],
                "label": item["label"],
                "name": f"checklist.{item['code']}",
                "value": data.get(f"checklist.{item['code']}", ""),
            }
            for item in form.checklist_items()
        ]

    def get_context_data(self, **extra: Any) -> dict[str, Any]:
        ctx: dict[str, Any] = {
            "title": self.t.label,
            "case": self.case,
            "t": self.t,
            "workflow": self.workflow,
            "list_url": reverse(self.list_url_name) if self.list_url_name else "",
            "list_label": self.list_label or self.workflow.label,
            "cancel_url": reverse(self.detail_url_name, args=[self.case.pk]),
        }
        if self.context_object_name:
            ctx[self.context_object_name] = self.case
        ctx.update(extra)
        return ctx

    def render_form(
        self, form: Any, *, status: int = 200, confirm_error: str = "", version: int | None = None
    ) -> HttpResponse:
        ctx = self.get_context_data(
            form=form,
            checklist=self.checklist(form),
            version=self.case.version if version is None else version,
            confirm_error=confirm_error,
        )
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        return self.render_form(self.make_form())

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        form = self.make_form(request.POST, request.FILES)
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = None
        valid = form.is_valid() if form is not None else True
        confirm_error = ""
        if self.t.irreversible and request.POST.get("confirm") != "yes":
            confirm_error = _t("此操作不可撤销，请勾选确认后再提交。")
        if expected is None:
            messages.error(request, _t("页面已过期，请刷新后重试。"))
            return redirect(self.detail_url_name, pk=self.case.pk)
        if not valid or confirm_error:
            return self.render_form(form, confirm_error=confirm_error, version=expected)
        try:
            case = self.perform(
                self.case.pk,
                self.t.action,
                actor=request.user,
                data=request.POST,
                files=request.FILES,
                expected_version=expected,
            )
        except NotFound as exc:
            raise Http404 from exc
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except (StaleVersion, InvalidState) as exc:
            return self._conflict(form, exc, expected)
        except ValidationFailed as exc:
            form = form if form is not None else forms.Form()
            add_domain_errors(form, exc)
            return self.render_form(form, version=expected)
        except DomainError as exc:  # e.g. CalendarMissing (422): say so, never a 500
            form = form if form is not None else forms.Form()
            form.add_error(None, str(exc.detail))
            return self.render_form(form, status=exc.status, version=expected)
        messages.success(
            request,
            _t("已完成“%(a)s”，当前状态：%(s)s。") % {"a": self.t.label, "s": self.workflow.state_label(case.state)},
        )
        return redirect(self.detail_url_name, pk=case.pk)

    def _conflict(self, form: Any, exc: DomainError, expected: int) -> HttpResponse:
        """Someone else acted first (the posted version is stale), or the state no longer allows the step: say so,
        with the current state. The engine checks the state before the version, so compare versions here."""
        self.case = self.get_case(self.request, self.case.pk)
        stale = self.case.version != expected
        detail = str(StaleVersion.default_title) if stale else str(exc.detail)
        if self.case.state not in self.t.sources:
            messages.error(
                self.request,
                _t("%(d)s 当前状态：%(s)s。") % {"d": detail, "s": self.workflow.state_label(self.case.state)},
            )
            return redirect(self.detail_url_name, pk=self.case.pk)
        form = form if form is not None else forms.Form()
        form.add_error(None, detail)
        # A stale page gets the current version: the user has now seen the message and may submit again.
        return self.render_form(form, status=StaleVersion.status if stale else exc.status, version=self.case.version)


# --- the common inbox (待办) -------------------------------------------------------------------------------


class InboxView(ReaderRequiredMixin, View):
    """待办 — what waits on me across every workflow, soonest deadline first, overdue in red with the working days
    late, due today in amber; counts per kind of task; one click to the case. ``?kind=`` narrows to one workflow."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        kinds = inbox_service.kinds_for(user)
        kind = request.GET.get("kind") or ""
        if kind not in {k["case_type"] for k in kinds}:
            kind = ""
        counts = inbox_service.inbox_counts(user, case_types=[kind] if kind else None)
        total = sum(c["count"] for c in counts)
        paginator = Paginator(range(total), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        # The merged order needs the first ``end`` items of every kind: bounded by the page, never the whole inbox.
        end = page.end_index() if total else 0
        items = inbox_service.inbox_items(user, limit=end, case_types=[kind] if kind else None)
        rows = items[page.start_index() - 1 : end] if total else []
        by_kind: Counter[str] = Counter()
        for c in counts:
            by_kind[c["case_type"]] += c["count"]
        summary = inbox_service.deadline_summary(user, case_types=[kind] if kind else None)
        return render(
            request,
            "workflow/inbox.html",
            {
                "title": _("待办"),
                "rows": rows,
                "page": page,
                "total": total,
                "counts": counts,
                "kinds": [{**k, "count": by_kind.get(k["case_type"], 0)} for k in kinds],
                "kind": kind,
                "overdue": summary["overdue"],
                "due_today": summary["due_today"],
            },
        )


inbox = InboxView.as_view()
