"""Termination endpoints under /api/v1/: the collection (``POST`` initiates), ``available_grounds``, and one route
per later action.

``initiate`` has no action route: a termination is initiated by ``POST /api/v1/terminations/`` (it creates the case).
"""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from .views import TerminationActionView, TerminationViewSet

router = SimpleRouter()
router.register("terminations", TerminationViewSet, basename="api-termination")

urlpatterns = [
    *router.urls,
    *(
        p
        for p in action_urlpatterns(TerminationActionView, "api-termination")
        if not (p.name or "").endswith("-initiate")
    ),
]
