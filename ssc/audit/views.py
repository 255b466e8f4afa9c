"""Audit pages (审计日志): the event list with filters, one event's before/after, chain verification.

Only the audit administrator and the regulators open them (others 403); only the audit administrator
verifies the chain.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _t
from django.views import View

from ssc.accounts.choices import AUDIT_READER_ROLES, Role
from ssc.core.auth import authenticated_user
from ssc.portal.permissions import RoleRequiredMixin

from . import selectors, services
from .forms import EventFilterForm, object_type_choices
from .verification import verify_chain

PAGE_SIZE = 50
MAX_SEQ = 2**63 - 1  # a BIGINT: larger numbers in the URL are simply not there
LIST_COLUMNS = (
    "pk",
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "organisation_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "article",
)


def pretty(value: Any) -> str:
    """A JSON value as people read it (strings without quotes)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


class EventListView(RoleRequiredMixin, View):
    roles = AUDIT_READER_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        form = EventFilterForm(request.GET or None)
        params = form.params()
        qs = selectors.events_filter(selectors.events_for(request.user), params).only(*LIST_COLUMNS)
        page = Paginator(qs.order_by("-seq"), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "audit/event_list.html",
            {
                "form": form,
                "filtered": bool(params),
                "page": page,
                "events": page.object_list,
                "object_types": object_type_choices(),
                "can_verify": authenticated_user(request).role == Role.AUDIT_ADMIN,
            },
        )


class EventDetailView(RoleRequiredMixin, View):
    roles = AUDIT_READER_ROLES

    def get(self, request: HttpRequest, seq: int) -> HttpResponse:
        if seq > MAX_SEQ:
            raise Http404
        event = selectors.events_for(request.user).filter(seq=seq).first()
        if event is None:
            raise Http404
        rows = [
            {**r, "before_text": pretty(r["before"]), "after_text": pretty(r["after"])}
            for r in selectors.decoded_sides(event)
        ]
        return render(request, "audit/event_detail.html", {"event": event, "rows": rows})


class VerifyView(RoleRequiredMixin, View):
    """POST: verify the whole chain now and show the result (audit administrator only)."""

    roles = frozenset({Role.AUDIT_ADMIN})
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        result = verify_chain()
        services.record(
            action="audit.verify",
            object_type="audit.auditevent",
            object_repr=_t("审计链"),
            after={
                "ok": result.ok,
                "checked": result.checked,
                "broken_at": result.broken_at,
                "code": result.broken.code if result.broken else None,
                "head_seq": result.head_seq,
            },
        )
        return render(request, "audit/verify_result.html", {"result": result})
