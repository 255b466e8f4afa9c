"""Rectification endpoints under /api/v1/: the collection (``POST`` issues) and one route per later action.

``issue`` has no action route: a rectification is issued by ``POST /api/v1/rectifications/`` (it creates the case).
"""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import RectificationActionView, RectificationViewSet

router = SimpleRouter()
router.register("rectifications", RectificationViewSet, basename="api-rectification")

urlpatterns = [
    *router.urls,
    *(
        p
        for p in action_urlpatterns(RectificationActionView, "api-rectification")
        if not (p.name or "").endswith("-issue")
    ),
]
