"""Demo agreements (演示协议), made through the services with backdated dates.

- ``seed_framework_agreements`` — one framework agreement with HRSS per bank (Art 6(1)) that has a head office /
  Chongqing branch on record, registered by a center officer (``framework_agreement_create``), signed after the
  regulation came into force (2025-02-24).
- ``seed_agreements`` — a cooperation agreement for every cooperating outlet that has none yet (the admission demo
  signs its own at ``sign_agreement``), registered by the district officer (``agreement_register``). The terms are
  spread so that the pages have something to show: most end well in the future; some within 30 days and some
  within 31–90 days (the daily job reminds them); some already ended and were renewed in time (a chain of two
  terms, the older ``renewed``); some ended without renewal (``expired``: on the Art 9(4) list). Then the daily job
  runs for ``today``, so the reminders and the Art 9(4) notices are really sent. The demo user's outlet of
  SCENARIOS D (``ICBC-500103-0001``) gets an agreement ending 2026-12-31.

Both are idempotent: outlets and banks that already have one are skipped, and a second run changes nothing.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.core.demo import at as _at
from ssc.core.demo import pdf as _pdf
from ssc.core.errors import DomainError
from ssc.registry.choices import OrganisationKind, OutletStatus
from ssc.registry.models import Bank, Organisation, Outlet

from . import services
from .models import Agreement, AgreementStatus, FrameworkAgreement

REGULATION_IN_FORCE = date(2025, 2, 24)
SCENARIO_D_OUTLET = "ICBC-500103-0001"
SCENARIO_D_END = date(2026, 12, 31)
TERM_YEARS = 3
# Share of outlets by where their agreement stands today (the rest end more than 90 days from now).
MIX = {"within_30": 0.03, "within_90": 0.06, "renewed": 0.05, "expired": 0.02}
LIABILITY = (
    "一、乙方应督促其在渝合作网点遵守与各区县社会保障卡管理机构签订的合作协议，按规范办理社会保障卡业务。\n"
    "二、因网点违规操作、泄露个人信息或系统安全事故给持卡人、用卡单位造成损失的，由乙方依法承担赔偿责任。\n"
    "三、乙方应按要求有序将网点接入“金渝网”银政数据共享平台，并承担相应的改造费用。\n"
    "四、网点被终止合作的，乙方应配合关闭系统账户、做好业务交接和群众解释工作。"
)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- framework agreements ------------------------------------------------------------------------------------


@dataclass
class SeedFrameworkResult:
    created: int = 0
    skipped: int = 0

    def summary(self) -> str:
        return _("合作框架协议新增 %(n)d 份（已有 %(s)d 份未改动）。") % {"n": self.created, "s": self.skipped}


def _center_officer() -> User | None:
    return User.objects.filter(role=Role.CENTER_OFFICER, is_active=True).order_by("pk").first()


def seed_framework_agreements(*, rng: random.Random | None = None, actor: User | None = None) -> SeedFrameworkResult:
    """One framework agreement per bank with a head office / Chongqing branch (idempotent)."""
    rng = rng or random.Random(20250301)  # noqa: S311 - reproducible demo data, not security
    result = SeedFrameworkResult()
    actor = actor or _center_officer()
    if actor is None:
        return result
    branches = {o.bank_id: o for o in Organisation.objects.filter(kind=OrganisationKind.BANK_BRANCH).order_by("code")}
    have = set(FrameworkAgreement.objects.values_list("bank_id", flat=True))
    with transaction.atomic():
        for i, bank in enumerate(Bank.objects.order_by("sort_order", "code"), start=1):
            if bank.pk in have:
                result.skipped += 1
                continue
            branch = branches.get(bank.pk)
            if branch is None:
                continue
            signed = REGULATION_IN_FORCE + timedelta(days=rng.randint(10, 120))
            number = f"渝人社社保卡框〔{signed.year}〕{i:02d}号"
            while FrameworkAgreement.objects.filter(number=number).exists():
                number = f"{number}-{bank.code}"
            data = {
                "bank": bank.pk,
                "bank_organisation": branch.pk,
                "number": number,
                "signed_on": signed.isoformat(),
                "term_start": signed.isoformat(),
                "term_end": "" if i % 3 == 0 else _years_before(signed, -5).isoformat(),
                "liability_clauses": LIABILITY,
            }
            services.framework_agreement_create(
                actor=actor, data=data, files={"document": _pdf(f"{bank.short_name}合作框架协议.pdf")}
            )
            result.created += 1
    return result


# --- cooperation agreements ----------------------------------------------------------------------------------


@dataclass
class SeedAgreementsResult:
    created: int = 0
    renewed: int = 0
    kinds: Counter = field(default_factory=Counter)
    skipped_no_actor: int = 0
    daily: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            _(
                "演示合作协议新增 %(n)d 份（其中续签 %(r)d 份；30天内到期 %(w30)d、31–90天内到期 %(w90)d、"
                "期满未续签 %(e)d；用时 %(s).1f 秒）。"
            )
            % {
                "n": self.created,
                "r": self.renewed,
                "w30": self.kinds["within_30"],
                "w90": self.kinds["within_90"],
                "e": self.kinds["expired"],
                "s": self.seconds,
            }
            + self.daily
        )


def _kind(rng: random.Random) -> str:
    x = rng.random()
    for kind, share in MIX.items():
        if x < share:
            return kind
        x -= share
    return "future"


def _term_end(kind: str, today: date, rng: random.Random) -> date:
    if kind == "within_30":
        return today + timedelta(days=rng.randint(3, 30))
    if kind == "within_90":
        return today + timedelta(days=rng.randint(31, 90))
    if kind in ("renewed", "expired"):
        return today - timedelta(days=rng.randint(5, 200))
    return today + timedelta(days=rng.randint(91, 3 * 365))


def _number(outlet: Outlet, start: date, seq: int) -> str:
    return f"{outlet.district.name[:2]}社卡合〔{start.year}〕{outlet.code}-{seq}"


def seed_agreements(
    *,
    rng: random.Random | None = None,
    today: date | None = None,
    actor_lookup: Callable[[str, Outlet], User | None] | None = None,
    documents_every: int = 10,
    run_daily: bool = True,
) -> SeedAgreementsResult:
    """An agreement for every cooperating outlet without one (module docstring), then the daily job for ``today``.
    ``documents_every``: attach a signed copy to one agreement in this many (files are small, but thousands add
    up); renewals always carry theirs."""
    from ssc.admission.demo import DemoActors

    started = time.monotonic()
    rng = rng or random.Random(20240101)  # noqa: S311 - reproducible demo data, not security
    today = today or timezone.localdate()
    actor_lookup = actor_lookup or DemoActors()
    result = SeedAgreementsResult()
    on_record = Agreement.objects.filter(outlet=OuterRef("pk")).exclude(status=AgreementStatus.TERMINATED)
    outlets = list(
        Outlet.objects.filter(status__in=[OutletStatus.ACTIVE, OutletStatus.UNDER_RECTIFICATION])
        .exclude(Exists(on_record))
        .select_related("district")
        .order_by("pk")
    )
    with transaction.atomic():
        for n, outlet in enumerate(outlets):
            officer = actor_lookup(Role.DISTRICT_OFFICER, outlet)
            if officer is None:
                result.skipped_no_actor += 1
                continue
            kind = _kind(rng)
            end = _term_end(kind, today, rng)
            if outlet.code == SCENARIO_D_OUTLET:
                kind, end = "within_30", SCENARIO_D_END if today < SCENARIO_D_END else today + timedelta(days=28)
            if kind == "renewed":
                # The older term ended a little while ago; the renewal was signed a month before its end.
                old_end = end
                start = _years_before(old_end + timedelta(days=1), TERM_YEARS)
                signed_at = old_end - timedelta(days=rng.randint(15, 45))
            else:
                start = _years_before(end + timedelta(days=1), TERM_YEARS)
                signed_at = start
            files = {"signed_copy": _pdf("合作协议.pdf")} if n % max(documents_every, 1) == 0 else None
            try:
                agreement = services.agreement_register(
                    actor=officer,
                    outlet_id=outlet.pk,
                    data={
                        "number": _number(outlet, start, 1),
                        "signed_on": start.isoformat(),
                        "term_start": start.isoformat(),
                        "term_end": (old_end if kind == "renewed" else end).isoformat(),
                    },
                    files=files,
                    at=_at(min(signed_at, today)),
                )
            except DomainError:
                continue
            result.created += 1
            result.kinds[kind] += 1
            if kind == "renewed":
                new_start = old_end + timedelta(days=1)
                services.perform(
                    agreement.pk,
                    "renew",
                    actor=officer,
                    data={
                        "number": _number(outlet, new_start, 2),
                        "signed_on": signed_at.isoformat(),
                        "term_start": new_start.isoformat(),
                        "term_end": (_years_before(new_start, -TERM_YEARS) - timedelta(days=1)).isoformat(),
                    },
                    files={"signed_copy": _pdf("续签协议.pdf")},
                    at=_at(signed_at),
                )
                result.created += 1
                result.renewed += 1
        if run_daily:
            # The job that runs every day: marks ended terms renewed/expired, sends the 90/30-day reminders.
            result.daily = services.daily(today=today).summary()
    result.seconds = time.monotonic() - started
    return result


def demo_step(rng: random.Random) -> str:
    """``seed_demo`` step (see ``ssc.core.demo``): framework agreements, then every cooperating outlet's agreement
    (after the admission step, whose active applications signed their own)."""
    return seed_framework_agreements(rng=rng).summary() + seed_agreements(rng=rng).summary()
