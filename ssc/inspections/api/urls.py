"""Inspection endpoints under /api/v1/: the collection (``POST`` records one), files, and one route per later
action (``record`` creates the case, so it has no action route)."""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import InspectionActionView, InspectionViewSet

router = SimpleRouter()
router.register("inspections", InspectionViewSet, basename="api-inspection")

urlpatterns = [
    *router.urls,
    *(p for p in action_urlpatterns(InspectionActionView, "api-inspection") if not (p.name or "").endswith("-record")),
]
