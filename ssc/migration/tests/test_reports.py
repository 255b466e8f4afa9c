"""Supervision reports against known data: Jinyu Net migration figures by bank and district (Art 6(2)) and the Art 10
disclosure check — selectors, API and pages, each scoped (a district sees its own)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.admission import services as admission
from ssc.core.testing import make_outlet
from ssc.core.tests.api import assert_problem, bearer_client
from ssc.migration import selectors
from ssc.rectification import services as rectification
from ssc.registry.models import Outlet

R = Role
pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 15)  # Q4 2026: 2026-10-01 .. 2026-12-31


@pytest.fixture
def fleet(world):
    """Besides A, B, AB (all Jinyu Net): legacy outlets with and without plans, and non-cooperating ones."""
    a, b = world.banks["A"], world.banks["B"]
    dA, dB = world.districts["A"], world.districts["B"]
    subA, subB = world.orgs["subA"], world.orgs["subB"]

    def legacy(code, bank, sub, district, planned=None, status="active"):
        return make_outlet(
            code,
            f"网点{code}",
            bank=bank,
            sub_branch=sub,
            district=district,
            status=status,
            interconnection_mode="legacy",
            jinyu_migration_planned_on=planned,
        )

    legacy("L-1", a, subA, dA, date(2026, 12, 20))  # this quarter, upcoming
    legacy("L-2", a, subA, dA, date(2026, 10, 8))  # this quarter, overdue
    legacy("L-3", a, subA, dB, date(2027, 3, 1))  # next quarter
    legacy("L-4", b, subB, dB)  # no plan
    legacy("L-5", b, subB, dB, date(2026, 6, 30), status="under_rectification")  # overdue, cooperating
    legacy("L-6", b, subB, dA, date(2026, 11, 1), status="terminated")  # not cooperating: not counted
    legacy("L-7", a, subA, dA, status="preparing")  # not cooperating: not counted
    return world


def _rows(rows):
    return {r.name: (r.total, r.jinyu, r.legacy, r.planned_this_quarter, r.overdue, r.unplanned) for r in rows}


def test_new_outlets_default_to_jinyu_net(world):
    app = admission.application_create(
        actor=world.users[R.BANK_APPLICANT],
        outlet_data={
            "code": "NEW-1",
            "name": "中国工商银行重庆新华路分理处",
            "district": world.districts["A"],
            "address": "渝中区新华路1号",
            "latitude": 29.56,
            "longitude": 106.58,
        },
    )
    assert app.outlet.interconnection_mode == "jinyu"
    assert Outlet(code="x").interconnection_mode == "jinyu"


def test_migration_figures_city_wide(fleet):
    report = selectors.jinyu_migration(fleet.users[R.CENTER_OFFICER], as_of=AS_OF)
    assert (report.quarter_start, report.quarter_end) == (date(2026, 10, 1), date(2026, 12, 31))
    t = report.totals
    assert (t.total, t.jinyu, t.legacy, t.planned_this_quarter, t.overdue, t.unplanned) == (8, 3, 5, 2, 2, 1)
    assert t.percent_migrated == 37.5
    assert _rows(report.by_bank) == {"工商银行": (5, 2, 3, 2, 1, 0), "建设银行": (3, 1, 2, 0, 1, 1)}
    assert _rows(report.by_district) == {"渝中区": (3, 1, 2, 2, 1, 0), "沙坪坝区": (5, 2, 3, 0, 1, 1)}
    by_bank = {r.name: r.percent_migrated for r in report.by_bank}
    assert by_bank == {"工商银行": 40.0, "建设银行": 33.3}


def test_migration_figures_are_scoped(fleet):
    district_a = selectors.jinyu_migration(fleet.users[R.DISTRICT_OFFICER], as_of=AS_OF)
    assert [r.name for r in district_a.by_district] == ["渝中区"]
    assert (district_a.totals.total, district_a.totals.legacy) == (3, 2)
    bank_b = selectors.jinyu_migration(fleet.other[R.BANK_HEAD_OFFICE], as_of=AS_OF)
    assert [r.name for r in bank_b.by_bank] == ["建设银行"] and bank_b.totals.total == 3


def test_migration_api(fleet):
    url = "/api/v1/reports/jinyu_migration/"
    body = bearer_client(fleet.users[R.REGULATOR]).get(url, {"as_of": AS_OF.isoformat()}).json()
    assert body["totals"]["total"] == 8 and body["totals"]["percent_migrated"] == 37.5
    assert body["quarter_start"] == "2026-10-01"
    assert {r["name"]: r["overdue"] for r in body["by_district"]} == {"渝中区": 1, "沙坪坝区": 1}
    body = bearer_client(fleet.other[R.DISTRICT_LEADER]).get(url, {"as_of": "2026-11-15"}).json()
    assert [r["name"] for r in body["by_district"]] == ["沙坪坝区"] and body["totals"]["total"] == 5
    body = bearer_client(fleet.users[R.CENTER_LEADER]).get(url, {"as_of": "2026-11-15", "bank": "ccb"}).json()
    assert body["totals"]["total"] == 3
    assert_problem(bearer_client(fleet.users[R.CENTER_OFFICER]).get(url, {"as_of": "2026-13-01"}), 400)
    for role in (R.OUTLET_STAFF, R.BANK_APPLICANT, R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN):
        assert_problem(bearer_client(fleet.users[role]).get(url), 403)
    assert bearer_client(fleet.users[R.BANK_HEAD_OFFICE]).get(url).status_code == 200


def test_migration_page_and_export(client, fleet):
    client.force_login(fleet.users[R.CENTER_OFFICER])
    url = reverse("supervision:jinyu_migration")
    html = client.get(url).content.decode()
    assert "工商银行" in html and "沙坪坝区" in html and "金渝网迁移进度" in html
    resp = client.get(url, {"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("分组", "名称", "合计网点")
    assert rows[1][2] == 8 and len(rows) == 1 + 1 + 2 + 2
    client.force_login(fleet.users[R.DISTRICT_OFFICER])
    page = client.get(url)
    assert [r.name for r in page.context["report"].by_district] == ["渝中区"]
    assert "district" not in page.context["form"].fields
    client.force_login(fleet.users[R.OUTLET_STAFF])
    assert client.get(url).status_code == 403


# --- Art 10 disclosure ---------------------------------------------------------------------------------------


@pytest.fixture
def undisclosed(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(complaint_phone="")
    Outlet.objects.filter(pk=world.outlets["AB"].pk).update(consultation_phone="", complaint_phone="")
    terminated = make_outlet(
        "T-1", "已退出网点", bank=world.banks["B"], sub_branch=world.orgs["subB"], district=world.districts["B"]
    )
    Outlet.objects.filter(pk=terminated.pk).update(status="terminated", consultation_phone="")
    return world


def test_disclosure_list_scoped(undisclosed):
    w = undisclosed
    assert set(selectors.disclosure_missing(w.users[R.CENTER_OFFICER])) == {w.outlets["A"], w.outlets["AB"]}
    assert set(selectors.disclosure_missing(w.users[R.DISTRICT_OFFICER])) == {w.outlets["A"]}
    assert set(selectors.disclosure_missing(w.other[R.DISTRICT_OFFICER])) == {w.outlets["AB"]}
    assert set(selectors.disclosure_missing(w.other[R.BANK_HEAD_OFFICE])) == set()
    both = selectors.disclosure_missing(w.users[R.CENTER_OFFICER], {"missing": "both"})
    assert list(both) == [w.outlets["AB"]]


def test_disclosure_api(undisclosed):
    w = undisclosed
    url = "/api/v1/reports/disclosure_missing/"
    body = bearer_client(w.users[R.REGULATOR]).get(url).json()
    assert body["count"] == 2
    by_code = {r["code"]: r["missing"] for r in body["results"]}
    assert by_code == {"OA-001": ["complaint"], "OA-002": ["consultation", "complaint"]}
    body = bearer_client(w.users[R.DISTRICT_LEADER]).get(url).json()
    assert [r["code"] for r in body["results"]] == ["OA-001"]
    body = bearer_client(w.users[R.BANK_APPLICANT]).get(url, {"missing": "both"}).json()
    assert [r["code"] for r in body["results"]] == ["OA-002"]
    assert_problem(bearer_client(w.users[R.CENTER_OFFICER]).get(url, {"missing": "phone"}), 400)
    for role in (R.OUTLET_STAFF, R.HOTLINE_OPERATOR, R.AUDIT_ADMIN):
        assert_problem(bearer_client(w.users[role]).get(url), 403)


def test_disclosure_page_links_to_a_disclosure_rectification(client, undisclosed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = undisclosed
    client.force_login(w.users[R.DISTRICT_OFFICER])
    url = reverse("supervision:disclosure")
    html = client.get(url).content.decode()
    issue = reverse("rectification:issue", args=[w.outlets["A"].pk]) + "?source=disclosure"
    assert issue in html and w.outlets["AB"].name not in html
    rectification.issue(
        actor=w.users[R.DISTRICT_OFFICER],
        outlet_id=w.outlets["A"].pk,
        data={"items": ["公示投诉电话"], "issued_on": "2026-09-01", "source": "disclosure"},
    )
    html = client.get(url).content.decode()
    assert "已下达整改" in html and issue not in html
    resp = client.get(url, {"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "OA-001" and rows[1][7] == "未公示" and rows[1][8] == "已下达整改"
    client.force_login(w.users[R.CENTER_LEADER])
    html = client.get(url).content.decode()
    assert w.outlets["AB"].name in html and issue not in html  # only the district officer issues
    client.force_login(w.users[R.HOTLINE_OPERATOR])
    assert client.get(url).status_code == 403
