from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from regio.api.viewsets import GemeenteViewSet


class SchemaView(SpectacularAPIView):
    """The OpenAPI description of /api/v1/ (also committed as openapi.yaml)."""

    permission_classes = [AllowAny]
    unscoped_reason = "describes the API; holds no data of any gemeente"


router = DefaultRouter()
router.include_root_view = False
router.register("gemeenten", GemeenteViewSet, basename="gemeente")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    *router.urls,
]
