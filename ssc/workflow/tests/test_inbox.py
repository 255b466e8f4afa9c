"""The common inbox (待办) across every registered workflow: what waits on whom (read from the tables), soonest
deadline first across kinds, overdue working days, counts, the page and ``GET /api/v1/inbox/``, a bounded number of
queries, and agreement with the admission inbox it generalises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssc.accounts.choices import Role
from ssc.admission import selectors as admission_selectors
from ssc.admission import services as admission
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.deadlines.models import Deadline
from ssc.deadlines.services import overdue_workdays
from ssc.inspections.tests.conftest import record
from ssc.rectification.tests.conftest import act, issue
from ssc.workflow import engine
from ssc.workflow import inbox as inbox_service

R = Role


def _due(case_type, case, due):
    """Give ``case`` exactly one open deadline, due on ``due``."""
    Deadline.objects.filter(case_type=case_type, case_id=case.pk).delete()
    Deadline.objects.create(
        case_type=case_type, case_id=case.pk, kind="test", started_on=due - timedelta(days=30), due_on=due
    )


def _submitted_application(world, code, name):
    outlet = make_outlet(
        code,
        name,
        bank=world.banks["A"],
        sub_branch=world.orgs["subA"],
        district=world.districts["A"],
        status="applying",
        services=[world.services["apply"]],
    )
    app = admission.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=outlet.pk)
    from ssc.admission.tests.conftest import walk

    return walk(world, app, until="record_site_verification")


@pytest.fixture
def mixed(world):
    """Cases of three workflows waiting on district A's officer, with deadlines relative to today."""
    today = timezone.localdate()
    late_rect = act(world, issue(world, "2026-03-02"), "submit_report")  # waits: verify / reject
    _due("rectification", late_rect, today - timedelta(days=10))
    app = _submitted_application(world, "OA-301", "申请中网点")  # waits: site verification / return
    _due("application", app, today + timedelta(days=2))
    soon_rect = act(world, issue(world, "2026-06-30"), "submit_report")
    _due("rectification", soon_rect, today + timedelta(days=20))
    inspection = record(world)  # waits: respond, no deadline
    today_app = _submitted_application(world, "OA-302", "今天到期网点")
    _due("application", today_app, today)
    return {"late": late_rect, "app": app, "soon": soon_rect, "inspection": inspection, "today": today_app}


def test_order_across_kinds_soonest_deadline_first(world, mixed):
    officer = world.users[R.DISTRICT_OFFICER]
    items = inbox_service.inbox_items(officer)
    keys = [(i.case_type, i.case.pk) for i in items]
    assert keys == [
        ("rectification", mixed["late"].pk),
        ("application", mixed["today"].pk),
        ("application", mixed["app"].pk),
        ("rectification", mixed["soon"].pk),
        ("inspection", mixed["inspection"].pk),
    ]
    late = items[0]
    assert late.kind_label == "整改" and late.task == "退回整改报告／核验通过"
    assert late.outlet == world.outlets["A"] and late.district == world.districts["A"]
    assert late.deadline.kind == "overdue" and late.overdue
    today = timezone.localdate()
    assert late.overdue_workdays == overdue_workdays(today - timedelta(days=10), today)
    assert items[1].deadline.kind == "today" and items[1].overdue_workdays == 0
    assert items[2].task == "退回补正／记录现场核实" and items[2].url == f"/applications/{mixed['app'].pk}/"
    assert items[4].due_on is None and items[4].task == "反馈处理情况" and items[4].outlet is None
    assert items[4].url == f"/inspections/{mixed['inspection'].pk}/"
    # ``limit`` keeps the merged order.
    assert [(i.case_type, i.case.pk) for i in inbox_service.inbox_items(officer, limit=3)] == keys[:3]
    counts = {(c["case_type"], c["task"]): c["count"] for c in inbox_service.inbox_counts(officer)}
    assert counts == {
        ("rectification", "退回整改报告／核验通过"): 2,
        ("application", "退回补正／记录现场核实"): 2,
        ("inspection", "反馈处理情况"): 1,
    }
    assert inbox_service.deadline_summary(officer) == {"overdue": 1, "due_today": 1}


def test_each_role_sees_only_what_waits_on_it(world, mixed):
    def keys(user):
        return {(i.case_type, i.case.pk) for i in inbox_service.inbox_items(user)}

    # The district leader: only the inspection (respond); rectifications and these applications wait on officers.
    assert keys(world.users[R.DISTRICT_LEADER]) == {("inspection", mixed["inspection"].pk)}
    # The outlet's staff and the bank: nothing waits on them now (reports were submitted).
    assert keys(world.users[R.OUTLET_STAFF]) == set()
    # District B sees none of district A's cases.
    assert keys(world.other[R.DISTRICT_OFFICER]) == set()
    # A rejected report waits on the outlet again.
    rejected = act(world, mixed["soon"], "reject_report")
    assert keys(world.users[R.OUTLET_STAFF]) == {("rectification", rejected.pk)}
    assert keys(world.users[R.BANK_APPLICANT]) >= {("rectification", rejected.pk)}
    assert keys(world.users[R.SECURITY_ADMIN]) == set() and keys(world.users[R.AUDIT_ADMIN]) == set()


def test_the_admission_inbox_is_the_application_part(world, mixed):
    """The generic inbox gives exactly the admission inbox for applications, in the same order."""
    for user in (*world.users.values(), *world.other.values()):
        generic = [i.case.pk for i in inbox_service.inbox_items(user, case_types=["application"])]
        assert generic == [a.pk for a in admission_selectors.inbox(user)], user.username


def test_a_workflow_is_read_from_its_table(world):
    """Any registered binding takes part; what waits on a role comes from the table alone."""
    names = set(engine._bindings)
    assert {"application", "rectification", "inspection"} <= names
    officer = world.users[R.DISTRICT_OFFICER]
    plan_types = {p.workflow.name for p in inbox_service._plans(officer)}
    for name in names:
        binding = engine._bindings[name]
        acts = any(officer.role in t.roles for t in binding.workflow.transitions)
        if acts and inbox_service.state_field(binding.model):
            assert name in plan_types


def test_the_query_count_does_not_grow_with_rows(world, mixed, settings):
    settings.SSC_CALENDAR_RECHECK_SECONDS = 3600  # the compiled calendar is not re-checked mid-test
    officer = world.users[R.DISTRICT_OFFICER]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            items = inbox_service.inbox_items(officer)
            inbox_service.inbox_counts(officer)
            shown = [(i.url, i.subject, i.district, i.task) for i in items]
            assert len(shown) == len(items)
        return len(ctx.captured_queries)

    count()
    few = count()
    for n in range(4):
        act(world, issue(world, f"2026-04-0{n + 6}"), "submit_report")
        _submitted_application(world, f"OA-40{n}", f"更多网点{n}")
        record(world)
    assert len(inbox_service.inbox_items(officer)) == 5 + 12
    assert count() == few
    assert few <= 3 * len(engine._bindings) + 2


def test_the_page(client, world, mixed):
    client.force_login(world.users[R.DISTRICT_OFFICER])
    resp = client.get(reverse("workflow:inbox"))
    assert resp.status_code == 200
    html = resp.content.decode()
    rows = resp.context["rows"]
    assert [r.case.pk for r in rows][:1] == [mixed["late"].pk]
    assert resp.context["total"] == 5 and resp.context["overdue"] == 1 and resp.context["due_today"] == 1
    assert 'class="row-overdue"' in html and "已超期" in html and "今天到期" in html
    for label in ("整改", "网点开设申请", "监督检查"):
        assert label in html
    assert f"/inspections/{mixed['inspection'].pk}/" in html
    # One kind only.
    resp = client.get(reverse("workflow:inbox"), {"kind": "inspection"})
    assert [r.case_type for r in resp.context["rows"]] == ["inspection"] and resp.context["total"] == 1
    # An unknown kind shows everything.
    assert client.get(reverse("workflow:inbox"), {"kind": "nope"}).context["total"] == 5
    # Empty inbox.
    client.force_login(world.other[R.DISTRICT_OFFICER])
    resp = client.get(reverse("workflow:inbox"))
    assert resp.status_code == 200 and "暂无待办事项" in resp.content.decode()
    # The existing admission inbox keeps working.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    rows = client.get(reverse("admission:inbox")).context["rows"]
    assert [r["application"].pk for r in rows] == [mixed["today"].pk, mixed["app"].pk]


def test_the_page_refuses_roles_without_cases(client, world):
    for role in (R.SECURITY_ADMIN, R.AUDIT_ADMIN):
        client.force_login(world.users[role])
        assert client.get(reverse("workflow:inbox")).status_code == 403
    client.logout()
    assert client.get(reverse("workflow:inbox")).status_code == 302


def test_the_api(world, mixed):
    officer = bearer_client(world.users[R.DISTRICT_OFFICER])
    body = officer.get("/api/v1/inbox/").json()
    assert body["count"] == 5 and body["next"] is None and body["previous"] is None
    first = body["results"][0]
    assert (first["case_type"], first["id"], first["overdue"]) == ("rectification", mixed["late"].pk, True)
    assert first["api_url"].endswith(f"/api/v1/rectifications/{mixed['late'].pk}/")
    assert first["url"].endswith(f"/rectifications/{mixed['late'].pk}/")
    assert first["overdue_workdays"] > 0 and first["deadline_status"] == "pending"
    assert body["results"][-1]["due_on"] is None and body["results"][-1]["outlet"] is None
    # Pages follow the merged order.
    page1 = officer.get("/api/v1/inbox/", {"page_size": 2}).json()
    page2 = officer.get(page1["next"]).json()
    page3 = officer.get(page2["next"]).json()
    assert page3["next"] is None and page2["previous"] and page1["previous"] is None
    merged = [(r["case_type"], r["id"]) for p in (page1, page2, page3) for r in p["results"]]
    assert merged == [(r["case_type"], r["id"]) for r in body["results"]]
    assert officer.get("/api/v1/inbox/", {"kind": "application"}).json()["count"] == 2
    # Bad parameters are named; a page past the end is 404.
    for bad in ({"kind": "nope"}, {"page_size": "500"}, {"page": "0"}, {"page": "x"}):
        assert set(assert_problem(officer.get("/api/v1/inbox/", bad), 400)["errors"]) == set(bad)
    assert_problem(officer.get("/api/v1/inbox/", {"page": "9"}), 404)
    # The admission list's ``awaiting=me`` keeps working.
    apps = officer.get("/api/v1/applications/", {"awaiting": "me"}).json()["results"]
    assert [a["id"] for a in apps] == [mixed["today"].pk, mixed["app"].pk]


def test_the_api_refuses_roles_without_cases(world):
    for role in (R.SECURITY_ADMIN, R.AUDIT_ADMIN):
        assert_problem(bearer_client(world.users[role]).get("/api/v1/inbox/"), 403)
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/inbox/").status_code == 401
    for role in (R.HOTLINE_OPERATOR, R.BANK_HEAD_OFFICE, R.SYSTEM_ADMIN):
        assert bearer_client(world.users[role]).get("/api/v1/inbox/").status_code == 200
