"""P3 — the admission workflow through the service layer: every Art 7 action with audit, deadlines, notifications
and documents, in actions per second, against a floor measured in the same run.

Targets (PERFORMANCE.md): ≥ 1,000 actions/s on SQLite, ≥ 500 actions/s on PostgreSQL, and ≤ 3× the floor.

Run from the project root:

    .venv/bin/python bench/p3_admission.py                  # a temporary SQLite file database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_dev .venv/bin/python bench/p3_admission.py
                                                            # a scratch PostgreSQL database test_<name>_p3
    .venv/bin/python bench/p3_admission.py --quick          # fewer applications, for a smoke run

It sets Django up itself, migrates a fresh database, bulk-creates 10,000 outlets (41 districts, 8 banks, a
sub-branch per bank and district, 3 card services each) and the users who act (an applicant per sub-branch, an
officer and a leader per district, a center officer), creates N draft applications, then walks each through
the 12 actions of Art 7 — submit, record_site_verification, decide, file_with_center, acknowledge_filing,
notify_outlet, sign_agreement, update_preparation, apply_go_live, inspect_readiness, request_system_opening,
open_accounts — with ``ssc.admission.services.perform``: row lock, role/scope/state/version checks, payload
forms, preconditions, documents (small PDFs: consent letter, site report and photo, minutes, signed agreement,
readiness report), agreement and system accounts, outlet status, roster version, the center's deadline,
history row, hash-chained audit events and notifications to whoever acts next.

The floor is the bare ORM writing the same rows per action: in one transaction, an UPDATE of the application's
state and version, an INSERT of its history row (``CaseEvent``) and an INSERT of an audit row (``AuditEvent``,
no chain). Engine and floor alternate in blocks, so a noisy machine hits both alike. The table shows
actions/s by the wall clock and by this process's CPU time. On SQLite the database runs inside this process, so
the CPU time is the whole cost and is judged (a shared, loaded machine adds time spent waiting for a core to the
wall clock); on PostgreSQL the wall clock is judged. Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import load_average, print_table, setup_django  # noqa: E402

TARGET_RATIO = 3.0
TARGET_RPS = {"sqlite": 1000.0, "postgresql": 500.0}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACTIONS = [
    "submit",
    "record_site_verification",
    "decide",
    "file_with_center",
    "acknowledge_filing",
    "notify_outlet",
    "sign_agreement",
    "update_preparation",
    "apply_go_live",
    "inspect_readiness",
    "request_system_opening",
    "open_accounts",
]


# --- setup ----------------------------------------------------------------------------------------------------


# --- data -----------------------------------------------------------------------------------------------------


def build_world(n_outlets: int) -> dict:
    """Districts with agencies, banks with a Chongqing branch and one sub-branch per district, ``n_outlets``
    outlets (status applying, complete data, 3 services), and the users who act."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from ssc.accounts.choices import Role
    from ssc.accounts.models import User
    from ssc.registry.choices import DistrictKind, OrganisationKind, OutletStatus
    from ssc.registry.models import Bank, CardService, District, Organisation, Outlet

    rng = random.Random(3)
    with transaction.atomic():
        services = [
            CardService.objects.create(code=c, name=n, sort_order=i)
            for i, (c, n) in enumerate([("apply", "申领"), ("replacement", "补换卡"), ("activation", "激活")])
        ]
        center = Organisation.objects.create(
            code="center", name="重庆市社会保障卡服务中心", kind=OrganisationKind.CENTER
        )
        districts, agencies = [], []
        for i in range(41):
            d = District.objects.create(code=f"5001{i:02d}", name=f"测试{i:02d}区", kind=DistrictKind.DISTRICT)
            districts.append(d)
            agencies.append(
                Organisation.objects.create(
                    code=f"agency-{d.code}",
                    name=f"{d.name}社会保障卡管理机构",
                    kind=OrganisationKind.DISTRICT_AGENCY,
                    district=d,
                    parent=center,
                )
            )
        banks, branches, subs = [], {}, {}
        for b in range(8):
            bank = Bank.objects.create(code=f"bank{b}", name=f"测试银行{b}", short_name=f"测{b}", hotline="95500")
            banks.append(bank)
            branches[bank.pk] = Organisation.objects.create(
                code=f"bank{b}-cq", name=f"测试银行{b}重庆市分行", kind=OrganisationKind.BANK_BRANCH, bank=bank
            )
            for d in districts:
                subs[(bank.pk, d.pk)] = Organisation.objects.create(
                    code=f"bank{b}-{d.code}",
                    name=f"测试银行{b}{d.name}支行",
                    kind=OrganisationKind.SUB_BRANCH,
                    bank=bank,
                    parent=branches[bank.pk],
                    district=d,
                )
        outlets = []
        for i in range(n_outlets):
            d, bank = districts[i % len(districts)], banks[(i // len(districts)) % len(banks)]
            o = Outlet(
                code=f"B{i:06d}",
                name=f"测试银行网点{i:06d}分理处",
                bank=bank,
                sub_branch=subs[(bank.pk, d.pk)],
                district=d,
                address=f"重庆市{d.name}测试路{i}号",
                latitude=29.5 + rng.random() / 5,
                longitude=106.5 + rng.random() / 5,
                weekday_hours="09:00-17:00",
                weekend_hours="09:00-12:00",
                consultation_phone="023-63000001",
                complaint_phone="023-63000002",
                status=OutletStatus.APPLYING,
            )
            o.refresh_search_fields()
            outlets.append(o)
        Outlet.objects.bulk_create(outlets, batch_size=2000)
        outlet_ids = list(Outlet.objects.order_by("pk").values_list("pk", flat=True))
        Through = Outlet.services.through
        Through.objects.bulk_create(
            [Through(outlet_id=o, cardservice_id=s.pk) for o in outlet_ids for s in services], batch_size=5000
        )
        pw = make_password("Bench-2026!")
        users = [User(username="center_officer", role=Role.CENTER_OFFICER, organisation=center, password=pw)]
        for a in agencies:
            users.append(User(username=f"off-{a.code}", role=Role.DISTRICT_OFFICER, organisation=a, password=pw))
            users.append(User(username=f"lead-{a.code}", role=Role.DISTRICT_LEADER, organisation=a, password=pw))
        for s in subs.values():
            users.append(User(username=f"app-{s.code}", role=Role.BANK_APPLICANT, organisation=s, password=pw))
        User.objects.bulk_create(users, batch_size=1000)
    by = {}
    for u in User.objects.select_related("organisation"):
        org = u.organisation
        if u.role == Role.CENTER_OFFICER:
            by["center"] = u
        elif u.role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LEADER):
            by[(u.role, org.district_id)] = u
        else:
            by[(u.role, org.pk)] = u
    return {"users": by, "branches": {k: v.pk for k, v in branches.items()}, "outlets": outlet_ids}


def upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def plan(app, outlet, world: dict, day0: date) -> list[tuple]:
    """(action, actor, data, files, at) for the 12 actions of one application."""
    from zoneinfo import ZoneInfo

    from ssc.accounts.choices import Role

    tz = ZoneInfo("Asia/Shanghai")
    u = world["users"]
    officer = u[(Role.DISTRICT_OFFICER, outlet.district_id)]
    leader = u[(Role.DISTRICT_LEADER, outlet.district_id)]
    applicant = u[(Role.BANK_APPLICANT, outlet.sub_branch_id)]
    center = u["center"]
    site = dict.fromkeys(
        ["premises", "accessibility", "security", "network", "equipment_space", "staff", "hours", "disclosure"], True
    )
    ready = dict.fromkeys(["integration", "hardware", "training", "signage", "security"], True)
    d = day0.isoformat()
    steps = [
        (
            "submit",
            applicant,
            {"consent_organisation": world["branches"][outlet.bank_id], "consent_date": d},
            {"consent_letter": upload("consent.pdf")},
        ),
        (
            "record_site_verification",
            officer,
            {"visited_on": d, "inspectors": ["王敏", "李强"], "checklist": site, "conclusion": "passed"},
            {"report": upload("report.pdf"), "photos": [upload("photo.pdf")]},
        ),
        (
            "decide",
            leader,
            {"meeting_date": d, "attendees": ["甲", "乙", "丙"], "decision": "approved", "reasons": "符合条件"},
            {"minutes": upload("minutes.pdf")},
        ),
        ("file_with_center", officer, {}, None),
        ("acknowledge_filing", center, {"filing_number": f"渝社卡备〔2026〕{app.pk:06d}号"}, None),
        ("notify_outlet", officer, {}, None),
        (
            "sign_agreement",
            officer,
            {
                "agreement_number": f"测社卡合〔2026〕{app.pk}号",
                "signed_on": d,
                "term_start": d,
                "term_end": (day0 + timedelta(days=1095)).isoformat(),
            },
            {"signed_copy": upload("agreement.pdf")},
        ),
        (
            "update_preparation",
            applicant,
            {
                "system_integration_done": True,
                "interconnection_mode": "jinyu",
                "integration_tested_on": d,
                "hardware_done": True,
                "trained_staff": [f"张三,{d}", f"李四,{d}"],
            },
            None,
        ),
        ("apply_go_live", applicant, {}, None),
        (
            "inspect_readiness",
            officer,
            {"inspected_on": d, "result": "readiness_passed", "checklist": ready},
            {"report": upload("readiness.pdf")},
        ),
        ("request_system_opening", officer, {}, None),
        (
            "open_accounts",
            center,
            {
                "accounts": [
                    {"account_type": "operator", "identifier": f"{outlet.code}-OP1", "holder": "张三"},
                    {"account_type": "terminal", "identifier": f"{outlet.code}-T1", "holder": ""},
                ]
            },
            None,
        ),
    ]
    out = []
    for i, (action, actor, data, files) in enumerate(steps):
        at = datetime(day0.year, day0.month, day0.day, 9, tzinfo=tz) + timedelta(minutes=10 * i)
        out.append((action, actor, data, files, at))
    return out


# --- measurement ----------------------------------------------------------------------------------------------


def run_engine(apps: list, world: dict, outlets: dict, day0: date) -> tuple[float, float, int]:
    from ssc.admission import services

    steps = [s for app in apps for s in [(app, *p) for p in plan(app, outlets[app.outlet_id], world, day0)]]
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    for app, action, actor, data, files, at in steps:
        services.perform(app.pk, action, actor=actor, data=data, files=files, at=at)
    return time.perf_counter() - w0, time.process_time() - c0, len(steps)


_floor_seq = [100_000_000]


def run_floor(apps: list, world: dict, n_actions: int) -> tuple[float, float]:
    """Per action, one transaction: UPDATE the application, INSERT a history row, INSERT an audit row."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from ssc.admission.models import Application
    from ssc.audit.models import AuditEvent
    from ssc.workflow.models import CaseEvent

    actor = world["users"]["center"]
    now = timezone.now()
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    for i in range(n_actions):
        app = apps[i % len(apps)]
        action = ACTIONS[i % len(ACTIONS)]
        with transaction.atomic():
            Application.objects.filter(pk=app.pk).update(state="submitted", version=F("version") + 1)
            CaseEvent.objects.create(
                case_type="application",
                case_id=app.pk,
                action=action,
                from_state="draft",
                to_state="submitted",
                actor=actor,
                organisation_id=actor.organisation_id,
                at=now,
                article="7(1)",
                payload={"note": ""},
                elapsed_workdays=1,
            )
            AuditEvent.objects.create(
                seq=_floor_seq[0] + i,
                prev_hash="0" * 64,
                hash=f"{i:064x}",
                at=now,
                actor_id=actor.pk,
                actor_username=actor.username,
                actor_role=actor.role,
                organisation_id=actor.organisation_id,
                organisation_name="",
                action=f"application.{action}",
                object_type="admission.application",
                object_id=str(app.pk),
                object_repr="",
                before_json='{"state":"draft"}',
                after_json='{"state":"submitted"}',
                article="7(1)",
                source="bench",
            )
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    _floor_seq[0] += n_actions
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=10_000)
    parser.add_argument("--applications", type=int, default=300, help="applications walked through all 12 actions")
    parser.add_argument("--block", type=int, default=25, help="applications per engine block between floor blocks")
    parser.add_argument("--quick", action="store_true", help="2,000 outlets and 50 applications")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the engine runs to FILE")
    args = parser.parse_args()
    if args.quick:
        args.outlets, args.applications, args.block = 2_000, 50, 10

    db = setup_django("p3", seed_calendar=True)
    label, teardown = db.label, db.teardown
    try:
        from django.db import connection

        from ssc.accounts.choices import Role
        from ssc.admission import services
        from ssc.core import context
        from ssc.registry.models import Outlet

        t0 = time.perf_counter()
        world = build_world(args.outlets)
        rng = random.Random(7)
        n_floor = 20  # the floor's rows: applications of their own, never walked
        chosen = rng.sample(world["outlets"], min(args.applications + n_floor + 1, len(world["outlets"])))
        outlets = Outlet.objects.in_bulk(chosen)
        apps = []
        with context.use(source="bench"):
            for oid in chosen:
                o = outlets[oid]
                apps.append(
                    services.application_create(
                        actor=world["users"][(Role.BANK_APPLICANT, o.sub_branch_id)], outlet_id=oid
                    )
                )
        floor_apps, warm, apps = apps[:n_floor], apps[n_floor], apps[n_floor + 1 :]
        # Warm-up (untimed): one application walked through, as a running server would have URL maps, the
        # compiled calendar and the checklists' code paths loaded.
        with context.use(source="bench"):
            run_engine([warm], world, outlets, date(2026, 3, 2))
        setup_s = time.perf_counter() - t0

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        day0 = date(2026, 3, 2)
        eng_wall = eng_cpu = floor_wall = floor_cpu = 0.0
        n_actions = 0
        with context.use(source="bench"):
            for i in range(0, len(apps), args.block):
                block = apps[i : i + args.block]
                if profiler:
                    profiler.enable()
                w, c, n = run_engine(block, world, outlets, day0)
                if profiler:
                    profiler.disable()
                eng_wall, eng_cpu, n_actions = eng_wall + w, eng_cpu + c, n_actions + n
                fw, fc = run_floor(floor_apps, world, n)
                floor_wall, floor_cpu = floor_wall + fw, floor_cpu + fc
        if profiler:
            profiler.dump_stats(args.profile)

        from ssc.admission.models import Application
        from ssc.deadlines.models import Deadline

        done = Application.objects.filter(state="active").count()
        met = Deadline.objects.filter(status="met").count()
        assert done == len(apps) + 1 and met == len(apps) + 1, (done, met)

        vendor = connection.vendor
        target = TARGET_RPS.get(vendor, 1000.0)
        rps, rps_cpu = n_actions / eng_wall, n_actions / eng_cpu
        floor_rps, floor_rps_cpu = n_actions / floor_wall, n_actions / floor_cpu
        ratio, ratio_cpu = eng_wall / floor_wall, eng_cpu / floor_cpu
        # SQLite runs inside this process: its CPU time is the whole cost and is judged (on a shared, loaded
        # machine the wall clock also counts waiting for a core). PostgreSQL works in its own processes: there
        # the wall clock is judged.
        by_cpu = vendor == "sqlite"
        j_rps, j_ratio = (rps_cpu, ratio_cpu) if by_cpu else (rps, ratio)
        ok = j_rps >= target and j_ratio <= TARGET_RATIO
        verdict = "PASS" if ok else "FAIL"
        if not (j_rps >= target) and j_ratio <= TARGET_RATIO:
            verdict = "FAIL (absolute only)"
        goal = f"≥ {target:,.0f}/s, ≤ {TARGET_RATIO:g}×"
        rows = [
            (
                f"actions/s, wall ({n_actions:,} actions)",
                f"{rps:,.0f}/s",
                f"{floor_rps:,.0f}/s",
                f"{ratio:.2f}×",
                goal if not by_cpu else "(reference)",
                verdict if not by_cpu else "",
            ),
            (
                "actions/s, this process's CPU",
                f"{rps_cpu:,.0f}/s",
                f"{floor_rps_cpu:,.0f}/s",
                f"{ratio_cpu:.2f}×",
                goal if by_cpu else "(reference)",
                verdict if by_cpu else "",
            ),
            (
                "ms per action, wall / CPU",
                f"{1000 / rps:.2f} / {1000 / rps_cpu:.2f}",
                f"{1000 / floor_rps:.2f} / {1000 / floor_rps_cpu:.2f}",
                "",
                "(reference)",
                "",
            ),
        ]
        print_table(
            f"P3 admission workflow — {label}, {args.outlets:,} outlets, {len(apps)} applications × 12 actions "
            f"(set-up {setup_s:.1f} s)",
            rows,
            [
                "floor: per action one transaction with a bare ORM UPDATE of the application + INSERT of the "
                "history row + INSERT of an audit row",
                f"load average at the end: {load_average()}",
            ],
        )
        return 0 if ok else 1
    finally:
        teardown()


if __name__ == "__main__":
    sys.exit(main())
