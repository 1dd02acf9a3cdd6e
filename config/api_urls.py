from rest_framework.routers import DefaultRouter

from regio.api.viewsets import GemeenteViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("gemeenten", GemeenteViewSet, basename="gemeente")

urlpatterns = router.urls
