"""P4 — the daily deadline sweep over 100,000 open deadlines of which 10,000 are past their last day.

Target (PERFORMANCE.md): ≤ 3 s.

Run from the project root:

    .venv/bin/python bench/p4_sweep.py                  # a temporary SQLite file database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_dev .venv/bin/python bench/p4_sweep.py
                                                        # a scratch PostgreSQL database test_<name>_p4
    .venv/bin/python bench/p4_sweep.py --quick          # 10,000 open deadlines, 1,000 due

It sets Django up itself, migrates a fresh database and bulk-creates the data: outlets and applications waiting
on the center for the deadlines that the sweep acts on, and N open ``center_open_accounts`` deadlines — D past
their last day (→ missed and escalated), R due today or on the next working day (→ reminded), the rest later —
plus the people told: 3 center officers, 2 center leaders, 2 regulators. Then it times, each on a fresh copy of
the deadlines' state:

1. ``sweep(today=...)`` — marking, escalation stamps, reminder stamps, per-kind hooks (judged);
2. ``sweep(today=..., notify=escalation.notify_sweep)`` — the same plus every notification (a digest per
   center leader and regulator, a notice per missed case and per reminder to each center officer), as
   ``manage.py sweep_deadlines`` runs it (judged too);
3. a second sweep on the same day, which must find nothing (idempotence, reference).

Each timing is shown by the wall clock and by this process's CPU time. On SQLite the database runs inside this
process, so the CPU time is the whole cost and is what is judged (a shared, loaded machine adds time spent
waiting for a core to the wall clock); on PostgreSQL the wall clock is judged. Exits non-zero when a target is
missed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import load_average, print_table, setup_django  # noqa: E402

TARGET_S = 3.0
TODAY = date(2026, 3, 16)  # a Monday; the next working day is 03-17


def build(n_open: int, n_due: int, n_remind: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from ssc.accounts.choices import Role
    from ssc.accounts.models import User
    from ssc.admission.models import Application
    from ssc.deadlines.models import Deadline
    from ssc.registry.choices import DistrictKind, OrganisationKind, OutletStatus
    from ssc.registry.models import Bank, District, Organisation, Outlet
    from ssc.workcalendar import services as cal

    rng = random.Random(4)
    acted = n_due + n_remind
    with transaction.atomic():
        center = Organisation.objects.create(
            code="center", name="重庆市社会保障卡服务中心", kind=OrganisationKind.CENTER
        )
        hrss = Organisation.objects.create(code="hrss", name="重庆市人力资源和社会保障局", kind=OrganisationKind.HRSS)
        nfra = Organisation.objects.create(
            code="nfra", name="国家金融监督管理总局重庆监管局", kind=OrganisationKind.NFRA
        )
        districts = [
            District.objects.create(code=f"5001{i:02d}", name=f"测试{i:02d}区", kind=DistrictKind.DISTRICT)
            for i in range(41)
        ]
        bank = Bank.objects.create(code="bank", name="测试银行", short_name="测试")
        branch = Organisation.objects.create(
            code="bank-cq", name="测试银行重庆市分行", kind=OrganisationKind.BANK_BRANCH, bank=bank
        )
        subs = [
            Organisation.objects.create(
                code=f"bank-{d.code}",
                name=f"测试银行{d.name}支行",
                kind=OrganisationKind.SUB_BRANCH,
                bank=bank,
                parent=branch,
                district=d,
            )
            for d in districts
        ]
        pw = make_password("Bench-2026!")
        users = [
            *(
                User(username=f"officer{i}", role=Role.CENTER_OFFICER, organisation=center, password=pw)
                for i in range(3)
            ),
            *(User(username=f"leader{i}", role=Role.CENTER_LEADER, organisation=center, password=pw) for i in range(2)),
            User(username="hrss", role=Role.REGULATOR, organisation=hrss, password=pw),
            User(username="nfra", role=Role.REGULATOR, organisation=nfra, password=pw),
            User(username="applicant", role=Role.BANK_APPLICANT, organisation=subs[0], password=pw),
        ]
        User.objects.bulk_create(users)
        applicant = User.objects.get(username="applicant")
        outlets = []
        for i in range(acted):
            d = i % len(districts)
            o = Outlet(
                code=f"P4{i:06d}",
                name=f"测试银行网点{i:06d}",
                bank=bank,
                sub_branch=subs[d],
                district=districts[d],
                address="重庆市",
                latitude=29.5,
                longitude=106.5,
                status=OutletStatus.PREPARING,
            )
            o.refresh_search_fields()
            outlets.append(o)
        Outlet.objects.bulk_create(outlets, batch_size=2000)
        outlet_ids = list(Outlet.objects.order_by("pk").values_list("pk", "district_id"))
        Application.objects.bulk_create(
            [Application(outlet_id=o, created_by=applicant, state="system_opening_requested") for o, _d in outlet_ids],
            batch_size=2000,
        )
        app_ids = list(Application.objects.order_by("pk").values_list("pk", "outlet__district_id"))
        next_workday = cal.add_workdays(TODAY, 1)
        rows = []
        for i in range(n_open):
            if i < acted:
                case_id, district_id = app_ids[i]
                due = TODAY - timedelta(days=rng.randint(1, 30)) if i < n_due else rng.choice([TODAY, next_workday])
            else:  # later: not touched by this sweep (cases need not exist for the sweep to skip them)
                case_id, district_id = 10_000_000 + i, districts[i % len(districts)].pk
                due = next_workday + timedelta(days=rng.randint(1, 90))
            rows.append(
                Deadline(
                    case_type="application",
                    case_id=case_id,
                    kind="center_open_accounts",
                    label="市社保卡服务中心开通账户、更新名单（5个工作日）",
                    article="7(4)",
                    responsible="center",
                    district_id=district_id,
                    started_on=due - timedelta(days=7),
                    due_on=due,
                )
            )
        Deadline.objects.bulk_create(rows, batch_size=5000)


def reset() -> None:
    """Back to every deadline open and untouched, no notifications (between timed runs)."""
    from ssc.deadlines.models import Deadline
    from ssc.notifications.models import Notification

    Deadline.objects.update(status="pending", reminded_at=None, escalated_at=None)
    Notification.objects.all().delete()


_cpu: list[float] = []
_vendor: list[str] = []


def judged(wall: float) -> float:
    """SQLite runs in this process, so its CPU time is the whole cost and is judged (a shared, loaded machine
    inflates the wall clock with time spent waiting for a core); PostgreSQL works in its own processes, so the
    wall clock is judged there."""
    return _cpu[-1] if _vendor and _vendor[0] == "sqlite" else wall


def timed(fn) -> tuple[float, object]:
    """Wall-clock seconds (judged) and the result; this process's CPU seconds go to ``_cpu`` (reference: on
    SQLite the database work is in-process, on a loaded machine the wall clock also counts waiting for a core)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    _cpu.append(time.process_time() - c0)
    return time.perf_counter() - t0, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open deadlines")
    parser.add_argument("--due", type=int, default=10_000, help="of which past their last day")
    parser.add_argument("--remind", type=int, default=1_000, help="of which due today or the next working day")
    parser.add_argument("--quick", action="store_true", help="10,000 open, 1,000 due, 100 to remind")
    args = parser.parse_args()
    if args.quick:
        args.open, args.due, args.remind = 10_000, 1_000, 100

    db = setup_django("p4", seed_calendar=True)
    label, teardown = db.label, db.teardown
    try:
        from django.db import connection

        from ssc.core import context
        from ssc.deadlines import escalation, services
        from ssc.deadlines.models import Deadline
        from ssc.notifications.models import Notification

        _vendor.append(connection.vendor)
        t0 = time.perf_counter()
        build(args.open, args.due, args.remind)
        setup_s = time.perf_counter() - t0
        rows = []
        ok = True
        with context.use(source="bench"):
            services.sweep(today=TODAY - timedelta(days=400))  # warm-up: nothing is due then
            s_plain, r = timed(lambda: services.sweep(today=TODAY))
            assert len(r.missed) == args.due and len(r.reminded) == args.remind, (len(r.missed), len(r.reminded))
            passed = judged(s_plain) <= TARGET_S
            ok &= passed
            rows.append(
                (
                    f"sweep: mark {len(r.missed):,} missed, remind {len(r.reminded):,}",
                    f"{s_plain:.2f} s",
                    f"CPU {_cpu[-1]:.2f} s",
                    "",
                    f"≤ {TARGET_S:g} s",
                    "PASS" if passed else "FAIL",
                )
            )
            reset()
            s_notify, r = timed(lambda: services.sweep(today=TODAY, notify=escalation.notify_sweep))
            n_notes = Notification.objects.count()
            assert n_notes == r.notifications
            passed = judged(s_notify) <= TARGET_S
            ok &= passed
            rows.append(
                (
                    f"sweep + notifications ({n_notes:,} created)",
                    f"{s_notify:.2f} s",
                    f"CPU {_cpu[-1]:.2f} s",
                    "",
                    f"≤ {TARGET_S:g} s",
                    "PASS" if passed else "FAIL",
                )
            )
            s_again, r2 = timed(lambda: services.sweep(today=TODAY, notify=escalation.notify_sweep))
            assert not (r2.missed or r2.escalated or r2.reminded or r2.notifications)
            rows.append(
                (
                    "second sweep, same day (finds nothing)",
                    f"{s_again:.2f} s",
                    f"CPU {_cpu[-1]:.2f} s",
                    "",
                    "(ref.)",
                    "",
                )
            )
        missed = Deadline.objects.filter(status="missed").count()
        assert missed == args.due

        print_table(
            f"P4 deadline sweep — {label}, {args.open:,} open deadlines, {args.due:,} past due, "
            f"{args.remind:,} to remind (set-up {setup_s:.1f} s)",
            rows,
            [f"load average at the end: {load_average()}"],
            header=("metric", "value", "floor / note", "ratio", "target", "pass"),
        )
        return 0 if ok else 1
    finally:
        teardown()


if __name__ == "__main__":
    sys.exit(main())
