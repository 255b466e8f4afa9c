"""``/api/v1/audit_events/``: who may read (every role), filters, detail, verification, no writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from ssc.accounts.choices import Role
from ssc.audit import services
from ssc.audit.models import AuditChainHead, AuditEvent
from ssc.audit.triggers import TRIGGERS
from ssc.core import context
from ssc.core import triggers as db_triggers
from ssc.core.tests.api import assert_problem, bearer_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/audit_events/"
VERIFY = "/api/v1/audit_events/verify/"
READERS = {Role.AUDIT_ADMIN, Role.REGULATOR}


@pytest.fixture
def events(world):
    actor = world.users[Role.DISTRICT_OFFICER]
    out = []
    with context.use(request_id="req-A"):
        out.append(
            services.record(
                action="outlet.update",
                obj=world.outlets["A"],
                before={"name": "旧"},
                after={"name": "新"},
                article="7(2)",
                actor=actor,
            )
        )
    with context.use(request_id="req-B"):
        out.append(services.record(action="outlet.create", obj=world.outlets["B"], after={"x": 1}, actor=actor))
        out.append(services.record(action="user.login", object_type="accounts.user", object_id=7, object_repr="某人"))
    return out


def _seqs(response) -> list[int]:
    return [row["seq"] for row in response.json()["results"]]


@pytest.mark.parametrize("role", list(Role))
def test_list_per_role(world, events, role):
    response = bearer_client(world.users[role]).get(LIST)
    if role in READERS:
        assert response.status_code == 200, response.content
        assert set(_seqs(response)) >= {e.seq for e in events}
    else:
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", list(Role))
def test_detail_per_role(world, events, role):
    response = bearer_client(world.users[role]).get(f"{LIST}{events[0].seq}/")
    if role in READERS:
        assert response.status_code == 200
    else:
        assert_problem(response, 403)


@pytest.mark.parametrize("role", list(Role))
def test_verify_only_for_the_audit_admin(world, events, role):
    response = bearer_client(world.users[role]).get(VERIFY)
    if role == Role.AUDIT_ADMIN:
        assert response.status_code == 200
    else:
        assert_problem(response, 403)


def test_anonymous_gets_401(events):
    assert_problem(APIClient().get(LIST), 401)
    assert_problem(APIClient().get(VERIFY), 401)


def test_inactive_reader_is_refused(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    world.users[Role.AUDIT_ADMIN].is_active = False
    world.users[Role.AUDIT_ADMIN].save()
    assert client.get(LIST).status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_no_write_methods(world, events, method):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    assert_problem(getattr(client, method)(LIST, {}, format="json"), 405)
    assert_problem(getattr(client, method)(f"{LIST}{events[0].seq}/", {}, format="json"), 405)
    assert_problem(getattr(client, method)(VERIFY, {}, format="json"), 405)


def test_list_shape_and_order(world, events):
    body = bearer_client(world.users[Role.REGULATOR]).get(LIST).json()
    assert set(body) == {"count", "next", "previous", "results"}
    seqs = [r["seq"] for r in body["results"]]
    assert seqs == sorted(seqs, reverse=True)
    row = next(r for r in body["results"] if r["seq"] == events[0].seq)
    assert row["action"] == "outlet.update"
    assert row["object_type"] == "registry.outlet" and row["object_id"] == str(world.outlets["A"].pk)
    assert row["actor_username"] == world.users[Role.DISTRICT_OFFICER].username
    assert row["actor_role"] == "district_officer" and row["actor_role_display"]
    assert row["organisation_name"] == world.users[Role.DISTRICT_OFFICER].organisation.name
    assert row["article"] == "7(2)" and row["request_id"] == "req-A"
    assert row["at"].endswith("+08:00")
    assert len(row["hash"]) == 64 and "before" not in row


def test_ordering_ascending(world, events):
    body = bearer_client(world.users[Role.REGULATOR]).get(LIST, {"ordering": "seq"}).json()
    seqs = [r["seq"] for r in body["results"]]
    assert seqs == sorted(seqs)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "outlet.update"}, [0]),
        ({"action": "outlet.nothing"}, []),
        ({"object_type": "registry.outlet"}, [0, 1]),
        ({"object_type": "accounts.user", "object_id": "7"}, [2]),
        ({"article": "7(2)"}, [0]),
        ({"request_id": "req-B"}, [1, 2]),
    ],
)
def test_filters(world, events, params, expected):
    response = bearer_client(world.users[Role.AUDIT_ADMIN]).get(LIST, params)
    assert response.status_code == 200
    mine = {e.seq for e in events}
    assert sorted(s for s in _seqs(response) if s in mine) == sorted(events[i].seq for i in expected)
    assert all(s in mine for s in _seqs(response)) or not expected


def test_filter_by_actor_username_and_id(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    actor = world.users[Role.DISTRICT_OFFICER]
    by_name = _seqs(client.get(LIST, {"actor": actor.username}))
    by_id = _seqs(client.get(LIST, {"actor": str(actor.pk)}))
    assert sorted(by_name) == sorted(by_id) == sorted([events[0].seq, events[1].seq])


def test_filter_by_dates(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    today = timezone.localdate()
    assert set(_seqs(client.get(LIST, {"from": str(today), "to": str(today)}))) >= {e.seq for e in events}
    tomorrow = today + timedelta(days=1)
    assert _seqs(client.get(LIST, {"from": str(tomorrow)})) == []
    assert _seqs(client.get(LIST, {"to": str(today - timedelta(days=1))})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2025-13-01"}, "from"), ({"to": "yesterday"}, "to"), ({"from": "2025-02-02", "to": "2025-02-01"}, "to")],
)
def test_bad_filters_are_400_naming_the_field(world, events, params, field):
    body = assert_problem(bearer_client(world.users[Role.AUDIT_ADMIN]).get(LIST, params), 400)
    assert field in body["errors"]


def test_nul_character_in_a_filter_is_400_not_500(world, events):
    body = assert_problem(bearer_client(world.users[Role.AUDIT_ADMIN]).get(LIST, {"action": "a\x00b"}), 400)
    assert "action" in body["errors"]


def test_huge_actor_id_is_not_a_500(world, events):
    response = bearer_client(world.users[Role.AUDIT_ADMIN]).get(LIST, {"actor": "9" * 30})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_pagination(world, events):
    response = bearer_client(world.users[Role.AUDIT_ADMIN]).get(LIST, {"page_size": 2})
    body = response.json()
    assert body["count"] == AuditEvent.objects.count() and len(body["results"]) == 2 and body["next"]


def test_list_query_count_is_constant(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(20):
        services.record(action="x.y", object_repr="填充")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_detail_decodes_before_and_after(world, events):
    body = bearer_client(world.users[Role.REGULATOR]).get(f"{LIST}{events[0].seq}/").json()
    assert body["before"] == {"name": "旧"} and body["after"] == {"name": "新"}
    body = bearer_client(world.users[Role.REGULATOR]).get(f"{LIST}{events[2].seq}/").json()
    assert body["before"] is None and body["after"] is None


def test_detail_unknown_seq_is_404(world, events):
    client = bearer_client(world.users[Role.REGULATOR])
    assert_problem(client.get(f"{LIST}999999/"), 404)
    assert_problem(client.get(f"{LIST}abc/"), 404)


def test_verify_ok_and_recorded(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    head = AuditChainHead.objects.get(pk=1).seq
    body = client.get(VERIFY).json()
    assert body["ok"] is True and body["checked"] == head
    assert body["broken_at"] is None and body["reason"] is None
    assert body["head_seq"] == head
    recorded = AuditEvent.objects.get(seq=head + 1)
    assert recorded.action == "audit.verify" and recorded.actor_username == world.users[Role.AUDIT_ADMIN].username
    assert recorded.after["ok"] is True


def test_verify_reports_the_break(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    db_triggers.uninstall(connection, TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'x' WHERE seq = %s", [events[1].seq])
    body = client.get(VERIFY).json()
    assert body["ok"] is False and body["broken_at"] == events[1].seq and body["code"] == "edited"
    assert "篡改" in body["reason"]
    assert body["checked"] == events[1].seq - 1


def test_verify_from_seq(world, events):
    client = bearer_client(world.users[Role.AUDIT_ADMIN])
    body = client.get(VERIFY, {"from_seq": events[1].seq}).json()
    assert body["ok"] and body["checked"] == AuditChainHead.objects.get(pk=1).seq - events[1].seq
    assert_problem(client.get(VERIFY, {"from_seq": "0"}), 400)
    assert_problem(client.get(VERIFY, {"from_seq": "x"}), 400)


def test_schema_documents_the_endpoints(world):
    client = APIClient()
    client.force_login(world.users[Role.AUDIT_ADMIN])
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/audit_events/" in paths and "/api/v1/audit_events/verify/" in paths
    assert "/api/v1/audit_events/{seq}/" in paths
    names = {p["name"] for p in paths["/api/v1/audit_events/"]["get"]["parameters"]}
    assert {"action", "object_type", "object_id", "actor", "article", "from", "to", "request_id"} <= names
    assert set(paths["/api/v1/audit_events/"]) == {"get"}
