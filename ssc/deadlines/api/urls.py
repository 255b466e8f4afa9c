"""Deadline endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import DeadlineViewSet

router = SimpleRouter()
router.register("deadlines", DeadlineViewSet, basename="api-deadline")

urlpatterns = router.urls
