"""``/api/v1/berichten/``: the messages an aanbieder submitted — iWmo XML (``manage.py iwmo
import``) or a POST of this API (start-zorg, stop-zorg, verzoeken, declaraties) — with the retour
the gemeente gave (``toegang.toewijzingen.retour``: WMO306/308/316/318, the declaratie-antwoord
WMO325). A POST answers with the retour and the ``bericht`` id; GET on that id gives the same
retour again. An aanbieder sees its own messages only; another's answers 404."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from regio.api.pagination import KeysetCursorPagination
from regio.mixins import ScopedViewSetMixin
from toegang.models import IngediendBericht

VIEW = "toegang.view_ingediendbericht"

RETOUR_HELP = (
    "Het retourbericht in de structuur van het iWmo-retourbericht (WMO306, WMO308, WMO316, "
    "WMO318 of het declaratie-antwoord WMO325): header met de identificatie van het ingediende "
    "bericht, en per cliënt/product/prestatie de WJ001-retourcodes (0200 = geen opmerking). "
    "status: goedgekeurd (verwerkt), afgekeurd (niets verwerkt) of deels (WMO315/WMO323: de "
    "producten of prestaties met 0200 zijn verwerkt)."
)


class IngediendBerichtSerializer(serializers.ModelSerializer):
    berichttype = serializers.SerializerMethodField(
        help_text="WMO305, WMO307, WMO315, WMO317 of WMO323."
    )
    gemeente = serializers.CharField(source="gemeente.code", allow_null=True, default=None)
    ontvangenOp = serializers.DateTimeField(source="ontvangen_op")
    retour = serializers.JSONField(help_text=RETOUR_HELP)

    class Meta:
        model = IngediendBericht
        fields = [
            "id", "berichttype", "identificatie", "gemeente", "bron", "ontvangenOp", "status",
            "retour",
        ]  # fmt: skip

    def get_berichttype(self, bericht) -> str:
        return f"WMO{bericht.berichttype}"


class BerichtPagination(KeysetCursorPagination):
    default_ordering = ("ontvangen_op", "pk")


class IngediendBerichtViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Ingediende berichten met hun retour; oudste eerst."""

    queryset = IngediendBericht.objects.all()
    serializer_class = IngediendBerichtSerializer
    capabilities = {"default": VIEW}
    pagination_class = BerichtPagination
    cursor_ordering = ("ontvangen_op", "pk")
    query_params = frozenset({"cursor", "aantal"})

    def get_queryset(self):
        return super().get_queryset().select_related("gemeente")


class MetRetour(serializers.Serializer):
    """The two fields a POST's answer adds: the stored message and its retour."""

    bericht = serializers.IntegerField(
        source="ingediend_bericht.pk", read_only=True,
        help_text="Id van het ingediende bericht: GET /api/v1/berichten/{id}/ geeft de retour "
        "opnieuw.",
    )  # fmt: skip
    retour = serializers.JSONField(
        source="ingediend_bericht.retour", read_only=True, help_text=RETOUR_HELP
    )
