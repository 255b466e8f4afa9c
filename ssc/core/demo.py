"""The demo world beyond the registry: each app contributes a step that ``seed_demo`` runs in order.

A step is ``fn(rng: random.Random) -> str`` (a one-line summary), idempotent, acting through the services so
history, audit, documents and deadlines are real.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from django.utils.module_loading import import_string

STEPS = [
    "ssc.roster.demo.publish_initial_roster",
    "ssc.admission.demo.demo_step",
]


def run_steps(seed: int) -> Iterator[str]:
    for path in STEPS:
        try:
            fn = import_string(path)
        except ImportError:
            continue
        yield fn(random.Random(f"{seed}:{path}"))  # noqa: S311 - reproducible demo data, not security
