"""Ticket and problem report services: logging, the per-channel response deadline over real working days, the
later actions, masking in history/audit/notifications, the audited "show number", complaint counts, the inbox."""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.errors import CalendarMissing, InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet
from ssc.tickets import selectors, services
from ssc.tickets.masking import mask_contact, mask_name
from ssc.tickets.models import ChannelPolicy, ProblemReport, Ticket
from ssc.workflow.models import CaseEvent

from .conftest import ACTION_DATA, CALLER, MASKED, PHONE, at, log, log_data, pdf, report, ticket_in_state

R = Role
pytestmark = pytest.mark.django_db


def _deadline(ticket) -> Deadline:
    return Deadline.objects.filter(case_type="ticket", case_id=ticket.pk).order_by("-id").first()


def _answer(world, ticket, day, hour=16):
    return services.perform_ticket(
        ticket.pk, "answer", actor=world.users[R.OUTLET_STAFF], data=ACTION_DATA["answer"], at=at(day, hour)
    )


# --- masking -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 138-1234-1234", "861****1234"),
        ("023-63000001", "023****0001"),
        ("12345", "***45"),
        ("zhang.san@example.com", "z***@example.com"),
        ("", ""),
    ],
)
def test_mask_contact(raw, masked):
    assert mask_contact(raw) == masked


def test_mask_name():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李*"
    assert mask_name("") == ""


# --- log ---------------------------------------------------------------------------------------------------------


def test_log_opens_the_ticket_with_the_channel_deadline(world):
    """SCENARIOS B.1: 2026-05-11 (Monday) a 12345 operator logs a complaint; 3 working days → Thursday 05-14."""
    ticket = log(world)
    assert ticket.state == "open" and ticket.version == 2
    assert ticket.hotline_id == world.orgs["hotline"].pk and ticket.logged_by == world.users[R.HOTLINE_OPERATOR]
    assert ticket.response_due_on == date(2026, 5, 14)
    d = _deadline(ticket)
    assert (d.kind, d.started_on, d.due_on, d.status, d.responsible) == (
        "ticket_response",
        date(2026, 5, 11),
        date(2026, 5, 14),
        "pending",
        "outlet",
    )
    assert d.district_id == world.districts["A"].pk and d.article == "10"
    event = CaseEvent.objects.get(case_type="ticket", case_id=ticket.pk)
    assert (event.action, event.from_state, event.to_state, event.article) == ("log", "new", "open", "10")
    assert event.organisation_id == world.orgs["hotline"].pk


def test_log_deadline_counts_from_the_day_of_receipt_over_the_may_holiday(world):
    """Received Thursday 2026-04-30, logged the next working day: 3 working days after 04-30 skip 05-01..05 →
    2026-05-08, whatever the day it was logged."""
    ticket = services.ticket_log(
        actor=world.users[R.HOTLINE_OPERATOR],
        data=log_data(world, received_at="2026-04-30T18:40:00+08:00"),
        at=at("2026-05-06", 9),
    )
    assert ticket.response_due_on == date(2026, 5, 8)
    assert _deadline(ticket).started_on == date(2026, 4, 30)


def test_received_at_defaults_to_the_time_of_logging(world):
    data = log_data(world)
    del data["received_at"]
    ticket = services.ticket_log(actor=world.users[R.HOTLINE_OPERATOR], data=data, at=at("2026-05-11", 11))
    assert ticket.received_at == at("2026-05-11", 11)


def test_log_refuses_others_and_bad_payloads_and_leaves_nothing(world):
    for role in (R.OUTLET_STAFF, R.DISTRICT_OFFICER, R.CENTER_OFFICER, R.REGULATOR, R.BANK_APPLICANT):
        with pytest.raises(NotAllowed):
            services.ticket_log(actor=world.users[role], data=log_data(world), at=at("2026-05-11"))
    op = world.users[R.HOTLINE_OPERATOR]
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_log(
            actor=op,
            data=log_data(world, outlet=999999, channel="fax", category="praise", content="", caller_contact="abc"),
            at=at("2026-05-11"),
        )
    assert set(exc.value.errors) == {"outlet", "channel", "category", "content", "caller_contact"}
    # An outlet that does not serve cardholders (still applying) takes no tickets.
    Outlet.objects.filter(pk=world.outlets["B"].pk).update(status="applying")
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_log(actor=op, data=log_data(world, outlet=world.outlets["B"].pk), at=at("2026-05-11"))
    assert "outlet" in exc.value.errors
    # Received after it was logged: refused by name.
    with pytest.raises(ValidationFailed) as exc:
        services.ticket_log(
            actor=op, data=log_data(world, received_at="2026-05-11T15:00:00+08:00"), at=at("2026-05-11", 10)
        )
    assert "received_at" in exc.value.errors
    assert not Ticket.objects.exists() and not Deadline.objects.filter(case_type="ticket").exists()


def test_log_without_a_calendar_for_the_year_says_so_and_saves_nothing(world):
    with pytest.raises(CalendarMissing):
        services.ticket_log(
            actor=world.users[R.HOTLINE_OPERATOR],
            data=log_data(world, received_at="2023-06-01T10:00:00+08:00"),
            at=at("2023-06-01", 11),
        )
    assert not Ticket.objects.exists()


def test_hotline_operators_log_against_any_district(world):
    ticket = log(world, outlet=world.outlets["B"].pk)
    assert ticket.outlet_id == world.outlets["B"].pk
    assert _deadline(ticket).district_id == world.districts["B"].pk


# --- the response deadline, met or missed by channel policy ------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "workdays", "answered_on", "due", "status"),
    [
        ("12345", None, "2026-05-08", date(2026, 5, 8), "met"),  # default 3 working days: 05-06, 07, 08
        ("12345", None, "2026-05-09", date(2026, 5, 8), "missed"),  # the make-up Saturday is a day too late
        ("bank", 5, "2026-05-09", date(2026, 5, 11), "met"),  # 5 days: …, 05-09 (调休 Saturday), 05-11
        ("bank", 5, "2026-05-11", date(2026, 5, 11), "met"),  # on the last day (Art 203)
        ("bank", 5, "2026-05-12", date(2026, 5, 11), "missed"),
        ("12333", 1, "2026-05-06", date(2026, 5, 6), "met"),  # 1 working day after 04-30 is after the holiday
        ("12333", 1, "2026-05-07", date(2026, 5, 6), "missed"),
    ],
)
def test_response_deadline_met_or_missed_by_channel(world, channel, workdays, answered_on, due, status):
    if workdays is not None:
        ChannelPolicy.objects.create(channel=channel, response_workdays=workdays)
    ticket = log(world, day="2026-04-30", channel=channel)
    assert ticket.response_due_on == due
    ticket = _answer(world, ticket, answered_on)
    assert ticket.state == "answered"
    d = _deadline(ticket)
    assert (d.due_on, d.completed_on, d.status) == (due, date.fromisoformat(answered_on), status)
    event = CaseEvent.objects.get(case_type="ticket", case_id=ticket.pk, action="answer")
    assert event.payload["deadlines"] == [{"kind": "ticket_response", "due_on": due.isoformat(), "status": status}]


def test_the_sweep_marks_an_unanswered_ticket_missed_and_it_stays_missed(world):
    ticket = log(world)  # due 2026-05-14
    assert deadlines.sweep(today=date(2026, 5, 14)).missed == []  # the last day still counts
    swept = deadlines.sweep(today=date(2026, 5, 15))
    assert [d.case_id for d in swept.missed if d.case_type == "ticket"] == [ticket.pk]
    ticket = _answer(world, ticket, "2026-05-15")
    assert _deadline(ticket).status == "missed"


def test_policy_change_applies_to_tickets_logged_afterwards(world):
    first = log(world)
    ChannelPolicy.objects.create(channel="12345", response_workdays=2)
    second = log(world)
    assert (first.response_due_on, second.response_due_on) == (date(2026, 5, 14), date(2026, 5, 13))


# --- answer, reopen, close ---------------------------------------------------------------------------------------


def test_district_officer_answers_and_the_hotline_closes(world):
    ticket = log(world)
    ticket = services.perform_ticket(
        ticket.pk, "answer", actor=world.users[R.DISTRICT_OFFICER], data=ACTION_DATA["answer"], at=at("2026-05-12")
    )
    assert ticket.answer == ACTION_DATA["answer"]["answer"] and ticket.answered_at == at("2026-05-12")
    ticket = services.perform_ticket(
        ticket.pk, "close", actor=world.users[R.HOTLINE_OPERATOR], data={"satisfaction": "5"}, at=at("2026-05-13")
    )
    assert (ticket.state, ticket.satisfaction, ticket.closed_at) == ("closed", 5, at("2026-05-13"))


def test_close_without_satisfaction_and_bad_satisfaction(world):
    ticket = ticket_in_state(world, "answered")
    with pytest.raises(ValidationFailed) as exc:
        services.perform_ticket(ticket.pk, "close", actor=world.users[R.DISTRICT_OFFICER], data={"satisfaction": 6})
    assert "satisfaction" in exc.value.errors
    ticket = services.perform_ticket(ticket.pk, "close", actor=world.users[R.DISTRICT_OFFICER], data={})
    assert ticket.state == "closed" and ticket.satisfaction is None


def test_reopen_sends_it_back_with_a_new_deadline(world):
    ticket = ticket_in_state(world, "answered")  # answered 05-12, in time
    ticket = services.perform_ticket(
        ticket.pk, "reopen", actor=world.users[R.HOTLINE_OPERATOR], data=ACTION_DATA["reopen"], at=at("2026-05-14")
    )
    assert ticket.state == "open" and ticket.answer == "" and ticket.answered_at is None
    assert ticket.response_due_on == date(2026, 5, 19)  # 3 working days after Thursday 05-14
    rows = list(Deadline.objects.filter(case_type="ticket", case_id=ticket.pk).order_by("id"))
    assert [(d.status, d.due_on) for d in rows] == [("met", date(2026, 5, 14)), ("pending", date(2026, 5, 19))]
    ticket = _answer(world, ticket, "2026-05-20")
    rows = list(Deadline.objects.filter(case_type="ticket", case_id=ticket.pk).order_by("id"))
    assert [d.status for d in rows] == ["met", "missed"]
    # The first answer stays in the history.
    answers = CaseEvent.objects.filter(case_type="ticket", case_id=ticket.pk, action="answer").count()
    assert answers == 2


def test_actions_refused_by_state_and_role(world):
    ticket = log(world)
    with pytest.raises(InvalidState):
        services.perform_ticket(ticket.pk, "close", actor=world.users[R.HOTLINE_OPERATOR], data={})
    with pytest.raises(NotAllowed):
        services.perform_ticket(ticket.pk, "answer", actor=world.users[R.BANK_APPLICANT], data=ACTION_DATA["answer"])
    with pytest.raises(NotFound):
        services.perform_ticket(ticket.pk, "answer", actor=world.other[R.DISTRICT_OFFICER], data=ACTION_DATA["answer"])
    with pytest.raises(NotFound):
        services.perform_ticket(ticket.pk, "answer", actor=world.other[R.OUTLET_STAFF], data=ACTION_DATA["answer"])


# --- masking in history, audit and notifications -----------------------------------------------------------------


def test_caller_data_never_stored_in_the_clear_outside_the_ticket(world):
    ticket = ticket_in_state(world, "closed")
    payload = CaseEvent.objects.get(case_type="ticket", case_id=ticket.pk, action="log").payload
    assert payload["caller_contact"] == MASKED and payload["caller_name"] == "张**"
    for event in CaseEvent.objects.filter(case_type="ticket"):
        assert PHONE not in str(event.payload) and CALLER not in str(event.payload)
    events = AuditEvent.objects.filter(object_type="tickets.ticket")
    assert events.count() >= 3
    for e in events:
        assert PHONE not in e.before_json + e.after_json + e.object_repr
        assert CALLER not in e.before_json + e.after_json + e.object_repr
    assert MASKED in AuditEvent.objects.get(action="ticket.log").after_json
    for n in Notification.objects.all():
        assert PHONE not in n.title + n.body and CALLER not in n.title + n.body


# --- show number -------------------------------------------------------------------------------------------------


def test_reveal_for_the_callers_callers_only_and_audited(world, colleague, hotline2):
    ticket = log(world)
    allowed = [
        world.users[R.HOTLINE_OPERATOR],
        colleague,  # the same hotline: whoever is on shift calls back
        world.users[R.OUTLET_STAFF],
        world.users[R.DISTRICT_OFFICER],
    ]
    for user in allowed:
        got = services.ticket_contact_reveal(ticket_id=ticket.pk, actor=user)
        assert got == {"caller_name": CALLER, "caller_contact": PHONE}
        event = AuditEvent.objects.filter(action="ticket.read_personal_data").latest("seq")
        assert event.actor_id == user.pk and event.object_id == str(ticket.pk)
        assert event.article == "10" and '"caller_contact"' in event.after_json and PHONE not in event.after_json
    refused = [
        world.users[r]
        for r in (
            R.DISTRICT_LEADER,
            R.CENTER_OFFICER,
            R.CENTER_LEADER,
            R.REGULATOR,
            R.BANK_APPLICANT,
            R.BANK_HEAD_OFFICE,
            R.SYSTEM_ADMIN,
        )
    ]
    for user in refused:
        with pytest.raises(NotAllowed):
            services.ticket_contact_reveal(ticket_id=ticket.pk, actor=user)
    for user in (hotline2, world.other[R.DISTRICT_OFFICER], world.other[R.OUTLET_STAFF], world.users[R.AUDIT_ADMIN]):
        with pytest.raises(NotFound):
            services.ticket_contact_reveal(ticket_id=ticket.pk, actor=user)
    assert AuditEvent.objects.filter(action="ticket.read_personal_data").count() == len(allowed)


def test_no_reveal_once_closed(world):
    ticket = ticket_in_state(world, "closed")
    assert not services.may_reveal_contact(ticket, world.users[R.HOTLINE_OPERATOR])
    with pytest.raises(InvalidState):
        services.ticket_contact_reveal(ticket_id=ticket.pk, actor=world.users[R.HOTLINE_OPERATOR])
    assert not AuditEvent.objects.filter(action="ticket.read_personal_data").exists()


# --- complaint counts --------------------------------------------------------------------------------------------


def test_complaint_count_by_day_of_receipt(world):
    log(world, day="2026-05-04")  # a holiday, still received
    log(world, day="2026-05-11")
    log(world, day="2026-05-11", category="consultation")
    log(world, day="2026-05-11", outlet=world.outlets["B"].pk)
    # 23:30 local on the 31st is in May, though it is 15:30 UTC.
    services.ticket_log(
        actor=world.users[R.HOTLINE_OPERATOR],
        data=log_data(world, received_at="2026-05-31T23:30:00+08:00"),
        at=at("2026-06-01", 9),
    )
    a, b = world.outlets["A"].pk, world.outlets["B"].pk
    assert selectors.complaint_count(a, date(2026, 5, 1), date(2026, 5, 31)) == 3
    assert selectors.complaint_count(a, date(2026, 5, 5), date(2026, 5, 31)) == 2
    assert selectors.complaint_count(a, date(2026, 5, 11), date(2026, 5, 11)) == 1
    assert selectors.complaint_count(a, date(2026, 6, 1), date(2026, 6, 30)) == 0
    assert selectors.complaint_count(a, date(2026, 6, 1), date(2026, 5, 1)) == 0
    assert selectors.complaint_counts([a, b, world.outlets["AB"].pk], date(2026, 5, 1), date(2026, 5, 31)) == {
        a: 3,
        b: 1,
        world.outlets["AB"].pk: 0,
    }


# --- inbox -------------------------------------------------------------------------------------------------------


def test_awaiting_per_role(world, hotline2):
    open_ticket = log(world)
    answered = ticket_in_state(world, "answered")
    ticket_in_state(world, "closed")
    pr = report(world)

    def cases(user):
        return [(i.case_type, i.case.pk) for i in selectors.awaiting(user)]

    assert cases(world.users[R.OUTLET_STAFF]) == [("ticket", open_ticket.pk)]
    assert cases(world.users[R.DISTRICT_OFFICER]) == [("ticket", open_ticket.pk), ("problem_report", pr.pk)]
    assert cases(world.users[R.HOTLINE_OPERATOR]) == [("ticket", answered.pk)]
    for user in (hotline2, world.other[R.DISTRICT_OFFICER], world.users[R.CENTER_OFFICER], world.users[R.REGULATOR]):
        assert cases(user) == []
    item = selectors.awaiting(world.users[R.DISTRICT_OFFICER])[0]
    assert item.task == "答复" and item.due_on == date(2026, 5, 14) and item.url == f"/tickets/{open_ticket.pk}/"
    assert selectors.awaiting_counts(world.users[R.DISTRICT_OFFICER]) == {"ticket": 1, "problem_report": 1}


def test_notifications_reach_who_acts_next(world, colleague):
    ticket = log(world)
    told = set(Notification.objects.filter(kind="ticket.log").values_list("user_id", flat=True))
    assert told == {world.users[R.OUTLET_STAFF].pk, world.users[R.DISTRICT_OFFICER].pk}
    _answer(world, ticket, "2026-05-12")
    told = set(Notification.objects.filter(kind="ticket.answer").values_list("user_id", flat=True))
    assert told == {world.users[R.HOTLINE_OPERATOR].pk, colleague.pk}


# --- problem reports ---------------------------------------------------------------------------------------------


def test_problem_report_flow_with_documents(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pr = report(world, files={"documents": [pdf("photo1.pdf"), pdf("photo2.pdf")]})
    assert pr.state == "submitted" and pr.outlet_id == world.outlets["A"].pk
    assert pr.reported_by == world.users[R.OUTLET_STAFF] and pr.reported_at == at("2026-05-12")
    event = CaseEvent.objects.get(case_type="problem_report", case_id=pr.pk)
    assert (event.action, event.article, len(event.payload["documents"])) == ("report", "10", 2)
    told = set(Notification.objects.filter(kind="problem_report.report").values_list("user_id", flat=True))
    assert told == {world.users[R.DISTRICT_OFFICER].pk}
    pr = services.perform_problem_report(
        pr.pk, "reply", actor=world.users[R.DISTRICT_OFFICER], data=ACTION_DATA["reply"], at=at("2026-05-13")
    )
    assert pr.state == "replied" and pr.reply == ACTION_DATA["reply"]["reply"] and pr.replied_at == at("2026-05-13")
    told = set(Notification.objects.filter(kind="problem_report.reply").values_list("user_id", flat=True))
    assert told == {world.users[R.OUTLET_STAFF].pk}


def test_problem_report_refusals(world):
    for role in (R.BANK_APPLICANT, R.DISTRICT_OFFICER, R.HOTLINE_OPERATOR, R.CENTER_OFFICER):
        with pytest.raises(NotAllowed):
            services.problem_report_create(actor=world.users[role], data={"title": "x", "description": "y"})
    with pytest.raises(ValidationFailed) as exc:
        services.problem_report_create(actor=world.users[R.OUTLET_STAFF], data={"title": "", "description": ""})
    assert set(exc.value.errors) == {"title", "description"}
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="terminated")
    with pytest.raises(InvalidState):
        services.problem_report_create(actor=world.users[R.OUTLET_STAFF], data={"title": "x", "description": "y"})
    assert not ProblemReport.objects.exists()
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="active")
    pr = report(world)
    with pytest.raises(NotFound):
        services.perform_problem_report(pr.pk, "reply", actor=world.other[R.DISTRICT_OFFICER], data={"reply": "x"})
    with pytest.raises(NotAllowed):
        services.perform_problem_report(pr.pk, "reply", actor=world.users[R.DISTRICT_LEADER], data={"reply": "x"})
    with pytest.raises(NotFound):  # problem reports are not the hotlines' business
        services.perform_problem_report(pr.pk, "reply", actor=world.users[R.HOTLINE_OPERATOR], data={"reply": "x"})


def test_the_common_inbox_lists_tickets_and_problem_reports(world):
    """The common inbox (``ssc.workflow.inbox``) reads the tables and ``selectors.NOT_AWAITING``: the outlet sees
    its open ticket with the response deadline, the district also the problem report, the hotline what it must
    call back; a district officer is not asked to close, an operator not to reopen."""
    inbox = pytest.importorskip("ssc.workflow.inbox")
    open_ticket = log(world)
    answered = ticket_in_state(world, "answered")
    pr = report(world)

    def items(user):
        return [
            (i.case_type, i.case.pk, i.task) for i in inbox.inbox_items(user, case_types=["ticket", "problem_report"])
        ]

    assert items(world.users[R.OUTLET_STAFF]) == [("ticket", open_ticket.pk, "答复")]
    assert items(world.users[R.DISTRICT_OFFICER]) == [
        ("ticket", open_ticket.pk, "答复"),
        ("problem_report", pr.pk, "答复"),
    ]
    assert items(world.users[R.HOTLINE_OPERATOR]) == [("ticket", answered.pk, "办结")]
    first = inbox.inbox_items(world.users[R.OUTLET_STAFF], case_types=["ticket"])[0]
    assert first.due_on == date(2026, 5, 14) and first.overdue and first.url == f"/tickets/{open_ticket.pk}/"
