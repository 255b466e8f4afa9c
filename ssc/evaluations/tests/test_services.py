"""Evaluation services: complaint counts from the hotline tickets, scoring rules, the walk to a finalised total and
grade, one evaluation per outlet and period, and the center's versioned indicator sets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ssc.accounts.choices import Role
from ssc.audit.models import AuditEvent
from ssc.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from ssc.evaluations import selectors, services
from ssc.evaluations.models import DEFAULT_BANDS, Evaluation, Indicator, IndicatorSet
from ssc.registry.models import Outlet
from ssc.workflow.models import CaseEvent

from .conftest import FULL, SCENARIO_B, at, finalise_with, log_complaint, score, start, walk

R = Role
pytestmark = pytest.mark.django_db


# --- complaint count -------------------------------------------------------------------------------------------


def test_start_fills_in_the_complaints_of_the_period_from_the_tickets(world):
    a, b = world.outlets["A"], world.outlets["B"]
    log_complaint(world, a, "2026-01-01", hour=0, minute=0)  # first minute of the half-year (local time)
    log_complaint(world, a, "2026-05-11")  # SCENARIOS B.1
    log_complaint(world, a, "2026-06-30", hour=23, minute=59)  # last minute
    log_complaint(world, a, "2025-12-31", hour=23, minute=59)  # before the period
    log_complaint(world, a, "2026-03-03", category="consultation")  # not a complaint
    log_complaint(world, b, "2026-03-03")  # another outlet
    ev = start(world, period="2026H1", day="2026-06-30")
    assert ev.complaint_count == 3
    assert ev.scores == {"complaints": 0}  # 15 − 3 × 5
    assert ev.complaint_count == selectors.complaint_count(a.pk, ev.period_start, ev.period_end)
    year = start(world, period="2026", day="2026-12-01")
    assert year.complaint_count == 3
    assert year.scores["complaints"] == 0


def test_the_count_is_taken_again_on_scoring_and_on_submission(world):
    a = world.outlets["A"]
    log_complaint(world, a, "2026-05-11")
    ev = start(world)
    assert (ev.complaint_count, ev.scores["complaints"]) == (1, 10)
    log_complaint(world, a, "2026-06-29")  # logged late, received within the period
    ev = score(world, ev, {"premises": 8})
    assert (ev.complaint_count, ev.scores["complaints"]) == (2, 5)
    log_complaint(world, a, "2026-06-20")
    ev = walk(world, ev, until="finalise")
    assert ev.state == "submitted"
    assert (ev.complaint_count, ev.scores["complaints"]) == (3, 0)
    event = CaseEvent.objects.filter(case_type="evaluation", case_id=ev.pk, action="submit").get()
    assert event.payload["complaint_count"] == 3


def test_the_leader_finalises_what_was_submitted(world):
    a = world.outlets["A"]
    ev = walk(world, start(world), until="finalise")
    log_complaint(world, a, "2026-06-01")  # after submission: the submitted snapshot is what is approved
    ev = services.perform(ev.pk, "finalise", actor=world.users[R.DISTRICT_LEADER], data={}, at=at("2026-07-02"))
    assert ev.complaint_count == 0
    assert ev.total == Decimal("100.0") and ev.grade == "excellent"


# --- scoring rules ---------------------------------------------------------------------------------------------


def _errors(exc) -> str:
    return " ".join(exc.value.errors.get("scores", []))


@pytest.mark.parametrize(
    ("scores", "needle"),
    [
        ({"premises": 11}, "服务场所与标识（premises）：得分应在 0 到 10 分之间"),
        ({"premises": -1}, "0 到 10"),
        ({"premises": "7.25"}, "一位小数"),
        ({"premises": "很好"}, "不是有效的数字"),
        ({"nonsense": 3}, "nonsense"),
        ({"complaints": 10}, "自动计算"),
    ],
)
def test_scores_are_checked_against_each_indicator(world, scores, needle):
    ev = start(world)
    with pytest.raises(ValidationFailed) as exc:
        score(world, ev, scores)
    assert needle in _errors(exc)
    ev.refresh_from_db()
    assert ev.version == 2 and set(ev.scores) == {"complaints"}


def test_nothing_to_score_is_refused(world):
    ev = start(world)
    for data in ({}, {"scores": {}}, {"scores": "premises=9"}, {"scores": [9]}):
        with pytest.raises(ValidationFailed):
            services.perform(ev.pk, "score", actor=world.users[R.DISTRICT_OFFICER], data=data)


def test_scores_merge_in_sittings_null_removes_and_the_automatic_value_may_be_echoed(world):
    ev = start(world)
    ev = score(world, ev, {"premises": 9, "volume": "7.5"}, notes={"volume": "业务量偏低"})
    ev = score(world, ev, {"efficiency": 12, "volume": None, "complaints": 15})  # echo of the computed 15
    assert ev.scores == {"complaints": 15, "premises": 9, "efficiency": 12}
    assert ev.notes == {"volume": "业务量偏低"}
    ev = score(world, ev, {}, notes={"volume": ""})
    assert ev.notes == {}


def test_submit_needs_every_indicator_scored(world):
    ev = score(world, start(world), {"premises": 9})
    with pytest.raises(InvalidState) as exc:
        services.perform(ev.pk, "submit", actor=world.users[R.DISTRICT_OFFICER], data={})
    assert "服务信息公示" in str(exc.value.detail) and "服务场所与标识" not in str(exc.value.detail)


def test_return_sends_it_back_to_scoring_with_the_reason(world):
    ev = walk(world, start(world), until="finalise")
    with pytest.raises(ValidationFailed):
        services.perform(ev.pk, "return", actor=world.users[R.DISTRICT_LEADER], data={})
    ev = services.perform(ev.pk, "return", actor=world.users[R.DISTRICT_LEADER], data={"reason": "安全管理分偏高"})
    assert ev.state == "draft"
    assert ev.facts["return"][0]["reason"] == "安全管理分偏高"
    ev = score(world, ev, {"security": 6})
    ev = walk(world, ev, until="score")
    ev = services.perform(ev.pk, "submit", actor=world.users[R.DISTRICT_OFFICER], data={})
    ev = services.perform(ev.pk, "finalise", actor=world.users[R.DISTRICT_LEADER], data={})
    assert ev.total == Decimal("96.0") and ev.grade == "excellent"


# --- finalising: total and grade -------------------------------------------------------------------------------


def test_scenario_b2_half_year_55_is_poor(world):
    a = world.outlets["A"]
    log_complaint(world, a, "2026-05-11")
    log_complaint(world, a, "2026-06-02")
    ev = finalise_with(world, "A", "2026H1", SCENARIO_B)
    assert (ev.total, ev.grade, ev.complaint_count) == (Decimal("55.0"), "poor", 2)
    assert ev.finalised_by == world.users[R.DISTRICT_LEADER]
    assert ev.is_failing
    event = CaseEvent.objects.get(case_type="evaluation", case_id=ev.pk, action="finalise")
    assert event.payload["total"] == 55 and event.payload["grade"] == "poor" and event.article == "5"
    audit = AuditEvent.objects.filter(action="evaluation.finalise", object_id=str(ev.pk)).get()
    assert "poor" in audit.after_json


@pytest.mark.parametrize(
    ("minus", "total", "grade"),
    [(10, "90.0", "excellent"), (11, "89.0", "good"), (25, "75.0", "good"), (40, "60.0", "fair"), (41, "59.0", "poor")],
)
def test_boundaries_through_the_service(world, minus, total, grade):
    scores = dict(FULL)
    left = minus
    for code in ("efficiency", "satisfaction", "premises", "compliance"):
        take = min(left, scores[code])
        scores[code] -= take
        left -= take
    ev = finalise_with(world, "A", "2026H1", scores)
    assert (ev.total, ev.grade) == (Decimal(total), grade)


def test_grade_bands_and_weights_of_the_case_own_version(world):
    center = world.users[R.CENTER_OFFICER]
    ev = start(world)  # on the default half-year set, v1
    v2 = services.indicator_set_create(
        actor=center,
        name="半年度评价指标（试行）",
        period_kind="half_year",
        grade_bands=[
            {"grade": "excellent", "min": 95},
            {"grade": "good", "min": 85},
            {"grade": "fair", "min": 70},
            {"grade": "poor", "min": 0},
        ],
        indicators=[
            {"code": "service", "label": "服务", "category": "basic", "max_points": 10, "weight": 3},
            {"code": "security", "label": "安全", "category": "security", "max_points": 10, "weight": 1},
            {
                "code": "complaints",
                "label": "投诉",
                "category": "satisfaction",
                "max_points": 10,
                "auto_source": "complaints",
                "deduction": 2,
            },
        ],
    )
    assert v2.version == 2 and v2.is_active
    # The evaluation started on v1 keeps v1's 100 points and bands: 91 → 优 there, 良 under v2.
    scores = dict(FULL, premises=1)
    ev = walk(world, ev, scores=scores)
    assert ev.indicator_set.version == 1
    assert (ev.total, ev.grade) == (Decimal("91.0"), "excellent")
    # A new evaluation is scored on v2: weights 3/1/1 → 100 × (3×8 + 1×5 + 1×10) / 50 = 78.0 → 中 under v2.
    new = start(world, "A", "2026H2", day="2026-12-01")
    assert new.indicator_set_id == v2.pk
    assert new.scores == {"complaints": 10}
    new = walk(world, new, scores={"service": 8, "security": 5}, day="2026-12-01")
    assert (new.total, new.grade) == (Decimal("78.0"), "fair")


# --- starting: who, what, when ---------------------------------------------------------------------------------


def test_one_evaluation_per_outlet_and_period(world):
    start(world, period="2026H1")
    with pytest.raises(InvalidState):
        start(world, period="2026H1")
    with pytest.raises(InvalidState):
        start(world, period="2026h1")
    start(world, period="2026", day="2026-12-01")  # the year and its halves are distinct periods
    start(world, period="2026H2", day="2026-12-01")
    assert Evaluation.objects.filter(outlet=world.outlets["A"]).count() == 3


def test_start_refusals(world):
    officer = world.users[R.DISTRICT_OFFICER]
    a = world.outlets["A"]
    with pytest.raises(NotAllowed):
        services.evaluation_start(actor=world.users[R.DISTRICT_LEADER], outlet_id=a.pk, period="2026H1")
    with pytest.raises(NotFound):  # another district's outlet: not disclosed
        services.evaluation_start(actor=world.other[R.DISTRICT_OFFICER], outlet_id=a.pk, period="2026H1")
    with pytest.raises(NotFound):
        services.evaluation_start(actor=world.users[R.BANK_APPLICANT], outlet_id=world.outlets["B"].pk, period="2026")
    for period in ("2026H3", "26", "2026-06", "", "1999"):
        with pytest.raises(ValidationFailed) as exc:
            services.evaluation_start(actor=officer, outlet_id=a.pk, period=period)
        assert "period" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        services.evaluation_start(actor=officer, outlet_id=a.pk, period="2027")
    assert "尚未开始" in exc.value.errors["period"][0]
    Outlet.objects.filter(pk=a.pk).update(status="preparing")
    with pytest.raises(InvalidState):
        services.evaluation_start(actor=officer, outlet_id=a.pk, period="2026H1")
    Outlet.objects.filter(pk=a.pk).update(status="active")
    IndicatorSet.objects.update(is_active=False)
    with pytest.raises(InvalidState) as exc:
        services.evaluation_start(actor=officer, outlet_id=a.pk, period="2026H1")
    assert "指标体系" in str(exc.value.detail)
    assert not Evaluation.objects.exists()


def test_an_outlet_under_rectification_is_evaluated_too(world):
    Outlet.objects.filter(pk=world.outlets["A"].pk).update(status="under_rectification")
    assert start(world).state == "draft"


# --- indicator sets --------------------------------------------------------------------------------------------


def _rows():
    return [
        {"code": "service", "label": "服务", "category": "basic", "max_points": "60"},
        {
            "code": "complaints",
            "label": "投诉",
            "category": "satisfaction",
            "max_points": 40,
            "auto_source": "complaints",
            "deduction": "10",
        },
    ]


def test_only_the_center_creates_versions(world):
    for role in (R.DISTRICT_OFFICER, R.DISTRICT_LEADER, R.REGULATOR, R.SYSTEM_ADMIN, R.BANK_HEAD_OFFICE):
        with pytest.raises(NotAllowed):
            services.indicator_set_create(
                actor=world.users[role], name="x", period_kind="year", grade_bands=DEFAULT_BANDS, indicators=_rows()
            )
    s = services.indicator_set_create(
        actor=world.users[R.CENTER_LEADER],
        name="年度",
        period_kind="year",
        grade_bands=DEFAULT_BANDS,
        indicators=_rows(),
    )
    assert AuditEvent.objects.filter(action="indicator_set.create", object_id=str(s.pk)).exists()


def test_a_new_version_replaces_the_active_one_and_leaves_the_used_one_untouched(world):
    v1 = IndicatorSet.objects.active("year")
    ev = start(world, period="2026", day="2026-12-01")
    before = list(Indicator.objects.filter(indicator_set=v1).values_list("code", "max_points", "weight"))
    v2 = services.indicator_set_create(
        actor=world.users[R.CENTER_OFFICER],
        name="年度评价指标（2027版）",
        period_kind="year",
        grade_bands=DEFAULT_BANDS,
        indicators=_rows(),
        note="精简",
    )
    v1.refresh_from_db()
    assert (v1.is_active, v2.is_active, v2.version) == (False, True, 2)
    assert IndicatorSet.objects.active("year") == v2
    assert IndicatorSet.objects.active("half_year").version == 1  # versions are per period kind
    assert list(Indicator.objects.filter(indicator_set=v1).values_list("code", "max_points", "weight")) == before
    ev.refresh_from_db()
    assert ev.indicator_set_id == v1.pk and v1.is_used and not v2.is_used
    v3 = services.indicator_set_create(
        actor=world.users[R.CENTER_OFFICER],
        name="草案",
        period_kind="year",
        grade_bands=DEFAULT_BANDS,
        indicators=_rows(),
        activate=False,
    )
    assert v3.version == 3 and not v3.is_active and IndicatorSet.objects.active("year") == v2


def _one(**row):
    return {"indicators": [{"code": "a", "label": "x", "category": "basic", "max_points": 5, **row}]}


@pytest.mark.parametrize(
    ("kwargs", "field", "needle"),
    [
        ({"name": ""}, "name", "名称"),
        ({"period_kind": "month"}, "period_kind", "周期"),
        ({"grade_bands": DEFAULT_BANDS[:3]}, "grade_bands", "四档"),
        ({"indicators": []}, "indicators", "至少"),
        (_one(code="A b"), "indicators", "代码"),
        (_one(category="misc"), "indicators", "类别"),
        (_one(max_points=0), "indicators", "满分"),
        (_one(max_points="1.25"), "indicators", "满分"),
        (_one(weight=0), "indicators", "权重"),
        (_one(auto_source="c"), "indicators", "自动计分"),
        (_one(auto_source="complaints"), "indicators", "扣分"),
        ({"indicators": [*_rows(), _rows()[0]]}, "indicators", "重复"),
    ],
)
def test_indicator_set_validation_names_the_field(world, kwargs, field, needle):
    args = {"name": "年度", "period_kind": "year", "grade_bands": DEFAULT_BANDS, "indicators": _rows(), **kwargs}
    with pytest.raises(ValidationFailed) as exc:
        services.indicator_set_create(actor=world.users[R.CENTER_OFFICER], **args)
    assert needle in " ".join(exc.value.errors[field])
    assert IndicatorSet.objects.filter(period_kind="year").count() == 1


def test_ensure_default_is_idempotent(world):
    before = IndicatorSet.objects.count(), Indicator.objects.count()
    services.ensure_default_indicator_set()
    assert (IndicatorSet.objects.count(), Indicator.objects.count()) == before
    s = IndicatorSet.objects.active("year")
    assert sum(i.max_points for i in s.indicators.all()) == 100
    assert s.indicators.get(code="complaints").deduction == 5
