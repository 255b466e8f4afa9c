"""Scoring and grading as pure functions: weights, maximum points, bands, rounding and the 90/75/60 boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssc.evaluations import scoring
from ssc.evaluations.models import DEFAULT_BANDS, DEFAULT_INDICATORS
from ssc.evaluations.scoring import IndicatorSpec, ScoreError

D = Decimal
BANDS = scoring.normalise_bands(DEFAULT_BANDS)
DEFAULT_SPECS = [
    IndicatorSpec(code, label, D(mx), D(1), auto, D(ded))
    for code, label, _cat, mx, auto, ded, _desc in DEFAULT_INDICATORS
]


def spec(code="a", max_points="10", weight="1", auto="", deduction="0"):
    return IndicatorSpec(code, code.upper(), D(max_points), D(weight), auto, D(deduction))


def test_default_set_is_out_of_100_with_one_automatic_complaints_indicator():
    assert sum(s.max_points for s in DEFAULT_SPECS) == 100
    assert [s.code for s in DEFAULT_SPECS if s.is_auto] == ["complaints"]
    scoring.check_specs(DEFAULT_SPECS)


def test_with_unit_weights_and_100_points_the_total_is_the_sum():
    scores = {s.code: s.max_points for s in DEFAULT_SPECS}
    assert scoring.weighted_total(DEFAULT_SPECS, scores) == D("100.0")
    scores["efficiency"] = D("7.5")
    scores["complaints"] = 5
    assert scoring.weighted_total(DEFAULT_SPECS, scores) == D("82.5")


def test_weights_scale_each_indicator():
    specs = [spec("a", "10", "1"), spec("b", "10", "3")]
    assert scoring.weighted_total(specs, {"a": 10, "b": 0}) == D("25.0")
    assert scoring.weighted_total(specs, {"a": 0, "b": 10}) == D("75.0")
    assert scoring.weighted_total(specs, {"a": 5, "b": 5}) == D("50.0")


def test_max_points_other_than_100_are_brought_to_a_100_point_scale():
    assert scoring.weighted_total([spec("a", "20")], {"a": 13}) == D("65.0")
    assert scoring.weighted_total([spec("a", "20"), spec("b", "30")], {"a": 20, "b": 0}) == D("40.0")


@pytest.mark.parametrize(
    ("points", "total", "grade"),
    [
        ("179.9", "90.0", "excellent"),  # 89.95 rounds half up to 90.0: 优
        ("179.8", "89.9", "good"),
        ("150.0", "75.0", "good"),
        ("149.9", "75.0", "good"),  # 74.95 → 75.0
        ("149.8", "74.9", "fair"),
        ("120.0", "60.0", "fair"),
        ("119.8", "59.9", "poor"),
        ("119.9", "60.0", "fair"),  # 59.95 → 60.0
        ("0", "0.0", "poor"),
        ("200", "100.0", "excellent"),
    ],
)
def test_rounding_half_up_to_one_decimal_then_the_grade_of_the_rounded_total(points, total, grade):
    specs = [spec("a", "200")]
    t = scoring.weighted_total(specs, {"a": points})
    assert t == D(total)
    assert scoring.grade_for(t, BANDS) == grade


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.9", "good"),
        ("75", "good"),
        ("74.9", "fair"),
        ("60", "fair"),
        ("59.9", "poor"),
        ("0", "poor"),
    ],
)
def test_default_band_boundaries_90_75_60(total, grade):
    assert scoring.grade_for(D(total), BANDS) == grade


def test_other_bands_the_center_sets():
    bands = scoring.normalise_bands(
        [
            {"grade": "excellent", "min": 85},
            {"grade": "good", "min": 70},
            {"grade": "fair", "min": 50.5},
            {"grade": "poor", "min": 0},
        ]
    )
    assert [scoring.grade_for(D(t), bands) for t in ("85", "84.9", "70", "50.5", "50.4")] == [
        "excellent",
        "good",
        "good",
        "fair",
        "poor",
    ]
    assert scoring.bands_json(bands)[2] == {"grade": "fair", "min": 50.5}


@pytest.mark.parametrize(
    "bands",
    [
        [],
        DEFAULT_BANDS[:3],
        [DEFAULT_BANDS[1], DEFAULT_BANDS[0], DEFAULT_BANDS[2], DEFAULT_BANDS[3]],  # order
        [{"grade": "excellent", "min": 90}, {"grade": "good", "min": 90}, *DEFAULT_BANDS[2:]],  # not decreasing
        [*DEFAULT_BANDS[:3], {"grade": "poor", "min": 10}],  # 差 must start at 0
        [{"grade": "excellent", "min": 101}, *DEFAULT_BANDS[1:]],
        [{"grade": "excellent", "min": "abc"}, *DEFAULT_BANDS[1:]],
        [{"grade": "excellent", "min": "90.05"}, *DEFAULT_BANDS[1:]],
        "90,75,60",
    ],
)
def test_bad_bands_are_refused(bands):
    with pytest.raises(ScoreError):
        scoring.normalise_bands(bands)


@pytest.mark.parametrize("value", ["12.5", 12.5, 0, "0", 15, "15.0", D("3.1")])
def test_valid_scores(value):
    assert scoring.check_score(spec("a", "15"), value) == D(str(value)).quantize(D("0.1"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "0 到 15"),
        ("15.1", "0 到 15"),
        ("abc", "不是有效的数字"),
        ("1.25", "一位小数"),
        ("NaN", "不是有效的数字"),
        ("Infinity", "不是有效的数字"),
        (True, "数字"),
        (None, "数字"),
        ("1e40", "过大"),
    ],
)
def test_invalid_scores_say_why(value, message):
    with pytest.raises(ScoreError) as exc:
        scoring.check_score(spec("a", "15"), value)
    assert message in str(exc.value)


@pytest.mark.parametrize(("count", "points"), [(0, 15), (1, 10), (2, 5), (3, 0), (10, 0)])
def test_complaints_deduct_per_complaint_down_to_zero(count, points):
    s = spec("complaints", "15", auto="complaints", deduction="5")
    assert scoring.auto_score(s, complaint_count=count) == points


def test_fractional_deduction():
    s = spec("complaints", "10", auto="complaints", deduction="2.5")
    assert scoring.auto_score(s, complaint_count=3) == D("2.5")


def test_missing_scores_are_named():
    with pytest.raises(ScoreError) as exc:
        scoring.weighted_total(DEFAULT_SPECS, {"premises": 10})
    assert "服务信息公示" in str(exc.value)
    assert scoring.provisional_total(DEFAULT_SPECS, {"premises": 10}) is None
    assert [s.code for s in scoring.missing(DEFAULT_SPECS, {"premises": 10, "volume": None})][:2] == [
        "disclosure",
        "compliance",
    ]


def test_a_score_above_its_maximum_never_reaches_the_total():
    with pytest.raises(ScoreError):
        scoring.weighted_total([spec("a", "10")], {"a": 11})


@pytest.mark.parametrize(
    "specs",
    [
        [],
        [spec("a"), spec("a")],
        [spec("a", "0")],
        [spec("a", weight="0")],
        [spec("a", auto="volume")],
        [spec("a", auto="complaints", deduction="-1")],
    ],
)
def test_bad_indicator_sets_are_refused(specs):
    with pytest.raises(ScoreError):
        scoring.check_specs(specs)


def test_plain_numbers_for_json():
    assert scoring.plain(D("15.0")) == 15 and isinstance(scoring.plain(D("15.0")), int)
    assert scoring.plain(D("12.5")) == 12.5
    assert scoring.plain(None) is None


_points = st.integers(min_value=0, max_value=1000).map(lambda n: D(n) / 10)


@settings(deadline=None, max_examples=300)  # no timing on a shared machine
@given(
    maxima=st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=8),
    weights=st.lists(st.integers(min_value=1, max_value=500), min_size=8, max_size=8),
    fractions=st.lists(st.integers(min_value=0, max_value=100), min_size=8, max_size=8),
)
def test_property_total_in_range_monotonic_and_graded_by_bands(maxima, weights, fractions):
    specs = [spec(f"i{n}", str(D(m) / 10), str(D(weights[n]) / 100)) for n, m in enumerate(maxima)]
    scores = {
        s.code: (s.max_points * fractions[n] / 100).quantize(D("0.1"), rounding="ROUND_DOWN")
        for n, s in enumerate(specs)
    }
    total = scoring.weighted_total(specs, scores)
    assert D(0) <= total <= D(100)
    assert total == total.quantize(D("0.1"))
    grade = scoring.grade_for(total, BANDS)
    expected = "excellent" if total >= 90 else "good" if total >= 75 else "fair" if total >= 60 else "poor"
    assert grade == expected
    # Raising any one score never lowers the total.
    first = specs[0]
    higher = dict(scores, **{first.code: first.max_points})
    assert scoring.weighted_total(specs, higher) >= total
    # Everything at its maximum is exactly 100.
    assert scoring.weighted_total(specs, {s.code: s.max_points for s in specs}) == D("100.0")
