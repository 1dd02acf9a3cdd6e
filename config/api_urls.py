from django.http import HttpResponse
from django.template import engines
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from inkoop.locaties.api import VrijePlaatsenViewSet
from inkoop.rapportages.api import RapportageViewSet
from regio.api.viewsets import GemeenteViewSet
from toegang.toewijzingen.api.berichten import IngediendBerichtViewSet
from toegang.toewijzingen.api.declaraties import DeclaratieViewSet
from toegang.toewijzingen.api.toewijzingen import ToewijzingViewSet
from toegang.toewijzingen.api.verzoeken import VerzoekOmToewijzingViewSet, VerzoekOmWijzigingViewSet
from toegang.toewijzingen.api.zorg import StartZorgViewSet, StopZorgViewSet


class SchemaView(SpectacularAPIView):
    """The OpenAPI description of /api/v1/ (also committed as openapi.yaml)."""

    permission_classes = [AllowAny]
    unscoped_reason = "describes the API; holds no data of any gemeente"


# drf-spectacular's page has an inline <style>; ours loads only files (strict CSP).
DOCS_PAGE = engines["django"].from_string(
    """<!DOCTYPE html>
<html lang="nl">
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="{{ favicon_href }}">
    <link rel="stylesheet" href="{{ swagger_ui_css }}">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{{ swagger_ui_bundle }}"></script>
    <script src="{{ swagger_ui_standalone }}"></script>
    <script src="{{ script_url }}"></script>
  </body>
</html>
"""
)


class DocsView(SpectacularSwaggerSplitView):
    """Interactive API documentation (Swagger UI from the sidecar package: no CDN)."""

    permission_classes = [AllowAny]
    unscoped_reason = "documents the API; holds no data of any gemeente"
    url_name = "api:schema"
    title = "regiozorg API"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            return response  # the init script, served as a file
        return HttpResponse(DOCS_PAGE.render(response.data, request))


router = DefaultRouter()
router.include_root_view = False
router.register("gemeenten", GemeenteViewSet, basename="gemeente")
router.register("berichten", IngediendBerichtViewSet, basename="bericht")
router.register("declaraties", DeclaratieViewSet, basename="declaratie")
router.register("toewijzingen", ToewijzingViewSet, basename="toewijzing")
router.register("capaciteit", VrijePlaatsenViewSet, basename="capaciteit")
router.register("rapportages", RapportageViewSet, basename="rapportage")
router.register("start-zorg", StartZorgViewSet, basename="start-zorg")
router.register("stop-zorg", StopZorgViewSet, basename="stop-zorg")
router.register(
    "verzoeken-om-toewijzing", VerzoekOmToewijzingViewSet, basename="verzoek-om-toewijzing"
)
router.register(
    "verzoeken-om-wijziging", VerzoekOmWijzigingViewSet, basename="verzoek-om-wijziging"
)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    *router.urls,
]
