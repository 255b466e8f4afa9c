"""The user's own notifications (站内通知): unread first; mark one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from ssc.core.auth import authenticated_user

from .models import Notification

PAGE_SIZE = 30


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    qs = Notification.objects.filter(user=user)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    qs = qs.annotate(
        unread=Case(When(read_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-unread", "-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "title": _("通知"),
            "page": page,
            "notifications": page.object_list,
            "unread_only": unread_only,
            "unread_total": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        },
    )


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own notifications exist for the user: anything else is 404.
    n = get_object_or_404(Notification, pk=pk, user=authenticated_user(request))
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    if request.POST.get("open") and n.url and url_has_allowed_host_and_scheme(n.url, {request.get_host()}):
        return redirect(n.url)
    return redirect(_next(request, "notifications:list"))


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _t("已将 %(n)d 条通知标为已读。") % {"n": count})
    return redirect(_next(request, "notifications:list"))
