"""P6 — audit chain verification: 1,000,000 events, against reading the same rows.

Targets (PERFORMANCE.md): verifying 1M events takes ≤ 15 s and ≤ 2× reading the same rows.

Run from the project root:

    .venv/bin/python bench/p6_audit.py                      # a temporary SQLite file database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_dev .venv/bin/python bench/p6_audit.py
                                                            # a scratch PostgreSQL database test_<name>_p6
    .venv/bin/python bench/p6_audit.py --events 200000      # smaller, for a smoke run

It sets Django up itself, migrates a fresh database, generates N events (default 1,000,000) with a realistic
mix (actions, actors of every role, organisations, outlets, before/after JSON of a few fields, articles,
request ids), chains them with the reference ``ssc.audit.chain.event_hash`` in Python and bulk-inserts them
(SQLite ``executemany``, PostgreSQL ``COPY``), sets the chain head, then times, alternating:

- floor: reading the same rows — ``ssc.audit.verification.chain_rows`` (the very queryset the verifier
  streams: ``values_list(...).iterator(chunk_size)`` in ``seq`` order), every row consumed and nothing else;
- verify, 1 process: ``ssc.audit.verification.verify_chain(workers=1)`` — the like-for-like comparison
  with the floor (judged against ≤ 2×);
- verify, N processes: ``verify_chain(workers=0)``, what ``manage.py verify_audit`` does by default on a long
  chain (contiguous seq ranges verified by one worker process per CPU, up to 4; judged against ≤ 15 s).

The best of ``--repeat`` runs of each is judged (a noisy shared machine only ever adds time); every run is
printed. Finally ``manage.py verify_audit`` itself runs once and its output is shown. Prints a table and exits
non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import load_average, print_table, setup_django  # noqa: E402

TARGET_SECONDS = 15.0
TARGET_RATIO = 2.0
BATCH = 20_000


# --- data -------------------------------------------------------------------------------------------------------

ROLES = [
    "bank_applicant",
    "outlet_staff",
    "bank_head_office",
    "district_officer",
    "district_leader",
    "center_officer",
    "center_leader",
    "regulator",
    "hotline_operator",
    "system_admin",
    "security_admin",
    "audit_admin",
]
ORGS = ["渝中区社会保障卡管理机构", "沙坪坝区社会保障卡管理机构", "重庆市社会保障卡服务中心", "中国工商银行重庆市分行"]
ORGS += [f"中国建设银行重庆{d}支行" for d in ("渝中区", "江北区", "南岸区", "九龙坡区", "渝北区", "巴南区")]
ACTIONS = [
    ("outlet.update", "registry.outlet", ""),
    ("application.submit", "admission.application", "7(1)"),
    ("application.record_site_verification", "admission.application", "7(2)"),
    ("application.decide", "admission.application", "7(2)"),
    ("application.sign_agreement", "admission.application", "7(3)"),
    ("application.open_accounts", "admission.application", "7(5)"),
    ("ticket.read_personal_data", "supervision.ticket", "10"),
    ("rectification.urge", "supervision.rectification", "8(3)"),
    ("user.login", "accounts.user", ""),
    ("roster.publish", "roster.rosterversion", "7(5)"),
]
ROADS = ["解放碑", "观音桥", "杨家坪", "三峡广场", "南坪", "大坪", "石桥铺", "沙正街", "小龙坎", "龙头寺"]


def payloads(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """A pool of (before_json, after_json) pairs in the services' canonical JSON."""
    from ssc.audit.services import canonical_json

    out = []
    for i in range(n):
        road = rng.choice(ROADS)
        kind = i % 4
        if kind == 0:
            before = {"address": f"{road}路{rng.randint(1, 300)}号", "version": i % 9 + 1}
            after = {"address": f"{road}路{rng.randint(1, 300)}号", "version": i % 9 + 2}
        elif kind == 1:
            before = {"state": "submitted", "version": 2}
            after = {
                "state": "site_verified",
                "version": 3,
                "payload": {"result": "符合", "note": f"已现场核实{road}网点的场地、设备与人员"},
            }
        elif kind == 2:
            before = None
            after = {"field": "caller_phone", "reason": "回访投诉人"}
        else:
            before = {"weekday_hours": "09:00-17:00", "consultation_phone": f"023-6{rng.randint(1000000, 9999999)}"}
            after = {"weekday_hours": "08:30-17:30", "consultation_phone": f"023-6{rng.randint(1000000, 9999999)}"}
        out.append((canonical_json(before), canonical_json(after)))
    return out


def generate(n: int, seed: int = 6) -> tuple[float, float, str]:
    """Insert ``n`` chained events; returns (seconds computing, seconds inserting, head hash)."""
    from django.db import connection, transaction

    from ssc.audit.chain import GENESIS_HASH, VERIFY_COLUMNS, canonical_time, event_hash
    from ssc.audit.models import AuditChainHead
    from ssc.audit.triggers import HEAD_TRIGGERS
    from ssc.core import triggers

    rng = random.Random(seed)
    pool = payloads(rng, 2000)
    users = [
        (1000 + i, f"user{i:04d}", ROLES[i % len(ROLES)], 100 + i % len(ORGS), ORGS[i % len(ORGS)]) for i in range(600)
    ]
    outlets = [(str(10_000 + i), f"中国工商银行重庆{rng.choice(ROADS)}第{i}分理处") for i in range(5000)]
    at = datetime(2025, 2, 24, 1, 0, tzinfo=UTC)
    prev = GENESIS_HASH
    cols = ",".join(VERIFY_COLUMNS)
    sqlite = connection.vendor == "sqlite"
    adapt = connection.ops.adapt_datetimefield_value
    t_compute = t_insert = 0.0
    seq = 0
    while seq < n:
        t0 = time.perf_counter()
        rows = []
        for _ in range(min(BATCH, n - seq)):
            seq += 1
            at += timedelta(microseconds=rng.randint(1, 60_000_000))
            action, otype, article = ACTIONS[seq % len(ACTIONS)]
            if seq % 13 == 0:  # a system event: no actor
                actor_id, username, role, org_id, org = None, "", "", None, ""
            else:
                actor_id, username, role, org_id, org = users[seq % len(users)]
            oid, orepr = outlets[(seq * 7) % len(outlets)]
            before, after = pool[seq % len(pool)]
            rid = uuid.UUID(int=rng.getrandbits(128)).hex
            ip = f"10.{seq % 200}.{seq % 97}.{seq % 251}"
            source = "api" if seq % 3 == 0 else "web"
            values = [seq, canonical_time(at), actor_id, username, role, org_id, org, action, otype, oid, orepr]
            values += [before, after, article, rid, ip, source]
            h = event_hash(prev, values)
            rows.append((seq, prev, h, adapt(at) if sqlite else at, *values[2:]))
            prev = h
        t1 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if sqlite:
                marks = ",".join("?" * len(VERIFY_COLUMNS))
                connection.connection.executemany(f"INSERT INTO audit_auditevent ({cols}) VALUES ({marks})", rows)
            else:
                with cursor.cursor.copy(f"COPY audit_auditevent ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        t2 = time.perf_counter()
        t_compute += t1 - t0
        t_insert += t2 - t1
        print(f"\r  generated {seq:,} / {n:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    # The head moves forward one event at a time (trigger); the benchmark's own database jumps to the end.
    triggers.uninstall(connection, HEAD_TRIGGERS)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": n, "hash": prev})
    triggers.install(connection, HEAD_TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if sqlite else "VACUUM ANALYZE audit_auditevent")
    return t_compute, t_insert, prev


# --- timing -----------------------------------------------------------------------------------------------------


def time_floor(n: int, chunk_size: int) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) reading every row."""
    from ssc.audit.verification import chain_rows, reading

    t0, c0 = time.perf_counter(), time.process_time()
    count = 0
    with reading():
        for _row in chain_rows(1, n, chunk_size):
            count += 1
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert count == n, (count, n)
    return elapsed, cpu


def time_verify(n: int, chunk_size: int, workers: int) -> tuple[float, float, int]:
    """(wall seconds, this process's CPU seconds, workers used) verifying the chain."""
    from ssc.audit.verification import verify_chain

    t0, c0 = time.perf_counter(), time.process_time()
    result = verify_chain(chunk_size=chunk_size, workers=workers)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.ok and result.checked == n, result
    return elapsed, cpu, result.workers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (best counts; default 3)")
    parser.add_argument("--chunk-size", type=int, default=None, help="rows per fetch (default: the verifier's)")
    parser.add_argument("--workers", type=int, default=0, help="verify_audit --workers (default 0 = auto)")
    parser.add_argument("--keep", action="store_true", help="keep the database (prints where it is)")
    args = parser.parse_args()

    db = setup_django("p6")
    where, teardown = db.label, db.teardown
    from django.core.management import call_command

    from ssc.audit.verification import CHUNK_SIZE

    chunk = args.chunk_size or CHUNK_SIZE
    n = args.events
    try:
        print(f"P6 audit chain verification — {where}, {n:,} events, chunk {chunk}", file=sys.stderr)
        t_compute, t_insert, _head = generate(n)
        floors, singles, parallels, floor_cpu, single_cpu = [], [], [], [], []
        workers = 1
        for i in range(args.repeat):
            wall, cpu = time_floor(n, chunk)
            floors.append(wall)
            floor_cpu.append(cpu)
            wall, cpu, _w = time_verify(n, chunk, 1)
            singles.append(wall)
            single_cpu.append(cpu)
            elapsed, _cpu, workers = time_verify(n, chunk, args.workers)
            parallels.append(elapsed)
            print(
                f"  run {i + 1}: read {floors[-1]:.2f} s, verify {singles[-1]:.2f} s (1 process), "
                f"{parallels[-1]:.2f} s ({workers} processes)",
                file=sys.stderr,
            )
        out = StringIO()
        t0 = time.perf_counter()
        call_command("verify_audit", "--chunk-size", str(chunk), "--workers", str(args.workers), stdout=out)
        t_cmd = time.perf_counter() - t0

        floor, single, parallel = min(floors), min(singles), min(parallels)
        scale = 1_000_000 / n
        ratio1, ratio_p = single / floor, parallel / floor
        ok_ratio = ratio1 <= TARGET_RATIO
        ok_time = parallel * scale <= TARGET_SECONDS

        def verdict(ok: bool) -> str:
            return "yes" if ok else "NO"

        rows = [
            (
                "verify, 1 process",
                f"{single:.2f} s",
                f"{floor:.2f} s",
                f"{ratio1:.2f}×",
                f"≤ {TARGET_RATIO:.0f}× reading",
                verdict(ok_ratio),
            ),
            (
                f"verify, {workers} processes (verify_audit default)",
                f"{parallel:.2f} s",
                f"{floor:.2f} s",
                f"{ratio_p:.2f}×",
                f"≤ {TARGET_RATIO:.0f}× reading",
                verdict(ratio_p <= TARGET_RATIO),
            ),
            (
                "verify per 1M events, 1 process",
                f"{single * scale:.2f} s",
                f"{floor * scale:.2f} s",
                "",
                "(reference)",
                "",
            ),
            (
                f"verify per 1M events, {workers} processes",
                f"{parallel * scale:.2f} s",
                f"{floor * scale:.2f} s",
                "",
                f"≤ {TARGET_SECONDS:.0f} s",
                verdict(ok_time),
            ),
            ("per event, 1 process", f"{single / n * 1e6:.1f} µs", f"{floor / n * 1e6:.1f} µs", "", "", ""),
            (
                "CPU time, 1 process",
                f"{min(single_cpu):.2f} s",
                f"{min(floor_cpu):.2f} s",
                f"{min(single_cpu) / min(floor_cpu):.2f}×",
                "(reference)",
                "",
            ),
            ("manage.py verify_audit", f"{t_cmd:.2f} s", "", "", "", ""),
            ("generate (hash in Python)", f"{t_compute:.1f} s", "", "", "", ""),
            ("bulk insert", f"{t_insert:.1f} s", "", "", "", ""),
        ]
        notes = [
            "floor = one stream reading the same rows with the same queryset (values_list iterator, seq order)",
            "runs (read / verify 1 process / verify N processes, s): "
            + ", ".join(f"{f:.2f}/{v:.2f}/{p:.2f}" for f, v, p in zip(floors, singles, parallels, strict=True)),
            f"CPUs: {os.cpu_count()}, load average at the end: {load_average()}",
            "CPU time = this process only (SQLite works in-process; PostgreSQL's server time is not in it)",
            "verify_audit said: " + out.getvalue().strip(),
        ]
        print()
        print_table(f"P6 — audit chain verification ({where}, {n:,} events)", rows, notes)
        return 0 if ok_time and ok_ratio else 1
    finally:
        if args.keep:
            print(f"kept: {where}", file=sys.stderr)
        else:
            teardown()


if __name__ == "__main__":
    sys.exit(main())
