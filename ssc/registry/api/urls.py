"""Registry endpoints under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import BankViewSet, CardServiceViewSet, DistrictViewSet, OrganisationViewSet, OutletViewSet

router = SimpleRouter()
router.register("districts", DistrictViewSet, basename="api-district")
router.register("organisations", OrganisationViewSet, basename="api-organisation")
router.register("banks", BankViewSet, basename="api-bank")
router.register("card_services", CardServiceViewSet, basename="api-card-service")
router.register("outlets", OutletViewSet, basename="api-outlet")

urlpatterns = router.urls
