"""WORKFLOW.md §5 / SCENARIOS C.2: a relocation assessed non-compliant opens the Art 9(3) termination (解除合作) from
that assessment — when the assessor asks for it (``open_termination``; the page ticks it by default)."""

from __future__ import annotations

import pytest

from ssc.accounts.choices import Role
from ssc.core.tests.api import bearer_client
from ssc.relocations import services as reloc
from ssc.terminations.models import Termination
from ssc.workflow.models import CaseEvent

from .conftest import at, pdf

R = Role
pytestmark = pytest.mark.django_db


def _reported(world):
    return reloc.relocation_report(
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


def _assess(world, case, result="non_compliant", **extra):
    data = {"assessed_on": "2026-11-30", "result": result, "findings": "新址位于三楼且无电梯。", **extra}
    return reloc.perform(case.pk, "assess", actor=world.users[R.DISTRICT_OFFICER], data=data, at=at("2026-11-30"))


def test_non_compliant_with_open_termination_opens_the_9_3_case(world):
    relocation = _assess(world, _reported(world), open_termination=True)
    case = Termination.objects.get(outlet=world.outlets["A"])
    assert (case.state, case.ground, case.relocation_id) == ("initiated", "9.3", relocation.pk)
    assert case.initiated_by == world.users[R.DISTRICT_OFFICER]
    assert str(case.initiated_on) == "2026-11-30" and "三楼" in case.reasons
    assess = CaseEvent.objects.get(case_type="relocation", case_id=relocation.pk, action="assess")
    assert assess.payload["termination"] == case.pk
    assert CaseEvent.objects.filter(case_type="termination", case_id=case.pk, action="initiate").exists()


def test_without_the_option_the_ground_is_only_offered(world):
    _assess(world, _reported(world))
    assert not Termination.objects.exists()


def test_compliant_never_opens_a_termination(world):
    _assess(world, _reported(world), result="compliant", findings="新址交通便利。", open_termination=True)
    assert not Termination.objects.exists()


def test_an_open_termination_is_not_doubled(world):
    from ssc.terminations import services as terminations

    first = terminations.initiate(
        actor=world.users[R.DISTRICT_OFFICER],
        outlet_id=world.outlets["A"].pk,
        data={"ground": "8.4", "reasons": "重大风险"},
        at=at("2026-11-26"),
    )
    relocation = _assess(world, _reported(world), open_termination=True)
    assert relocation.state == "non_compliant"
    assert list(Termination.objects.values_list("pk", flat=True)) == [first.pk]


def test_over_the_api(world):
    case = _reported(world)
    api = bearer_client(world.users[R.DISTRICT_OFFICER])
    resp = api.post(
        f"/api/v1/relocations/{case.pk}/actions/assess/",
        {"assessed_on": "2026-11-30", "result": "non_compliant", "findings": "不符合。", "open_termination": True},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    termination = Termination.objects.get(outlet=world.outlets["A"])
    assert termination.ground == "9.3"
    listed = api.get("/api/v1/terminations/", {"outlet": world.outlets["A"].pk}).json()
    assert [r["id"] for r in listed["results"]] == [termination.pk]
