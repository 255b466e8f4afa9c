"""Relocation through the service layer (WORKFLOW.md §5, SCENARIOS C.2): report, assess compliant (address updated
through the registry, roster republished) or non-compliant (the Art 9(3) ground), withdraw."""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.documents.models import Document
from ssc.notifications.models import Notification
from ssc.registry.models import Outlet
from ssc.relocations import selectors, services
from ssc.relocations.models import Relocation
from ssc.roster import services as roster
from ssc.roster.models import RosterChange, RosterEntry, RosterVersion
from ssc.workflow.models import CaseEvent

from .conftest import NEW_ADDRESS, assess_data, at, pdf, report_data

R = Role
pytestmark = pytest.mark.django_db


def test_report_records_the_move_with_the_old_address(world, reported):
    outlet = world.outlets["A"]
    assert reported.state == "reported"
    assert (reported.old_address, reported.old_latitude) == (outlet.address, outlet.latitude)
    assert (reported.new_address, reported.new_district_id) == (NEW_ADDRESS, outlet.district_id)
    assert str(reported.planned_move_on) == "2026-12-20"
    event = CaseEvent.objects.get(case_type="relocation", case_id=reported.pk, action="report")
    assert event.article == "10" and event.from_state == "new"
    assert Document.objects.filter(case_type="relocation", case_id=reported.pk).count() == 1
    # The district officer of district A is told, not district B's.
    assert Notification.objects.filter(user=world.users[R.DISTRICT_OFFICER], kind="relocation.report").exists()
    assert not Notification.objects.filter(user=world.other[R.DISTRICT_OFFICER]).exists()


def test_a_move_to_another_district_is_refused_naming_the_field(world):
    with pytest.raises(ValidationFailed) as exc:
        services.relocation_report(
            actor=world.users[R.OUTLET_STAFF],
            data=report_data(world, new_district=world.districts["B"].pk),
            at=at("2026-11-25"),
        )
    msg = " ".join(exc.value.errors["new_district"])
    assert "渝中区" in msg and "重新申请准入" in msg
    assert not Relocation.objects.exists()  # nothing half-done


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"new_latitude": 39.9}, "new_latitude"),
        ({"new_address": ""}, "new_address"),
        ({"planned_move_on": "someday"}, "planned_move_on"),
        ({"new_district": "x"}, "new_district"),
    ],
)
def test_report_payload_errors(world, extra, field):
    with pytest.raises(ValidationFailed) as exc:
        services.relocation_report(actor=world.users[R.OUTLET_STAFF], data=report_data(world, **extra))
    assert field in exc.value.errors


def test_report_who_and_when(world, reported):
    data = report_data(world, "AB")
    with pytest.raises(InvalidState, match="待评估"):  # one open move per outlet
        services.relocation_report(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["A"].pk, data=data)
    with pytest.raises(NotFound):  # bank B's applicant does not see bank A's outlet
        services.relocation_report(actor=world.other[R.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk, data=data)
    for role in (R.DISTRICT_OFFICER, R.BANK_HEAD_OFFICE, R.CENTER_OFFICER):
        with pytest.raises(NotAllowed):
            services.relocation_report(actor=world.users[role], outlet_id=world.outlets["AB"].pk, data=data)
    Outlet.objects.filter(pk=world.outlets["AB"].pk).update(status="preparing")
    with pytest.raises(InvalidState, match="筹备中"):
        services.relocation_report(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk, data=data)
    Outlet.objects.filter(pk=world.outlets["AB"].pk).update(status="active")
    case = services.relocation_report(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk, data=data)
    assert case.state == "reported" and case.reported_by == world.users[R.BANK_APPLICANT]


def test_compliant_updates_the_outlet_and_republishes_the_roster(world, reported):
    roster.publish(outlet_ids=[world.outlets["A"].pk], actor=None, reason="seed")
    before = RosterVersion.objects.order_by("-number").first()
    case = services.perform(
        reported.pk,
        "assess",
        actor=world.users[R.DISTRICT_OFFICER],
        data=assess_data(),
        files={"report": pdf("assessment.pdf")},
        at=at("2026-11-30"),
    )
    assert case.state == "compliant" and case.assessed_by == world.users[R.DISTRICT_OFFICER]
    outlet = Outlet.objects.get(pk=world.outlets["A"].pk)
    assert (outlet.address, outlet.latitude, outlet.longitude) == (NEW_ADDRESS, 29.5601, 106.5802)
    assert outlet.version == world.outlets["A"].version + 1
    assert AuditEvent.objects.filter(action="outlet.update", object_id=str(outlet.pk), article="9(3)").exists()
    latest = RosterVersion.objects.order_by("-number").first()
    assert latest.number == before.number + 1
    change = RosterChange.objects.get(version=latest, outlet=outlet)
    assert change.kind == "changed" and change.after["address"] == NEW_ADDRESS
    assert RosterEntry.objects.get(outlet=outlet).address == NEW_ADDRESS
    event = CaseEvent.objects.get(case_type="relocation", case_id=case.pk, action="assess")
    assert event.article == "9(3)" and event.payload["roster_version"] == latest.number
    assert selectors.relocations_non_compliant_for_outlet(outlet.pk) == []
    assert Notification.objects.filter(user=world.users[R.OUTLET_STAFF], kind="relocation.assess").exists()


def test_non_compliant_is_the_art_9_3_ground_and_changes_nothing_else(world, reported):
    roster.publish(outlet_ids=[world.outlets["A"].pk], actor=None, reason="seed")
    versions = RosterVersion.objects.count()
    with pytest.raises(ValidationFailed) as exc:  # findings are required for a non-compliant site
        services.perform(
            reported.pk,
            "assess",
            actor=world.users[R.DISTRICT_OFFICER],
            data=assess_data("non_compliant", findings=""),
        )
    assert "findings" in exc.value.errors
    case = services.perform(
        reported.pk, "assess", actor=world.users[R.DISTRICT_OFFICER], data=assess_data("non_compliant")
    )
    assert case.state == "non_compliant"
    outlet = Outlet.objects.get(pk=world.outlets["A"].pk)
    assert outlet.address == world.outlets["A"].address and outlet.status == "active"
    assert RosterVersion.objects.count() == versions
    assert selectors.relocations_non_compliant_for_outlet(outlet.pk) == [case]
    leader = world.users[R.DISTRICT_LEADER]
    n = Notification.objects.get(user=leader, kind="relocation.assess")
    assert "第九条第(三)项" in n.title


def test_assess_roles_scope_and_state(world, reported):
    for user, error in [
        (world.other[R.DISTRICT_OFFICER], NotFound),
        (world.users[R.HOTLINE_OPERATOR], NotFound),
        (world.users[R.DISTRICT_LEADER], NotAllowed),
        (world.users[R.OUTLET_STAFF], NotAllowed),
        (world.users[R.CENTER_OFFICER], NotAllowed),
    ]:
        with pytest.raises(error):
            services.perform(reported.pk, "assess", actor=user, data=assess_data())
    services.perform(reported.pk, "assess", actor=world.users[R.DISTRICT_OFFICER], data=assess_data())
    with pytest.raises(InvalidState):
        services.perform(reported.pk, "assess", actor=world.users[R.DISTRICT_OFFICER], data=assess_data())
    with pytest.raises(InvalidState):
        services.perform(reported.pk, "withdraw", actor=world.users[R.OUTLET_STAFF], data={"reason": "x"})


def test_withdraw_frees_the_outlet_for_a_new_report(world, reported):
    case = services.perform(reported.pk, "withdraw", actor=world.users[R.BANK_APPLICANT], data={"reason": "租约续签"})
    assert case.state == "withdrawn"
    again = services.relocation_report(actor=world.users[R.OUTLET_STAFF], data=report_data(world))
    assert again.pk != case.pk and again.state == "reported"
