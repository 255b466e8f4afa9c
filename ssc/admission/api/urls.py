"""Admission endpoints under /api/v1/: the applications collection and one route per workflow action."""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import ApplicationActionView, ApplicationViewSet

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = [*router.urls, *action_urlpatterns(ApplicationActionView, "api-application")]
