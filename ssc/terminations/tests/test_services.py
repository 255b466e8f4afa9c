"""Termination services (Art 8, 9): every ground's precondition, who may initiate, the ground-dependent steps, filing
(outlet hidden, deadline started), closing (accounts, roster, agreements, outlet terminated), one open case per outlet,
cancelling, the deadline met or missed, and a terminated outlet applying again."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.deadlines import services as deadlines
from ssc.deadlines.models import Deadline
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet, SystemAccount
from ssc.roster.models import ChangeKind, RosterChange, RosterEntry, RosterVersion
from ssc.terminations import selectors, services
from ssc.terminations.models import Termination
from ssc.workflow.models import CaseEvent

from .conftest import (
    ACCOUNTS,
    act,
    agreement,
    at,
    initiate,
    initiate_data,
    make_ground_available,
    non_compliant_relocation,
    overdue_rectification,
    pdf,
    put_in_state,
)

R = Role
GROUNDS = ["8.1", "8.2", "8.3", "8.4", "9.1", "9.2", "9.3", "9.4"]
NEEDS_RECORD = ["8.3", "9.3", "9.4"]


def _status(world, key="A"):
    return Outlet.objects.get(pk=world.outlets[key].pk).status


@pytest.mark.parametrize("ground", NEEDS_RECORD)
def test_ground_needing_a_record_is_refused_without_it_and_accepted_with_it(world, ground):
    officer = world.users[R.DISTRICT_OFFICER]
    with pytest.raises(InvalidState) as exc:
        initiate(world, ground, role=R.DISTRICT_OFFICER)
    assert {"8.3": "逾期", "9.3": "迁址", "9.4": "未续签"}[ground] in str(exc.value.detail)
    assert not Termination.objects.exists()
    opts = {o.code: o for o in selectors.available_grounds(world.outlets["A"], officer)}
    assert not opts[ground].available and opts[ground].reason

    make_ground_available(world, ground)
    assert {o.code: o for o in selectors.available_grounds(world.outlets["A"], officer)}[ground].available
    case = initiate(world, ground, role=R.DISTRICT_OFFICER)
    assert case.state == "initiated" and case.ground == ground
    linked = {"8.3": case.rectification_id, "9.3": case.relocation_id, "9.4": case.agreement_id}[ground]
    assert linked is not None
    event = CaseEvent.objects.get(case_type="termination", case_id=case.pk, action="initiate")
    assert event.payload["ground_article"] == ground.replace(".", "(") + ")"
    # The outlet keeps serving until the filing.
    assert _status(world) in ("active", "under_rectification")


def test_8_3_needs_an_overdue_rectification_not_just_an_open_one(world):
    from ssc.rectification import services as rect

    rect.issue(
        actor=world.users[R.DISTRICT_OFFICER],
        outlet_id=world.outlets["A"].pk,
        data={"items": ["x"], "issued_on": "2026-09-01", "source": "other"},
        at=at("2026-09-01"),
    )
    with pytest.raises(InvalidState):
        initiate(world, "8.3")


def test_9_4_agreement_still_running_or_renewed_is_not_a_ground(world):
    running = agreement(world, date(2029, 3, 15))
    with pytest.raises(InvalidState):
        initiate(world, "9.4")
    running.delete()
    # Ended, but renewed: still not a ground.
    old = agreement(world, date(2026, 6, 30))
    renewal = agreement(world, date(2029, 6, 30))
    renewal.renews = old
    renewal.term_start = date(2026, 7, 1)
    renewal.save()
    with pytest.raises(InvalidState):
        initiate(world, "9.4")
    # Without the renewal it is.
    renewal.delete()
    assert initiate(world, "9.4").agreement_id == old.pk


@pytest.mark.parametrize("ground", ["8.1", "8.2", "8.4", "9.1", "9.2"])
def test_grounds_without_a_record_are_accepted_for_the_district_officer(world, ground):
    case = initiate(world, ground, role=R.DISTRICT_OFFICER)
    assert case.state == "initiated" and case.initiator_side == "district"
    assert case.initiator_organisation_id == world.orgs["agencyA"].pk


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (R.BANK_HEAD_OFFICE, {"9.1", "9.2"}),
        (R.BANK_APPLICANT, {"9.2"}),
        (R.DISTRICT_OFFICER, set(GROUNDS)),
    ],
)
def test_who_may_initiate_on_which_ground(world, role, allowed):
    for ground in NEEDS_RECORD:
        make_ground_available(world, ground)
    opts = {o.code: o for o in selectors.available_grounds(world.outlets["A"], world.users[role])}
    assert {c for c, o in opts.items() if o.available} == allowed
    for ground in sorted(set(GROUNDS) - allowed):
        with pytest.raises(NotAllowed):
            initiate(world, ground, role=role)
    assert not Termination.objects.exists()


@pytest.mark.parametrize(
    "role", [R.DISTRICT_LEADER, R.CENTER_OFFICER, R.CENTER_LEADER, R.REGULATOR, R.OUTLET_STAFF, R.HOTLINE_OPERATOR]
)
def test_other_roles_cannot_initiate(world, role):
    with pytest.raises(NotAllowed):
        initiate(world, "9.2", role=role)
    assert all(not o.available for o in selectors.available_grounds(world.outlets["A"], world.users[role]))


def test_outside_scope_is_not_found(world):
    for user in (world.other[R.DISTRICT_OFFICER], world.other[R.BANK_HEAD_OFFICE], world.other[R.BANK_APPLICANT]):
        with pytest.raises(NotFound):
            services.initiate(actor=user, outlet_id=world.outlets["A"].pk, data=initiate_data("9.2"))
    # Bank A's head office reaches its outlet in district B; district A's officer does not.
    case = services.initiate(
        actor=world.users[R.BANK_HEAD_OFFICE], outlet_id=world.outlets["AB"].pk, data=initiate_data("9.1")
    )
    assert case.state == "initiated"
    with pytest.raises(NotFound):
        services.initiate(
            actor=world.users[R.DISTRICT_OFFICER], outlet_id=world.outlets["AB"].pk, data=initiate_data("8.1")
        )


def test_bad_payload_names_the_fields(world):
    with pytest.raises(ValidationFailed) as exc:
        services.initiate(
            actor=world.users[R.DISTRICT_OFFICER], outlet_id=world.outlets["A"].pk, data={"ground": "7.1"}
        )
    assert set(exc.value.errors) == {"ground", "reasons"}
    assert not Termination.objects.exists()


def test_outlet_that_does_not_cooperate_cannot_be_terminated(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="preparing")
    with pytest.raises(InvalidState):
        initiate(world, "8.1")
    assert all(
        not o.available
        for o in selectors.available_grounds(
            Outlet.objects.get(pk=world.outlets["A"].pk), world.users[R.DISTRICT_OFFICER]
        )
    )


def test_one_open_termination_per_outlet(world):
    first = initiate(world, "8.1")
    with pytest.raises(InvalidState):
        initiate(world, "8.2")
    assert selectors.open_termination_for_outlet(world.outlets["A"]) == first
    assert all(
        not o.available for o in selectors.available_grounds(world.outlets["A"], world.users[R.DISTRICT_OFFICER])
    )
    # The database holds the rule too (a concurrent initiate cannot slip past the check).
    with pytest.raises(IntegrityError), transaction.atomic():
        Termination.objects.create(
            outlet=world.outlets["A"],
            state="initiated",
            initiated_by=world.users[R.DISTRICT_OFFICER],
            initiator_side="district",
        )
    # Once cancelled, a new one may start.
    services.perform(first.pk, "cancel", actor=world.users[R.DISTRICT_OFFICER], data={"reason": "撤销"})
    assert selectors.open_termination_for_outlet(world.outlets["A"]) is None
    assert initiate(world, "8.2").state == "initiated"


# --- the ground-dependent steps -------------------------------------------------------------------------------


def test_9_1_cannot_be_decided_without_the_centers_written_consent(world):
    case = initiate(world, "9.1")
    leader = world.users[R.DISTRICT_LEADER]
    from ssc.terminations.workflow import TERMINATION

    assert TERMINATION.allowed_actions(case, leader) == []
    with pytest.raises(InvalidState) as exc:
        act(world, case, "decide")
    assert "书面同意" in str(exc.value.detail)
    # The consent must carry its document.
    with pytest.raises(ValidationFailed) as exc2:
        services.perform(
            case.pk, "center_consent", actor=world.users[R.CENTER_LEADER], data={"consented_on": "2026-10-09"}
        )
    assert "consent_document" in exc2.value.errors
    # The center's officer is not its leader.
    with pytest.raises(NotAllowed):
        services.perform(case.pk, "center_consent", actor=world.users[R.CENTER_OFFICER], data={})
    case = act(world, case, "center_consent")
    assert case.state == "consented"
    assert TERMINATION.allowed_actions(case, leader) == ["decide"]
    case = act(world, case, "decide")
    assert case.state == "decided" and case.legal_liability == ""


def test_center_consent_and_counterparty_agree_belong_to_their_grounds(world):
    case = initiate(world, "8.1")
    with pytest.raises(InvalidState):
        act(world, case, "center_consent")
    # The bank (the other side) may not agree on a ground that is not 9(2): 409, with the reason.
    with pytest.raises(InvalidState) as exc:
        services.perform(
            case.pk,
            "counterparty_agree",
            actor=world.users[R.BANK_HEAD_OFFICE],
            data={"agreed_on": "2026-10-09", "statement": "同意"},
        )
    assert "第九条第(二)项" in str(exc.value.detail)
    from ssc.terminations.workflow import TERMINATION

    assert TERMINATION.allowed_actions(case, world.users[R.BANK_HEAD_OFFICE]) == []

    assert TERMINATION.allowed_actions(case, world.users[R.CENTER_LEADER]) == []
    assert TERMINATION.allowed_actions(case, world.users[R.DISTRICT_LEADER]) == ["decide"]


def test_9_2_needs_the_other_sides_agreement(world):
    case = initiate(world, "9.2")  # by the bank applicant
    with pytest.raises(InvalidState):
        act(world, case, "decide")
    # The initiating side cannot agree with itself.
    for user in (world.users[R.BANK_APPLICANT], world.users[R.BANK_HEAD_OFFICE]):
        with pytest.raises(NotAllowed):
            services.perform(
                case.pk, "counterparty_agree", actor=user, data={"agreed_on": "2026-10-09", "statement": "同意"}
            )
    case = act(world, case, "counterparty_agree")  # the district
    assert case.state == "agreed" and case.facts["counterparty_agree"]["side"] == "district"
    assert act(world, case, "decide").state == "decided"


def test_9_2_initiated_by_the_district_is_agreed_by_the_bank(world):
    case = initiate(world, "9.2", role=R.DISTRICT_OFFICER)
    with pytest.raises(NotAllowed):
        services.perform(
            case.pk,
            "counterparty_agree",
            actor=world.users[R.DISTRICT_OFFICER],
            data={"agreed_on": "2026-10-09", "statement": "同意"},
        )
    case = services.perform(
        case.pk,
        "counterparty_agree",
        actor=world.users[R.BANK_HEAD_OFFICE],
        data={"agreed_on": "2026-10-09", "statement": "总行同意"},
    )
    assert case.state == "agreed"


def test_art_8_decision_requires_the_legal_liability_record(world):
    case = initiate(world, "8.2")
    with pytest.raises(ValidationFailed) as exc:
        act(world, case, "decide", legal_liability="  ")
    assert "legal_liability" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.perform(case.pk, "decide", actor=world.users[R.DISTRICT_LEADER], data={"decided_on": "2026-10-10"})
    assert {"decision_document", "legal_liability"} <= set(exc.value.errors)
    case = act(world, case, "decide")
    assert case.legal_liability == "已依协议追究违约责任" and case.decided_on == date(2026, 10, 10)
    assert [d.kind for d in case_documents(case)] == ["decision"]


def case_documents(case):
    from ssc.documents.models import Document

    return list(Document.objects.filter(case_type="termination", case_id=case.pk))


# --- filing and closing ---------------------------------------------------------------------------------------


def test_filing_hides_the_outlet_at_once_and_starts_the_centers_deadline(listed, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    world = listed
    case = put_in_state(world, "decided")
    assert RosterEntry.objects.get(outlet=world.outlets["A"]).hidden is False
    public = APIClient()
    assert world.outlets["A"].pk in {o["id"] for o in public.get("/api/v1/public/outlets/").json()["results"]}
    with django_capture_on_commit_callbacks(execute=True):
        case = act(world, case, "file_with_center")
    # The public directory no longer lists it (its cache follows the roster signal sent at commit).
    listed_ids = {o["id"] for o in public.get("/api/v1/public/outlets/").json()["results"]}
    assert world.outlets["A"].pk not in listed_ids and world.outlets["B"].pk in listed_ids
    assert case.state == "filed" and case.filed_on == date(2026, 10, 12)
    assert _status(world) == "terminating"
    assert RosterEntry.objects.get(outlet=world.outlets["A"]).hidden is True
    d = Deadline.objects.get(case_type="termination", case_id=case.pk)
    assert (d.kind, d.started_on, d.due_on, d.status, d.responsible) == (
        "center_close_accounts",
        date(2026, 10, 12),
        date(2026, 10, 19),
        "pending",
        "center",
    )
    # The center officer is told.
    assert Notification.objects.filter(user=world.users[R.CENTER_OFFICER], kind="termination.file_with_center").exists()
    # What the public directory reads (entries not hidden) no longer holds it; the others stay.
    visible = set(RosterEntry.objects.filter(hidden=False).values_list("outlet_id", flat=True))
    assert world.outlets["A"].pk not in visible and world.outlets["B"].pk in visible


def test_close_accounts_refused_while_an_account_stays_open_and_nothing_changes(listed):
    world = listed
    case = put_in_state(world, "filed")
    versions = RosterVersion.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        act(world, case, "close_accounts", accounts=ACCOUNTS[:2])
    assert "CQ-TM-0001" in exc.value.errors["accounts"][0]
    with pytest.raises(ValidationFailed) as exc:
        act(world, case, "close_accounts", accounts=[*ACCOUNTS, "NOT-MINE"])
    assert "NOT-MINE" in exc.value.errors["accounts"][0]
    case.refresh_from_db()
    assert case.state == "filed"
    assert SystemAccount.objects.filter(outlet=world.outlets["A"], closed_on__isnull=True).count() == 3
    assert _status(world) == "terminating" and RosterVersion.objects.count() == versions
    # A closing date before the filing is refused too.
    with pytest.raises(ValidationFailed) as exc:
        act(world, case, "close_accounts", closed_on="2026-10-01")
    assert "closed_on" in exc.value.errors


def test_close_accounts_closes_everything_and_removes_the_outlet(listed):
    world = listed
    running = agreement(world, date(2029, 3, 15))
    case = put_in_state(world, "filed")
    case = act(world, case, "close_accounts")
    assert case.state == "closed" and case.closed_on == date(2026, 10, 16)
    assert not SystemAccount.objects.filter(outlet=world.outlets["A"], closed_on__isnull=True).exists()
    assert set(SystemAccount.objects.filter(outlet=world.outlets["A"]).values_list("closed_on", flat=True)) == {
        date(2026, 10, 16)
    }
    assert _status(world) == "terminated"
    version = RosterVersion.objects.order_by("-number").first()
    change = RosterChange.objects.get(version=version, outlet=world.outlets["A"])
    assert change.kind == ChangeKind.REMOVED
    assert not RosterEntry.objects.filter(outlet=world.outlets["A"]).exists()
    running.refresh_from_db()
    assert running.status == "terminated" and running.ended_on == date(2026, 10, 16)
    d = Deadline.objects.get(case_type="termination", case_id=case.pk)
    assert (d.status, d.completed_on) == ("met", date(2026, 10, 16))
    # The district is informed; the bank too.
    for role in (R.DISTRICT_OFFICER, R.DISTRICT_LEADER, R.BANK_APPLICANT):
        assert Notification.objects.filter(user=world.users[role], kind="termination.close_accounts").exists()
    event = CaseEvent.objects.get(case_type="termination", case_id=case.pk, action="close_accounts")
    assert event.payload["accounts_closed"] == ACCOUNTS and event.payload["roster_version"] == version.number
    assert AuditEvent.objects.filter(action="termination.close_accounts").exists()


def test_outlet_without_accounts_closes_with_an_empty_list(world):
    case = put_in_state(world, "filed")
    case = act(world, case, "close_accounts", accounts=[])
    assert case.state == "closed" and _status(world) == "terminated"


def test_deadline_missed_when_the_center_is_late(listed):
    world = listed
    case = put_in_state(world, "filed")
    result = deadlines.sweep(today=date(2026, 10, 20))
    d = Deadline.objects.get(case_type="termination", case_id=case.pk)
    assert d.status == "missed" and d.pk in [m.pk for m in result.missed]
    case = act(world, case, "close_accounts", day="2026-10-21", closed_on="2026-10-21")
    d.refresh_from_db()
    assert case.state == "closed" and d.status == "missed" and d.completed_on == date(2026, 10, 21)


def test_filing_without_the_calendar_of_the_year_changes_nothing(listed):
    """Scenario D: a filing in January 2027 needs the 2027 calendar, which is not entered yet."""
    world = listed
    case = put_in_state(world, "decided")
    from ssc.core.errors import CalendarMissing

    with pytest.raises(CalendarMissing):
        act(world, case, "file_with_center", day="2027-01-04")
    case.refresh_from_db()
    assert case.state == "decided" and case.filed_on is None
    assert _status(world) == "active"
    assert RosterEntry.objects.get(outlet=world.outlets["A"]).hidden is False
    assert not Deadline.objects.filter(case_type="termination").exists()


# --- cancel ---------------------------------------------------------------------------------------------------


def test_cancel_before_filing_by_the_initiating_organisation_only(world):
    case = initiate(world, "9.2")  # bank applicant of sub-branch A
    for user in (world.users[R.DISTRICT_OFFICER], world.users[R.BANK_HEAD_OFFICE]):
        with pytest.raises(NotAllowed):
            services.perform(case.pk, "cancel", actor=user, data={"reason": "x"})
    with pytest.raises(ValidationFailed):
        services.perform(case.pk, "cancel", actor=world.users[R.BANK_APPLICANT], data={})
    case = services.perform(case.pk, "cancel", actor=world.users[R.BANK_APPLICANT], data={"reason": "网点决定继续合作"})
    assert case.state == "cancelled" and case.facts["cancel"]["reason"] == "网点决定继续合作"
    assert _status(world) == "active"


def test_no_cancel_after_filing(world):
    case = put_in_state(world, "filed")
    with pytest.raises(InvalidState):
        services.perform(case.pk, "cancel", actor=world.users[R.DISTRICT_OFFICER], data={"reason": "x"})


def test_decided_case_can_still_be_cancelled(world):
    case = put_in_state(world, "decided")
    case = services.perform(case.pk, "cancel", actor=world.users[R.DISTRICT_OFFICER], data={"reason": "复议撤销"})
    assert case.state == "cancelled"


# --- after the end --------------------------------------------------------------------------------------------


def test_terminated_outlet_keeps_its_history_and_can_apply_again(listed):
    from ssc.admission import services as admission

    world = listed
    overdue_rectification(world)
    case = put_in_state(world, "closed", ground="8.3")
    history = CaseEvent.objects.filter(case_type="termination", case_id=case.pk).values_list("action", flat=True)
    assert list(history) == ["initiate", "decide", "file_with_center", "close_accounts"]
    assert selectors.for_outlet(world.users[R.DISTRICT_OFFICER], world.outlets["A"].pk) == [case]
    assert selectors.open_termination_for_outlet(world.outlets["A"]) is None
    # No new termination of a terminated outlet …
    with pytest.raises(InvalidState):
        initiate(world, "8.1")
    # … but it may apply again, as a new application.
    app = admission.application_create(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["A"].pk)
    assert app.state == "draft" and _status(world) == "applying"
    # The old termination stays readable.
    assert Termination.objects.get(pk=case.pk).state == "closed"


def test_scenario_b_overdue_rectification_to_termination(listed):
    """SCENARIOS.md B: rectification issued 2026-06-30 (due 2026-09-30), report rejected, overdue after the sweep;
    Art 8(3) becomes available; initiated, decided, filed 2026-10-12 (outlet hidden at once), accounts closed
    2026-10-16 within the center's deadline of 2026-10-19; the new roster version lists the outlet as removed."""
    from ssc.rectification import services as rect

    world = listed
    officer, leader = world.users[R.DISTRICT_OFFICER], world.users[R.DISTRICT_LEADER]
    r = rect.issue(
        actor=officer,
        outlet_id=world.outlets["A"].pk,
        data={"items": ["即时制卡"], "issued_on": "2026-06-30", "source": "evaluation"},
        at=at("2026-06-30"),
    )
    assert r.due_on == date(2026, 9, 30)
    r = rect.perform(
        r.pk, "submit_report", actor=world.users[R.OUTLET_STAFF], data={"report": "已整改"}, at=at("2026-08-01")
    )
    r = rect.perform(r.pk, "reject_report", actor=officer, data={"reasons": "缺少证明材料"}, at=at("2026-08-05"))
    opts = {o.code: o for o in selectors.available_grounds(world.outlets["A"], officer)}
    assert not opts["8.3"].available
    deadlines.sweep(today=date(2026, 10, 1))
    r.refresh_from_db()
    assert r.state == "overdue"
    assert {o.code: o for o in selectors.available_grounds(world.outlets["A"], officer)}["8.3"].available

    case = services.initiate(
        actor=officer,
        outlet_id=world.outlets["A"].pk,
        data={"ground": "8.3", "reasons": "逾期未完成整改"},
        at=at("2026-10-08"),
    )
    assert case.rectification_id == r.pk
    case = services.perform(
        case.pk,
        "decide",
        actor=leader,
        data={"decided_on": "2026-10-10", "legal_liability": "依协议第十二条追究违约责任"},
        files={"decision_document": pdf()},
        at=at("2026-10-10"),
    )
    case = services.perform(case.pk, "file_with_center", actor=officer, data={}, at=at("2026-10-12"))
    assert RosterEntry.objects.get(outlet=world.outlets["A"]).hidden is True
    assert _status(world) == "terminating"
    # Rectification no longer pulls the outlet's status back.
    from ssc.rectification.services import sync_outlet_status

    sync_outlet_status(world.outlets["A"].pk)
    assert _status(world) == "terminating"
    d = Deadline.objects.get(case_type="termination", case_id=case.pk)
    assert d.due_on == date(2026, 10, 19)
    case = services.perform(
        case.pk,
        "close_accounts",
        actor=world.users[R.CENTER_OFFICER],
        data={"accounts": ACCOUNTS, "closed_on": "2026-10-16"},
        at=at("2026-10-16"),
    )
    d.refresh_from_db()
    assert (case.state, d.status) == ("closed", "met")
    assert _status(world) == "terminated"
    latest = RosterVersion.objects.order_by("-number").first()
    assert RosterChange.objects.filter(version=latest, outlet=world.outlets["A"], kind=ChangeKind.REMOVED).exists()


def test_non_compliant_relocation_helper_gives_the_9_3_ground(world):
    reloc = non_compliant_relocation(world)
    case = initiate(world, "9.3")
    assert case.relocation_id == reloc.pk
