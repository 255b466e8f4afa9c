"""The demo world beyond the registry: each app contributes a step that ``seed_demo`` runs in order.

A step is ``fn(rng: random.Random) -> str`` (a one-line summary), idempotent, acting through the services so
history, audit, documents and deadlines are real.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from django.utils.module_loading import import_string

STEPS = [
    "ssc.workcalendar.demo.demo_step",
    "ssc.roster.demo.publish_initial_roster",
    "ssc.admission.demo.demo_step",
    "ssc.agreements.demo.demo_step",
    "ssc.tickets.demo.demo_step",
    "ssc.core.demo.rectifications_step",
    "ssc.core.demo.inspections_step",
    "ssc.evaluations.demo.demo_step",
    "ssc.relocations.demo.demo_step",
    "ssc.terminations.demo.demo_step",
]


def rectifications_step(rng: random.Random) -> str:
    from ssc.rectification.demo import seed_rectifications

    return seed_rectifications(rng=rng).summary()


def inspections_step(rng: random.Random) -> str:
    from ssc.inspections.demo import seed_inspections

    return seed_inspections(rng=rng).summary()


def run_steps(seed: int) -> Iterator[str]:
    for path in STEPS:
        try:
            fn = import_string(path)
        except ImportError:
            continue
        yield fn(random.Random(f"{seed}:{path}"))  # noqa: S311 - reproducible demo data, not security
