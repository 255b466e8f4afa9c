"""Roster endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import RosterVersionViewSet

router = SimpleRouter()
router.register("roster_versions", RosterVersionViewSet, basename="api-roster-version")

urlpatterns = router.urls
