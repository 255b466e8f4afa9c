"""Rectification pages: every role × every page and endpoint (out of scope → 404), the outlet page showing 整改中 and
its rectifications, issuing from the outlet page, the case page with the 3-month countdown, and the actions."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.core.tests.api import bearer_client, ids
from ssc.deadlines import services as deadlines
from ssc.rectification.models import Rectification
from ssc.registry.models import Outlet

from .conftest import issue, pdf, put_in_state

R = Role
NO_CASES = {R.SECURITY_ADMIN, R.AUDIT_ADMIN}


def _users(world):
    return [(u, True) for u in world.users.values()] + [(u, False) for u in world.other.values()]


def test_every_role_every_page_and_endpoint(client, world):
    a = issue(world)  # outlet A, district A, bank A
    b = issue(world, outlet="B")  # outlet B, district B, bank B
    outlet_a = world.outlets["A"].pk
    for user, side_a in _users(world):
        role = user.role
        sees_a = side_a and role not in NO_CASES
        citywide = role in {R.CENTER_OFFICER, R.CENTER_LEADER, R.REGULATOR, R.SYSTEM_ADMIN, R.HOTLINE_OPERATOR}
        sees_b = citywide or (not side_a)
        client.force_login(user)
        # The list and its export: every role that reads cases, each its own rows.
        resp = client.get(reverse("rectification:list"))
        if role in NO_CASES:
            assert resp.status_code == 403
            assert client.get(reverse("rectification:detail", args=[a.pk])).status_code == 403
            assert client.get(reverse("rectification:export")).status_code == 403
        else:
            assert resp.status_code == 200
            shown = {row["r"].pk for row in resp.context["rows"]}
            assert shown == {pk for pk, s in ((a.pk, sees_a), (b.pk, sees_b)) if s}, user.username
            assert client.get(reverse("rectification:export"), {"format": "csv"}).status_code == 200
            assert client.get(reverse("rectification:detail", args=[a.pk])).status_code == (200 if sees_a else 404)
            assert client.get(reverse("rectification:detail", args=[b.pk])).status_code == (200 if sees_b else 404)
        # Issuing from outlet A's page: district A's officer only; outside the outlet's scope not disclosed.
        status = client.get(reverse("rectification:issue", args=[outlet_a])).status_code
        if role == R.DISTRICT_OFFICER and side_a:
            assert status == 200
        else:
            assert status == (403 if sees_a else 404), (user.username, status)
        # The action pages of outlet A's case (open: the outlet reports).
        status = client.get(reverse("rectification:action", args=[a.pk, "submit_report"])).status_code
        if role in NO_CASES or not sees_a:
            assert status in (403, 404) and (status == 404 or role in NO_CASES)
        elif role in (R.OUTLET_STAFF, R.BANK_APPLICANT):
            assert status == 200
        else:
            assert status == 403
        # The API: the same rows.
        api = bearer_client(user)
        listed = api.get("/api/v1/rectifications/")
        assert ids(listed) == {pk for pk, s in ((a.pk, sees_a), (b.pk, sees_b)) if s}, user.username
        assert api.get(f"/api/v1/rectifications/{a.pk}/").status_code == (200 if sees_a else 404)


def test_outlet_page_shows_the_rectification_and_the_issue_button(client, world):
    url = reverse("portal:outlet_detail", args=[world.outlets["A"].pk])
    client.force_login(world.users[R.DISTRICT_OFFICER])
    html = client.get(url).content.decode()
    assert reverse("rectification:issue", args=[world.outlets["A"].pk]) in html
    assert "该网点没有整改记录" in html
    case = issue(world)
    html = client.get(url).content.decode()
    assert re.search(r'<span class="badge amber"[^>]*>整改中</span>', html)
    assert reverse("rectification:detail", args=[case.pk]) in html and "2026-09-30" in html
    # Others see the rectification, never the button.
    for role in (R.DISTRICT_LEADER, R.OUTLET_STAFF, R.REGULATOR, R.CENTER_OFFICER):
        client.force_login(world.users[role])
        html = client.get(url).content.decode()
        assert reverse("rectification:detail", args=[case.pk]) in html and "整改中" in html
        assert reverse("rectification:issue", args=[world.outlets["A"].pk]) not in html


def test_issue_from_the_page(client, world):
    client.force_login(world.users[R.DISTRICT_OFFICER])
    url = reverse("rectification:issue", args=[world.outlets["A"].pk])
    resp = client.get(url, {"source": "inspection", "source_ref": "监督检查 #7"})
    assert resp.status_code == 200 and resp.context["form"].initial["source"] == "inspection"
    # Errors beside the fields.
    resp = client.post(url, {"items": "", "issued_on": "2099-01-01", "source": "evaluation"})
    assert resp.status_code == 200
    assert set(resp.context["form"].errors) == {"items", "issued_on"}
    # A deadline in a year without a calendar: said on the form, not a 500.
    resp = client.post(url, {"items": "公示投诉电话", "issued_on": "2026-11-02", "source": "evaluation"})
    assert resp.status_code == 422 and "2027" in resp.content.decode()
    assert not Rectification.objects.exists()
    resp = client.post(
        url,
        {"items": "公示投诉电话\n维修设备", "issued_on": "2026-06-30", "source": "evaluation", "notice": pdf()},
    )
    case = Rectification.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("rectification:detail", args=[case.pk])
    assert case.items == ["公示投诉电话", "维修设备"] and case.due_on == date(2026, 9, 30)
    # A non-cooperating outlet cannot be ordered: back to its page with a message.
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="terminating")
    resp = client.get(url)
    assert resp.status_code == 302 and resp["Location"] == reverse("portal:outlet_detail", args=[world.outlets["A"].pk])


def test_case_page_countdown_and_actions(client, world):
    case = issue(world)
    client.force_login(world.users[R.OUTLET_STAFF])
    resp = client.get(reverse("rectification:detail", args=[case.pk]))
    html = resp.content.decode()
    assert resp.context["countdown"].due_on == date(2026, 9, 30)
    assert 'data-due="2026-09-30"' in html and "整改期限（3个月，第8条第(3)项）" in html
    assert reverse("rectification:action", args=[case.pk, "submit_report"]) in html
    assert reverse("rectification:action", args=[case.pk, "verify"]) not in html
    # The outlet reports with evidence.
    url = reverse("rectification:action", args=[case.pk, "submit_report"])
    resp = client.post(url, {"version": case.version, "report": "已公示", "evidence": pdf("照片.pdf")})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == "report_submitted"
    # Verifying is irreversible: it asks for confirmation first.
    client.force_login(world.users[R.DISTRICT_OFFICER])
    url = reverse("rectification:action", args=[case.pk, "verify"])
    resp = client.post(url, {"version": case.version, "verified_on": "2026-08-03"})
    assert resp.status_code == 200 and resp.context["confirm_error"]
    resp = client.post(url, {"version": case.version, "verified_on": "2026-08-03", "confirm": "yes"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.state == "closed"
    html = client.get(reverse("rectification:detail", args=[case.pk])).content.decode()
    assert "核验通过" in html and "照片.pdf" in html
    # A stale form: the state moved on, back to the case page.
    resp = client.post(url, {"version": case.version - 1, "verified_on": "2026-08-03", "confirm": "yes"})
    assert resp.status_code == 302
    # ``issue`` has no action page.
    assert client.get(reverse("rectification:action", args=[case.pk, "issue"])).status_code == 404


def test_overdue_case_page_offers_art_8_3(client, world):
    case = put_in_state(world, "open")
    deadlines.sweep(today=date(2026, 10, 1))
    client.force_login(world.users[R.DISTRICT_LEADER])
    resp = client.get(reverse("rectification:detail", args=[case.pk]))
    html = resp.content.decode()
    assert resp.context["art83"] and "第8条第(3)项" in html
    assert resp.context["countdown"].kind == "overdue" and "已超期" in html
    resp = client.get(reverse("rectification:list"), {"overdue": "true"})
    assert [row["r"].pk for row in resp.context["rows"]] == [case.pk]
    assert 'class="row-overdue"' in resp.content.decode()
    html = client.get(reverse("workflow:inbox")).content.decode()
    assert reverse("rectification:detail", args=[case.pk]) in html


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_what_the_list_shows(client, world, fmt):
    issue(world)
    issue(world, "2026-05-06")
    issue(world, outlet="B")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    resp = client.get(reverse("rectification:export"), {"format": fmt, "state": "open"})
    assert resp.status_code == 200
    if fmt == "csv":
        body = b"".join(resp.streaming_content).decode("utf-8-sig")
        assert body.count("中国工商银行重庆解放碑分理处") == 2 and "沙坪坝" not in body
