"""``/api/v1/declaraties/``: an aanbieder's system sends a declaratie (iWmo WMO323 semantics,
P×Q only) and reads the outcome per line (WMO325-like: status and WJ001 retourcodes).

POST is refused whole (400, problem+json, ``invalidParams`` named ``declaratieNummer``,
``gemeente``, ``regels.<i>.<veld>`` with ``i`` 0-based) when the declaratie is malformed;
otherwise it answers 201 with every line toegekend (``0200``) or afgewezen with its codes, plus
``bericht`` and ``retour``: the declaratie-antwoord (WMO325, ``toegang.toewijzingen.retour``:
only the refused lines, TR342), kept and given again by ``GET /api/v1/berichten/{bericht}/``.
A declaratie refused whole by the service answers 400 with its declaratie-antwoord as ``retour``
(e.g. 9333 for a DeclaratieNummer used before), not kept. The
checks themselves are ``toegang.toewijzingen.declaraties.indienen`` (shared with the XML import).
GET lists and shows the caller's declaraties: an aanbieder's own, a gemeente's roles those sent
to their gemeente; another's declaratie answers 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response

from inkoop.models import Aanbieder
from regio.api.idempotentie import IdempotentCreateMixin
from regio.api.pagination import KeysetCursorPagination
from regio.iwmo import choices, codelijst
from regio.mixins import ScopedViewSetMixin
from regio.query import scope_for
from toegang.models import Declaratie, Declaratieregel
from toegang.toewijzingen import declaraties as declaratie_services
from toegang.toewijzingen import retour
from toegang.toewijzingen.iwmo_xml.importeren import declaratie_weigering

VIEW = "toegang.view_declaratie"
ADD = "toegang.add_declaratie"

# JSON name → the service's line key.
REGEL_NAMEN = {
    "referentieNummer": "referentie",
    "vorigReferentieNummer": "vorige_referentie",
    "toewijzingNummer": "toewijzingnummer",
    "productcategorie": "productcategorie",
    "productcode": "productcode",
    "periodeBegin": "periode_begin",
    "periodeEinde": "periode_einde",
    "volume": "volume",
    "eenheid": "eenheid",
    "productTarief": "tarief",
    "bedrag": "bedrag",
    "debetCredit": "debet_credit",
}
SERVICE_NAMEN = {v: k for k, v in REGEL_NAMEN.items()}
KOP_NAMEN = {"nummer": "declaratieNummer", "gemeente": "gemeente", "regels": "regels"}


def api_naam(sleutel: str) -> str:
    """A service error key (``regels.3.periode_einde``) as the API names it."""
    delen = sleutel.split(".")
    if delen[0] in KOP_NAMEN:
        delen[0] = KOP_NAMEN[delen[0]]
    if len(delen) == 3:
        delen[2] = SERVICE_NAMEN.get(delen[2], delen[2])
    return ".".join(delen)


# --- serializers -------------------------------------------------------------------------------


class RegelInvoerSerializer(serializers.Serializer):
    referentieNummer = serializers.CharField(
        max_length=36, help_text="ReferentieNummer, uniek per aanbieder."
    )
    vorigReferentieNummer = serializers.CharField(
        max_length=36,
        required=False,
        allow_blank=True,
        default="",
        help_text="Bij een creditregel: het ReferentieNummer van de debetregel.",
    )
    toewijzingNummer = serializers.IntegerField(min_value=0, max_value=999_999_999)
    productcategorie = serializers.ChoiceField(choices=choices("WMO020_Productcategorie"))
    productcode = serializers.CharField(max_length=5)
    periodeBegin = serializers.DateField(
        help_text="Eerste dag van de prestatie (één kalendermaand)."
    )
    periodeEinde = serializers.DateField(
        help_text="Laatste dag van de prestatie, in dezelfde maand."
    )
    volume = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    eenheid = serializers.ChoiceField(choices=choices("WJ756_Eenheid"))
    productTarief = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Het tarief per eenheid in euro's (optioneel; iWmo ProductTarief).",
    )
    bedrag = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text="Het ingediende bedrag in euro's, positief (ook bij credit).",
    )
    debetCredit = serializers.ChoiceField(choices=choices("COD043_Indicatie_debet_credit"))


class DeclaratieInvoerSerializer(serializers.Serializer):
    gemeente = serializers.RegexField(r"^\d{4}$", help_text="CBS-gemeentecode (4 cijfers).")
    declaratieNummer = serializers.CharField(max_length=12)
    regels = RegelInvoerSerializer(many=True, allow_empty=False)


class RetourcodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    omschrijving = serializers.CharField()


class DeclaratieregelSerializer(serializers.ModelSerializer):
    referentieNummer = serializers.CharField(source="referentie")
    vorigReferentieNummer = serializers.CharField(source="vorige_referentie")
    toewijzingNummer = serializers.IntegerField(source="toewijzingnummer")
    periodeBegin = serializers.DateField(source="periode_begin")
    periodeEinde = serializers.DateField(source="periode_einde")
    productTarief = serializers.DecimalField(
        source="tarief",
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="Het contracttarief op de begindatum (leeg bij eenheid euro's of geen tarief).",
    )
    debetCredit = serializers.CharField(source="debet_credit")
    retourcodes = serializers.SerializerMethodField()

    class Meta:
        model = Declaratieregel
        fields = [
            "referentieNummer", "vorigReferentieNummer", "toewijzingNummer", "productcategorie",
            "productcode", "periodeBegin", "periodeEinde", "volume", "eenheid", "productTarief",
            "bedrag", "debetCredit", "status", "retourcodes",
        ]  # fmt: skip

    @extend_schema_field(RetourcodeSerializer(many=True))
    def get_retourcodes(self, regel) -> list[dict]:
        namen = codelijst("WJ001_Retourcode")
        return [{"code": c, "omschrijving": namen.get(c, "")} for c in regel.retourcodes]


class DeclaratieSerializer(serializers.ModelSerializer):
    declaratieNummer = serializers.CharField(source="nummer")
    gemeente = serializers.CharField(source="gemeente.code")
    aanbieder = serializers.CharField(source="aanbieder.agb_code", help_text="AGB-code.")
    ontvangenOp = serializers.DateTimeField(source="ontvangen_op")
    regels = DeclaratieregelSerializer(many=True)

    class Meta:
        model = Declaratie
        fields = [
            "id",
            "declaratieNummer",
            "gemeente",
            "aanbieder",
            "ontvangenOp",
            "bron",
            "regels",
        ]


class DeclaratieMetAntwoordSerializer(DeclaratieSerializer):
    """A declaratie just sent, with its declaratie-antwoord (WMO325: only the refused lines,
    TR342) and the id under which it is kept (``GET /api/v1/berichten/{bericht}/``)."""

    bericht = serializers.IntegerField(
        source="ingediend_bericht.pk", read_only=True,
        help_text="Id van het ingediende bericht: GET /api/v1/berichten/{id}/ geeft het "
        "declaratie-antwoord opnieuw.",
    )  # fmt: skip
    retour = serializers.JSONField(
        source="ingediend_bericht.retour", read_only=True,
        help_text="Het declaratie-antwoord (WMO325) als JSON: declaratieAntwoord met de totalen "
        "(eurocent) en alleen de afgewezen prestaties met hun retourcodes (TR342).",
    )  # fmt: skip

    class Meta(DeclaratieSerializer.Meta):
        fields = [*DeclaratieSerializer.Meta.fields, "bericht", "retour"]


# --- the viewset -------------------------------------------------------------------------------


class DeclaratiePagination(KeysetCursorPagination):
    default_ordering = ("ontvangen_op", "pk")


class DeclaratieViewSet(
    IdempotentCreateMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Declaraties (iWmo WMO323, P×Q): send one, list and read the outcome per line."""

    api_veldnamen = staticmethod(api_naam)

    queryset = Declaratie.objects.all()
    serializer_class = DeclaratieSerializer
    capabilities = {"default": VIEW, "create": ADD}
    pagination_class = DeclaratiePagination
    cursor_ordering = ("ontvangen_op", "pk")
    query_params = frozenset({"cursor", "aantal"})

    def get_queryset(self):
        regels = Declaratieregel.objects.visible_to(self.request.user, VIEW + "regel")
        return (
            super()
            .get_queryset()
            .select_related("gemeente", "aanbieder")
            .prefetch_related(Prefetch("regels", queryset=regels.order_by("pk")))
        )

    def aanbieder(self) -> Aanbieder:
        """The one aanbieder the caller may declare for (an API credential holds one)."""
        ids = scope_for(self.request.user, ADD).aanbieder_ids
        if len(ids) != 1:
            raise exceptions.PermissionDenied(
                "Alleen het systeem van één aanbieder kan declareren; deze gebruiker declareert "
                "niet voor precies één aanbieder."
            )
        return Aanbieder.objects.get(pk=next(iter(ids)))

    @extend_schema(
        request=DeclaratieInvoerSerializer, responses={201: DeclaratieMetAntwoordSerializer}
    )
    @transaction.atomic  # the declaratie and its stored declaratie-antwoord together
    def create(self, request, *args, **kwargs):
        aanbieder = self.aanbieder()
        invoer = DeclaratieInvoerSerializer(data=request.data)
        invoer.is_valid(raise_exception=True)
        data = invoer.validated_data
        regels = [
            {REGEL_NAMEN[naam]: waarde for naam, waarde in regel.items()}
            for regel in data["regels"]
        ]
        try:
            with transaction.atomic():
                declaratie = declaratie_services.indienen(
                    aanbieder,
                    gemeente=data["gemeente"],
                    nummer=data["declaratieNummer"],
                    regels=regels,
                    user=request.user,
                    bron="api",
                )
        except DjangoValidationError as exc:  # refused whole: its declaratie-antwoord in the 400
            codes, meldingen = declaratie_weigering(exc)
            kop = retour.Kop("323", aanbieder.agb_code, data["gemeente"], "", timezone.localdate())
            exc.retour = retour.declaratie_antwoord(
                kop, data["declaratieNummer"], regels, retourcodes=codes, meldingen=meldingen
            )
            raise
        declaratie = self.get_queryset().get(pk=declaratie.pk)
        kop = retour.kop_api("323", aanbieder, declaratie.gemeente)
        antwoord = retour.declaratie_antwoord(kop, declaratie.nummer, regels, declaratie)
        declaratie.ingediend_bericht = retour.bewaar(
            kop, antwoord, aanbieder=aanbieder, gemeente=declaratie.gemeente, bron="api",
            user=request.user,
        )  # fmt: skip
        return Response(
            DeclaratieMetAntwoordSerializer(declaratie, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
