"""Evaluation endpoints under /api/v1/: evaluations with one route per workflow action, and indicator sets."""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import EvaluationActionView, EvaluationViewSet, IndicatorSetViewSet

router = SimpleRouter()
router.register("evaluations", EvaluationViewSet, basename="api-evaluation")
router.register("indicator_sets", IndicatorSetViewSet, basename="api-indicator-set")

urlpatterns = [*router.urls, *action_urlpatterns(EvaluationActionView, "api-evaluation")]
