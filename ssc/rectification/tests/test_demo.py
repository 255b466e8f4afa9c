"""Demo rectifications: made through the real services (history, notices, deadlines, outlet status), every state
after the sweep, overdue ones missed, idempotent."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from ssc.audit.models import AuditEvent
from ssc.core.testing import make_outlet
from ssc.deadlines.models import Deadline
from ssc.documents.models import Document
from ssc.rectification.demo import MARKER, seed_rectifications
from ssc.rectification.models import Rectification
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

TODAY = date(2026, 11, 30)


@pytest.fixture
def active_outlets(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return [
        make_outlet(
            f"DEMO-{i:03d}",
            f"演示网点{i:03d}",
            bank=world.banks["AB"[i % 2]],
            sub_branch=world.orgs[f"sub{'AB'[i % 2]}"],
            district=world.districts["AB"[i % 2]],
        )
        for i in range(12)
    ]


def test_every_state_through_the_real_workflow(world, active_outlets):
    result = seed_rectifications(rng=random.Random(1), count=12, today=TODAY)
    assert not result.skipped and result.created == 12 and result.shortfall == 0
    states = Counter(Rectification.objects.values_list("state", flat=True))
    assert set(states) == {"open", "report_submitted", "report_rejected", "closed", "overdue"}
    assert result.states == states
    for case in Rectification.objects.select_related("outlet"):
        events = list(CaseEvent.objects.filter(case_type="rectification", case_id=case.pk).order_by("at", "id"))
        assert events[0].action == "issue" and events[0].at.date() == case.issued_on
        assert Document.objects.filter(case_type="rectification", case_id=case.pk, kind="rectification_notice")
        [d] = Deadline.objects.filter(case_type="rectification", case_id=case.pk)
        assert d.due_on == case.due_on and d.started_on == case.issued_on
        if case.state == "overdue":
            assert d.status == "missed" and case.due_on < TODAY and events[-1].action == "overdue"
            assert case.outlet.status == "under_rectification"
        elif case.state == "closed":
            assert d.status == "met" and case.closed_on <= case.due_on and case.outlet.status == "active"
        else:
            assert d.status == "pending" and case.due_on >= TODAY and case.outlet.status == "under_rectification"
        assert all(e.at.date() <= TODAY for e in events if e.action != "overdue")  # the sweep acts now
    assert AuditEvent.objects.filter(action=MARKER).count() == 1


def test_idempotent(world, active_outlets):
    first = seed_rectifications(rng=random.Random(2), count=6, today=TODAY)
    n = Rectification.objects.count()
    again = seed_rectifications(rng=random.Random(2), count=6, today=TODAY)
    assert first.created == n and again.skipped and Rectification.objects.count() == n
    assert "已存在" in again.summary() and "演示整改新增" in first.summary()


def test_only_cooperating_outlets(world, active_outlets):
    Outlet.objects.exclude(pk__in=[o.pk for o in active_outlets[:3]]).update(status="preparing")
    result = seed_rectifications(rng=random.Random(3), count=6, today=TODAY)
    assert result.created == 3 and result.shortfall == 3
    assert set(Rectification.objects.values_list("outlet_id", flat=True)) == {o.pk for o in active_outlets[:3]}
