"""Evaluation pages: every page × every role (403 for roles without business there, 404 out of scope), the list
filters and export, starting, the scoring form with each indicator's maximum and errors beside it, finalising with
confirmation, the indicator set pages, and the panel on the outlet page."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from ssc.accounts.choices import Role
from ssc.evaluations.models import Evaluation, IndicatorSet

from .conftest import FULL, POOR, finalise_with, log_complaint, put_in_state, score, start

R = Role
pytestmark = pytest.mark.django_db
NO_EVALUATIONS = {R.HOTLINE_OPERATOR, R.SECURITY_ADMIN, R.AUDIT_ADMIN}
CITYWIDE_READERS = {R.CENTER_OFFICER, R.CENTER_LEADER, R.REGULATOR, R.SYSTEM_ADMIN}
BANK = {R.BANK_APPLICANT, R.OUTLET_STAFF, R.BANK_HEAD_OFFICE}


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _buttons(html: str) -> set[str]:
    m = re.search(r'<div class="actions case-actions".*?</div>', html, re.S)
    return set(re.findall(r'data-action="([a-z_]+)"', m.group(0))) if m else set()


# --- role × page -----------------------------------------------------------------------------------------------


def test_every_page_per_role(client, world):
    draft = start(world)
    final = finalise_with(world, "A", "2025", FULL)
    other = start(world, "B", "2026H1", officer=world.other[R.DISTRICT_OFFICER])
    sets = IndicatorSet.objects.active("year")
    for side, people in (("A", world.users), ("B", world.other)):
        for role, user in people.items():
            lst = _get(client, user, reverse("evaluations:list"))
            assert lst.status_code == (403 if role in NO_EVALUATIONS else 200), (side, role)
            exp = _get(client, user, reverse("evaluations:export"), format="csv")
            assert exp.status_code == (403 if role in NO_EVALUATIONS else 200), (side, role)
            # Case pages: visible in scope, 404 outside, 403 for roles without evaluations at all.
            for ev in (draft, final, other):
                if role in NO_EVALUATIONS:
                    expected = 403
                elif role in CITYWIDE_READERS:
                    expected = 200
                elif role in (R.DISTRICT_OFFICER, R.DISTRICT_LEADER):
                    expected = 200 if (ev.outlet.district_id == user.organisation.district_id) else 404
                else:  # banks: finalised evaluations of their own outlets only
                    mine = ev.outlet.bank_id == user.organisation.bank_id
                    if role == R.OUTLET_STAFF:
                        mine = ev.outlet_id == user.outlet_id
                    expected = 200 if mine and ev.state == "finalised" else 404
                resp = _get(client, user, reverse("evaluations:detail", args=[ev.pk]))
                assert resp.status_code == expected, (side, role, ev.pk)
            # The scoring page of district A's draft: its officer only; others 403 in scope, 404 outside.
            resp = _get(client, user, reverse("evaluations:action", args=[draft.pk, "score"]))
            if side == "A" and role == R.DISTRICT_OFFICER:
                expected = 200
            elif role in NO_EVALUATIONS | CITYWIDE_READERS or (side == "A" and role == R.DISTRICT_LEADER):
                expected = 403
            else:
                expected = 404
            assert resp.status_code == expected, ("score", side, role)
            resp = _get(client, user, reverse("evaluations:start"))
            assert resp.status_code == (200 if role == R.DISTRICT_OFFICER else 403), ("start", side, role)
            for url in (
                reverse("evaluations:indicator_set_list"),
                reverse("evaluations:indicator_set_detail", args=[sets.pk]),
            ):
                resp = _get(client, user, url)
                assert resp.status_code == (403 if role in NO_EVALUATIONS else 200), (url, side, role)
            resp = _get(client, user, reverse("evaluations:indicator_set_create"))
            assert resp.status_code == (200 if role in (R.CENTER_OFFICER, R.CENTER_LEADER) else 403), (side, role)
    client.logout()
    assert client.get(reverse("evaluations:list")).status_code == 302
    client.force_login(world.users[R.CENTER_OFFICER])
    assert client.get(reverse("evaluations:detail", args=[999999])).status_code == 404
    assert client.get(reverse("evaluations:action", args=[draft.pk, "nonsense"])).status_code == 404


def test_list_scope_filters_and_export(client, world):
    poor = finalise_with(world, "A", "2025", POOR)
    draft = start(world, period="2026H1")
    start(world, "B", "2026H1", officer=world.other[R.DISTRICT_OFFICER])
    url = reverse("evaluations:list")
    resp = _get(client, world.users[R.DISTRICT_OFFICER], url)
    assert resp.context["page"].paginator.count == 2
    html = resp.content.decode()
    assert 'data-grade="poor">差<' in html and 'data-state="draft">评分中<' in html
    assert "district" not in resp.context["form"].fields  # a district sees one district
    resp = _get(client, world.users[R.CENTER_OFFICER], url)
    assert resp.context["page"].paginator.count == 3
    count = lambda **p: client.get(url, p).context["page"].paginator.count  # noqa: E731
    assert count(period="2026H1") == 2
    assert count(grade="poor") == 1
    assert count(state="draft") == 2
    assert count(district=world.districts["B"].pk) == 1
    assert count(outlet=world.outlets["A"].pk) == 2
    bad = client.get(url, {"period": "2026H9"})
    assert bad.status_code == 200 and "period" in bad.context["form"].errors
    assert bad.context["page"].paginator.count == 3  # a bad filter is reported and ignored
    xlsx = client.get(reverse("evaluations:export"), {"grade": "poor"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
    rows = list(sheet.active.values)
    assert rows[0][0] == "评价编号" and len(rows) == 2 and rows[1][0] == poor.pk and rows[1][10] == "差"
    assert draft.pk


# --- start -----------------------------------------------------------------------------------------------------


def test_start_page(client, world):
    log_complaint(world, world.outlets["A"], "2026-05-11")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    url = reverse("evaluations:start")
    page = client.get(url, {"outlet": world.outlets["A"].pk})
    assert page.context["form"].initial["outlet"] == world.outlets["A"].pk
    outlets = list(page.context["form"].fields["outlet"].queryset)
    assert outlets == [world.outlets["A"]]  # only the district's cooperating outlets
    resp = client.post(url, {"outlet": world.outlets["A"].pk, "period": "2026H1", "note": ""})
    ev = Evaluation.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("evaluations:detail", args=[ev.pk])
    assert ev.complaint_count == 1
    again = client.post(url, {"outlet": world.outlets["A"].pk, "period": "2026H1"})
    assert again.status_code == 409 and "已存在" in again.content.decode()
    bad = client.post(url, {"outlet": world.outlets["A"].pk, "period": "H1"})
    assert bad.status_code == 200 and "period" in bad.context["form"].errors
    foreign = client.post(url, {"outlet": world.outlets["B"].pk, "period": "2026H2"})
    assert foreign.status_code == 200 and "outlet" in foreign.context["form"].errors
    assert Evaluation.objects.count() == 1


# --- the case page and the scoring form ------------------------------------------------------------------------


def test_case_page_shows_every_indicator_with_its_maximum_and_the_buttons(client, world):
    log_complaint(world, world.outlets["A"], "2026-05-11")
    ev = score(world, start(world), {"premises": 8}, notes={"premises": "标识褪色"})
    html = _get(client, world.users[R.DISTRICT_OFFICER], reverse("evaluations:detail", args=[ev.pk])).content.decode()
    assert _buttons(html) == {"score", "submit"}
    for code in FULL:
        assert f'data-indicator="{code}"' in html
    assert "标识褪色" in html and "投诉 1 件，每件扣 5 分" in html
    assert "已评 2 / 9 项" in html
    assert "各项得分" in html and "服务场所与标识 8" in html  # the timeline names the indicator
    leader = _get(client, world.users[R.DISTRICT_LEADER], reverse("evaluations:detail", args=[ev.pk])).content
    assert _buttons(leader.decode()) == set()


def test_scoring_form(client, world):
    ev = start(world)
    client.force_login(world.users[R.DISTRICT_OFFICER])
    url = reverse("evaluations:action", args=[ev.pk, "score"])
    page = client.get(url).content.decode()
    assert 'name="score.premises"' in page and 'max="10"' in page and 'max="15"' in page
    assert 'name="score.complaints"' not in page  # automatic: computed, never typed
    data = {"version": ev.version, **{f"score.{c}": v for c, v in FULL.items()}, "note.volume": "业务量偏低"}
    bad = client.post(url, {**data, "score.premises": "12", "score.efficiency": "abc"})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert 'data-indicator="premises" class="has-error"' in html and "得分应在 0 到 10 分之间" in html
    assert 'data-indicator="efficiency" class="has-error"' in html and 'value="12"' in html  # the input is kept
    ev.refresh_from_db()
    assert ev.version == 2 and set(ev.scores) == {"complaints"}
    ok = client.post(url, {**data, "score.volume": "7.5"})
    assert ok.status_code == 302 and ok["Location"] == reverse("evaluations:detail", args=[ev.pk])
    ev.refresh_from_db()
    assert ev.scores["volume"] == 7.5 and ev.notes == {"volume": "业务量偏低"} and ev.version == 3
    stale = client.post(url, {**data, "version": 2})
    assert stale.status_code == 412


def test_submit_and_finalise_pages(client, world):
    ev = score(world, start(world), POOR)
    client.force_login(world.users[R.DISTRICT_OFFICER])
    resp = client.post(reverse("evaluations:action", args=[ev.pk, "submit"]), {"version": ev.version, "summary": "差"})
    assert resp.status_code == 302
    client.force_login(world.users[R.DISTRICT_LEADER])
    url = reverse("evaluations:action", args=[ev.pk, "finalise"])
    page = client.get(url).content.decode()
    assert 'data-preview-total="55"' in page and 'data-grade="poor"' in page and 'name="confirm"' in page
    ev.refresh_from_db()
    unconfirmed = client.post(url, {"version": ev.version})
    assert unconfirmed.status_code == 200 and "不可撤销" in unconfirmed.content.decode()
    done = client.post(url, {"version": ev.version, "confirm": "yes", "note": "同意"})
    assert done.status_code == 302
    ev.refresh_from_db()
    assert (ev.state, str(ev.total), ev.grade) == ("finalised", "55.0", "poor")
    html = client.get(reverse("evaluations:detail", args=[ev.pk])).content.decode()
    assert 'data-total="55"' in html and "总分" in html and ">差<" in html
    again = client.get(url)
    assert again.status_code == 302  # the state no longer allows it: back to the case page with a message


def test_return_page(client, world):
    ev = put_in_state(world, "submitted")
    client.force_login(world.users[R.DISTRICT_LEADER])
    url = reverse("evaluations:action", args=[ev.pk, "return"])
    empty = client.post(url, {"version": ev.version})
    assert empty.status_code == 200 and "reason" in empty.context["form"].errors
    assert client.post(url, {"version": ev.version, "reason": "效率分过高"}).status_code == 302
    ev.refresh_from_db()
    assert ev.state == "draft"


# --- indicator sets --------------------------------------------------------------------------------------------


def test_indicator_set_pages_and_a_new_version(client, world):
    v1 = IndicatorSet.objects.active("year")
    client.force_login(world.users[R.DISTRICT_OFFICER])
    lst = client.get(reverse("evaluations:indicator_set_list")).content.decode()
    assert "优 ≥ 90；良 ≥ 75；中 ≥ 60；差 &lt; 60" in lst
    assert reverse("evaluations:indicator_set_create") not in lst
    detail = client.get(reverse("evaluations:indicator_set_detail", args=[v1.pk])).content.decode()
    assert "自动：投诉件数（热线工单），每件扣 5 分" in detail and "满分合计" in detail
    client.force_login(world.users[R.CENTER_OFFICER])
    url = reverse("evaluations:indicator_set_create")
    page = client.get(url, {"from": v1.pk})
    rows = page.context["formset"].initial
    assert len(rows) == 9 and rows[5]["code"] == "complaints" and rows[5]["deduction"] == 5
    data = {
        "name": "年度评价指标（2027版）",
        "period_kind": "year",
        "excellent": "92",
        "good": "80",
        "fair": "60",
        "note": "提高优秀线",
        "activate": "on",
        "ind-TOTAL_FORMS": "4",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "50",
    }
    rows = [
        ("service", "服务", "basic", "60", "1", "", ""),
        ("complaints", "投诉", "satisfaction", "40", "1", "complaints", "10"),
        ("", "", "basic", "", "", "", ""),  # a blank row is not saved
        ("", "", "basic", "", "", "", ""),
    ]
    for i, (code, label, cat, mx, w, auto, ded) in enumerate(rows):
        data.update(
            {
                f"ind-{i}-code": code,
                f"ind-{i}-label": label,
                f"ind-{i}-category": cat,
                f"ind-{i}-max_points": mx,
                f"ind-{i}-weight": w,
                f"ind-{i}-auto_source": auto,
                f"ind-{i}-deduction": ded,
            }
        )
    bad = client.post(url, {**data, "ind-0-max_points": "abc", "good": "95"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "满分应为数字" in html and "严格递减" in html
    assert IndicatorSet.objects.filter(period_kind="year").count() == 1
    resp = client.post(url, data)
    v2 = IndicatorSet.objects.get(period_kind="year", version=2)
    assert resp.status_code == 302 and resp["Location"] == reverse("evaluations:indicator_set_detail", args=[v2.pk])
    assert v2.is_active and [i.code for i in v2.indicators.all()] == ["service", "complaints"]
    assert v2.grade_bands[0] == {"grade": "excellent", "min": 92}
    v1.refresh_from_db()
    assert not v1.is_active


# --- the outlet page -------------------------------------------------------------------------------------------


def test_outlet_page_lists_its_evaluations(client, world):
    final = finalise_with(world, "A", "2025", POOR)
    draft = start(world)
    url = reverse("portal:outlet_detail", args=[world.outlets["A"].pk])
    html = _get(client, world.users[R.DISTRICT_OFFICER], url).content.decode()
    assert reverse("evaluations:detail", args=[final.pk]) in html
    assert reverse("evaluations:detail", args=[draft.pk]) in html
    assert f"{reverse('evaluations:start')}?outlet={world.outlets['A'].pk}" in html
    staff = _get(client, world.users[R.OUTLET_STAFF], url).content.decode()
    assert reverse("evaluations:detail", args=[final.pk]) in staff
    assert reverse("evaluations:detail", args=[draft.pk]) not in staff  # not finalised: the district's own work
    assert reverse("evaluations:start") not in staff
