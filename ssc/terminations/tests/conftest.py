"""Fixtures for termination tests: the records that make grounds available, valid payloads for every action,
and walking a termination of outlet A to any state through the services."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ssc.accounts.choices import Role
from ssc.agreements.models import Agreement
from ssc.registry.models import SystemAccount
from ssc.roster import services as roster
from ssc.terminations import services
from ssc.terminations.models import Termination

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
R = Role

ACCOUNTS = ["CQ-OP-0001", "CQ-OP-0002", "CQ-TM-0001"]


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(day: str, hour: int = 10) -> datetime:
    y, m, d = (int(x) for x in day.split("-"))
    return datetime(y, m, d, hour, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def listed(world):
    """Outlets A, B and AB on the published roster, outlet A with three open system accounts."""
    for i, identifier in enumerate(ACCOUNTS):
        SystemAccount.objects.create(
            outlet=world.outlets["A"],
            account_type="terminal" if "TM" in identifier else "operator",
            identifier=identifier,
            holder="张三" if i == 0 else "",
            opened_on=date(2026, 4, 1),
        )
    roster.publish(outlet_ids=[o.pk for o in world.outlets.values()], actor=None, reason="initial")
    return world


# --- the records behind grounds 8(3), 9(3), 9(4) ---------------------------------------------------------------


def overdue_rectification(world, outlet="A"):
    """A rectification issued 2026-06-30 (due 2026-09-30), marked overdue by the sweep of 2026-10-01."""
    from ssc.deadlines import services as deadlines
    from ssc.rectification import services as rect

    officer = world.users[R.DISTRICT_OFFICER] if outlet == "A" else world.other[R.DISTRICT_OFFICER]
    case = rect.issue(
        actor=officer,
        outlet_id=world.outlets[outlet].pk,
        data={"items": ["公示投诉电话"], "issued_on": "2026-06-30", "source": "evaluation"},
        at=at("2026-06-30"),
    )
    deadlines.sweep(today=date(2026, 10, 1))
    case.refresh_from_db()
    assert case.state == "overdue"
    return case


def non_compliant_relocation(world):
    from ssc.relocations import services as reloc

    case = reloc.relocation_report(
        actor=world.users[R.OUTLET_STAFF],
        data={
            "new_address": "渝中区民族路188号3层",
            "new_district": world.outlets["A"].district_id,
            "new_latitude": 29.5601,
            "new_longitude": 106.5802,
            "planned_move_on": "2026-12-20",
            "reason": "原址租约到期",
        },
        files={"documents": [pdf()]},
        at=at("2026-11-25"),
    )
    return reloc.perform(
        case.pk,
        "assess",
        actor=world.users[R.DISTRICT_OFFICER],
        data={"assessed_on": "2026-11-30", "result": "non_compliant", "findings": "新址位于三楼且无电梯。"},
        at=at("2026-11-30"),
    )


def agreement(world, term_end: date, outlet="A") -> Agreement:
    return Agreement.objects.create(
        outlet=world.outlets[outlet],
        agency=world.orgs["agencyA"] if outlet == "A" else world.orgs["agencyB"],
        number=f"渝中社卡合〔2023〕{term_end.isoformat()}号",
        signed_on=date(2023, 1, 1),
        term_start=date(2023, 1, 1),
        term_end=term_end,
    )


def make_ground_available(world, ground: str) -> None:
    if ground == "8.3":
        overdue_rectification(world)
    elif ground == "9.3":
        non_compliant_relocation(world)
    elif ground == "9.4":
        agreement(world, date(2026, 6, 30))


# --- payloads and walking ------------------------------------------------------------------------------------

INITIATOR = {
    "8.1": R.DISTRICT_OFFICER,
    "8.2": R.DISTRICT_OFFICER,
    "8.3": R.DISTRICT_OFFICER,
    "8.4": R.DISTRICT_OFFICER,
    "9.1": R.BANK_HEAD_OFFICE,
    "9.2": R.BANK_APPLICANT,
    "9.3": R.DISTRICT_OFFICER,
    "9.4": R.DISTRICT_OFFICER,
}


def initiate_data(ground: str, **extra) -> dict:
    return {"ground": ground, "reasons": "经查证属实，依规定解除合作。", **extra}


def initiate(world, ground: str = "8.1", role: str | None = None, day: str = "2026-10-08", **extra) -> Termination:
    actor = world.users[role or INITIATOR[ground]]
    return services.initiate(
        actor=actor, outlet_id=world.outlets["A"].pk, data=initiate_data(ground, **extra), at=at(day)
    )


def payload(action: str, ground: str = "8.1", **extra) -> tuple[dict, dict | None]:
    """A valid (data, files) for ``action`` on a case of ``ground``."""
    if action == "center_consent":
        return {"consented_on": "2026-10-09", "note": "同意"}, {"consent_document": pdf("consent.pdf")}
    if action == "counterparty_agree":
        return {"agreed_on": "2026-10-09", "statement": "同意终止合作"}, None
    if action == "decide":
        data = {"decided_on": "2026-10-10"}
        if ground.startswith("8"):
            data["legal_liability"] = "已依协议追究违约责任"
        return {**data, **extra}, {"decision_document": pdf("decision.pdf")}
    if action == "file_with_center":
        return {"note": ""}, None
    if action == "close_accounts":
        return {"accounts": list(ACCOUNTS), "closed_on": "2026-10-16", **extra}, None
    if action == "cancel":
        return {"reason": "情况已消除"}, None
    raise AssertionError(action)


ACTOR = {
    "center_consent": R.CENTER_LEADER,
    "counterparty_agree": R.DISTRICT_OFFICER,  # the other side of a bank-initiated 9(2)
    "decide": R.DISTRICT_LEADER,
    "file_with_center": R.DISTRICT_OFFICER,
    "close_accounts": R.CENTER_OFFICER,
}
DAY = {
    "center_consent": "2026-10-09",
    "counterparty_agree": "2026-10-09",
    "decide": "2026-10-10",
    "file_with_center": "2026-10-12",
    "close_accounts": "2026-10-16",
}


def act(world, case, action: str, day: str | None = None, **extra) -> Termination:
    data, files = payload(action, case.ground, **extra)
    return services.perform(
        case.pk, action, actor=world.users[ACTOR[action]], data=data, files=files, at=at(day or DAY[action])
    )


PATH = {"9.1": ["center_consent"], "9.2": ["counterparty_agree"]}


def put_in_state(world, state: str, ground: str = "8.1") -> Termination:
    """A termination of outlet A on ``ground`` in ``state``, through the services."""
    make_ground_available(world, ground)
    case = initiate(world, ground)
    if state == "initiated":
        return case
    if state == "cancelled":
        return services.perform(
            case.pk, "cancel", actor=world.users[INITIATOR[ground]], data={"reason": "撤销"}, at=at("2026-10-09")
        )
    for action in PATH.get(ground, []):
        case = act(world, case, action)
    if state in ("consented", "agreed"):
        return case
    case = act(world, case, "decide")
    if state == "decided":
        return case
    case = act(world, case, "file_with_center")
    if state == "filed":
        return case
    open_ids = SystemAccount.objects.filter(outlet=world.outlets["A"], closed_on__isnull=True)
    case = act(world, case, "close_accounts", accounts=list(open_ids.values_list("identifier", flat=True)))
    assert state == "closed", state
    return case
