"""Shapes of the evaluation API: the evaluation (服务质量评价) in lists and in detail, what starts one, and the
center's indicator sets (评价指标体系)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ssc.admission.api.serializers import OutletSummarySerializer
from ssc.workflow.api.serializers import (
    UserBriefSerializer,
    WorkflowCaseDetailMixin,
    WorkflowCaseSerializer,
    choice_string_field,
)

from .. import scoring, selectors
from ..models import AutoSource, Evaluation, Grade, IndicatorCategory, IndicatorSet, PeriodKind
from ..workflow import EVALUATION


def points_field(**kwargs: Any) -> serializers.DecimalField:
    """Points as a JSON number with one decimal at most (``12.5``)."""
    return serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False, **kwargs)


class IndicatorSerializer(serializers.Serializer):
    """评价指标 — one line of an indicator set."""

    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    category = choice_string_field(IndicatorCategory.values)
    category_display = serializers.CharField(source="get_category_display")
    description = serializers.CharField()
    max_points = points_field()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    auto_source = serializers.CharField(help_text="`complaints`: computed from the period's complaint count; else ``.")
    deduction = points_field(help_text="Points deducted per complaint (automatic only).")


class IndicatorSetBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class IndicatorSetSerializer(serializers.Serializer):
    """评价指标体系 — a version of the center's indicators and grade bands (read only once created)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    period_kind = choice_string_field(PeriodKind.values)
    period_kind_display = serializers.CharField(source="get_period_kind_display", read_only=True)
    version = serializers.IntegerField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    note = serializers.CharField(read_only=True)
    grade_bands = serializers.JSONField(
        read_only=True, help_text='Best first: [{"grade": "excellent", "min": 90}, …, {"grade": "poor", "min": 0}].'
    )
    max_total = serializers.SerializerMethodField(help_text="Sum of the indicators' max points.")
    is_used = serializers.SerializerMethodField(help_text="Evaluations were scored on it (it never changes).")
    created_at = serializers.DateTimeField(read_only=True)
    indicators = serializers.SerializerMethodField()

    @extend_schema_field(points_field())
    def get_max_total(self, obj: IndicatorSet) -> Any:
        return scoring.plain(sum((i.max_points for i in obj.indicators.all()), Decimal(0)))

    def get_is_used(self, obj: IndicatorSet) -> bool:
        used = getattr(obj, "used", None)
        return bool(used) if used is not None else obj.is_used

    @extend_schema_field(IndicatorSerializer(many=True))
    def get_indicators(self, obj: IndicatorSet) -> Any:
        return IndicatorSerializer(obj.indicators.all(), many=True).data


class BandInputSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    min = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal(0), max_value=Decimal(100))


class IndicatorInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[a-z][a-z0-9_]{0,39}$", help_text="Lower-case code, unique in the set.")
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]
    category = serializers.ChoiceField(choices=IndicatorCategory.choices)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    max_points = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.1"))
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"), default=Decimal(1))
    auto_source = serializers.ChoiceField(choices=AutoSource.choices, required=False, allow_blank=True, default="")
    deduction = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal(0), default=Decimal(0))


class IndicatorSetCreateSerializer(serializers.Serializer):
    """新建指标体系版本 — center only. Versions are numbered per period kind; ``activate`` (default) makes it the
    set new evaluations of that kind are scored on."""

    name = serializers.CharField(label=_("名称"), max_length=100)
    period_kind = serializers.ChoiceField(label=_("评价周期"), choices=PeriodKind.choices)
    grade_bands = BandInputSerializer(many=True, help_text="All four grades, best first, minimums decreasing.")
    indicators = IndicatorInputSerializer(many=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    activate = serializers.BooleanField(required=False, default=True)


class EvaluationSerializer(WorkflowCaseSerializer):
    """服务质量评价 in lists: outlet, period, state, what the caller may do, total and grade once finalised."""

    workflow = EVALUATION

    outlet = OutletSummarySerializer(read_only=True)
    period_label = serializers.CharField(read_only=True)
    period_kind = choice_string_field(PeriodKind.values)
    total = points_field(read_only=True, allow_null=True)
    grade = choice_string_field(Grade.values, "Empty until finalised.")
    grade_display = serializers.SerializerMethodField()
    indicator_set = IndicatorSetBriefSerializer(read_only=True)
    evaluator = UserBriefSerializer(read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "outlet",
            "period",
            "period_label",
            "period_kind",
            "year",
            "period_start",
            "period_end",
            "state",
            "state_display",
            "allowed_actions",
            "version",
            "indicator_set",
            "complaint_count",
            "total",
            "grade",
            "grade_display",
            "evaluator",
            "submitted_at",
            "finalised_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_grade_display(self, obj: Evaluation) -> str:
        return str(Grade(obj.grade).label) if obj.grade else ""


class ScoredIndicatorSerializer(IndicatorSerializer):
    score = points_field(allow_null=True)
    note = serializers.CharField()
    is_auto = serializers.BooleanField()


class RectificationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)


class RectificationOfferSerializer(serializers.Serializer):
    """What to send to issue the rectification this failing evaluation offers."""

    outlet = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source
    source_ref = serializers.CharField()
    suggested_items = serializers.ListField(child=serializers.CharField())


class EvaluationDetailSerializer(WorkflowCaseDetailMixin, EvaluationSerializer):
    """One evaluation: every indicator with its maximum, weight and score, the provisional total while scoring,
    the history, and — when finalised 差 — the rectification it offers or led to."""

    indicators = serializers.SerializerMethodField()
    scores = serializers.JSONField(read_only=True, help_text="Indicator code → points.")
    notes = serializers.JSONField(read_only=True, help_text="Indicator code → why points were lost.")
    provisional_total = serializers.SerializerMethodField(
        help_text="The total the current scores give (null until every indicator is scored)."
    )
    finalised_by = UserBriefSerializer(read_only=True, allow_null=True)
    rectifications = serializers.SerializerMethodField()
    rectification_offer = serializers.SerializerMethodField(
        help_text="Set when the caller may issue a rectification from this evaluation (finalised 差)."
    )
    two_failing_years = serializers.SerializerMethodField(
        help_text="For a yearly 差: the consecutive failing years that flag the outlet for the center."
    )

    class Meta(EvaluationSerializer.Meta):
        fields = [
            *EvaluationSerializer.Meta.fields,
            "indicators",
            "scores",
            "notes",
            "complaints_counted_at",
            "provisional_total",
            "summary",
            "finalised_by",
            "facts",
            "rectifications",
            "rectification_offer",
            "two_failing_years",
            "history",
            "deadlines",
            "documents",
        ]
        read_only_fields = fields

    @extend_schema_field(ScoredIndicatorSerializer(many=True))
    def get_indicators(self, obj: Evaluation) -> Any:
        scores, notes = obj.scores or {}, obj.notes or {}
        rows = []
        for ind in obj.indicator_set.indicators.all():
            row = dict(IndicatorSerializer(ind).data)
            row.update(score=scores.get(ind.code), note=notes.get(ind.code, ""), is_auto=ind.is_auto)
            rows.append(row)
        return rows

    @extend_schema_field(points_field(allow_null=True))
    def get_provisional_total(self, obj: Evaluation) -> Any:
        return scoring.plain(scoring.provisional_total(obj.indicator_set.specs(), obj.scores or {}))

    @extend_schema_field(RectificationBriefSerializer(many=True))
    def get_rectifications(self, obj: Evaluation) -> Any:
        if not obj.is_failing:
            return []
        return RectificationBriefSerializer(selectors.rectifications_from(obj), many=True).data

    @extend_schema_field(RectificationOfferSerializer(allow_null=True))
    def get_rectification_offer(self, obj: Evaluation) -> Any:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not selectors.offers_rectification(obj, user):
            return None
        from ..services import suggested_rectification_items

        return {
            "outlet": obj.outlet_id,
            "source": "evaluation",
            "source_ref": str(obj.pk),
            "suggested_items": suggested_rectification_items(obj),
        }

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_two_failing_years(self, obj: Evaluation) -> list[int]:
        if obj.period_kind != PeriodKind.YEAR or not obj.is_failing:
            return []
        years = selectors.failing_neighbour_years(obj.outlet_id, obj.year)
        return sorted({*years, obj.year}) if years else []


class EvaluationCreateSerializer(serializers.Serializer):
    """开始评价 — district officer of the outlet's district; the indicator set is the center's active one for the
    period's kind; the complaint count is filled in from the hotline tickets."""

    outlet = serializers.IntegerField(label=_("网点"), min_value=1, max_value=2**63 - 1, help_text="Outlet id.")
    period = serializers.CharField(
        label=_("评价期"), max_length=10, help_text="`2026` (year), `2026H1` / `2026H2` (half-year)."
    )
    note = serializers.CharField(label=_("说明"), max_length=500, required=False, allow_blank=True, default="")


# Payload fields whose form field is too loose to describe itself.
PAYLOAD_OVERRIDES: dict[str, serializers.Field] = {
    "scores": serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True),
        required=False,
        help_text="Indicator code → points (0 to its max_points, one decimal at most); null removes a score. "
        "Automatic indicators (auto_source) are computed and cannot be set. Multipart: `score.<code>` parts.",
    ),
    "notes": serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=500),
        required=False,
        help_text="Indicator code → note (why points were lost); empty removes it. Multipart: `note.<code>`.",
    ),
}
