"""The audit pages: who may open them (every role), filters, detail side by side, the verify button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.audit import services
from ssc.audit.models import AuditChainHead, AuditEvent
from ssc.audit.triggers import TRIGGERS
from ssc.core import triggers as db_triggers

pytestmark = pytest.mark.django_db
LIST = reverse("audit:event_list")
VERIFY = reverse("audit:verify")
READERS = {Role.AUDIT_ADMIN, Role.REGULATOR}


@pytest.fixture
def events(world):
    actor = world.users[Role.DISTRICT_OFFICER]
    return [
        services.record(
            action="outlet.update",
            obj=world.outlets["A"],
            before={"name": "旧名称", "address": "同一地址", "phone": "1"},
            after={"name": "新名称", "address": "同一地址", "hours": "09:00-17:00"},
            article="7(2)",
            actor=actor,
        ),
        services.record(action="outlet.create", obj=world.outlets["B"], after={"code": "OB-001"}, actor=actor),
        services.record(action="calendar_year.load", object_type="workcalendar.calendaryear", object_repr="2026年"),
    ]


def seqs(response) -> list[int]:
    return [e.seq for e in response.context["events"]]


@pytest.mark.parametrize("role", list(Role))
def test_list_per_role(client, world, events, role):
    client.force_login(world.users[role])
    response = client.get(LIST)
    if role in READERS:
        assert response.status_code == 200
        assert set(seqs(response)) >= {e.seq for e in events}
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_detail_per_role(client, world, events, role):
    client.force_login(world.users[role])
    response = client.get(reverse("audit:event_detail", args=[events[0].seq]))
    assert response.status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("role", list(Role))
def test_verify_button_per_role(client, world, events, role):
    client.force_login(world.users[role])
    response = client.post(VERIFY)
    assert response.status_code == (200 if role == Role.AUDIT_ADMIN else 403)


def test_anonymous_is_sent_to_log_in(client, events):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(VERIFY).status_code == 302


def test_list_shows_events_total_and_menu(client, world, events):
    client.force_login(world.users[Role.REGULATOR])
    response = client.get(LIST)
    html = response.content.decode()
    assert "审计日志" in html and "outlet.update" in html and world.outlets["A"].name in html
    assert response.context["page"].paginator.count == AuditEvent.objects.count()
    assert "校验审计链" not in html  # the regulator reads; only the audit administrator verifies
    client.force_login(world.users[Role.AUDIT_ADMIN])
    assert "校验审计链" in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "outlet.update"}, [0]),
        ({"object_type": "registry.outlet"}, [0, 1]),
        ({"q": "2026"}, [2]),
        ({"q": "解放碑"}, [0]),
        ({"action": "nothing"}, []),
    ],
)
def test_filters(client, world, events, params, expected):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert sorted(seqs(response)) == sorted(events[i].seq for i in expected)
    if not expected:
        assert "没有符合条件的审计事件" in response.content.decode()


def test_filter_by_actor_and_dates(client, world, events):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    actor = world.users[Role.DISTRICT_OFFICER]
    assert sorted(seqs(client.get(LIST, {"actor": actor.username}))) == [events[0].seq, events[1].seq]
    today = timezone.localdate()
    assert len(seqs(client.get(LIST, {"date_from": today, "date_to": today}))) == AuditEvent.objects.count()
    assert seqs(client.get(LIST, {"date_from": today + timedelta(days=1)})) == []


def test_bad_dates_are_reported_not_500(client, world, events):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    response = client.get(LIST, {"date_from": "2025-02-30", "date_to": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "date_from" in form.errors and "date_to" in form.errors
    response = client.get(LIST, {"date_from": "2025-03-02", "date_to": "2025-03-01"})
    assert "date_to" in response.context["form"].errors


def test_pagination_and_constant_queries(client, world, events):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(60):
        services.record(action="x.y", object_repr=f"填充{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(many) == len(few)
    assert len(response.context["events"]) == 50 and response.context["page"].has_next()
    assert len(client.get(LIST, {"page": 2}).context["events"]) == AuditEvent.objects.count() - 50
    assert client.get(LIST, {"page": "zz"}).status_code == 200


def test_detail_before_and_after_side_by_side(client, world, events):
    client.force_login(world.users[Role.REGULATOR])
    response = client.get(reverse("audit:event_detail", args=[events[0].seq]))
    rows = {r["key"]: r for r in response.context["rows"]}
    assert rows["name"]["before"] == "旧名称" and rows["name"]["after"] == "新名称" and rows["name"]["changed"]
    assert not rows["address"]["changed"]
    assert rows["phone"]["in_before"] and not rows["phone"]["in_after"]
    assert rows["hours"]["in_after"] and not rows["hours"]["in_before"]
    html = response.content.decode()
    assert "旧名称" in html and "新名称" in html and events[0].hash in html


def test_detail_unknown_or_huge_seq_is_404(client, world, events):
    client.force_login(world.users[Role.REGULATOR])
    assert client.get(reverse("audit:event_detail", args=[987654])).status_code == 404
    assert client.get(f"{LIST}{'9' * 30}/").status_code == 404


def test_verify_button_shows_ok(client, world, events):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    head = AuditChainHead.objects.get(pk=1).seq
    response = client.post(VERIFY)
    html = response.content.decode()
    assert response.context["result"].ok and response.context["result"].checked == head
    assert "哈希链完整" in html
    assert AuditEvent.objects.get(seq=head + 1).action == "audit.verify"
    assert client.get(VERIFY).status_code == 405


def test_verify_button_shows_the_break(client, world, events):
    client.force_login(world.users[Role.AUDIT_ADMIN])
    db_triggers.uninstall(connection, TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [events[1].seq])
    response = client.post(VERIFY)
    result = response.context["result"]
    assert not result.ok and result.broken_at == events[1].seq
    html = response.content.decode()
    assert f"第 {events[1].seq} 号" in html and "断裂" in html
