"""Agreement services: registering, renewing (a new row linked to the old one), the end of a term, and the Art 9(4)
selector — through the service layer, with the SCENARIOS D dates."""

from __future__ import annotations

from datetime import date

import pytest

from ssc.accounts.choices import Role
from ssc.agreements import selectors, services
from ssc.agreements.models import Agreement
from ssc.audit.models import AuditEvent
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.documents.models import Document
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

from .conftest import at, pdf, register, renew_payload

R = Role
pytestmark = pytest.mark.django_db


# --- register ------------------------------------------------------------------------------------------------------


def test_register_records_an_agreement_in_force_with_its_copy(world, agreement):
    assert agreement.status == "in_force"
    assert agreement.agency == world.orgs["agencyA"]
    assert agreement.document is not None
    assert Document.objects.get(pk=agreement.document_id).case_type == "agreement"
    assert AuditEvent.objects.filter(action="agreement.register", object_id=str(agreement.pk), article="3").exists()


def test_register_refusals(world, agreement):
    data = {"number": "X-1", "signed_on": "2024-01-01", "term_start": "2024-01-01", "term_end": "2026-12-31"}
    with pytest.raises(InvalidState, match="已有合作协议"):  # one agreement on record already
        services.agreement_register(actor=world.users[R.DISTRICT_OFFICER], outlet_id=world.outlets["A"].pk, data=data)
    with pytest.raises(NotFound):  # district B does not see outlet A
        services.agreement_register(actor=world.other[R.DISTRICT_OFFICER], outlet_id=world.outlets["A"].pk, data=data)
    with pytest.raises(NotAllowed):  # the bank sees its outlet but does not sign for the district
        services.agreement_register(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["AB"].pk, data=data)
    with pytest.raises(ValidationFailed) as exc:
        services.agreement_register(
            actor=world.other[R.DISTRICT_OFFICER],
            outlet_id=world.outlets["AB"].pk,
            data={**data, "number": agreement.number, "term_end": "2023-12-31"},
        )
    assert set(exc.value.errors) == {"number", "term_end"}
    Outlet.objects.filter(pk=world.outlets["B"].pk).update(status="terminated")
    with pytest.raises(InvalidState, match="已退出"):
        services.agreement_register(actor=world.other[R.DISTRICT_OFFICER], outlet_id=world.outlets["B"].pk, data=data)


def test_register_an_ended_term_is_expired_at_once(world):
    a = register(world, "AB", number="沙社卡合〔2020〕3号", start="2020-01-01", end="2025-12-31")
    assert a.status == "expired" and a.ended_on == date(2026, 1, 1)
    assert list(selectors.agreements_expired_unrenewed(today=date(2026, 1, 1))) == [a]


# --- renew ---------------------------------------------------------------------------------------------------------


def renew(world, agreement, day="2026-11-20", **payload):
    return services.perform(
        agreement.pk,
        "renew",
        actor=world.users[R.DISTRICT_OFFICER],
        data=renew_payload(**payload),
        files={"signed_copy": pdf("renewal.pdf")},
        at=at(day),
    )


def test_renew_makes_a_new_row_linked_to_the_old_which_stays_until_its_end(world, agreement):
    old = renew(world, agreement)
    assert old.status == "in_force" and old.version == agreement.version + 1
    new = Agreement.objects.get(renews=old)
    assert (new.number, new.term_start, new.term_end, new.status) == (
        "渝中社卡合〔2026〕88号",
        date(2027, 1, 1),
        date(2029, 12, 31),
        "in_force",
    )
    assert new.document.case_id == new.pk and new.agency == world.orgs["agencyA"]
    event = CaseEvent.objects.get(case_type="agreement", case_id=old.pk, action="renew")
    assert event.article == "9(4)" and event.payload["agreement"] == new.pk and "outcome" not in event.payload
    assert [a.pk for a in selectors.chain(new)] == [old.pk, new.pk] == [a.pk for a in selectors.chain(old)]
    # At the end of the old term the renewal takes over: the old one is kept, as ``renewed``.
    result = services.daily(today=date(2027, 1, 1))
    assert result.renewed == [old.pk] and result.expired == []
    old.refresh_from_db()
    assert old.status == "renewed" and old.ended_on == date(2027, 1, 1)
    assert CaseEvent.objects.filter(case_type="agreement", case_id=old.pk, action="supersede").count() == 1
    assert not selectors.agreements_expired_unrenewed(today=date(2027, 1, 1)).exists()
    assert selectors.agreement_in_force(world.outlets["A"].pk, on=date(2027, 6, 1)) == new


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"start": "2026-12-31"}, "term_start", "不能与原协议重叠"),
        ({"start": "2027-02-01"}, "term_start", "到期次日（2027-01-01）"),
        ({"end": "2026-06-30", "start": "2027-01-01"}, "term_end", "须晚于"),
        ({"number": "渝中社卡合〔2024〕1号"}, "number", "已存在"),
    ],
)
def test_renew_payload_rules(world, agreement, payload, field, message):
    with pytest.raises(ValidationFailed) as exc:
        renew(world, agreement, **payload)
    assert message in " ".join(exc.value.errors[field])
    assert not Agreement.objects.filter(renews=agreement).exists()


def test_renew_twice_or_for_an_exiting_outlet_is_refused(world, agreement):
    renew(world, agreement)
    with pytest.raises(InvalidState, match="已续签"):
        renew(world, agreement, number="another")
    other = register(world, "AB", number="沙社卡合〔2024〕2号")
    Outlet.objects.filter(pk=world.outlets["AB"].pk).update(status="terminating")
    with pytest.raises(InvalidState, match="退出中"):
        services.perform(
            other.pk,
            "renew",
            actor=world.other[R.DISTRICT_OFFICER],
            data=renew_payload(number="n2"),
            files={"signed_copy": pdf()},
            at=at("2026-11-20"),
        )


def test_renew_roles_and_scope(world, agreement):
    for user, error in [
        (world.other[R.DISTRICT_OFFICER], NotFound),
        (world.users[R.DISTRICT_LEADER], NotAllowed),
        (world.users[R.BANK_APPLICANT], NotAllowed),
        (world.users[R.CENTER_OFFICER], NotAllowed),
        (world.users[R.HOTLINE_OPERATOR], NotFound),  # hotlines do not see agreements at all
    ]:
        with pytest.raises(error):
            services.perform(
                agreement.pk,
                "renew",
                actor=user,
                data=renew_payload(),
                files={"signed_copy": pdf()},
                at=at("2026-11-20"),
            )
    for system_action in ("expire", "supersede"):
        with pytest.raises(NotAllowed):
            services.perform(agreement.pk, system_action, actor=world.users[R.DISTRICT_OFFICER], at=at("2027-01-02"))


def test_late_renewal_takes_the_outlet_off_the_art_9_4_list(world, agreement):
    services.daily(today=date(2027, 1, 1))
    agreement.refresh_from_db()
    assert agreement.status == "expired"
    assert selectors.expired_unrenewed_for_outlet(world.outlets["A"].pk, today=date(2027, 1, 1)) == agreement
    # Signed after the end: the new term cannot start before the signing (no backdating).
    with pytest.raises(ValidationFailed) as exc:
        renew(world, agreement, day="2027-01-05", signed="2026-12-01", start="2026-11-30")
    assert "不能早于签订日期" in " ".join(exc.value.errors["term_start"])
    old = renew(world, agreement, day="2027-01-05", signed="2026-12-01", start="2027-01-01")
    assert old.status == "renewed"  # its term is over: renewed at once
    assert selectors.expired_unrenewed_for_outlet(world.outlets["A"].pk, today=date(2027, 1, 5)) is None


def test_terminate_for_outlet_ends_every_open_term_once(world, agreement):
    renew(world, agreement)
    changed = services.agreements_terminate_for_outlet(
        outlet_id=world.outlets["A"].pk,
        on=date(2026, 12, 10),
        article="9(2)",
        actor=world.users[R.CENTER_OFFICER],
        reason="双方协商一致终止合作",
    )
    assert len(changed) == 2
    assert set(Agreement.objects.values_list("status", flat=True)) == {"terminated"}
    event = CaseEvent.objects.filter(case_type="agreement", action="terminate").first()
    assert event.article == "9(2)" and event.actor == world.users[R.CENTER_OFFICER]
    assert event.payload["reason"] == "双方协商一致终止合作"
    assert AuditEvent.objects.filter(action="agreement.terminate", article="9(2)").count() == 2
    assert (
        services.agreements_terminate_for_outlet(outlet_id=world.outlets["A"].pk, on=date(2026, 12, 11), article="9(2)")
        == []
    )
    assert selectors.agreement_in_force(world.outlets["A"].pk, on=date(2026, 12, 20)) is None
    assert services.daily(today=date(2027, 1, 1)).expired == []  # nothing left to expire
