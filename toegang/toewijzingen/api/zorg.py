"""Start zorg and stop zorg (iWmo WMO305 / WMO307 semantics) by an aanbieder's system.

A toewijzing is named as in iWmo: its ToewijzingNummer (unique per gemeente) and the gemeente's
CBS code. One the caller may not report on (another aanbieder's) answers 404.
StatusAanlevering 1 delivers, 3 deletes an earlier delivery with the same key (the begindatum);
2 (changed) does not exist in iWmo: a correction is a delete followed by a new delivery.
An accepted POST answers the zorgperiode plus ``bericht`` and ``retour`` (the WMO306/WMO308 of
``toegang.toewijzingen.retour``, stored in the same transaction and given again by
``GET /api/v1/berichten/{bericht}/``); a refused one answers 400 problem+json with the field
errors and ``retour``, the same retour (its WJ001 code as the XML import gives it), not kept: a
refused POST had no effect.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from regio.api.idempotentie import IdempotentCreateMixin
from regio.mixins import ScopedViewSetMixin
from toegang.models import Toewijzing, Zorgperiode
from toegang.toewijzingen.api.berichten import MetRetour
from toegang.toewijzingen.iwmo_xml.importeren import zorg_weigering
from toegang.toewijzingen.retour import OK, kop_api, per_record, retour_api
from toegang.toewijzingen.zorg import ADD, start_zorg, stop_zorg, verwijder_start, verwijder_stop

EERSTE, VERWIJDEREN = "1", "3"
STATUS_AANLEVERING = [
    (EERSTE, "1 Eerste aanlevering"),
    (VERWIJDEREN, "3 Verwijderen aanlevering"),
]
# OP033x2: 2 (changed) is not allowed; say how to correct instead.
STATUS_FOUT = {
    "invalid_choice": "StatusAanlevering {input} is niet toegestaan: lever aan (1) of verwijder "
    "(3); een correctie is verwijderen en opnieuw aanleveren (OP033x2)."
}

# Service (model) field names → the API's camelCase names.
VELDEN = {
    "toewijzing": "toewijzingNummer",
    "reden_beeindiging": "redenBeeindiging",
    "reden": "redenVerzoek",
    "referentie": "referentieAanbieder",
    "reden_afwijzing": "redenAfwijzing",
}


def toewijzing_of_404(user, capability: str, gemeente: str, nummer: int) -> Toewijzing:
    """The toewijzing with this ToewijzingNummer at this gemeente, if ``user`` may see it for
    ``capability``; otherwise 404 (another aanbieder's toewijzing is not even said to exist)."""
    toewijzing = (
        Toewijzing.objects.visible_to(user, capability)
        .filter(gemeente__code=gemeente, nummer=nummer)
        .select_related("gemeente", "beschikt_product__beschikking__dossier")
        .first()
    )
    if toewijzing is None:
        raise NotFound("Toewijzing niet gevonden.")
    return toewijzing


class ToewijzingSleutelSerializer(serializers.Serializer):
    toewijzingNummer = serializers.IntegerField(
        min_value=0, max_value=999_999_999, help_text="ToewijzingNummer (iWmo)."
    )
    gemeente = serializers.RegexField(
        r"^\d{4}$", help_text="CBS-gemeentecode van de toewijzende gemeente, bijv. 0307."
    )


class StartZorgSerializer(ToewijzingSleutelSerializer):
    """WMO305: start zorg, or its deletion (statusAanlevering 3)."""

    begindatum = serializers.DateField(help_text="Begindatum van de zorg (JJJJ-MM-DD).")
    statusAanlevering = serializers.ChoiceField(
        choices=STATUS_AANLEVERING,
        help_text="1 = eerste aanlevering, 3 = verwijderen.",
        error_messages=STATUS_FOUT,
    )


class StopZorgSerializer(ToewijzingSleutelSerializer):
    """WMO307: stop zorg, or its deletion (statusAanlevering 3)."""

    begindatum = serializers.DateField(
        help_text="Begindatum van de start die deze stop beëindigt (de sleutel, ongewijzigd)."
    )
    einddatum = serializers.DateField(
        required=False, help_text="Einddatum van de zorg; verplicht bij statusAanlevering 1."
    )
    redenBeeindiging = serializers.CharField(
        required=False, allow_blank=True, max_length=2,
        help_text="Reden beëindiging (iWmo-codelijst WMO588; 20 = tijdelijke stop); verplicht "
        "bij statusAanlevering 1. Bij statusAanlevering 3 kiest hij welke stop wordt "
        "verwijderd (de tijdelijke of de definitieve); leeg: de laatste.",
    )  # fmt: skip
    statusAanlevering = serializers.ChoiceField(
        choices=STATUS_AANLEVERING,
        help_text="1 = eerste aanlevering, 3 = verwijderen.",
        error_messages=STATUS_FOUT,
    )

    def validate(self, attrs):
        if attrs["statusAanlevering"] == EERSTE:
            fouten = {}
            if attrs.get("einddatum") is None:
                fouten["einddatum"] = "Vul de einddatum in."
            if not attrs.get("redenBeeindiging"):
                fouten["redenBeeindiging"] = "Vul de reden beëindiging in (WMO588)."
            if fouten:
                raise DRFValidationError(fouten)
        return attrs


class ZorgperiodeAntwoordSerializer(serializers.Serializer):
    """A zorgperiode as it stands after the request."""

    toewijzingNummer = serializers.IntegerField(source="toewijzing.nummer", read_only=True)
    gemeente = serializers.CharField(source="toewijzing.gemeente.code", read_only=True)
    begindatum = serializers.DateField(read_only=True)
    einddatum = serializers.DateField(read_only=True, allow_null=True)
    redenBeeindiging = serializers.CharField(source="reden_beeindiging", read_only=True)
    einddatumTijdelijkeStop = serializers.DateField(
        source="einddatum_tijdelijke_stop", read_only=True, allow_null=True,
        help_text="Einddatum van de tijdelijke stop (reden 20) die de definitieve stop volgde: "
        "tot die dag is de zorg geleverd.",
    )  # fmt: skip
    gestartOp = serializers.DateTimeField(source="gestart_op", read_only=True)
    gestoptOp = serializers.DateTimeField(source="gestopt_op", read_only=True, allow_null=True)
    verwijderdOp = serializers.DateTimeField(
        source="verwijderd_op", read_only=True, allow_null=True,
        help_text="Gezet wanneer de start (en daarmee de periode) is verwijderd.",
    )  # fmt: skip


class ZorgAntwoordSerializer(MetRetour, ZorgperiodeAntwoordSerializer):
    """The zorgperiode after the request, with the retour (WMO306/WMO308) of the POST."""


class ZorgViewSet(IdempotentCreateMixin, ScopedViewSetMixin, viewsets.GenericViewSet):
    api_veldnamen = VELDEN
    queryset = Zorgperiode.objects.all()
    capabilities = {"default": ADD}
    query_params = frozenset()
    berichttype = ""

    def toewijzing(self, data) -> Toewijzing:
        return toewijzing_of_404(self.request.user, ADD, data["gemeente"], data["toewijzingNummer"])

    def sleutel(self, data) -> dict:
        """The StartProduct/StopProduct as the retour names it."""
        sleutel = {"toewijzingNummer": data["toewijzingNummer"],
                   "begindatum": data["begindatum"].isoformat(),
                   "statusAanlevering": data["statusAanlevering"]}  # fmt: skip
        if self.berichttype == "307" and data["statusAanlevering"] == EERSTE:
            sleutel["einddatum"] = data["einddatum"].isoformat()
            sleutel["redenBeeindiging"] = data["redenBeeindiging"]
        return sleutel

    def antwoord(self, periode, data, statuscode):
        periode = Zorgperiode.objects.select_related(
            "toewijzing__gemeente", "toewijzing__aanbieder"
        ).get(pk=periode.pk)
        t = periode.toewijzing
        periode.ingediend_bericht = retour_api(
            self.berichttype, [{"sleutel": self.sleutel(data), "retourcodes": [OK]}],
            aanbieder=t.aanbieder, gemeente=t.gemeente, user=self.request.user,
        )  # fmt: skip
        return Response(ZorgAntwoordSerializer(periode).data, status=statuscode)

    def create(self, request, *args, **kwargs):
        """statusAanlevering 1 delivers (201), 3 deletes the earlier delivery (200)."""
        invoer = self.get_serializer(data=request.data)
        invoer.is_valid(raise_exception=True)
        data = invoer.validated_data
        toewijzing = self.toewijzing(data)
        try:
            with transaction.atomic():  # the change and its stored retour together
                if data["statusAanlevering"] == EERSTE:
                    periode = self.aanleveren(toewijzing, data, request.user)
                    return self.antwoord(periode, data, status.HTTP_201_CREATED)
                periode = self.verwijderen(toewijzing, data, request.user)
                return self.antwoord(periode, data, status.HTTP_200_OK)
        except DjangoValidationError as exc:
            exc.retour = self.weigering(toewijzing, data, exc)
            raise

    def weigering(self, toewijzing, data, exc) -> dict:
        """The retour of a refused POST, for the 400 answer (not kept: it had no effect)."""
        sleutel = self.sleutel(data)
        codes, meldingen = zorg_weigering(exc)
        kop = kop_api(self.berichttype, toewijzing.aanbieder, toewijzing.gemeente)
        return per_record(kop, [{"sleutel": sleutel, "retourcodes": codes, "meldingen": meldingen}])


@extend_schema_view(
    create=extend_schema(
        operation_id="start_zorg",
        request=StartZorgSerializer,
        responses={201: ZorgAntwoordSerializer, 200: ZorgAntwoordSerializer},
        description="statusAanlevering 1: de zorg is gestart (201). statusAanlevering 3: de "
        "eerdere start met deze begindatum wordt verwijderd (200); een gestopte periode eerst "
        "de stop verwijderen. Perioden van één toewijzing mogen elkaar niet overlappen. Een "
        "weigering noemt in invalidParams[].code de WJ001-retourcode.",
    )
)
class StartZorgViewSet(ZorgViewSet):
    """Start zorg (WMO305) on one of the caller's toewijzingen."""

    serializer_class = StartZorgSerializer
    berichttype = "305"

    def aanleveren(self, toewijzing, data, user):
        return start_zorg(toewijzing, data["begindatum"], user=user)

    def verwijderen(self, toewijzing, data, user):
        return verwijder_start(toewijzing, data["begindatum"], user=user)


@extend_schema_view(
    create=extend_schema(
        operation_id="stop_zorg",
        request=StopZorgSerializer,
        responses={201: ZorgAntwoordSerializer, 200: ZorgAntwoordSerializer},
        description="statusAanlevering 1: de zorg die op begindatum (de laatste start) startte "
        "is gestopt op einddatum, met redenBeeindiging (201). Na een tijdelijke stop (reden 20) "
        "volgt zonder nieuwe start alleen de definitieve stop, niet vóór de tijdelijke (TR413, "
        "TR414); na een definitieve stop geen stop meer (TR415). statusAanlevering 3: de stop "
        "met redenBeeindiging (leeg: de laatste) wordt verwijderd (200). Een weigering noemt "
        "in invalidParams[].code de WJ001-retourcode.",
    )
)
class StopZorgViewSet(ZorgViewSet):
    """Stop zorg (WMO307) of a started period on one of the caller's toewijzingen."""

    serializer_class = StopZorgSerializer
    berichttype = "307"

    def aanleveren(self, toewijzing, data, user):
        return stop_zorg(
            toewijzing, data["begindatum"], data["einddatum"], data["redenBeeindiging"], user=user
        )

    def verwijderen(self, toewijzing, data, user):
        return verwijder_stop(
            toewijzing, data["begindatum"], data.get("redenBeeindiging") or None, user=user
        )
