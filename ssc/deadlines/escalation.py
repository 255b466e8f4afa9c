"""Who is told what after a sweep (期限巡检通知).

- A missed deadline is an SLA breach "shown to center leadership and regulators" (REGULATION.md, deadlines):
  each center leader and regulator gets **one digest per sweep** with the count and the list.
- The organisation that must act is told **per case**: for the center's deadlines (``responsible ==
  "center"``) the center officers; for a district agency's, its officers; for an outlet's, its staff and its
  sub-branch's applicant.
- A reminder goes to the same responsible users one working day before the last day.
- A sweep never floods an inbox: per responsible group it sends at most ``per_case_limit()`` per-case notices
  (``SSC_SWEEP_PER_CASE_LIMIT``, default 200) of each kind; beyond that, each of those users gets one more
  notification with the number of further cases and a link to the filtered deadline list (which shows all).

Everything goes through ``ssc.notifications.services.notify`` (in-app row now, e-mail after commit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.notifications import services as notifications

from .cases import CaseIndex
from .models import Deadline
from .services import SweepResult

# Escalation digests go to these roles (Art 5: the center manages, HRSS and NFRA-CQ supervise).
DIGEST_ROLES = (Role.CENTER_LEADER, Role.REGULATOR)
# How many missed deadlines a digest lists by name; the count is always complete.
DIGEST_LINES = 30
DEFAULT_PER_CASE_LIMIT = 200


def per_case_limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "SSC_SWEEP_PER_CASE_LIMIT", DEFAULT_PER_CASE_LIMIT))


class _Responsible:
    """The users who must act on a deadline, by ``Deadline.responsible``; each group is queried once."""

    def __init__(self, cases: CaseIndex):
        self.cases = cases
        self._cache: dict[Any, list[User]] = {}

    def users(self, d: Deadline) -> list[User]:
        if d.responsible == "center":
            key: Any = "center"
        elif d.responsible == "district_agency":
            key = ("district", d.district_id)
        elif d.responsible == "outlet":
            outlet = getattr(self.cases.get(d), "outlet", None)
            key = ("outlet", outlet.pk if outlet is not None else None)
        else:
            return []
        if key not in self._cache:
            self._cache[key] = self._load(key, d)
        return self._cache[key]

    def _load(self, key: Any, d: Deadline) -> list[User]:
        if key == "center":
            return list(User.objects.filter(role=Role.CENTER_OFFICER, is_active=True))
        if key[0] == "district":
            if key[1] is None:
                return []
            return list(
                User.objects.filter(
                    role=Role.DISTRICT_OFFICER,
                    is_active=True,
                    organisation__kind="district_agency",
                    organisation__district_id=key[1],
                )
            )
        outlet = getattr(self.cases.get(d), "outlet", None)
        if outlet is None:
            return []
        return list(notifications.users_for_outlet(outlet, {Role.OUTLET_STAFF, Role.BANK_APPLICANT}))


def _list_url(status: str) -> str:
    try:
        return reverse("deadlines:list") + f"?status={status}"
    except NoReverseMatch:
        return ""


def notify_sweep(result: SweepResult) -> int:
    """Create the sweep's notifications (see the module docstring); returns how many were created."""
    if not (result.escalated or result.reminded):
        return 0
    # Cases are fetched only where a notification names them: the digest's lines, the per-case notices, and
    # the deadlines whose responsible users are found through the case (an outlet's).
    cases = CaseIndex(d for d in (*result.escalated, *result.reminded) if d.responsible == "outlet")
    responsible = _Responsible(cases)
    sent = 0

    if result.escalated:
        from ssc.registry.models import District

        listed = result.escalated[:DIGEST_LINES]
        cases.load(listed)
        districts = District.objects.in_bulk({d.district_id for d in listed if d.district_id})
        lines = [
            _("%(case)s：%(label)s，截止 %(due)s%(district)s")
            % {
                "case": cases.name(d),
                "label": d.label or d.kind,
                "due": d.due_on.isoformat(),
                "district": f"（{districts[d.district_id].name}）" if d.district_id in districts else "",
            }
            for d in listed
        ]
        if len(result.escalated) > DIGEST_LINES:
            lines.append(_("……等共 %(n)d 项") % {"n": len(result.escalated)})
        digest_users = User.objects.filter(role__in=DIGEST_ROLES, is_active=True)
        sent += notifications.notify(
            digest_users,
            kind="deadline.escalation",
            title=_("期限巡检（%(day)s）：%(n)d 项法定期限已超期")
            % {"day": result.today.isoformat(), "n": len(result.escalated)},
            body="\n".join(lines),
            url=_list_url("missed"),
        )
        sent += _per_case(
            result.missed,  # still open: the responsible organisation must act now
            responsible,
            kind="deadline.missed",
            title=lambda d: (
                _("已超期：%(case)s — %(label)s（截止 %(due)s）")
                % {"case": cases.name(d), "label": d.label or d.kind, "due": d.due_on.isoformat()}
            ),
            body=lambda d: (
                _("法定期限已届满仍未办结（依据第%(article)s条），请立即办理。") % {"article": d.article or "—"}
            ),
            cases=cases,
            overflow_title=_("另有 %(n)d 项超期未办结的期限，请在期限清单中查看"),
            overflow_status="overdue",
        )

    def reminder_title(d: Deadline) -> str:
        text = (
            _("今天到期：%(case)s — %(label)s（截止 %(due)s）")
            if d.due_on == result.today
            else _("即将到期：%(case)s — %(label)s（截止 %(due)s）")
        )
        return text % {"case": cases.name(d), "label": d.label or d.kind, "due": d.due_on.isoformat()}

    sent += _per_case(
        result.reminded,
        responsible,
        kind="deadline.reminder",
        title=reminder_title,
        body=lambda d: _("请在截止日结束前办结（依据第%(article)s条）。") % {"article": d.article or "—"},
        cases=cases,
        overflow_title=_("另有 %(n)d 项期限即将到期，请在期限清单中查看"),
        overflow_status="pending",
    )
    result.notifications = sent
    return sent


def _per_case(
    items: list[Deadline],
    responsible: _Responsible,
    *,
    kind: str,
    title: Callable[[Deadline], str],
    body: Callable[[Deadline], str],
    cases: CaseIndex,
    overflow_title: str,
    overflow_status: str,
) -> int:
    """One notice per deadline to its responsible users, up to the limit per group; then one overflow note."""
    limit = per_case_limit()
    sent = 0
    counts: dict[tuple[int, ...], int] = {}
    overflow: dict[tuple[int, ...], tuple[list[User], int]] = {}
    selected: list[tuple[Deadline, list[User]]] = []
    for d in items:
        users = responsible.users(d)
        if not users:
            continue
        group = tuple(u.pk for u in users)
        n = counts[group] = counts.get(group, 0) + 1
        if n > limit:
            overflow[group] = (users, overflow.get(group, (users, 0))[1] + 1)
        else:
            selected.append((d, users))
    cases.load(d for d, _users in selected)
    for d, users in selected:
        sent += notifications.notify(
            users,
            kind=kind,
            title=title(d),
            body=body(d),
            url=cases.url(d),
            case_type=d.case_type,
            case_id=d.case_id,
        )
    for users, n in overflow.values():
        sent += notifications.notify(users, kind=kind, title=overflow_title % {"n": n}, url=_list_url(overflow_status))
    return sent
