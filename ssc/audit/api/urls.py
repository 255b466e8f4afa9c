"""Audit endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import AuditEventViewSet

router = SimpleRouter()
router.register("audit_events", AuditEventViewSet, basename="api-audit-event")

urlpatterns = router.urls
