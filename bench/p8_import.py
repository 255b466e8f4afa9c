"""P8 — Excel import with validation: 10,000 rows in ≤ 20 s, bad rows reported with row and column.

Run from the project root:

    .venv/bin/python bench/p8_import.py                 # a temporary SQLite file database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_dev .venv/bin/python bench/p8_import.py
                                                        # a temporary PostgreSQL database (test_<name>_p8)
    .venv/bin/python bench/p8_import.py --rows 20000    # another size

It sets Django up itself, builds a fresh database (migrations + ``seed_demo --outlets 0``: reference data,
sub-branches, users), generates an N-row workbook of plausible outlets across all 41 areas and 16 banks,
then times: validation only (dry run), validation + import as the center officer, and a file of the same
size with 1% bad rows of six kinds (which must all be reported with row and column and import nothing).
Prints a table (metric, value, target, pass) and exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import setup_django  # noqa: E402

TARGET_SECONDS = 20.0


def generate_rows(n: int, prefix: str, rng: random.Random) -> list[list[object]]:
    from ssc.registry import reference as ref
    from ssc.registry.models import Bank, District, Organisation

    districts = {d.pk: d for d in District.objects.all()}
    banks = {b.pk: b for b in Bank.objects.all()}
    subs = list(Organisation.objects.filter(kind="sub_branch").values_list("name", "bank_id", "district_id"))
    services = ["申领", "即时制卡", "补换卡", "挂失", "激活", "密码重置", "信息变更", "解挂"]
    rows = []
    for i in range(n):
        sub_name, bank_id, district_id = subs[i % len(subs)]
        bank, district = banks[bank_id], districts[district_id]
        area = ref.AREAS[district.code]
        lat, lng = ref.random_point(area, rng)
        place = rng.choice(area.places)
        legacy = rng.random() < 0.15
        rows.append(
            [
                f"{prefix}{i + 1:06d}",
                f"{ref.unit_prefix(bank)}{place}第{i + 1}分理处",
                bank.name,
                sub_name,
                district.name,
                f"重庆市{district.name}{place}大道{rng.randint(1, 399)}号",
                lat,
                lng,
                "09:00-17:00",
                rng.choice(["", "09:00-12:00", "10:00-16:00"]),
                "",
                f"023-6{rng.randint(0, 9_999_999):07d}",
                bank.hotline or f"023-6{rng.randint(0, 9_999_999):07d}",
                "、".join(rng.sample(services, rng.randint(3, 7))),
                "原社银直连" if legacy else "金渝网",
                "2026-12-31" if legacy else "",
                "",
            ]
        )
    return rows


BAD_KINDS = ["latitude", "bank", "sub_branch", "duplicate", "phone", "missing"]


def spoil(rows: list[list[object]], rng: random.Random, share: float = 0.01) -> dict[int, str]:
    """Make ``share`` of the rows bad, one problem each; returns {spreadsheet row: column header}."""
    other_bank_sub = {"中国工商银行": "重庆农村商业银行渝中支行"}
    bad: dict[int, str] = {}
    picks = rng.sample(range(1, len(rows)), max(1, int(len(rows) * share)))
    for k, idx in enumerate(sorted(picks)):
        kind = BAD_KINDS[k % len(BAD_KINDS)]
        row = rows[idx]
        if kind == "latitude":
            row[6] = 45.2
            bad[idx + 2] = "纬度"
        elif kind == "bank":
            row[2] = "不存在银行"
            bad[idx + 2] = "银行"
        elif kind == "sub_branch":
            row[3] = other_bank_sub.get(str(row[2]), "中国工商银行重庆渝中支行")
            if row[2] == "中国工商银行":
                row[3] = "重庆农村商业银行渝中支行"
            bad[idx + 2] = "所属一级支行"
        elif kind == "duplicate":
            row[0] = rows[0][0]
            bad[idx + 2] = "网点编码"
        elif kind == "phone":
            row[11] = "电话023abc"
            bad[idx + 2] = "咨询电话"
        else:
            row[1] = ""
            bad[idx + 2] = "网点名称"
    return bad


def to_xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    from ssc.registry.imports import EXPORT_HEADERS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("网点")
    ws.append(EXPORT_HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class Timer:
    """Wall-clock and CPU time of a block (the machines are shared: CPU time shows what the code costs)."""

    wall = cpu = 0.0

    def __enter__(self) -> Timer:
        self._w, self._c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu = time.process_time() - self._c

    @property
    def text(self) -> str:
        return f"{self.wall:.2f} s (cpu {self.cpu:.2f})"


def read_with_openpyxl(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    n = args.rows

    db = setup_django("p8")
    try:
        from django.core.management import call_command

        call_command("seed_demo", outlets=0, stdout=io.StringIO())
        return run(n, db.label)
    finally:
        db.teardown()


def run(n: int, label: str) -> int:
    from ssc.accounts.models import User
    from ssc.core import context
    from ssc.registry.imports import import_outlets
    from ssc.registry.models import Outlet

    rng = random.Random(8)
    timer = Timer()
    officer = User.objects.select_related("organisation").get(username="center_officer")
    results: list[tuple[str, str, str, bool | None]] = []

    with timer:
        good = to_xlsx(generate_rows(n, "P8-", rng))
    results.append((f"generate {n:,}-row xlsx ({len(good) / 1e6:.1f} MB)", timer.text, "—", None))
    with timer:
        floor_rows = read_with_openpyxl(good)
    t_floor = timer.wall
    results.append((f"floor: openpyxl read-only parse, {floor_rows - 1:,} rows", timer.text, "—", None))

    before = Outlet.objects.count()
    with context.use(actor=officer, source="command"):
        with timer:
            dry = import_outlets(actor=officer, fileobj=io.BytesIO(good), filename="p8.xlsx", dry_run=True)
        ok = not dry.errors and dry.total_rows == n and Outlet.objects.count() == before
        results.append(
            (f"validate only, {n:,} rows", timer.text, f"≤ {TARGET_SECONDS:.0f} s", ok and timer.wall <= TARGET_SECONDS)
        )
        results.append(("  ratio to the floor (wall)", f"{timer.wall / t_floor:.1f}×", "—", None))

        with timer:
            res = import_outlets(actor=officer, fileobj=io.BytesIO(good), filename="p8.xlsx")
        t_imp = timer.wall
        created = Outlet.objects.count() - before
        ok = not res.errors and res.created == n and created == n
        results.append(
            (
                f"validate + import, {n:,} rows",
                timer.text,
                f"≤ {TARGET_SECONDS:.0f} s",
                ok and t_imp <= TARGET_SECONDS,
            )
        )
        results.append(("  ratio to the floor (wall)", f"{t_imp / t_floor:.1f}×", "—", None))
        results.append(("  import throughput", f"{n / t_imp:,.0f} rows/s", "—", None))
        links = Outlet.services.through.objects.filter(outlet__code__startswith="P8-").count()
        results.append(
            (
                "  outlets created / service links",
                f"{created:,} / {links:,}",
                f"{n:,} / > 0",
                created == n and links > 0,
            )
        )

        rows = generate_rows(n, "P8B-", rng)
        expected = spoil(rows, rng)
        bad = to_xlsx(rows)
        before = Outlet.objects.count()
        with timer:
            res = import_outlets(actor=officer, fileobj=io.BytesIO(bad), filename="p8-bad.xlsx")
        t_bad = timer.wall
        reported = {(e.row, e.column) for e in res.errors}
        found = sum(1 for row, col in expected.items() if (row, col) in reported)
        exact = found == len(expected) and len({e.row for e in res.errors}) == len(expected)
        results.append(
            (
                f"file with {len(expected)} bad rows, {n:,} rows",
                timer.text,
                f"≤ {TARGET_SECONDS:.0f} s",
                t_bad <= TARGET_SECONDS,
            )
        )
        results.append(("  bad rows reported with row + column", f"{found} / {len(expected)}", "all, no others", exact))
        results.append(
            (
                "  outlets created from the bad file",
                str(Outlet.objects.count() - before),
                "0",
                Outlet.objects.count() == before,
            )
        )

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nP8 — Excel import with validation   database: {label}   rows: {n:,}   load average: {load}")
    print("(cpu = this process's CPU time; on a busy shared machine the wall time is several times larger)\n")
    w = max(len(r[0]) for r in results) + 2
    print(f"{'metric':<{w}}{'value':>24}  {'target':<16}pass")
    print("-" * (w + 46))
    failed = False
    for metric, value, target, passed in results:
        mark = "" if passed is None else ("yes" if passed else "NO")
        failed |= passed is False
        print(f"{metric:<{w}}{value:>24}  {target:<16}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
