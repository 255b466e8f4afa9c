"""The center's 5-working-day deadline (Art 7(5)) through the service layer with real dates, read through the API.

A system-opening request made on 2026-02-13 (a Friday before the Spring Festival; 02-14 is a make-up working
Saturday, 02-15..23 the holiday) is due 2026-02-27. Not opened by then, the sweep of 2026-03-02 marks it missed;
opened on 2026-02-27 it is met.
"""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.admission.tests.conftest import at, payloads, walk
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.deadlines import services as deadlines
from ssc.registry.models import Outlet


def _open_accounts(world):
    return next(s for s in payloads(world) if s[0] == "open_accounts")


@pytest.fixture
def requested(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="applying")
    draft = services.application_create(actor=world.users[Role.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)
    app = walk(world, draft, until="request_system_opening")
    return services.perform(
        app.pk, "request_system_opening", actor=world.users[Role.DISTRICT_OFFICER], data={}, at=at("2026-02-13")
    )


def _deadline(client, app):
    rows = client.get("/api/v1/deadlines/", {"case_type": "application", "case_id": app.pk}).json()["results"]
    assert len(rows) == 1
    return rows[0]


def test_due_on_the_fifth_working_day(world, requested):
    center = bearer_client(world.users[Role.CENTER_OFFICER])
    d = _deadline(center, requested)
    assert d["kind"] == "center_open_accounts" and d["article"] == "7(4)" and d["responsible"] == "center"
    assert (d["started_on"], d["due_on"], d["status"]) == ("2026-02-13", "2026-02-27", "pending")
    assert d["case"]["state"] == "system_opening_requested"
    assert d["case"]["outlet"]["id"] == world.outlets["A"].pk
    assert d["case"]["url"] == f"/api/v1/applications/{requested.pk}/"
    assert d["district"] == world.districts["A"].pk
    detail = center.get(f"/api/v1/applications/{requested.pk}/").json()
    assert detail["due_on"] == "2026-02-27" and detail["deadline_status"] == "pending"


def test_missed_after_the_sweep_when_not_opened(world, requested):
    deadlines.sweep(today=date(2026, 2, 27))  # the last day itself is still on time (Art 203)
    center = bearer_client(world.users[Role.CENTER_OFFICER])
    assert _deadline(center, requested)["status"] == "pending"

    result = deadlines.sweep(today=date(2026, 3, 2))
    assert [d.case_id for d in result.missed] == [requested.pk]

    d = _deadline(center, requested)
    assert d["status"] == "missed" and d["overdue"] is True and d["completed_on"] is None
    listed = center.get("/api/v1/deadlines/", {"status": "missed", "overdue": "true"}).json()
    assert [r["id"] for r in listed["results"]] == [d["id"]]
    row = center.get("/api/v1/applications/", {"awaiting": "me"}).json()["results"][0]
    assert row["id"] == requested.pk and row["deadline_status"] == "missed" and row["overdue"] is True

    # Opening late does not turn a missed deadline into a met one.
    _, role, _, data, files = _open_accounts(world)
    services.perform(
        requested.pk, "open_accounts", actor=world.users[role], data=data, files=files, at=at("2026-03-03")
    )
    d = _deadline(center, requested)
    assert d["status"] == "missed" and d["completed_on"] == "2026-03-03" and d["overdue"] is False


def test_met_when_opened_on_the_last_day(world, requested):
    _, role, _, data, files = _open_accounts(world)
    services.perform(
        requested.pk, "open_accounts", actor=world.users[role], data=data, files=files, at=at("2026-02-27")
    )
    deadlines.sweep(today=date(2026, 3, 2))
    d = _deadline(bearer_client(world.users[Role.DISTRICT_LEADER]), requested)
    assert (d["status"], d["completed_on"], d["overdue"]) == ("met", "2026-02-27", False)
    assert d["case"]["state"] == "active"


def test_filters_and_scope(world, requested):
    center = bearer_client(world.users[Role.CENTER_OFFICER])
    count = lambda **p: center.get("/api/v1/deadlines/", p).json()["count"]  # noqa: E731
    assert count(due_before="2026-02-27") == 1
    assert count(due_before="2026-02-26") == 0
    assert count(due_after="2026-02-27") == 1
    assert count(kind="center_open_accounts", status="pending,missed") == 1
    assert count(status="met") == 0
    assert count(district=world.districts["A"].code) == 1
    assert count(district=world.districts["B"].pk) == 0
    for bad in ({"status": "late"}, {"due_before": "2026-02-30"}, {"ordering": "secret"}):
        assert list(assert_problem(center.get("/api/v1/deadlines/", bad), 400)["errors"]) == list(bad)
    assert_problem(center.get("/api/v1/deadlines/", {"due_before": "2026-01-01", "due_after": "2026-02-01"}), 400)
    # Out of scope: another district, another bank, the administrators without outlet scope.
    d_id = _deadline(center, requested)["id"]
    for user in (world.other[Role.DISTRICT_OFFICER], world.other[Role.BANK_APPLICANT], world.users[Role.AUDIT_ADMIN]):
        client = bearer_client(user)
        assert client.get("/api/v1/deadlines/").json()["count"] == 0
        assert_problem(client.get(f"/api/v1/deadlines/{d_id}/"), 404)
    assert bearer_client(world.users[Role.OUTLET_STAFF]).get(f"/api/v1/deadlines/{d_id}/").status_code == 200
