"""Telling people what waits on them: in-app rows, e-mail after commit, SMS behind an interface."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connections, router, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ssc.accounts.choices import BANK_ROLES, DISTRICT_ROLES, Role
from ssc.accounts.models import User

from .models import Notification
from .sms import get_sms_sender


def users_for_outlet(outlet: Any, roles: Iterable[str]) -> QuerySet[User]:
    """Active users holding one of ``roles`` whose scope covers ``outlet`` (who must act on its case)."""
    roles = set(roles)
    cond = Q()
    citywide = roles - DISTRICT_ROLES - BANK_ROLES
    if citywide:
        cond |= Q(role__in=citywide)
    district_roles = roles & DISTRICT_ROLES
    if district_roles:
        cond |= Q(
            role__in=district_roles, organisation__district_id=outlet.district_id, organisation__kind="district_agency"
        )
    if Role.BANK_APPLICANT in roles:
        cond |= Q(role=Role.BANK_APPLICANT, organisation_id=outlet.sub_branch_id)
    if Role.OUTLET_STAFF in roles:
        cond |= Q(role=Role.OUTLET_STAFF, outlet_id=outlet.pk)
    if Role.BANK_HEAD_OFFICE in roles:
        cond |= Q(role=Role.BANK_HEAD_OFFICE, organisation__bank_id=outlet.bank_id)
    if not cond:
        return User.objects.none()
    return User.objects.filter(cond, is_active=True)


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    case_type: str = "",
    case_id: int | None = None,
    email: bool = True,
    sms: bool = False,
) -> int:
    """Create one in-app notification per user; e-mail (and SMS) go out only after the transaction commits."""
    users = list(users)
    if not users:
        return 0
    _insert(users, kind=kind, title=title[:200], body=body, url=url, case_type=case_type, case_id=case_id)
    if email:
        recipients = [u.email for u in users if u.email]
        if recipients:
            base = getattr(settings, "SSC_SITE_URL", "")
            text = f"{body}\n\n{base}{url}" if url else body
            messages = [(title, text, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients]
            transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    if sms:
        phones = [u.phone for u in users if u.phone]
        if phones:
            transaction.on_commit(lambda: get_sms_sender().send(phones, title))
    return len(users)


# The rows go in as one plain multi-row INSERT (P3: every workflow action notifies someone), with every value
# prepared by its field exactly as ``bulk_create`` would store it; no signals are sent, as with ``bulk_create``.
_INSERT_FIELDS = [f for f in Notification._meta.concrete_fields if not f.primary_key]
_MAX_ROWS = 500  # rows per statement: well below every backend's limit on bound parameters


def _insert(users: list[User], **values: Any) -> None:
    connection = connections[router.db_for_write(Notification)]
    values["created_at"] = timezone.now()
    values["read_at"] = None
    q = connection.ops.quote_name
    cols = ", ".join(q(f.column) for f in _INSERT_FIELDS)
    shared = {
        f.attname: f.get_db_prep_save(values[f.attname] if f.attname in values else f.get_default(), connection)
        for f in _INSERT_FIELDS
        if f.attname != "user_id"
    }
    one = "(" + ", ".join(["%s"] * len(_INSERT_FIELDS)) + ")"
    with connection.cursor() as cur:
        for i in range(0, len(users), _MAX_ROWS):
            chunk = users[i : i + _MAX_ROWS]
            params: list[Any] = []
            for u in chunk:
                params.extend(u.pk if f.attname == "user_id" else shared[f.attname] for f in _INSERT_FIELDS)
            sql = f"INSERT INTO {q(Notification._meta.db_table)} ({cols}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608
            cur.execute(sql, params)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
