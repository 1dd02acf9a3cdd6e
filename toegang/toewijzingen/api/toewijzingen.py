"""GET /api/v1/toewijzingen/: the toewijzingen a provider system (or a gemeente user) may see,
polled with ``gewijzigdSinds`` and cursor pagination."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from regio.api.filters import gemeentecode, gewijzigd_sinds, keuze
from regio.api.pagination import KeysetCursorPagination
from regio.mixins import ScopedViewSetMixin
from toegang.models import Toewijzing, Zorgperiode
from toegang.toewijzingen.api.serializers import ToewijzingSerializer

LIJST_PARAMETERS = [
    OpenApiParameter(
        "gewijzigdSinds",
        OpenApiTypes.DATETIME,
        description="Alleen toewijzingen gewijzigd op of na dit moment (ISO 8601).",
    ),
    OpenApiParameter("gemeente", OpenApiTypes.STR, description="CBS-gemeentecode (4 cijfers)."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Toewijzing.Status.values),
]


@extend_schema_view(list=extend_schema(parameters=LIJST_PARAMETERS))
class ToewijzingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Toewijzingen (iWmo WMO301) met de cliëntgegevens die de aanbieder nodig heeft; oudste
    wijziging eerst."""

    queryset = Toewijzing.objects.all()
    serializer_class = ToewijzingSerializer
    capabilities = {"default": "toegang.view_toewijzing"}
    pagination_class = KeysetCursorPagination
    cursor_ordering = ("gewijzigd_op", "pk")
    query_params = frozenset({"cursor", "aantal", "gewijzigdSinds", "gemeente", "status"})

    def get_queryset(self):
        qs = (
            super()
            .get_queryset()
            .select_related(
                "gemeente", "beschikt_product__product", "beschikt_product__client__persoon"
            )
            .prefetch_related(
                "beschikt_product__client__persoon__adressen",
                Prefetch(
                    "zorgperioden",
                    queryset=Zorgperiode.objects.filter(verwijderd_op__isnull=True).order_by(
                        "begindatum", "pk"
                    ),
                    to_attr="zorgperioden_actueel",
                ),
            )
        )
        if self.action != "list":
            return qs
        request = self.request
        if (moment := gewijzigd_sinds(request)) is not None:
            qs = qs.filter(gewijzigd_op__gte=moment)
        if (code := gemeentecode(request)) is not None:
            qs = qs.filter(gemeente__code=code)
        if (status := keuze(request, "status", Toewijzing.Status.values)) is not None:
            qs = qs.filter(status=status)
        return qs
