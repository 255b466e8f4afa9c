"""The evaluation API: list and detail shapes, filters, starting one, actions with If-Match and idempotency,
scoping of every endpoint per role (404 out of scope), query counts, and the indicator sets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssc.accounts.choices import BANK_ROLES, CITYWIDE_ROLES, DISTRICT_ROLES, Role
from ssc.core.tests.api import assert_problem, bearer_client, ids
from ssc.evaluations.models import DEFAULT_BANDS, Evaluation, IndicatorSet
from ssc.workflow.api.testing import if_match, post_action

from .conftest import FULL, POOR, finalise_with, log_complaint, put_in_state, start, walk

R = Role
pytestmark = pytest.mark.django_db
URL = "/api/v1/evaluations/"


# --- shapes ----------------------------------------------------------------------------------------------------


def test_detail_has_state_actions_history_indicators_scores_total_grade(world):
    log_complaint(world, world.outlets["A"], "2026-05-11")
    ev = start(world)
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    body = client.get(f"{URL}{ev.pk}/").json()
    assert body["state"] == "draft" and body["state_display"] == "评分中"
    assert set(body["allowed_actions"]) == {"score", "submit"}
    assert body["period"] == "2026H1" and body["period_kind"] == "half_year" and body["period_label"] == "2026年上半年"
    assert (body["period_start"], body["period_end"]) == ("2026-01-01", "2026-06-30")
    assert body["indicator_set"]["version"] == 1
    assert body["complaint_count"] == 1 and body["scores"] == {"complaints": 10}
    rows = {r["code"]: r for r in body["indicators"]}
    assert (
        rows["complaints"]["is_auto"] and rows["complaints"]["score"] == 10 and rows["complaints"]["max_points"] == 15
    )
    assert rows["premises"]["score"] is None and rows["premises"]["max_points"] == 10
    assert body["total"] is None and body["grade"] == "" and body["provisional_total"] is None
    assert [h["action"] for h in body["history"]] == ["start"]
    assert body["history"][0]["article"] == "5" and body["history"][0]["payload"]["complaint_count"] == 1
    assert body["rectification_offer"] is None and body["rectifications"] == []

    resp = post_action(client, "evaluations", ev.pk, "score", {"scores": FULL, "notes": {"volume": "偏低"}})
    body = resp.json()
    assert resp.status_code == 200 and resp["ETag"] == '"3"'
    assert body["provisional_total"] == 95 and body["notes"] == {"volume": "偏低"}
    resp = post_action(client, "evaluations", ev.pk, "submit", {"summary": "良好"}, **if_match(3))
    assert resp.status_code == 200 and resp.json()["state"] == "submitted"
    leader = bearer_client(world.users[R.DISTRICT_LEADER])
    body = post_action(leader, "evaluations", ev.pk, "finalise", {}).json()
    assert (body["state"], body["total"], body["grade"], body["grade_display"]) == ("finalised", 95, "excellent", "优")
    assert body["finalised_by"]["username"] == world.users[R.DISTRICT_LEADER].username
    assert [h["action"] for h in body["history"]] == ["start", "score", "submit", "finalise"]


def test_list_fields_and_ordering(world):
    finalise_with(world, "A", "2025", POOR)
    start(world, period="2026H1")
    body = bearer_client(world.users[R.CENTER_OFFICER]).get(URL).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["period"] == "2026H1"  # latest period first
    assert {"outlet", "state", "allowed_actions", "total", "grade", "complaint_count", "version"} <= set(first)
    assert "history" not in first
    by_total = bearer_client(world.users[R.CENTER_OFFICER]).get(URL, {"ordering": "-total"}).json()
    assert by_total["results"][0]["period"] == "2025"
    assert_problem(bearer_client(world.users[R.CENTER_OFFICER]).get(URL, {"ordering": "nonsense"}), 400)


# --- filters ---------------------------------------------------------------------------------------------------


def test_filters(world):
    poor = finalise_with(world, "A", "2025", POOR)
    good = finalise_with(world, "A", "2025H2", FULL)
    draft = start(world, period="2026H1")
    other = start(world, "B", "2026H1", officer=world.other[R.DISTRICT_OFFICER])
    client = bearer_client(world.users[R.CENTER_OFFICER])

    def got(**params):
        return ids(client.get(URL, params))

    assert got() == {poor.pk, good.pk, draft.pk, other.pk}
    assert got(period="2026H1") == {draft.pk, other.pk}
    assert got(period="2026h1") == {draft.pk, other.pk}
    assert got(year=2025) == {poor.pk, good.pk}
    assert got(period_kind="year") == {poor.pk}
    assert got(grade="poor") == {poor.pk}
    assert got(grade="poor,excellent") == {poor.pk, good.pk}
    assert got(state="draft") == {draft.pk, other.pk}
    assert got(district=world.districts["B"].pk) == {other.pk}
    assert got(district=world.districts["A"].code) == {poor.pk, good.pk, draft.pk}
    assert got(bank="ccb") == {other.pk}
    assert got(outlet=world.outlets["A"].pk) == {poor.pk, good.pk, draft.pk}
    assert got(q="沙坪坝") == {other.pk}
    assert got(awaiting="me") == set()  # nothing waits on the center
    assert ids(bearer_client(world.users[R.DISTRICT_OFFICER]).get(URL, {"awaiting": "me"})) == {draft.pk}
    for bad in ({"period": "2026H3"}, {"grade": "A"}, {"state": "new"}, {"year": "x"}, {"district": "渝中"}):
        body = assert_problem(client.get(URL, bad), 400)
        assert set(body["errors"]) == set(bad)


# --- start -----------------------------------------------------------------------------------------------------


def test_start_through_the_api(world):
    log_complaint(world, world.outlets["A"], "2026-03-03")
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    resp = client.post(URL, {"outlet": world.outlets["A"].pk, "period": "2026"}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["state"] == "draft" and body["complaint_count"] == 1 and body["indicator_set"]["version"] == 1
    assert resp["Location"].endswith(f"/api/v1/evaluations/{body['id']}/")
    assert_problem(client.post(URL, {"outlet": world.outlets["A"].pk, "period": "2026"}, format="json"), 409)
    body = assert_problem(client.post(URL, {"outlet": world.outlets["A"].pk, "period": "26"}, format="json"), 400)
    assert "period" in body["errors"]
    body = assert_problem(client.post(URL, {"period": "2026"}, format="json"), 400)
    assert "outlet" in body["errors"]
    assert_problem(client.post(URL, {"outlet": world.outlets["B"].pk, "period": "2026"}, format="json"), 404)
    assert_problem(client.post(URL, {"outlet": 999999, "period": "2026"}, format="json"), 404)
    leader = bearer_client(world.users[R.DISTRICT_LEADER])
    assert_problem(leader.post(URL, {"outlet": world.outlets["A"].pk, "period": "2026H2"}, format="json"), 403)


def test_start_is_idempotent_with_a_key(world):
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    data = {"outlet": world.outlets["A"].pk, "period": "2026H2"}
    first = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="ev-1")
    again = client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="ev-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Evaluation.objects.count() == 1


def test_stale_version_and_bad_payload(world):
    ev = start(world)
    client = bearer_client(world.users[R.DISTRICT_OFFICER])
    assert_problem(post_action(client, "evaluations", ev.pk, "score", {"scores": {"premises": 9}}, **if_match(1)), 412)
    body = assert_problem(post_action(client, "evaluations", ev.pk, "score", {"scores": {"premises": 99}}), 400)
    assert "服务场所与标识" in body["errors"]["scores"][0]
    body = assert_problem(post_action(client, "evaluations", ev.pk, "score", {"scores": {"complaints": 3}}), 400)
    assert "自动计算" in body["errors"]["scores"][0]
    assert_problem(post_action(client, "evaluations", ev.pk, "score", {"scores": [1, 2]}), 400)
    body = assert_problem(post_action(client, "evaluations", ev.pk, "submit", {}), 409)
    assert "尚未评分" in body["detail"]
    assert_problem(post_action(client, "evaluations", ev.pk, "nonsense", {}), 404)
    # Multipart with one part per indicator, as a page would send.
    resp = client.post(f"{URL}{ev.pk}/actions/score/", {"score.premises": "8.5", "note.premises": "标识褪色"})
    assert resp.status_code == 200 and resp.json()["scores"]["premises"] == 8.5
    ev.refresh_from_db()
    assert ev.notes == {"premises": "标识褪色"}


# --- scoping: role × endpoint ----------------------------------------------------------------------------------


def test_scope_of_list_and_detail_per_role(world):
    a_final = finalise_with(world, "A", "2025", POOR)
    a_draft = start(world, "A", "2026H1")
    b_final = finalise_with(world, "B", "2025", FULL)
    ab_final = finalise_with(world, "AB", "2025", FULL)  # bank A's outlet in district B
    everything = {a_final.pk, a_draft.pk, b_final.pk, ab_final.pk}
    expected = {
        R.CENTER_OFFICER: everything,
        R.CENTER_LEADER: everything,
        R.REGULATOR: everything,
        R.SYSTEM_ADMIN: everything,
        R.DISTRICT_OFFICER: {a_final.pk, a_draft.pk},
        R.DISTRICT_LEADER: {a_final.pk, a_draft.pk},
        R.BANK_HEAD_OFFICE: {a_final.pk, ab_final.pk},  # finalised only, every outlet of the bank
        R.BANK_APPLICANT: {a_final.pk, ab_final.pk},  # its sub-branch's outlets
        R.OUTLET_STAFF: {a_final.pk},  # its own outlet
        R.HOTLINE_OPERATOR: set(),
        R.SECURITY_ADMIN: set(),
        R.AUDIT_ADMIN: set(),
    }
    expected_other = {
        R.DISTRICT_OFFICER: {b_final.pk, ab_final.pk},
        R.DISTRICT_LEADER: {b_final.pk, ab_final.pk},
        R.BANK_HEAD_OFFICE: {b_final.pk},
        R.BANK_APPLICANT: {b_final.pk},
        R.OUTLET_STAFF: {b_final.pk},
    }
    users = [(u, expected[u.role]) for u in world.users.values()]
    users += [(u, expected_other[u.role]) for u in world.other.values()]
    for user, visible in users:
        client = bearer_client(user)
        assert ids(client.get(URL)) == visible, user.username
        for ev_id in everything:
            resp = client.get(f"{URL}{ev_id}/")
            if ev_id in visible:
                assert resp.status_code == 200, (user.username, ev_id)
            else:
                assert_problem(resp, 404)
    assert_problem(bearer_client(world.users[R.CENTER_OFFICER]).get(f"{URL}999999/"), 404)


def test_bank_sees_only_finalised_evaluations_of_its_outlets(world):
    ev = start(world)
    staff = bearer_client(world.users[R.OUTLET_STAFF])
    assert_problem(staff.get(f"{URL}{ev.pk}/"), 404)
    ev = walk(world, ev)
    body = staff.get(f"{URL}{ev.pk}/").json()
    assert body["state"] == "finalised" and body["allowed_actions"] == [] and body["rectification_offer"] is None


def test_anonymous_is_refused(client, world):
    assert client.get(URL).status_code in (401, 403)
    assert client.get("/api/v1/indicator_sets/").status_code in (401, 403)


# --- query counts (P7) -----------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def test_list_and_detail_queries_do_not_grow_with_rows(world):
    client = bearer_client(world.users[R.CENTER_OFFICER])
    finalise_with(world, "A", "2025", POOR)
    _count(client, URL)  # warm-up: the token's first use is recorded once
    one = _count(client, URL)
    for period in ("2025H1", "2025H2", "2026H1", "2026"):
        finalise_with(world, "A", period, FULL)
    assert _count(client, URL) == one
    ev = Evaluation.objects.get(period="2025")
    detail = _count(client, f"{URL}{ev.pk}/")
    assert detail <= 25, detail


# --- indicator sets --------------------------------------------------------------------------------------------

SETS = "/api/v1/indicator_sets/"
NEW_SET = {
    "name": "年度评价指标（2027版）",
    "period_kind": "year",
    "grade_bands": DEFAULT_BANDS,
    "indicators": [
        {"code": "service", "label": "服务", "category": "basic", "max_points": "70"},
        {
            "code": "complaints",
            "label": "投诉",
            "category": "satisfaction",
            "max_points": 30,
            "auto_source": "complaints",
            "deduction": 6,
        },
    ],
}


def test_indicator_sets_are_read_by_staff_and_created_by_the_center(world):
    for user in [*world.users.values(), *world.other.values()]:
        resp = bearer_client(user).get(SETS)
        if user.role in (R.SECURITY_ADMIN, R.AUDIT_ADMIN):
            assert resp.json()["count"] == 0
            continue
        body = resp.json()
        assert body["count"] == 2, user.username
        year = next(s for s in body["results"] if s["period_kind"] == "year")
        assert year["max_total"] == 100 and year["is_active"] and len(year["indicators"]) == 9
        assert year["grade_bands"][0] == {"grade": "excellent", "min": 90}
    v1 = IndicatorSet.objects.active("year")
    assert_problem(bearer_client(world.users[R.SECURITY_ADMIN]).get(f"{SETS}{v1.pk}/"), 404)
    for role in (R.DISTRICT_OFFICER, R.DISTRICT_LEADER, R.REGULATOR, R.SYSTEM_ADMIN, R.BANK_HEAD_OFFICE):
        assert_problem(bearer_client(world.users[role]).post(SETS, NEW_SET, format="json"), 403)
    assert_problem(bearer_client(world.users[R.SECURITY_ADMIN]).post(SETS, {}, format="json"), 403)
    center = bearer_client(world.users[R.CENTER_OFFICER])
    resp = center.post(SETS, NEW_SET, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert (body["version"], body["is_active"], body["max_total"], body["is_used"]) == (2, True, 100, False)
    detail = center.get(f"{SETS}{v1.pk}/").json()
    assert detail["is_active"] is False and detail["version"] == 1
    assert center.get(f"{SETS}{body['id']}/").json()["indicators"][1]["deduction"] == 6
    # Versions are never changed through the API.
    assert center.put(f"{SETS}{v1.pk}/", NEW_SET, format="json").status_code == 405
    assert center.patch(f"{SETS}{v1.pk}/", {"name": "x"}, format="json").status_code == 405
    assert center.delete(f"{SETS}{v1.pk}/").status_code == 405


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_kind": "month"}, "period_kind"),
        ({"grade_bands": DEFAULT_BANDS[:3]}, "grade_bands"),
        ({"grade_bands": [{"grade": "excellent", "min": 60}, *DEFAULT_BANDS[1:]]}, "grade_bands"),
        ({"indicators": []}, "indicators"),
        ({"indicators": [{"code": "A", "label": "x", "category": "basic", "max_points": 5}]}, "indicators"),
        ({"indicators": [NEW_SET["indicators"][0], NEW_SET["indicators"][0]]}, "indicators"),
        ({"name": ""}, "name"),
    ],
)
def test_indicator_set_bad_input_is_400_naming_the_field(world, change, field):
    center = bearer_client(world.users[R.CENTER_OFFICER])
    body = assert_problem(center.post(SETS, {**NEW_SET, **change}, format="json"), 400)
    assert any(k == field or k.startswith(field + ".") for k in body["errors"]), body
    assert IndicatorSet.objects.count() == 2


def test_used_flag(world):
    start(world, period="2026", day="2026-12-01")
    body = bearer_client(world.users[R.CENTER_OFFICER]).get(SETS).json()
    used = {s["period_kind"]: s["is_used"] for s in body["results"]}
    assert used == {"year": True, "half_year": False}


def test_roles_are_what_the_matrix_expects():
    # The scoping rule of these tests in one place: keep it in step with ``Evaluation.scope_filter``.
    assert set(CITYWIDE_ROLES) | set(DISTRICT_ROLES) | set(BANK_ROLES) == set(Role) - {
        R.HOTLINE_OPERATOR,
        R.SECURITY_ADMIN,
        R.AUDIT_ADMIN,
    }


def test_offer_in_the_api_after_a_failing_grade(world):
    ev = put_in_state(world, "draft")
    ev = walk(world, ev, scores=POOR)
    officer = bearer_client(world.users[R.DISTRICT_OFFICER]).get(f"{URL}{ev.pk}/").json()
    offer = officer["rectification_offer"]
    assert offer["outlet"] == world.outlets["A"].pk and offer["source"] == "evaluation"
    assert offer["source_ref"] == str(ev.pk)
    assert offer["suggested_items"][0].startswith("群众满意度")  # the most points lost, in proportion
    for role in (R.DISTRICT_LEADER, R.CENTER_OFFICER, R.OUTLET_STAFF):
        assert bearer_client(world.users[role]).get(f"{URL}{ev.pk}/").json()["rectification_offer"] is None
