"""Document endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import DocumentViewSet

router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="api-document")

urlpatterns = router.urls
