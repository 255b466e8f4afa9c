"""``GET /api/v1/applications/``: scoping for every role (and of deadlines and documents hanging off the cases),
filters, the inbox (``awaiting=me``: soonest deadline first, overdue marked), ordering, and a query count that
does not grow with the number of rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssc.accounts.choices import Role
from ssc.admission import services
from ssc.admission.models import Application
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.deadlines import services as deadlines
from ssc.documents import services as documents
from ssc.registry.models import Outlet

from .conftest import pdf

R = Role


@pytest.fixture
def three(world):
    """Drafts for outlet A (bank A, district A), B (bank B, district B) and AB (bank A, district B)."""
    Outlet.objects.filter(pk__in=[o.pk for o in world.outlets.values()]).update(status="applying")
    apps = {
        "A": services.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["A"].pk),
        "B": services.application_create(actor=world.other[R.BANK_APPLICANT], outlet_id=world.outlets["B"].pk),
        "AB": services.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk),
    }
    for key, app in apps.items():
        deadlines.start(
            case_type="application",
            case_id=app.pk,
            kind="center_open_accounts",
            started_on=date(2026, 11, 2),
            workdays=5,
            district_id=app.outlet.district_id,
        )
        documents.attach(
            case_type="application",
            case_id=app.pk,
            outlet=app.outlet,
            kind="consent_letter",
            title=f"同意函 {key}",
            upload=pdf(),
            actor=world.users[R.CENTER_OFFICER],
        )
    return apps


ALL = {"A", "B", "AB"}
# The scope rule (REGULATION Art 5, SCENARIOS A.2), written out per role: the center, the regulators, the hotline
# and the system administrator see the whole city; a district its own outlets; a bank's sub-branch and head office
# their bank's outlets wherever they are; outlet staff their outlet; the security and audit administrators none.
EXPECTED_A = {
    R.BANK_APPLICANT: {"A", "AB"},
    R.OUTLET_STAFF: {"A"},
    R.BANK_HEAD_OFFICE: {"A", "AB"},
    R.DISTRICT_OFFICER: {"A"},
    R.DISTRICT_LEADER: {"A"},
    R.CENTER_OFFICER: ALL,
    R.CENTER_LEADER: ALL,
    R.REGULATOR: ALL,
    R.HOTLINE_OPERATOR: ALL,
    R.SYSTEM_ADMIN: ALL,
    R.SECURITY_ADMIN: set(),
    R.AUDIT_ADMIN: set(),
}
EXPECTED_B = {
    R.BANK_APPLICANT: {"B"},
    R.OUTLET_STAFF: {"B"},
    R.BANK_HEAD_OFFICE: {"B"},
    R.DISTRICT_OFFICER: {"B", "AB"},
    R.DISTRICT_LEADER: {"B", "AB"},
}


def _cases(world):
    return [(u, EXPECTED_A[r]) for r, u in world.users.items()] + [(u, EXPECTED_B[r]) for r, u in world.other.items()]


def test_every_role_lists_only_its_scope(world, three):
    assert set(EXPECTED_A) == set(Role)
    for user, expected in _cases(world):
        client = bearer_client(user)
        want = {three[k].pk for k in expected}
        assert ids(client.get("/api/v1/applications/")) == want, user.username
        # Deadlines and documents follow their case.
        got = {d["case_id"] for d in client.get("/api/v1/deadlines/").json()["results"]}
        assert got == want, user.username
        got = {d["case_id"] for d in client.get("/api/v1/documents/").json()["results"]}
        assert got == want, user.username
        for key, app in three.items():
            resp = client.get(f"/api/v1/applications/{app.pk}/")
            if key in expected:
                assert resp.status_code == 200
            else:
                assert_problem(resp, 404)


def test_filters(world, three):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    get = lambda **p: ids(client.get("/api/v1/applications/", p))  # noqa: E731
    a, b, ab = three["A"].pk, three["B"].pk, three["AB"].pk
    assert get(district=world.districts["B"].pk) == {b, ab}
    assert get(district=world.districts["B"].code) == {b, ab}
    assert get(bank=world.banks["A"].pk) == {a, ab}
    assert get(bank=world.banks["A"].code) == {a, ab}
    assert get(outlet=world.outlets["AB"].pk) == {ab}
    assert get(state="draft") == {a, b, ab}
    assert get(state="submitted,active") == set()
    assert get(q="沙坪坝") == {b, ab}
    assert get(district="500199") == set()
    for bad in ({"state": "nonsense"}, {"outlet": "x"}, {"awaiting": "you"}, {"ordering": "password"}):
        body = assert_problem(client.get("/api/v1/applications/", bad), 400)
        assert list(body["errors"]) == list(bad)


def test_ordering(world, three):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    rows = client.get("/api/v1/applications/", {"ordering": "outlet"}).json()["results"]
    assert [r["outlet"]["name"] for r in rows] == sorted(r["outlet"]["name"] for r in rows)
    rows = client.get("/api/v1/applications/").json()["results"]
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)  # newest first


def test_inbox_soonest_deadline_first_overdue_marked(world):
    """``awaiting=me`` for the center officer: cases waiting on the center, soonest deadline first."""
    center = world.users[R.CENTER_OFFICER]
    apps = {}
    for i, (state, started) in enumerate(
        [
            ("system_opening_requested", date(2026, 12, 1)),  # due 2026-12-08
            ("system_opening_requested", date(2026, 11, 20)),  # due 2026-11-27: overdue today (2026-12-03 or later)
            ("system_opening_requested", date(2026, 11, 27)),  # due 2026-12-04
            ("filed", None),  # waits on the center without a deadline: last
            ("notified", None),  # waits on the district, not the center
        ]
    ):
        outlet = make_outlet(
            f"OX-{i:03d}",
            f"测试网点{i}",
            bank=world.banks["A"],
            sub_branch=world.orgs["subA"],
            district=world.districts["A"],
            status="applying",
        )
        app = services.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=outlet.pk)
        Application.objects.filter(pk=app.pk).update(state=state)
        if started:
            deadlines.start(
                case_type="application", case_id=app.pk, kind="center_open_accounts", started_on=started, workdays=5
            )
        apps[i] = app

    rows = bearer_client(center).get("/api/v1/applications/", {"awaiting": "me"}).json()["results"]

    assert [r["id"] for r in rows] == [apps[1].pk, apps[2].pk, apps[0].pk, apps[3].pk]
    assert [r["due_on"] for r in rows] == ["2026-11-27", "2026-12-04", "2026-12-08", None]
    assert rows[0]["overdue"] is True
    assert not any(r["overdue"] for r in rows[1:])
    assert rows[3]["overdue"] is False and rows[3]["deadline_status"] is None
    assert all("open_accounts" in r["allowed_actions"] for r in rows[:3])
    assert rows[3]["allowed_actions"] == ["acknowledge_filing"]


WAITING_ON = {R.CENTER_OFFICER: "filed", R.DISTRICT_OFFICER: "submitted", R.BANK_APPLICANT: "draft"}


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp.json()["count"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/",
        "/api/v1/applications/?awaiting=me",
        "/api/v1/deadlines/",
        "/api/v1/documents/",
        "/api/v1/roster_versions/",
        "/api/v1/notifications/",
    ],
)
@pytest.mark.parametrize("role", [R.CENTER_OFFICER, R.DISTRICT_OFFICER, R.BANK_APPLICANT])
def test_query_count_does_not_grow_with_rows(world, url, role):
    from ssc.notifications import services as notifications
    from ssc.roster import services as roster

    client = bearer_client(world.users[role])

    def add(n, start):
        for i in range(start, start + n):
            outlet = make_outlet(
                f"OQ-{i:03d}",
                f"查询网点{i}",
                bank=world.banks["A"],
                sub_branch=world.orgs["subA"],
                district=world.districts["A"],
                status="applying",
            )
            app = services.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=outlet.pk)
            # A state that waits on ``role``, so that the inbox has rows too.
            Application.objects.filter(pk=app.pk).update(state=WAITING_ON[role])
            deadlines.start(
                case_type="application",
                case_id=app.pk,
                kind="center_open_accounts",
                started_on=date(2026, 11, 2),
                workdays=5,
                district_id=outlet.district_id,
            )
            documents.attach(
                case_type="application",
                case_id=app.pk,
                outlet=outlet,
                kind="consent_letter",
                title="同意函",
                upload=pdf(),
                actor=world.users[R.BANK_APPLICANT],
            )
            Outlet.objects.filter(pk=outlet.pk).update(status="active")
            roster.publish(outlet_ids=[outlet.pk], actor=world.users[R.CENTER_OFFICER])
            notifications.notify([world.users[role]], kind="test", title=f"通知 {i}", email=False)

    add(2, 0)
    client.get(url)  # the token's first use records ``last_used_at``: not part of the page's cost
    small, n_small = _count(client, url)
    add(5, 2)
    large, n_large = _count(client, url)
    assert n_large > n_small > 0
    assert large == small, (url, small, large)
