"""The demo world beyond the registry: each app contributes a step that ``seed_demo`` runs in order.

A step is ``fn(rng: random.Random) -> str`` (a one-line summary), idempotent, acting through the services so
history, audit, documents and deadlines are real. What the steps share: a PDF to upload, a time on a demo day,
and the result of seeding cases (``SeedResult``).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

TZ = ZoneInfo(settings.TIME_ZONE)
# The smallest valid PDF: the documents panel shows it, the content check accepts it.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str) -> SimpleUploadedFile:
    """A minimal PDF document upload named ``name``."""
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock in the project's time zone."""
    return datetime.combine(day, dtime(hour, 0), tzinfo=TZ)


@dataclass
class SeedResult:
    """What seeding one kind of case did, and its one-line summary. Subclasses set ``STATE_CHOICES`` and the three
    messages (lazy gettext: ``SKIPPED``; ``CREATED`` with ``n``, ``a``, ``s``, ``states``; ``SHORTFALL`` with ``n``)."""

    STATE_CHOICES: ClassVar[list[tuple[str, Any]]]
    SKIPPED: ClassVar[Any]
    CREATED: ClassVar[Any]
    SHORTFALL: ClassVar[Any]

    created: int = 0
    actions: int = 0
    skipped: bool = False
    states: Counter = field(default_factory=Counter)
    shortfall: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        if self.skipped:
            return str(self.SKIPPED)
        labels = dict(self.STATE_CHOICES)
        states = str(_("，")).join(f"{labels.get(s, s)} {n}" for s, n in sorted(self.states.items()))
        text = str(self.CREATED) % {"n": self.created, "a": self.actions, "s": self.seconds, "states": states}
        if self.shortfall:
            text += str(self.SHORTFALL) % {"n": self.shortfall}
        return text


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
