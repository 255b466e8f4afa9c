"""P10 — staff API outlet list, page of 50, unfiltered and with district + text filter, authenticated.

Targets (PERFORMANCE.md): single-request median ≤ 15 ms and ≤ 3× the raw SQL for the same page and
count; ≥ 300 req/s with 2 worker processes (``--throughput``).

Run from the project root:

    .venv/bin/python bench/p10_api.py                  # a temporary SQLite file database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_dev .venv/bin/python bench/p10_api.py
                                                       # a scratch PostgreSQL database test_<name>_p10
    .venv/bin/python bench/p10_api.py --outlets 20000 --requests 100 --throughput --keep

It sets Django up itself, migrates a fresh database, bulk-creates N outlets (default 100,000) over 41
districts and 16 banks with 2–4 card services each, issues a bearer token for a center officer, then times
``GET /api/v1/outlets/`` through the whole Django stack in-process (middleware, token authentication,
scoping, filters, pagination, serialisation, JSON rendering) against a floor: the hand-written SQL giving
the same page and count (count, page with its bank/sub-branch/district, the page's services), fetched with
a bare cursor. Both are measured in the same run, alternating, so a noisy machine hits both alike.
``--throughput`` also serves the app with granian (2 WSGI workers) and drives it for a few seconds from
local client processes over keep-alive connections (on a 2-core machine the clients share the CPUs with
the server, so the figure is a lower bound). Prints a table and exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import load_average, print_table, setup_django  # noqa: E402

TARGET_MEDIAN_MS = 15.0
TARGET_RATIO = 3.0
TARGET_RPS = 300.0
PAGE = 50

ROADS = [
    "解放碑",
    "民族路",
    "中山四路",
    "较场口",
    "观音桥",
    "杨家坪",
    "三峡广场",
    "南坪",
    "大坪",
    "石桥铺",
    "沙正街",
    "小龙坎",
    "新牌坊",
    "龙头寺",
    "鸳鸯",
    "人和",
    "礼嘉",
    "西永",
    "大学城",
    "李家沱",
    "鱼洞",
    "北碚",
    "茶园",
    "界石",
    "双福",
    "万州",
    "江津",
    "合川",
    "永川",
    "长寿",
]
SUFFIXES = ["支行", "分理处", "营业部", "储蓄所", "社区支行"]
BANKS = [
    ("icbc", "中国工商银行", "工商银行"),
    ("abc", "中国农业银行", "农业银行"),
    ("boc", "中国银行", "中国银行"),
    ("ccb", "中国建设银行", "建设银行"),
    ("bocom", "交通银行", "交通银行"),
    ("psbc", "中国邮政储蓄银行", "邮储银行"),
    ("cqrcb", "重庆农村商业银行", "重庆农商行"),
    ("cqcb", "重庆银行", "重庆银行"),
    ("cqsxb", "重庆三峡银行", "三峡银行"),
    ("citic", "中信银行", "中信银行"),
    ("cmb", "招商银行", "招商银行"),
    ("cib", "兴业银行", "兴业银行"),
    ("spdb", "上海浦东发展银行", "浦发银行"),
    ("cmbc", "中国民生银行", "民生银行"),
    ("ceb", "中国光大银行", "光大银行"),
    ("hxb", "华夏银行", "华夏银行"),
]
SERVICES = [
    ("apply", "申领"),
    ("instant_issuance", "即时制卡"),
    ("replacement", "补换卡"),
    ("loss_report", "挂失"),
    ("activation", "激活"),
    ("pin_reset", "密码重置"),
    ("info_change", "信息变更"),
]


# --- setup ----------------------------------------------------------------------------------------------


def build_data(n: int) -> None:
    """Reference data and ``n`` outlets, bulk-created (pinyin columns computed from cached name parts)."""
    from django.db import connection, transaction

    from ssc.accounts.choices import Role
    from ssc.accounts.models import User
    from ssc.core import pinyin
    from ssc.registry.choices import DistrictKind, OrganisationKind, OutletStatus
    from ssc.registry.models import Bank, CardService, District, Organisation, Outlet

    existing = Outlet.objects.count()
    if existing == n and User.objects.filter(username="bench_center").exists():
        return  # --keep: reuse the data of an earlier run of the same size
    if existing or CardService.objects.exists():
        raise SystemExit(f"the kept database holds {existing:,} outlets, not {n:,}: run once without --keep")
    rng = random.Random(10)
    with transaction.atomic():
        services = [CardService.objects.create(code=c, name=name, sort_order=i) for i, (c, name) in enumerate(SERVICES)]
        districts_csv = (ROOT.parent / "shared" / "data" / "districts.csv").resolve()
        names = []
        if districts_csv.exists():
            import csv

            with districts_csv.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    code = (row.get("code") or "").strip()
                    name = (row.get("name") or "").strip()
                    if len(code) == 6 and code.isdigit() and name:
                        names.append((code, name))
        if len(names) < 20:
            names = [(f"5001{i:02d}", f"测试{i}区") for i in range(1, 42)]
        districts = [
            District.objects.create(code=code, name=name, kind=DistrictKind.DISTRICT) for code, name in names[:41]
        ]
        center = Organisation.objects.create(code="center", name="重庆市社会保障卡服务中心", kind="center")
        banks, subs = [], {}
        for i, (code, name, short) in enumerate(BANKS):
            bank = Bank.objects.create(code=code, name=name, short_name=short, sort_order=i)
            branch = Organisation.objects.create(
                code=f"{code}-cq", name=f"{name}重庆市分行", kind=OrganisationKind.BANK_BRANCH, bank=bank
            )
            subs[bank.pk] = [
                Organisation.objects.create(
                    code=f"{code}-sub-{d.code}",
                    name=f"{name}重庆{d.name}支行",
                    kind=OrganisationKind.SUB_BRANCH,
                    bank=bank,
                    parent=branch,
                    district=d,
                )
                for d in districts
            ]
            banks.append(bank)
        user = User(username="bench_center", role=Role.CENTER_OFFICER, organisation=center)
        user.set_password("Bench-Passw0rd!")
        user.save()

    part_full: dict[str, str] = {}
    part_init: dict[str, str] = {}

    def py(part: str) -> tuple[str, str]:
        if part not in part_full:
            part_full[part] = pinyin.full(part)
            part_init[part] = pinyin.initials(part)
        return part_full[part], part_init[part]

    statuses = [OutletStatus.ACTIVE] * 7 + [OutletStatus.PREPARING, OutletStatus.APPLYING, OutletStatus.TERMINATED]
    through = Outlet.services.through
    batch = 5000
    for start in range(0, n, batch):
        outlets, chosen = [], []
        for i in range(start, min(n, start + batch)):
            bank = banks[i % len(banks)]
            di = rng.randrange(len(districts))
            d = districts[di]
            road = rng.choice(ROADS)
            suffix = rng.choice(SUFFIXES)
            parts = [bank.short_name, "重庆", d.name, road, suffix]
            picked = rng.sample(services, rng.randint(2, 4))
            chosen.append(picked)
            outlets.append(
                Outlet(
                    code=f"CQ{i:07d}",
                    name=f"{bank.short_name}重庆{d.name}{road}{suffix}{i}",
                    bank=bank,
                    sub_branch=subs[bank.pk][di],
                    district=d,
                    address=f"重庆市{d.name}{road}{rng.randint(1, 999)}号",
                    latitude=29.0 + rng.random() * 2.5,
                    longitude=106.0 + rng.random() * 2.5,
                    weekday_hours="09:00-17:00",
                    weekend_hours=rng.choice(["", "09:00-12:00"]),
                    consultation_phone=f"023-6{rng.randint(1000000, 9999999)}",
                    complaint_phone="023-63000000",
                    status=rng.choice(statuses),
                    instant_issuance=any(s.code == "instant_issuance" for s in picked),
                    name_pinyin=("".join(py(p)[0] for p in parts) + str(i))[:400],
                    name_initials=("".join(py(p)[1] for p in parts) + str(i))[:100],
                )
            )
        with transaction.atomic():
            created = Outlet.objects.bulk_create(outlets)
            through.objects.bulk_create(
                through(outlet_id=o.pk, cardservice_id=s.pk)
                for o, picked in zip(created, chosen, strict=True)
                for s in picked
            )
    with connection.cursor() as cur:
        # A freshly loaded table, as autovacuum would leave it: statistics and visibility map up to date.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- the floor: hand-written SQL for the same page and count ----------------------------------------------

PAGE_COLUMNS = (
    "o.id, o.code, o.name, o.address, o.latitude, o.longitude, o.weekday_hours, o.weekend_hours, o.hours_note, "
    "o.instant_issuance, o.consultation_phone, o.complaint_phone, o.interconnection_mode, "
    "o.jinyu_migration_planned_on, o.status, o.version, o.updated_at, b.id, b.name, b.short_name, s.id, s.name, "
    "d.id, d.code, d.name"
)
JOINS = (
    "FROM registry_outlet o JOIN registry_bank b ON b.id = o.bank_id "
    "JOIN registry_organisation s ON s.id = o.sub_branch_id JOIN registry_district d ON d.id = o.district_id"
)


def raw_page(where: str, params: list) -> tuple[int, list, list]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*) FROM registry_outlet o JOIN registry_district d ON d.id = o.district_id {where}", params
        )
        count = cur.fetchone()[0]
        cur.execute(f"SELECT {PAGE_COLUMNS} {JOINS} {where} ORDER BY o.code LIMIT {PAGE}", params)
        rows = cur.fetchall()
        ids = [r[0] for r in rows]
        services = []
        if ids:
            marks = ",".join(["%s"] * len(ids))
            cur.execute(
                "SELECT os.outlet_id, c.code FROM registry_outlet_services os "
                f"JOIN registry_cardservice c ON c.id = os.cardservice_id WHERE os.outlet_id IN ({marks})",
                ids,
            )
            services = cur.fetchall()
    return count, rows, services


def scenarios(vendor: str) -> list[dict]:
    from ssc.registry.models import District

    district = District.objects.order_by("code")[5]
    text = "观音桥"
    like = f"%{text}%"
    # Django's icontains is UPPER(x) LIKE UPPER(y) on PostgreSQL and LIKE (ASCII case-insensitive) on SQLite;
    # the floor uses the plain form a person would write, which finds the same rows for this text.
    op = "LIKE"
    return [
        {"name": "unfiltered", "query": {}, "where": "", "params": []},
        {
            "name": "district + text",
            "query": {"district": district.code, "q": text},
            "where": f"WHERE d.code = %s AND (o.name {op} %s OR o.address {op} %s OR o.code = %s)",
            "params": [district.code, like, like, text],
        },
    ]


# --- timing ---------------------------------------------------------------------------------------------


def measure(sc: dict, client, token: str, requests: int) -> tuple[list[float], list[float], dict]:
    from urllib.parse import urlencode

    url = "/api/v1/outlets/" + ("?" + urlencode(sc["query"]) if sc["query"] else "")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    # Same results first: the API page and the floor page are the same rows.
    resp = client.get(url, **auth)
    assert resp.status_code == 200, resp.content[:300]
    body = json.loads(resp.content)
    count, rows, _ = raw_page(sc["where"], sc["params"])
    assert body["count"] == count, (body["count"], count)
    assert [r["id"] for r in body["results"]] == [r[0] for r in rows]
    for _ in range(10):
        client.get(url, **auth)
        raw_page(sc["where"], sc["params"])
    api_ms, raw_ms = [], []
    gc.collect()
    for _ in range(requests):
        t0 = time.perf_counter()
        resp = client.get(url, **auth)
        t1 = time.perf_counter()
        raw_page(sc["where"], sc["params"])
        t2 = time.perf_counter()
        assert resp.status_code == 200
        api_ms.append((t1 - t0) * 1000)
        raw_ms.append((t2 - t1) * 1000)
    return api_ms, raw_ms, {"count": count, "bytes": len(resp.content)}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


# --- throughput -----------------------------------------------------------------------------------------


def _client_loop(port: int, path: str, token: str, seconds: float, conns: int, out) -> None:  # pragma: no cover
    import http.client

    deadline = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
    done = errors = 0
    pool = []
    for _ in range(conns):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.connect()
        pool.append(c)
    # Each round sends one request on every keep-alive connection, then reads the replies: ``conns``
    # requests in flight per client process.
    while time.perf_counter() < deadline:
        sent = []
        for c in pool:
            try:
                c.request("GET", path, headers=headers)
                sent.append(c)
            except OSError:
                errors += 1
                c.close()
        for c in sent:
            try:
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    done += 1
                else:
                    errors += 1
            except Exception:
                errors += 1
                c.close()
    out.put((done, errors))


def throughput(env: dict, token: str, path: str, seconds: float, clients: int) -> tuple[float, int]:
    port = 8765 + random.randint(0, 500)
    full_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "config.settings", "SSC_LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(  # noqa: S603 - our own venv's granian, fixed arguments
        [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--port",
            str(port),
            "--no-ws",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        import http.client

        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", path, headers={"Authorization": f"Bearer {token}"})
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(
                "granian did not come up: " + (server.stderr.read(2000).decode() if server.stderr else "")
            )
        # warm every worker
        ctx = multiprocessing.get_context("fork")
        q = ctx.Queue()
        warm = [ctx.Process(target=_client_loop, args=(port, path, token, 1.0, 2, q)) for _ in range(clients)]
        for p in warm:
            p.start()
        for p in warm:
            q.get()
            p.join()
        procs = [ctx.Process(target=_client_loop, args=(port, path, token, seconds, 4, q)) for _ in range(clients)]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        elapsed = time.perf_counter() - t0
        for p in procs:
            p.join()
        done = sum(r[0] for r in results)
        errors = sum(r[1] for r in results)
        return done / elapsed, errors
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


# --- main -----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario")
    parser.add_argument("--throughput", action="store_true", help="also measure req/s with 2 granian workers")
    parser.add_argument("--seconds", type=float, default=8.0, help="throughput run length")
    parser.add_argument("--clients", type=int, default=2, help="client processes for --throughput")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep (and reuse) the scratch database")
    args = parser.parse_args()

    db = setup_django("p10", keep=args.keep)
    label, env, teardown = db.label, db.env, db.teardown
    try:
        t0 = time.perf_counter()
        build_data(args.outlets)
        load_s = time.perf_counter() - t0
        from django.db import connection
        from django.test import Client

        from ssc.accounts.models import ApiToken, User
        from ssc.registry.models import Outlet

        total = Outlet.objects.count()
        _, token = ApiToken.issue(User.objects.get(username="bench_center"), name="bench")
        client = Client()
        rows = []
        ok = True
        for sc in scenarios(connection.vendor):
            api_ms, raw_ms, info = measure(sc, client, token, args.requests)
            median, floor = statistics.median(api_ms), statistics.median(raw_ms)
            ratio = median / floor if floor else float("inf")
            passed = median <= TARGET_MEDIAN_MS and ratio <= TARGET_RATIO
            ok &= passed
            rows.append(
                (
                    f"{sc['name']} median (count {info['count']:,})",
                    f"{median:.2f} ms",
                    f"{floor:.2f} ms",
                    f"{ratio:.2f}×",
                    f"≤ {TARGET_MEDIAN_MS:.0f} ms, ≤ {TARGET_RATIO:.0f}×",
                    "PASS" if passed else "FAIL",
                )
            )
            rows.append((f"{sc['name']} p95", f"{p95(api_ms):.2f} ms", f"{p95(raw_ms):.2f} ms", "", "(info)", ""))
        if args.throughput:
            for sc in scenarios(connection.vendor):
                from urllib.parse import urlencode

                path = "/api/v1/outlets/" + ("?" + urlencode(sc["query"]) if sc["query"] else "")
                rps, errors = throughput(env, token, path, args.seconds, args.clients)
                passed = rps >= TARGET_RPS and errors == 0
                ok &= passed
                rows.append(
                    (
                        f"{sc['name']} req/s, 2 workers",
                        f"{rps:.0f}/s",
                        "",
                        "",
                        f"≥ {TARGET_RPS:.0f}/s",
                        ("PASS" if passed else "FAIL") + (f" ({errors} errors)" if errors else ""),
                    )
                )
        print_table(
            f"P10 staff API outlet list — {label}, {total:,} outlets (data built in {load_s:.1f} s)",
            rows,
            [f"load average {load_average()} on {os.cpu_count()} CPUs (shared machine: compare ratios, not absolutes)"],
            header=("metric", "value", "floor (raw SQL)", "ratio", "target", "pass"),
        )
        if not args.throughput:
            print("(throughput with 2 worker processes not measured; add --throughput)")
        return 0 if ok else 1
    finally:
        teardown()


if __name__ == "__main__":
    sys.exit(main())
