"""Agreement endpoints under /api/v1/: agreements (with ``…/actions/renew/``) and framework agreements."""

from rest_framework.routers import SimpleRouter

from ssc.workflow.api.views import action_urlpatterns

from ..workflow import SYSTEM_ACTIONS
from .views import AgreementActionView, AgreementViewSet, FrameworkAgreementViewSet

router = SimpleRouter()
router.register("agreements", AgreementViewSet, basename="api-agreement")
router.register("framework_agreements", FrameworkAgreementViewSet, basename="api-framework_agreement")

# ``expire`` and ``supersede`` are the daily job's, not anybody's: no route (404).
urlpatterns = [
    *router.urls,
    *[
        p
        for p in action_urlpatterns(AgreementActionView, "api-agreement")
        if (p.name or "").rsplit("-", 1)[-1] not in SYSTEM_ACTIONS
    ],
]
