"""Scoring and grading of a quality evaluation (服务质量评价, Art 5) — pure functions, no database.

The center sets the numbers in an ``IndicatorSet``; these rules apply them (REGULATION.md "What the regulation
leaves open" — the indicator set and grading are the product's, documented here):

- every indicator is scored from 0 to its ``max_points``, with at most one decimal (e.g. 12.5);
- an automatic indicator is computed, never typed: ``complaints`` → ``max(0, max_points − deduction × count)``
  (the default set: 15 points, −5 per complaint received in the period);
- the total is on a 100-point scale: ``100 × Σ(weight × score) / Σ(weight × max_points)``. With every weight 1
  and max points summing to 100 (the default set) it is simply the sum of the scores;
- the total is rounded half up to one decimal, and the grade is read from that rounded total — the number
  everyone sees — so a displayed 90.0 is always 优 (89.95 rounds to 90.0: 优; 89.94 rounds to 89.9: 良);
- the grade is the first band whose minimum the total reaches (``≥``), bands from the highest minimum down.
  The default bands: 优 ≥ 90, 良 ≥ 75, 中 ≥ 60, 差 below 60. 差 is the failing grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# Grade codes, best first. Their labels live in ``models.Grade``; the failing grade is fixed (差).
GRADES = ("excellent", "good", "fair", "poor")
FAILING_GRADE = "poor"
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)

AUTO_COMPLAINTS = "complaints"
AUTO_SOURCES = (AUTO_COMPLAINTS,)


class ScoreError(ValueError):
    """A score, a band or an indicator definition that breaks the rules above; the message says which."""


@dataclass(frozen=True)
class IndicatorSpec:
    """What scoring needs of one indicator (``models.Indicator`` provides it through ``spec()``)."""

    code: str
    label: str
    max_points: Decimal
    weight: Decimal = Decimal(1)
    auto_source: str = ""
    deduction: Decimal = Decimal(0)  # points per unit of the automatic source (e.g. per complaint)

    @property
    def is_auto(self) -> bool:
        return bool(self.auto_source)


@dataclass(frozen=True)
class Band:
    grade: str
    min: Decimal


def to_points(value: Any) -> Decimal:
    """A number of points from a JSON number or a form's text: finite, at most one decimal."""
    if isinstance(value, bool) or value is None:
        raise ScoreError(_("请填写数字。"))
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ScoreError(_("“%(v)s”不是有效的数字。") % {"v": value}) from exc
    if not d.is_finite():
        raise ScoreError(_("“%(v)s”不是有效的数字。") % {"v": value})
    try:
        q = d.quantize(ONE_DECIMAL)
    except InvalidOperation as exc:  # beyond Decimal's precision: no score is that large
        raise ScoreError(_("数值过大。")) from exc
    if d != q:
        raise ScoreError(_("最多保留一位小数。"))
    return q


def check_score(spec: IndicatorSpec, value: Any) -> Decimal:
    """``value`` as the points of ``spec``: a number from 0 to ``max_points`` with at most one decimal."""
    d = to_points(value)
    if d < 0 or d > spec.max_points:
        raise ScoreError(_("得分应在 0 到 %(m)s 分之间。") % {"m": plain(spec.max_points)})
    return d


def auto_score(spec: IndicatorSpec, *, complaint_count: int) -> Decimal:
    """The computed points of an automatic indicator: ``max_points − deduction × count``, never below 0."""
    if spec.auto_source != AUTO_COMPLAINTS:
        raise ScoreError(_("未知的自动计分来源：%(s)s") % {"s": spec.auto_source})
    if complaint_count < 0:
        raise ScoreError(_("投诉件数不能为负数。"))
    return max(Decimal(0), spec.max_points - spec.deduction * complaint_count)


def round_total(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def missing(specs: Iterable[IndicatorSpec], scores: Mapping[str, Any]) -> list[IndicatorSpec]:
    """The indicators without a score (in the set's order)."""
    return [s for s in specs if scores.get(s.code) in (None, "")]


def weighted_total(specs: Iterable[IndicatorSpec], scores: Mapping[str, Any]) -> Decimal:
    """The total on a 100-point scale, rounded half up to one decimal. Every indicator must be scored."""
    specs = list(specs)
    if not specs:
        raise ScoreError(_("指标体系没有任何指标。"))
    gaps = missing(specs, scores)
    if gaps:
        raise ScoreError(_("以下指标尚未评分：%(m)s") % {"m": "、".join(s.label for s in gaps)})
    possible = sum((s.weight * s.max_points for s in specs), Decimal(0))
    if possible <= 0:
        raise ScoreError(_("指标的满分与权重之积的总和必须大于 0。"))
    earned = sum((s.weight * check_score(s, scores[s.code]) for s in specs), Decimal(0))
    return round_total(HUNDRED * earned / possible)


def provisional_total(specs: Iterable[IndicatorSpec], scores: Mapping[str, Any]) -> Decimal | None:
    """The total once every indicator is scored, else ``None`` (for pages while the draft is being scored)."""
    try:
        return weighted_total(specs, scores)
    except ScoreError:
        return None


def normalise_bands(raw: Any) -> list[Band]:
    """Grade bands as the center enters them: ``[{"grade": "excellent", "min": 90}, …]`` for all four grades,
    best first, minimums strictly decreasing within 0..100, the failing grade from 0."""
    if not isinstance(raw, list | tuple) or len(raw) != len(GRADES):
        raise ScoreError(_("等级须依次为优、良、中、差四档。"))
    bands: list[Band] = []
    for expected, item in zip(GRADES, raw, strict=True):
        if not isinstance(item, Mapping) or item.get("grade") != expected:
            raise ScoreError(_("等级须依次为优、良、中、差四档。"))
        m = to_points(item.get("min"))
        if m < 0 or m > HUNDRED:
            raise ScoreError(_("等级分数线应在 0 到 100 之间。"))
        if bands and m >= bands[-1].min:
            raise ScoreError(_("等级分数线须由高到低严格递减。"))
        bands.append(Band(expected, m))
    if bands[-1].min != 0:
        raise ScoreError(_("最低一档（差）的分数线须为 0。"))
    return bands


def bands_json(bands: Iterable[Band]) -> list[dict[str, Any]]:
    return [{"grade": b.grade, "min": plain(b.min)} for b in bands]


def grade_for(total: Decimal, bands: Iterable[Band]) -> str:
    """The grade of a (rounded) total: the first band, best first, whose minimum it reaches."""
    for band in bands:
        if total >= band.min:
            return band.grade
    return GRADES[-1]


def is_failing(grade: str) -> bool:
    return grade == FAILING_GRADE


def check_specs(specs: Iterable[IndicatorSpec]) -> None:
    """An indicator set that can be scored: unique codes, positive max points and weights, known automatic
    sources with a non-negative deduction."""
    seen: set[str] = set()
    specs = list(specs)
    if not specs:
        raise ScoreError(_("至少需要一个指标。"))
    for s in specs:
        if s.code in seen:
            raise ScoreError(_("指标代码重复：%(c)s") % {"c": s.code})
        seen.add(s.code)
        if s.max_points <= 0:
            raise ScoreError(_("“%(l)s”的满分必须大于 0。") % {"l": s.label})
        if s.weight <= 0:
            raise ScoreError(_("“%(l)s”的权重必须大于 0。") % {"l": s.label})
        if s.auto_source and s.auto_source not in AUTO_SOURCES:
            raise ScoreError(_("“%(l)s”的自动计分来源无效。") % {"l": s.label})
        if s.auto_source and s.deduction < 0:
            raise ScoreError(_("“%(l)s”的扣分标准不能为负数。") % {"l": s.label})


def plain(value: Decimal | None) -> int | float | None:
    """A Decimal of points as JSON likes it: ``15`` rather than ``15.0``, ``12.5`` as is."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)
