"""``seed_tickets``: demo tickets and problem reports through the services, backdated, idempotent."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.core.testing import make_user
from ssc.deadlines.models import Deadline
from ssc.tickets.demo import demo_step, seed_tickets
from ssc.tickets.models import ProblemReport, Ticket
from ssc.workflow.models import CaseEvent

pytestmark = pytest.mark.django_db


def test_seed_tickets_is_real_and_idempotent(world):
    make_user("hotline_icbc", Role.HOTLINE_OPERATOR, world.orgs["branchA"])
    result = seed_tickets(rng=random.Random(7), count=60, reports=8, staff_outlets=2, today=date(2026, 11, 30))
    assert not result.skipped and result.tickets == Ticket.objects.count() > 50
    assert result.reports == ProblemReport.objects.count() == 8
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {"open", "answered", "closed"} <= states
    assert not Ticket.objects.filter(state="new").exists()
    # Every ticket has its history and its response deadline; past ones were met, missed, or swept missed.
    assert CaseEvent.objects.filter(case_type="ticket", action="log").count() == result.tickets
    statuses = set(Deadline.objects.filter(case_type="ticket").values_list("status", flat=True))
    assert statuses >= {"met", "missed"}
    assert not Deadline.objects.filter(case_type="ticket", status="pending", due_on__lt=date(2026, 11, 30)).exists()
    assert Ticket.objects.filter(channel="bank", outlet__bank=world.banks["A"]).exists()
    for t in Ticket.objects.all():
        assert t.received_at.date() <= date(2026, 11, 30) and t.caller_contact
    assert "演示热线工单新增" in result.summary()
    again = seed_tickets(rng=random.Random(7), count=60, reports=8, today=date(2026, 11, 30))
    assert again.skipped and Ticket.objects.count() == result.tickets
    assert demo_step(random.Random(1)) == "演示工单已存在，本次未作变更。"
