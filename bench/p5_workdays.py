"""P5 (PERFORMANCE.md): working-day arithmetic ``add_workdays`` — 1,000,000 calls.

Target: ≤ 2 µs per call and ≤ 5× the floor, a bare ``bisect`` over a sorted list of working-day ordinals
doing the same computation (date → ordinal, bisect, index, ordinal → date) with no checks.

Run: ``.venv/bin/python bench/p5_workdays.py [--calls N] [--repeat R]``. It sets Django up on a fresh SQLite
file in a temporary folder, migrates the calendar app, and loads 2004–2026 from chinesecalendar itself.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from bisect import bisect_right
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._django import load_average, setup_django  # noqa: E402

TARGET_US = 2.0
TARGET_RATIO = 5.0


def best_of(repeat: int, fn) -> tuple[float, float]:
    """The best wall-clock and the best CPU time (this process only) of ``repeat`` runs, in seconds.

    On a shared, loaded machine the wall clock also counts time spent waiting for a core; the CPU time
    does not, so it is the figure judged against the absolute target (the ratio uses both)."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            best_cpu = min(best_cpu, time.process_time() - c0)
            best_wall = min(best_wall, time.perf_counter() - w0)
        finally:
            gc.enable()
    return best_wall, best_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each loop; the best is reported")
    args = parser.parse_args()

    db = setup_django("p5", sqlite_only=True, apps=["workcalendar"])
    try:
        from ssc.workcalendar import services
        from ssc.workcalendar.models import CalendarDay
        from ssc.workcalendar.testing import ensure_seeded

        ensure_seeded(tuple(range(2004, 2027)))
        years = services.covered_years()

        # Inputs: random start days over the covered range, 1–20 working days, all inside the calendar.
        rng = random.Random(5)
        first, last = date(years[0], 1, 1), date(years[-1], 11, 30)
        span = (last - first).days
        pairs = [(first + timedelta(days=rng.randrange(span)), rng.randint(1, 20)) for _ in range(args.calls)]

        # The floor's data: the same working days as a plain sorted list of ordinals.
        workdays = [d.toordinal() for d in CalendarDay.objects.filter(is_workday=True).values_list("date", flat=True)]
        workdays.sort()
        fromordinal = date.fromordinal
        add_workdays = services.add_workdays

        def engine() -> None:
            for start, n in pairs:
                add_workdays(start, n)

        def floor() -> None:
            for start, n in pairs:
                fromordinal(workdays[bisect_right(workdays, start.toordinal()) + n - 1])

        # Same answers (checked outside the timing).
        sample = pairs[:20_000]
        expected = [fromordinal(workdays[bisect_right(workdays, s.toordinal()) + n - 1]) for s, n in sample]
        assert [add_workdays(s, n) for s, n in sample] == expected, "engine and floor disagree"

        add_workdays(first, 1)  # compile the table before timing
        t_engine = best_of(args.repeat, engine)
        t_floor = best_of(args.repeat, floor)
    finally:
        db.teardown()

    per = 1e6 / args.calls
    wall_us, cpu_us = t_engine[0] * per, t_engine[1] * per
    floor_wall_us, floor_cpu_us = t_floor[0] * per, t_floor[1] * per
    cpu_ratio, wall_ratio = cpu_us / floor_cpu_us, wall_us / floor_wall_us
    ok = cpu_us <= TARGET_US and cpu_ratio <= TARGET_RATIO
    target = f"≤ {TARGET_US:g} µs and ≤ {TARGET_RATIO:g}× floor"
    rows = [
        ("metric", "value", "floor", "ratio", "target", "result"),
        (
            f"add_workdays, {args.calls:,} calls, CPU µs/call",
            f"{cpu_us:.3f}",
            f"{floor_cpu_us:.3f}",
            f"{cpu_ratio:.2f}×",
            target,
            "PASS" if ok else "FAIL",
        ),
        (
            f"add_workdays, {args.calls:,} calls, wall µs/call",
            f"{wall_us:.3f}",
            f"{floor_wall_us:.3f}",
            f"{wall_ratio:.2f}×",
            "(reference)",
            "—",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(
        f"P5 working-day arithmetic — calendar {years[0]}–{years[-1]}, {len(workdays):,} working days, "
        f"best of {args.repeat}"
    )
    print("floor: bare bisect_right over a sorted list of working-day ordinals (+ toordinal / fromordinal)")
    print(f"load average at the end: {load_average()}")
    for i, r in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
