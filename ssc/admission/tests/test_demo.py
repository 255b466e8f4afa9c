"""Demo applications: every state, made through the real service layer, with the center's deadlines met, pending
and missed, idempotent."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.accounts.models import User
from ssc.admission.demo import MARKER, DemoActors, seed_applications
from ssc.admission.models import Application, ApplicationState
from ssc.admission.services import OUTLET_STATUS_BY_STATE
from ssc.audit.models import AuditEvent
from ssc.audit.verification import verify_chain
from ssc.core.testing import make_outlet
from ssc.deadlines.models import Deadline
from ssc.documents.models import Document
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

TODAY = date(2026, 6, 30)
PER_STATE = 2


@pytest.fixture
def placeholders(world, settings, tmp_path):
    """Outlets left by seed_demo in a placeholder status (no application), in both districts and banks."""
    settings.MEDIA_ROOT = tmp_path
    statuses = ["applying", "preparing", "rejected"]
    out = []
    for i in range(len(ApplicationState) * PER_STATE + 4):
        key = "AB"[i % 2]
        out.append(
            make_outlet(
                f"DEMO-{i:03d}",
                f"演示网点{i:03d}",
                bank=world.banks[key],
                sub_branch=world.orgs[f"sub{key}"],
                district=world.districts[key],
                status=statuses[i % 3],
                services=[world.services["apply"], world.services["replacement"]],
            )
        )
    return out


@pytest.mark.django_db
def test_every_state_through_the_real_workflow(world, placeholders):
    result = seed_applications(rng=random.Random(1), count_per_state=PER_STATE, today=TODAY)
    assert result.shortfall == 0 and not result.skipped
    states = Counter(Application.objects.values_list("state", flat=True))
    assert states == dict.fromkeys(ApplicationState.values, PER_STATE)
    assert result.created == len(ApplicationState) * PER_STATE
    for app in Application.objects.select_related("outlet"):
        history = list(CaseEvent.objects.filter(case_type="application", case_id=app.pk).order_by("at", "id"))
        if app.state == "draft":
            assert history == []
        else:
            assert history[-1].to_state == app.state
            assert all(e.at.date() <= TODAY for e in history)
            assert all(a.at < b.at for a, b in itertools.pairwise(history))
            assert app.created_at < history[0].at
        assert app.outlet.status == OUTLET_STATUS_BY_STATE[app.state]
        if any(e.action == "submit" for e in history):
            assert Document.objects.filter(case_type="application", case_id=app.pk, kind="consent_letter").exists()
    assert AuditEvent.objects.filter(action="application.open_accounts").count() == PER_STATE
    assert verify_chain().ok


@pytest.mark.django_db
def test_center_deadlines_met_pending_and_missed(world, placeholders):
    seed_applications(rng=random.Random(2), count_per_state=PER_STATE, today=TODAY)
    deadlines = list(Deadline.objects.filter(kind="center_open_accounts"))
    statuses = Counter(d.status for d in deadlines)
    assert statuses["met"] >= 1 and statuses["pending"] >= 1 and statuses["missed"] >= 1, statuses
    for d in deadlines:
        app = Application.objects.get(pk=d.case_id)
        if d.completed_on is None:
            assert app.state == "system_opening_requested"
            assert d.status == ("pending" if d.due_on >= TODAY else "missed")
        else:
            assert app.state == "active"
            assert d.status == ("met" if d.completed_on <= d.due_on else "missed")
    # The sweep ran for the demo's "today": the center's leaders and the regulators were told.
    assert Notification.objects.filter(user=world.users[Role.CENTER_LEADER], kind="deadline.escalation").exists()


@pytest.mark.django_db
def test_idempotent(world, placeholders):
    first = seed_applications(rng=random.Random(3), count_per_state=1, today=TODAY)
    assert first.created == len(ApplicationState)
    counts = (Application.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())
    again = seed_applications(rng=random.Random(3), count_per_state=1, today=TODAY)
    assert again.skipped and again.created == 0
    assert (Application.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == counts
    assert AuditEvent.objects.filter(action=MARKER).count() == 1
    assert "已存在" in again.summary()


@pytest.mark.django_db
def test_demo_actors_prefer_existing_users_and_create_background_ones(world):
    actors = DemoActors()
    outlet_a = world.outlets["A"]
    assert actors(Role.DISTRICT_OFFICER, outlet_a) == world.users[Role.DISTRICT_OFFICER]
    assert actors(Role.BANK_APPLICANT, outlet_a) == world.users[Role.BANK_APPLICANT]
    assert actors(Role.CENTER_OFFICER, outlet_a) == world.users[Role.CENTER_OFFICER]
    # An outlet of bank B in district A: no applicant of that sub-branch exists yet → a background user.
    other = make_outlet(
        "OX-1",
        "另一网点",
        bank=world.banks["B"],
        sub_branch=world.orgs["subB"],
        district=world.districts["A"],
        status="applying",
    )
    assert actors(Role.BANK_APPLICANT, other) == world.other[Role.BANK_APPLICANT]
    User.objects.filter(pk=world.other[Role.BANK_APPLICANT].pk).update(is_active=False)
    fresh = DemoActors()
    created = fresh(Role.BANK_APPLICANT, other)
    assert created.username.startswith("demo-bank-applicant-") and not created.has_usable_password()
    assert created.organisation == world.orgs["subB"] and fresh.created == 1
    assert fresh(Role.BANK_APPLICANT, other) == created  # once per organisation and role
    assert fresh(Role.OUTLET_STAFF, other) is None  # outlet staff are never invented
    assert not DemoActors(create_missing=False).known(Role.OUTLET_STAFF, other)


@pytest.mark.django_db
def test_no_placeholder_outlets_means_shortfall_not_failure(world):
    Outlet.objects.update(status="active")
    result = seed_applications(rng=random.Random(4), count_per_state=1, today=TODAY)
    assert result.created == 0 and result.shortfall == len(ApplicationState)
