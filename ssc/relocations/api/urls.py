"""Relocation endpoints under /api/v1/. ``report`` runs with the POST on the collection, so
``…/{id}/actions/report/`` has no route (404): a case that exists has already left ``new``."""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import RelocationActionView, RelocationViewSet

router = SimpleRouter()
router.register("relocations", RelocationViewSet, basename="api-relocation")

urlpatterns = [
    *router.urls,
    *[p for p in action_urlpatterns(RelocationActionView, "api-relocation") if not (p.name or "").endswith("-report")],
]
