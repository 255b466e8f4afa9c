"""Demo terminations: made through the real services (history, documents, deadline, outlet status, roster), the
planned states and grounds, idempotent, fast."""

from __future__ import annotations

import random
from datetime import date

from ssc.audit.models import AuditEvent
from ssc.core.testing import make_outlet
from ssc.deadlines.models import Deadline
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster import services as roster
from ssc.roster.models import RosterEntry
from ssc.terminations.demo import MARKER, seed_terminations
from ssc.terminations.models import Termination
from ssc.workflow.models import CaseEvent

from .conftest import non_compliant_relocation, overdue_rectification

TODAY = date(2026, 11, 30)


def _outlets(world, n=10):
    out = []
    for i in range(n):
        key = "AB"[i % 2]
        out.append(
            make_outlet(
                f"DEMO-{i:03d}",
                f"演示网点{i:03d}",
                bank=world.banks[key],
                sub_branch=world.orgs[f"sub{key}"],
                district=world.districts[key],
            )
        )
    for o in out[:3]:
        SystemAccount.objects.create(
            outlet=o, account_type="operator", identifier=f"OP-{o.code}", opened_on="2026-01-05"
        )
    roster.publish(outlet_ids=[o.pk for o in Outlet.objects.all()], actor=None, reason="initial")
    return out


def test_every_planned_state_through_the_real_workflow(world):
    _outlets(world)
    overdue_rectification(world, outlet="B")
    non_compliant_relocation(world)
    result = seed_terminations(rng=random.Random(1), today=TODAY)
    # One outlet has an overdue rectification: the second Art 8(3) plan finds none.
    assert not result.skipped and result.shortfall == 1 and result.created == 7, result.summary()
    assert sorted(Termination.objects.values_list("ground", "state")) == [
        ("8.1", "closed"),
        ("8.2", "cancelled"),
        ("8.3", "filed"),
        ("8.4", "filed"),
        ("9.1", "initiated"),
        ("9.2", "agreed"),
        ("9.3", "initiated"),
    ]
    by = {(t.ground, t.state): t for t in Termination.objects.select_related("outlet")}
    closed = by[("8.1", "closed")]
    assert closed.outlet.status == "terminated" and not RosterEntry.objects.filter(outlet=closed.outlet).exists()
    assert not SystemAccount.objects.filter(outlet=closed.outlet, closed_on__isnull=True).exists()
    assert Deadline.objects.get(case_type="termination", case_id=closed.pk).status == "met"
    for key in (("8.3", "filed"), ("8.4", "filed")):
        case = by[key]
        assert case.outlet.status == "terminating"
        assert RosterEntry.objects.get(outlet=case.outlet).hidden is True
        d = Deadline.objects.get(case_type="termination", case_id=case.pk)
        assert d.status == "pending" and d.due_on >= TODAY
    assert by[("8.3", "filed")].rectification is not None
    assert by[("9.3", "initiated")].relocation is not None
    assert by[("9.1", "initiated")].initiator_side == "bank"
    assert by[("8.2", "cancelled")].outlet.status == "active"
    for case in by.values():
        events = CaseEvent.objects.filter(case_type="termination", case_id=case.pk).order_by("at", "id")
        assert events.first().action == "initiate"
        assert all(e.at.date() <= TODAY for e in events)
    assert result.seconds < 20
    assert AuditEvent.objects.filter(action=MARKER).count() == 1


def test_idempotent(world):
    _outlets(world)
    first = seed_terminations(rng=random.Random(2), today=TODAY)
    n = Termination.objects.count()
    again = seed_terminations(rng=random.Random(2), today=TODAY)
    assert first.created == n > 0 and again.skipped and Termination.objects.count() == n
    assert "已存在" in again.summary() and "演示解除合作新增" in first.summary()
    # Without an overdue rectification or a non-compliant relocation, those plans are reported as not made.
    assert first.shortfall == 3
