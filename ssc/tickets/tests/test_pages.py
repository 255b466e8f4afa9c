"""Ticket and problem report pages: every page × every role (200 / 403 / 404), masking in the list, the case page
and the Excel export, the audited "show number" button, logging with the outlet search, the action pages, the
problem report pages."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.tickets.models import ProblemReport, Ticket

from .conftest import ACTION_DATA, CALLER, MASKED, PHONE, log, pdf, report, ticket_in_state

R = Role
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _as(client, user):
    client.force_login(user)
    return client


def _buttons(html: str) -> set[str]:
    m = re.search(r'<div class="actions case-actions".*?</div>', html, re.S)
    return set(re.findall(r'data-action="([a-z_]+)"', m.group(0))) if m else set()


# --- role × page -------------------------------------------------------------------------------------------------


def _people(world, hotline2):
    people = {f"a:{u.role}": u for u in world.users.values()}
    people.update({f"b:{u.role}": u for u in world.other.values()})
    people["hotline2"] = hotline2
    return people


NO_CASES = {R.SECURITY_ADMIN, R.AUDIT_ADMIN}


def _expected(key: str, user, page: str) -> int:
    """The status each page answers ``user`` for outlet A's open ticket (12345) and submitted problem report."""
    role = user.role
    sees_ticket = key.startswith("a:") and role not in NO_CASES
    sees_report = sees_ticket and role != R.HOTLINE_OPERATOR
    if page in ("ticket_list", "ticket_export"):
        return 403 if role in NO_CASES else 200
    if page == "ticket_create":
        return 200 if role == R.HOTLINE_OPERATOR else 403
    if page == "ticket_detail":
        return 403 if role in NO_CASES else (200 if sees_ticket else 404)
    if page == "ticket_contact":
        if role in NO_CASES:
            return 403
        if not sees_ticket:
            return 404
        return 200 if role in (R.HOTLINE_OPERATOR, R.OUTLET_STAFF, R.DISTRICT_OFFICER) else 403
    if page == "ticket_answer":
        if not sees_ticket:
            return 404
        return 200 if role in (R.OUTLET_STAFF, R.DISTRICT_OFFICER) else 403
    if page == "problem_report_list":
        return 403 if role in NO_CASES or role == R.HOTLINE_OPERATOR else 200
    if page == "problem_report_create":
        return 200 if role == R.OUTLET_STAFF else 403
    if page == "problem_report_detail":
        if role in NO_CASES or role == R.HOTLINE_OPERATOR:
            return 403
        return 200 if sees_report else 404
    if page == "problem_report_reply":
        if not sees_report:
            return 404
        return 200 if role == R.DISTRICT_OFFICER else 403
    raise AssertionError(page)


PAGES = [
    "ticket_list",
    "ticket_export",
    "ticket_create",
    "ticket_detail",
    "ticket_contact",
    "ticket_answer",
    "problem_report_list",
    "problem_report_create",
    "problem_report_detail",
    "problem_report_reply",
]


def test_every_page_for_every_role(client, world, hotline2):
    ticket = log(world)
    pr = report(world)
    urls = {
        "ticket_list": ("get", reverse("tickets:ticket_list")),
        "ticket_export": ("get", reverse("tickets:ticket_export")),
        "ticket_create": ("get", reverse("tickets:ticket_create")),
        "ticket_detail": ("get", reverse("tickets:ticket_detail", args=[ticket.pk])),
        "ticket_contact": ("post", reverse("tickets:ticket_contact", args=[ticket.pk])),
        "ticket_answer": ("get", reverse("tickets:ticket_action", args=[ticket.pk, "answer"])),
        "problem_report_list": ("get", reverse("tickets:problem_report_list")),
        "problem_report_create": ("get", reverse("tickets:problem_report_create")),
        "problem_report_detail": ("get", reverse("tickets:problem_report_detail", args=[pr.pk])),
        "problem_report_reply": ("get", reverse("tickets:problem_report_action", args=[pr.pk, "reply"])),
    }
    checked = 0
    for key, user in _people(world, hotline2).items():
        _as(client, user)
        for page in PAGES:
            method, url = urls[page]
            resp = getattr(client, method)(url)
            assert resp.status_code == _expected(key, user, page), (key, page, resp.status_code)
            checked += 1
    client.logout()
    for page in PAGES:
        method, url = urls[page]
        resp = getattr(client, method)(url)
        assert resp.status_code == 302 and "/accounts/login" in resp["Location"], page
    assert checked == len(PAGES) * 18
    # Refused reveals wrote nothing to the trail: only the three callers' reveals are there.
    assert AuditEvent.objects.filter(action="ticket.read_personal_data").count() == 3


# --- list, masking, export ---------------------------------------------------------------------------------------


def test_list_masks_and_marks_overdue_responses(client, world):
    overdue = log(world)  # due 2026-05-14: long past
    answered = ticket_in_state(world, "answered")
    html = _as(client, world.users[R.DISTRICT_OFFICER]).get(reverse("tickets:ticket_list")).content.decode()
    assert MASKED in html and PHONE not in html and CALLER not in html
    row = re.search(rf'<tr class="([^"]*)" data-ticket="{overdue.pk}">(.*?)</tr>', html, re.S)
    assert row and "row-overdue" in row.group(1) and 'data-deadline="overdue"' in row.group(2)
    assert "已超期" in row.group(2)
    row = re.search(rf'<tr class="([^"]*)" data-ticket="{answered.pk}">(.*?)</tr>', html, re.S)
    assert row and "row-overdue" not in row.group(1) and 'data-deadline="met"' in row.group(2)


def test_list_filters_on_the_page(client, world):
    a = log(world)
    b = log(world, outlet=world.outlets["B"].pk, category="consultation")
    _as(client, world.users[R.CENTER_OFFICER])
    url = reverse("tickets:ticket_list")

    def got(**params):
        return {t["t"].pk for t in client.get(url, params).context["rows"]}

    assert got() == {a.pk, b.pk}
    assert got(category="consultation") == {b.pk}
    assert got(district=world.districts["A"].pk) == {a.pk}
    assert got(q="jfb") == {a.pk}
    assert got(overdue="on") == {a.pk, b.pk}
    assert got(received_from="2026-05-12") == set()
    resp = client.get(url, {"received_from": "2026-06-01", "received_to": "2026-05-01"})
    assert resp.status_code == 200 and "received_to" in resp.context["form"].errors


def test_hotline_sees_only_its_own_hotlines_tickets(client, world, hotline2):
    from ssc.tickets import services

    from .conftest import at, log_data

    own = log(world)
    other = services.ticket_log(actor=hotline2, data=log_data(world, channel="12333"), at=at("2026-05-11"))
    html = _as(client, world.users[R.HOTLINE_OPERATOR]).get(reverse("tickets:ticket_list")).content.decode()
    assert f'data-ticket="{own.pk}"' in html and f'data-ticket="{other.pk}"' not in html
    assert client.get(reverse("tickets:ticket_detail", args=[other.pk])).status_code == 404


def test_export_is_masked_and_audited(client, world):
    log(world)
    resp = _as(client, world.users[R.CENTER_OFFICER]).get(reverse("tickets:ticket_export"))
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(resp.streaming_content if resp.streaming else [resp.content])))
    cells = [str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert MASKED in cells and "张**" in cells
    assert not any(PHONE in c or CALLER in c for c in cells)
    assert AuditEvent.objects.filter(action="ticket.export").exists()
    csv = _as(client, world.users[R.CENTER_OFFICER]).get(reverse("tickets:ticket_export"), {"format": "csv"})
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert MASKED in text and PHONE not in text


# --- case page and "show number" ---------------------------------------------------------------------------------


def test_case_page_masks_and_offers_show_number_to_the_callers_only(client, world):
    ticket = log(world)
    url = reverse("tickets:ticket_detail", args=[ticket.pk])
    for role, offered in [
        (R.HOTLINE_OPERATOR, True),
        (R.OUTLET_STAFF, True),
        (R.DISTRICT_OFFICER, True),
        (R.DISTRICT_LEADER, False),
        (R.CENTER_OFFICER, False),
        (R.REGULATOR, False),
    ]:
        html = _as(client, world.users[role]).get(url).content.decode()
        assert MASKED in html and PHONE not in html and CALLER not in html, role
        assert ('data-action="reveal_contact"' in html) is offered, role
    assert _buttons(_as(client, world.users[R.OUTLET_STAFF]).get(url).content.decode()) == {"answer"}
    assert _buttons(_as(client, world.users[R.HOTLINE_OPERATOR]).get(url).content.decode()) == set()


def test_show_number_reveals_and_records_the_read(client, world):
    ticket = log(world)
    resp = _as(client, world.users[R.OUTLET_STAFF]).post(reverse("tickets:ticket_contact", args=[ticket.pk]))
    html = resp.content.decode()
    assert resp.status_code == 200 and PHONE in html and CALLER in html and "no-store" in resp["Cache-Control"]
    event = AuditEvent.objects.get(action="ticket.read_personal_data")
    assert event.actor_id == world.users[R.OUTLET_STAFF].pk and event.source == "web"
    # A GET of the same address does nothing (the read is a POST, with its CSRF check).
    assert client.get(reverse("tickets:ticket_contact", args=[ticket.pk])).status_code == 405
    closed = ticket_in_state(world, "closed")
    resp = client.post(reverse("tickets:ticket_contact", args=[closed.pk]))
    assert resp.status_code == 302 and AuditEvent.objects.filter(action="ticket.read_personal_data").count() == 1


# --- logging -----------------------------------------------------------------------------------------------------


def test_log_form_finds_outlets_by_pinyin_and_logs(client, world):
    _as(client, world.users[R.HOTLINE_OPERATOR])
    url = reverse("tickets:ticket_create")
    resp = client.get(url, {"q": "jfb"})
    assert [o.pk for o in resp.context["candidates"]] == [world.outlets["A"].pk]
    assert resp.context["form"].initial["channel"] == "12345"  # the hotline's own number
    # Searching keeps what was typed and judges nothing yet.
    resp = client.post(url, {"do": "search", "outlet_q": "spb", "content": "咨询办卡材料", "caller_contact": PHONE})
    assert resp.status_code == 200 and not resp.context["form"].is_bound
    assert {o.pk for o in resp.context["candidates"]} == {world.outlets["B"].pk, world.outlets["AB"].pk}
    assert "咨询办卡材料" in resp.content.decode()
    # Submitting without an outlet names the field.
    resp = client.post(url, {"do": "log", "channel": "12345", "category": "complaint", "content": "x"})
    assert resp.status_code == 200 and "outlet" in resp.context["form"].errors
    assert not Ticket.objects.exists()
    resp = client.post(
        url,
        {
            "do": "log",
            "outlet": world.outlets["B"].pk,
            "channel": "12345",
            "category": "complaint",
            "content": "排队时间过长",
            "caller_name": CALLER,
            "caller_contact": PHONE,
            "received_at": "2026-05-11T09:30",
        },
    )
    ticket = Ticket.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("tickets:ticket_detail", args=[ticket.pk])
    assert ticket.outlet_id == world.outlets["B"].pk and ticket.caller_contact == PHONE
    assert str(ticket.response_due_on) == "2026-05-14"


def test_log_form_without_calendar_says_so(client, world):
    _as(client, world.users[R.HOTLINE_OPERATOR])
    resp = client.post(
        reverse("tickets:ticket_create"),
        {
            "do": "log",
            "outlet": world.outlets["A"].pk,
            "channel": "12345",
            "category": "complaint",
            "content": "x",
            "received_at": "2023-05-11T09:30",
        },
    )
    assert resp.status_code == 422 and "工作日历" in resp.content.decode()
    assert not Ticket.objects.exists()


# --- actions -----------------------------------------------------------------------------------------------------


def test_answer_and_close_through_the_pages(client, world):
    ticket = log(world)
    _as(client, world.users[R.OUTLET_STAFF])
    url = reverse("tickets:ticket_action", args=[ticket.pk, "answer"])
    assert client.post(url, {"version": ticket.version, "answer": ""}).status_code == 200
    resp = client.post(url, {"version": ticket.version, **ACTION_DATA["answer"]})
    assert resp.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "answered"
    _as(client, world.users[R.HOTLINE_OPERATOR])
    url = reverse("tickets:ticket_action", args=[ticket.pk, "close"])
    resp = client.post(url, {"version": ticket.version, "satisfaction": "5"})
    assert resp.status_code == 200 and "确认" in resp.content.decode()  # irreversible: confirmation asked
    resp = client.post(url, {"version": ticket.version, "satisfaction": "5", "confirm": "yes"})
    assert resp.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.satisfaction) == ("closed", 5)
    # The case page shows the timeline with the masked caller in the log step.
    html = client.get(reverse("tickets:ticket_detail", args=[ticket.pk])).content.decode()
    assert "登记工单" in html and "答复" in html and "办结" in html and PHONE not in html


# --- problem reports ---------------------------------------------------------------------------------------------


def test_problem_report_pages(client, world):
    _as(client, world.users[R.OUTLET_STAFF])
    url = reverse("tickets:problem_report_create")
    assert "title" in client.post(url, {"title": "", "description": "d"}).context["form"].errors
    resp = client.post(url, {"title": "读卡器故障", "description": "两台读卡器报错", "documents": [pdf("a.pdf")]})
    pr = ProblemReport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("tickets:problem_report_detail", args=[pr.pk])
    html = client.get(resp["Location"]).content.decode()
    assert "读卡器故障" in html and "a.pdf" in html
    html = _as(client, world.users[R.DISTRICT_OFFICER]).get(reverse("tickets:problem_report_list")).content.decode()
    assert f'data-report="{pr.pk}"' in html
    detail = client.get(reverse("tickets:problem_report_detail", args=[pr.pk])).content.decode()
    assert _buttons(detail) == {"reply"}
    resp = client.post(
        reverse("tickets:problem_report_action", args=[pr.pk, "reply"]), {"version": pr.version, **ACTION_DATA["reply"]}
    )
    assert resp.status_code == 302
    pr.refresh_from_db()
    assert pr.state == "replied"
    html = _as(client, world.other[R.DISTRICT_OFFICER]).get(reverse("tickets:problem_report_list")).content.decode()
    assert f'data-report="{pr.pk}"' not in html


# --- query counts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["tickets:ticket_list", "tickets:problem_report_list", "tickets:ticket_export"])
@pytest.mark.parametrize("role", [R.CENTER_OFFICER, R.DISTRICT_OFFICER, R.OUTLET_STAFF])
def test_page_query_count_does_not_grow_with_rows(client, world, settings, url_name, role):
    settings.SSC_CALENDAR_RECHECK_SECONDS = 3600  # no timed calendar re-check inside a measured request
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _as(client, world.users[role])
    url = reverse(url_name)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
            if getattr(resp, "streaming", False):
                b"".join(resp.streaming_content)
        assert resp.status_code == 200
        return len(ctx.captured_queries)

    log(world)
    ticket_in_state(world, "answered")
    report(world)
    client.get(url)  # warm: session, calendar cache
    few = count()
    for _ in range(4):
        log(world)
        ticket_in_state(world, "closed")
        report(world)
    assert count() == few
