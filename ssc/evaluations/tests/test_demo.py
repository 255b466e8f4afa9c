"""Demo evaluations: made through the services (history, grades, rectifications from a 差, two failing years),
idempotent."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.evaluations import selectors
from ssc.evaluations.demo import MARKER, plan_periods, seed_evaluations
from ssc.evaluations.models import Evaluation
from ssc.notifications.models import Notification
from ssc.rectification.models import Rectification
from ssc.workflow.models import CaseEvent

pytestmark = pytest.mark.django_db


def _lookup(world):
    def actor(role, outlet):
        people = world.users if outlet.district_id == world.districts["A"].pk else world.other
        return people.get(role)

    return actor


@pytest.mark.parametrize(
    ("today", "periods"),
    [
        (date(2026, 12, 3), ("2024", "2025", "2026H1", "2026H2")),
        (date(2026, 7, 10), ("2024", "2025", "2025H2", "2026H1")),
        (date(2026, 1, 10), ("2023", "2024", "2025H1", "2025H2")),
        (date(2026, 2, 1), ("2024", "2025", "2025H2", "2026H1")),
    ],
)
def test_plan_periods(today, periods):
    assert plan_periods(today) == periods


def test_seed_evaluations_through_the_services(world):
    today = date(2026, 12, 3)
    result = seed_evaluations(rng=random.Random(7), actor_lookup=_lookup(world), count=3, flagged=1, today=today)
    assert not result.skipped and result.shortfall == 0
    evaluations = list(Evaluation.objects.all())
    assert len(evaluations) == result.created >= 7
    assert CaseEvent.objects.filter(case_type="evaluation").count() == result.actions
    assert result.flagged == 1 and selectors.outlets_flagged_two_failing_years().count() == 1
    assert Notification.objects.filter(kind="evaluation.two_failing_years").exists()
    poor = [e for e in evaluations if e.grade == "poor"]
    assert len(poor) >= 3  # the flagged outlet's two years and a failing half-year
    rect = Rectification.objects.filter(source="evaluation")
    assert rect.count() == result.rectifications == 1
    assert Evaluation.objects.get(pk=int(rect.get().source_ref)).is_failing
    assert {e.state for e in evaluations} >= {"finalised", "draft"}
    for e in evaluations:
        if e.state == "finalised":
            assert e.total is not None and e.grade and e.finalised_by.role == Role.DISTRICT_LEADER
    assert "演示质量评价新增" in result.summary()
    again = seed_evaluations(rng=random.Random(7), actor_lookup=_lookup(world), count=3, today=today)
    assert again.skipped and Evaluation.objects.count() == len(evaluations)
    assert AuditEvent.objects.filter(action=MARKER).count() == 1
