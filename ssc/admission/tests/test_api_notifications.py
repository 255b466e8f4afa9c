"""``/api/v1/notifications/``: a submitted application tells the district; each user reads only their own."""

from __future__ import annotations

from ssc.accounts.choices import Role
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.notifications.models import Notification
from ssc.workflow.api.testing import post_action

from .conftest import payloads


def test_submit_notifies_the_district_and_each_reads_their_own(world, draft):
    action, role, _, data, files = payloads(world)[0]
    resp = post_action(bearer_client(world.users[role]), "applications", draft.pk, action, data, files)
    assert resp.status_code == 200

    officer = bearer_client(world.users[Role.DISTRICT_OFFICER])
    rows = officer.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert len(rows) == 1
    note = rows[0]
    assert note["kind"] == "application.submit" and note["case_id"] == draft.pk and note["is_read"] is False
    assert note["url"].endswith(f"/applications/{draft.pk}/")
    # District B's officer was not told, and cannot read or mark A's notification.
    other = bearer_client(world.other[Role.DISTRICT_OFFICER])
    assert other.get("/api/v1/notifications/").json()["count"] == 0
    assert_problem(other.get(f"/api/v1/notifications/{note['id']}/"), 404)
    assert_problem(other.post(f"/api/v1/notifications/{note['id']}/read/"), 404)

    resp = officer.post(f"/api/v1/notifications/{note['id']}/read/")
    assert resp.status_code == 200 and resp.json()["is_read"] is True
    assert officer.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert officer.get("/api/v1/notifications/", {"unread": "false"}).json()["count"] == 1


def test_read_all_marks_only_the_callers(world):
    from ssc.notifications import services

    me, someone = world.users[Role.CENTER_OFFICER], world.users[Role.CENTER_LEADER]
    services.notify([me, someone], kind="test", title="甲", email=False)
    services.notify([me], kind="test", title="乙", email=False)
    resp = bearer_client(me).post("/api/v1/notifications/read_all/")
    assert resp.status_code == 200 and resp.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.filter(user=someone, read_at__isnull=True).count() == 1
    assert_problem(bearer_client(me).get("/api/v1/notifications/", {"unread": "maybe"}), 400)
