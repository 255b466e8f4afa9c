"""Terminations in the common inbox (what waits on whom, narrowed by ground and initiator), the notifications each
step sends, and the audit trail of every step."""

from __future__ import annotations

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.notifications.models import Notification
from ssc.terminations import services
from ssc.workflow.inbox import inbox_counts, inbox_items

from .conftest import act, initiate, put_in_state

R = Role


def _waiting(user):
    return [(i.case.pk, i.task) for i in inbox_items(user, case_types=["termination"])]


def _count(user):
    return sum(c["count"] for c in inbox_counts(user, case_types=["termination"]))


def test_9_1_waits_on_the_center_leader_not_on_the_district_leader(world):
    case = initiate(world, "9.1")
    assert _waiting(world.users[R.CENTER_LEADER]) == [(case.pk, "中心书面同意")]
    assert _waiting(world.users[R.DISTRICT_LEADER]) == []
    assert _count(world.users[R.CENTER_LEADER]) == 1 and _count(world.users[R.DISTRICT_LEADER]) == 0
    # Cancelling waits on nobody, not even the initiator.
    assert _waiting(world.users[R.BANK_HEAD_OFFICE]) == []
    act(world, case, "center_consent")
    assert _waiting(world.users[R.CENTER_LEADER]) == []
    assert _waiting(world.users[R.DISTRICT_LEADER]) == [(case.pk, "作出解除合作决定")]


def test_art_8_waits_on_the_district_leader(world):
    case = initiate(world, "8.1")
    assert _waiting(world.users[R.DISTRICT_LEADER]) == [(case.pk, "作出解除合作决定")]
    assert _waiting(world.users[R.CENTER_LEADER]) == []
    assert _waiting(world.other[R.DISTRICT_LEADER]) == []  # another district


def test_9_2_waits_on_the_other_side_only(world):
    case = initiate(world, "9.2")  # the bank applicant
    assert _waiting(world.users[R.DISTRICT_OFFICER]) == [(case.pk, "另一方同意终止")]
    assert _count(world.users[R.DISTRICT_OFFICER]) == 1
    assert _waiting(world.users[R.BANK_APPLICANT]) == [] and _waiting(world.users[R.BANK_HEAD_OFFICE]) == []
    assert _waiting(world.users[R.DISTRICT_LEADER]) == []


def test_filed_waits_on_the_center_officer_with_the_deadline(world):
    case = put_in_state(world, "filed")
    [item] = inbox_items(world.users[R.CENTER_OFFICER], case_types=["termination"])
    assert item.case.pk == case.pk and str(item.due_on) == "2026-10-19"
    assert item.api_url.endswith(f"/api/v1/terminations/{case.pk}/")


def test_notifications_follow_the_steps(world):
    case = initiate(world, "9.1")
    assert Notification.objects.filter(user=world.users[R.CENTER_LEADER], kind="termination.initiate").exists()
    assert not Notification.objects.filter(user=world.users[R.DISTRICT_LEADER], kind="termination.initiate").exists()
    case = act(world, case, "center_consent")
    assert Notification.objects.filter(user=world.users[R.DISTRICT_LEADER], kind="termination.center_consent").exists()
    case = act(world, case, "decide")
    assert Notification.objects.filter(user=world.users[R.DISTRICT_OFFICER], kind="termination.decide").exists()
    assert Notification.objects.filter(user=world.users[R.BANK_HEAD_OFFICE], kind="termination.decide").exists()
    # Nobody outside the outlet's scope hears of it.
    assert not Notification.objects.filter(user__in=world.other.values(), case_type="termination").exists()


def test_every_step_is_audited_with_its_article(listed):
    world = listed
    case = put_in_state(world, "closed", "9.1")
    actions = list(
        AuditEvent.objects.filter(action__startswith="termination.").order_by("id").values_list("action", "article")
    )
    assert actions == [
        ("termination.initiate", "9(1)"),
        ("termination.center_consent", "9(1)"),
        ("termination.decide", "9(1)"),
        ("termination.file_with_center", "9(1)"),
        ("termination.close_accounts", "9(1)"),
    ]
    # The history rows and the center's deadline carry the ground's article too.
    from ssc.deadlines.models import Deadline
    from ssc.workflow.models import CaseEvent

    assert set(CaseEvent.objects.filter(case_type="termination").values_list("article", flat=True)) == {"9(1)"}
    assert Deadline.objects.get(case_type="termination", case_id=case.pk).article == "9(1)"
    assert AuditEvent.objects.filter(action="roster.hide").count() == 1
    assert AuditEvent.objects.filter(action="roster.publish").count() == 2  # the listing, then the removal
    assert case.state == "closed"


def test_an_overdue_rectification_stops_waiting_once_its_termination_is_open(world):
    """逾期未整改 waits on the district (decide on Art 8(3)) only until a termination is opened for the outlet."""
    from .conftest import overdue_rectification

    rect = overdue_rectification(world)

    def rect_tasks():
        return [i.case.pk for i in inbox_items(world.users[R.DISTRICT_OFFICER], case_types=["rectification"])]

    assert rect_tasks() == [rect.pk]
    case = initiate(world, "8.3")
    assert rect_tasks() == []
    services.perform(case.pk, "cancel", actor=world.users[R.DISTRICT_OFFICER], data={"reason": "另行处理"})
    assert rect_tasks() == [rect.pk]
