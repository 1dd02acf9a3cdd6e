"""GET/POST /api/v1/capaciteit/: the free places an aanbieder reports per location (the waiting
list matches on the newest report), through inkoop.locaties.services like the web form."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from inkoop.locaties.services import meld_vrije_plaatsen
from inkoop.models import Locatie, VrijePlaatsenMelding
from regio.api.filters import gewijzigd_sinds
from regio.api.idempotentie import IdempotentCreateMixin
from regio.api.pagination import KeysetCursorPagination
from regio.mixins import ScopedViewSetMixin

MELD = "inkoop.add_vrijeplaatsenmelding"


class VrijePlaatsenSerializer(serializers.ModelSerializer):
    locatie = serializers.IntegerField(source="locatie_id", help_text="Id van de locatie.")
    locatieNaam = serializers.CharField(source="locatie.naam", read_only=True)
    vrijePlaatsen = serializers.IntegerField(source="vrije_plaatsen", min_value=0, max_value=32767)
    gemeldOp = serializers.DateTimeField(source="gemeld_op", read_only=True)

    class Meta:
        model = VrijePlaatsenMelding
        fields = ["id", "locatie", "locatieNaam", "vrijePlaatsen", "gemeldOp"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("locatie", OpenApiTypes.INT, description="Id van de locatie."),
            OpenApiParameter(
                "gewijzigdSinds",
                OpenApiTypes.DATETIME,
                description="Alleen meldingen gedaan op of na dit moment (ISO 8601).",
            ),
        ]
    )
)
class VrijePlaatsenViewSet(
    IdempotentCreateMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Vrije plaatsen per locatie, gemeld door de aanbieder; de nieuwste melding telt."""

    api_veldnamen = {"vrije_plaatsen": "vrijePlaatsen"}

    queryset = VrijePlaatsenMelding.objects.all()
    serializer_class = VrijePlaatsenSerializer
    capabilities = {"default": "inkoop.view_vrijeplaatsenmelding", "create": MELD}
    pagination_class = KeysetCursorPagination
    cursor_ordering = ("gemeld_op", "pk")
    query_params = frozenset({"cursor", "aantal", "locatie", "gewijzigdSinds"})

    def get_queryset(self):
        qs = super().get_queryset().select_related("locatie")
        if self.action != "list":
            return qs
        locatie = self.request.query_params.get("locatie")
        if locatie is not None:
            if not locatie.isdigit():
                raise ValidationError({"locatie": "Geef het id van een locatie."})
            qs = qs.filter(locatie_id=int(locatie))
        if (moment := gewijzigd_sinds(self.request)) is not None:
            qs = qs.filter(gemeld_op__gte=moment)
        return qs

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A location outside the caller's scope is as unknown as one that does not exist.
        locatie = (
            Locatie.objects.visible_to(request.user, MELD).filter(pk=data["locatie_id"]).first()
        )
        if locatie is None:
            raise ValidationError({"locatie": "Onbekende locatie."})
        melding = meld_vrije_plaatsen(locatie, data["vrije_plaatsen"], request.user)
        # meld_vrije_plaatsen writes the audit row itself.
        return Response(self.get_serializer(melding).data, status=status.HTTP_201_CREATED)
