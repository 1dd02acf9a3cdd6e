"""Verzoeken om toewijzing (iWmo WMO315) and om wijziging (WMO317) by an aanbieder's system, and
the gemeente's answer on GET (WMO319 semantics: gehonoreerd with the new ToewijzingNummers, or
afgewezen with RedenAfwijzingVerzoek). The BSN goes in the POST body only and is not echoed.
A POST answers ``bericht`` and ``retour`` (WMO316/WMO318, ``toegang.toewijzingen.retour``; GET
``/api/v1/berichten/{bericht}/`` gives it again); one the service refuses answers 400 with its
``retour`` (not kept)."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from inkoop.models import Aanbieder
from regio.api.idempotentie import IdempotentCreateMixin
from regio.api.throttle import VerzoekOmToewijzingThrottle
from regio.mixins import ScopedViewSetMixin
from regio.query import scope_for
from toegang.models import Verzoek
from toegang.toewijzingen.api.berichten import MetRetour
from toegang.toewijzingen.api.zorg import VELDEN, toewijzing_of_404
from toegang.toewijzingen.iwmo_xml.importeren import verzoek_weigering
from toegang.toewijzingen.retour import OK, Kop, per_record, retour_api
from toegang.toewijzingen.verzoeken import ADD, indienen

VIEW = "toegang.view_verzoek"
STATUSSEN = [s.value for s in Verzoek.Status]
LEEG = {"empty": "Vraag ten minste één product aan."}


class GevraagdProductSerializer(serializers.Serializer):
    """One requested product (iWmo AangevraagdProduct)."""

    productcategorie = serializers.CharField(max_length=2, help_text="iWmo-codelijst WMO020.")
    productcode = serializers.CharField(
        max_length=5, required=False, allow_blank=True, default="",
        help_text="Productcode uit het contract; leeg bij een taakgerichte functie.",
    )  # fmt: skip
    volume = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None,
        help_text="Alleen bij P×Q; leeg bij taakgerichte bekostiging.",
    )  # fmt: skip
    eenheid = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default="",
        help_text="iWmo-codelijst WJ756.",
    )  # fmt: skip
    frequentie = serializers.CharField(
        max_length=1, required=False, allow_blank=True, default="",
        help_text="iWmo-codelijst WMO757.",
    )  # fmt: skip
    ingangsdatum = serializers.DateField()
    einddatum = serializers.DateField(required=False, allow_null=True, default=None)


class NaamInvoerSerializer(serializers.Serializer):
    geslachtsnaam = serializers.CharField(max_length=200)
    voorvoegsel = serializers.CharField(max_length=10, required=False, allow_blank=True)
    voorletters = serializers.CharField(max_length=20, required=False, allow_blank=True)


class VerzoekOmToewijzingInvoerSerializer(serializers.Serializer):
    referentieAanbieder = serializers.CharField(
        max_length=36, help_text="Eigen referentie van de aanbieder; uniek per aanbieder."
    )
    bsn = serializers.CharField(max_length=11, write_only=True, help_text="BSN van de cliënt.")
    naam = NaamInvoerSerializer(
        required=False, write_only=True,
        help_text="Naam van de cliënt zoals de aanbieder die kent (iWmo Client/Naam).",
    )  # fmt: skip
    geboortedatum = serializers.DateField(
        required=False, write_only=True, help_text="Geboortedatum van de cliënt."
    )
    gemeente = serializers.RegexField(
        r"^\d{4}$", help_text="CBS-gemeentecode van de gemeente waaraan het verzoek gericht is."
    )
    producten = serializers.ListField(
        child=GevraagdProductSerializer(), allow_empty=False, error_messages=LEEG
    )


class VerzoekOmWijzigingInvoerSerializer(serializers.Serializer):
    referentieAanbieder = serializers.CharField(
        max_length=36, help_text="Eigen referentie van de aanbieder; uniek per aanbieder."
    )
    toewijzingNummer = serializers.IntegerField(min_value=0, max_value=999_999_999)
    gemeente = serializers.RegexField(r"^\d{4}$", help_text="CBS-code van de toewijzende gemeente.")
    redenVerzoek = serializers.CharField(max_length=1, help_text="iWmo-codelijst WJ758.")
    producten = serializers.ListField(
        child=GevraagdProductSerializer(), allow_empty=False, error_messages=LEEG,
        help_text="Precies één product: de gewenste toewijzing.",
    )  # fmt: skip


class VerzoekAntwoordSerializer(serializers.Serializer):
    """A verzoek with the gemeente's answer."""

    id = serializers.IntegerField(read_only=True)
    referentieAanbieder = serializers.CharField(source="referentie", read_only=True)
    gemeente = serializers.CharField(source="gemeente.code", read_only=True)
    producten = GevraagdProductSerializer(many=True, read_only=True)
    ontvangenOp = serializers.DateTimeField(source="ontvangen_op", read_only=True)
    status = serializers.CharField(read_only=True, help_text="ingediend, gehonoreerd of afgewezen.")
    redenAfwijzing = serializers.CharField(
        source="reden_afwijzing", read_only=True, help_text="iWmo-codelijst WJ759."
    )
    toelichting = serializers.CharField(source="toelichting_antwoord", read_only=True)
    verantwoordelijkeGemeente = serializers.CharField(
        source="verantwoordelijke_gemeente.code", read_only=True, allow_null=True, default=None,
        help_text="Bij redenAfwijzing 8 (woonplaatsbeginsel): CBS-code van de gemeente die wel "
        "verantwoordelijk is.",
    )  # fmt: skip
    inOnderzoekOp = serializers.DateTimeField(
        source="in_onderzoek_op", read_only=True, allow_null=True,
        help_text="Eerste antwoord 'aanvraag in onderzoek' (VerzoekAntwoord 2); het verzoek blijft "
        "ingediend tot het gehonoreerd of afgewezen is.",
    )  # fmt: skip
    beantwoordOp = serializers.DateTimeField(
        source="beantwoord_op", read_only=True, allow_null=True
    )
    toewijzingen = serializers.SerializerMethodField(
        help_text="De ToewijzingNummers die het honoreren opleverde."
    )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_toewijzingen(self, verzoek):
        return [t.nummer for t in verzoek.nieuwe_toewijzingen.all()]


class VerzoekOmWijzigingAntwoordSerializer(VerzoekAntwoordSerializer):
    toewijzingNummer = serializers.IntegerField(source="toewijzing.nummer", read_only=True)
    redenVerzoek = serializers.CharField(source="reden", read_only=True)


class VerzoekAntwoordMetRetourSerializer(MetRetour, VerzoekAntwoordSerializer):
    """A verzoek om toewijzing just submitted, with the retour (WMO316) of the POST."""


class VerzoekOmWijzigingMetRetourSerializer(MetRetour, VerzoekOmWijzigingAntwoordSerializer):
    """A verzoek om wijziging just submitted, with the retour (WMO318) of the POST."""


class VerzoekPagination(PageNumberPagination):
    page_size = 50


def eigen_aanbieder(user) -> Aanbieder:
    """The aanbieder whose system calls: a credential holds its role for exactly one."""
    ids = scope_for(user, ADD).aanbieder_ids
    if len(ids) != 1:
        raise PermissionDenied("Deze gebruiker dient verzoeken in voor geen of meer aanbieders.")
    return Aanbieder.objects.get(pk=next(iter(ids)))


STATUS_PARAMETER = OpenApiParameter(
    "status", OpenApiTypes.STR, enum=STATUSSEN, required=False,
    description="Alleen verzoeken met deze status.",
)  # fmt: skip


class VerzoekViewSet(
    IdempotentCreateMixin, ScopedViewSetMixin, mixins.ListModelMixin,
    mixins.RetrieveModelMixin, viewsets.GenericViewSet,
):  # fmt: skip
    queryset = Verzoek.objects.all()
    capabilities = {"default": VIEW, "create": ADD}
    api_veldnamen = VELDEN
    query_params = frozenset({"page", "status"})
    pagination_class = VerzoekPagination
    soort = ""

    def get_queryset(self):
        queryset = (
            super()
            .get_queryset()
            .filter(soort=self.soort)
            .select_related("gemeente", "toewijzing")
            .prefetch_related("nieuwe_toewijzingen")
            .order_by("-ontvangen_op", "-pk")
        )
        gekozen = self.request.query_params.get("status")
        if gekozen is not None:
            if gekozen not in STATUSSEN:
                raise DRFValidationError({"status": f"Kies uit {', '.join(STATUSSEN)}."})
            queryset = queryset.filter(status=gekozen)
        return queryset

    @contextmanager
    def weigering(self, aanbieder, gemeente: str, referentie: str):
        """A verzoek the service refuses answers 400 with its retour (not kept)."""
        try:
            with transaction.atomic():
                yield
        except DjangoValidationError as exc:
            wijziging = self.soort == Verzoek.Soort.WIJZIGING
            codes, meldingen = verzoek_weigering(exc, wijziging)
            kop = Kop("317" if wijziging else "315", aanbieder.agb_code, gemeente, "",
                      timezone.localdate())  # fmt: skip
            record = {"sleutel": {"referentieAanbieder": referentie}, "retourcodes": codes,
                      "meldingen": meldingen}  # fmt: skip
            exc.retour = per_record(kop, [record])
            raise

    def antwoord(self, verzoek):
        """201 with the verzoek, ``bericht`` and its ``retour`` (WMO316/WMO318), stored."""
        verzoek = self.get_queryset().get(pk=verzoek.pk)
        verzoek.ingediend_bericht = retour_api(
            "315" if self.soort == Verzoek.Soort.TOEWIJZING else "317",
            [{"sleutel": {"referentieAanbieder": verzoek.referentie}, "retourcodes": [OK]}],
            aanbieder=verzoek.aanbieder, gemeente=verzoek.gemeente, user=self.request.user,
        )  # fmt: skip
        return Response(self.antwoord_serializer(verzoek).data, status=status.HTTP_201_CREATED)


class VerzoekOmToewijzingViewSet(VerzoekViewSet):
    """Verzoeken om toewijzing (WMO315) of the caller's aanbieder, with the gemeente's answer."""

    serializer_class = VerzoekAntwoordSerializer
    antwoord_serializer = VerzoekAntwoordMetRetourSerializer
    soort = Verzoek.Soort.TOEWIJZING

    @extend_schema(parameters=[STATUS_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=VerzoekOmToewijzingInvoerSerializer,
        responses={201: VerzoekAntwoordMetRetourSerializer},
        description="De cliënt wordt herkend aan BSN (elfproef) en gemeente; elk product moet in "
        "de catalogus van de regio staan en onder een contract van de aanbieder vallen. Het "
        "antwoord is hetzelfde of de gemeente de cliënt kent of niet: een consulent beantwoordt "
        "het verzoek later (ook als er nog geen melding is). Per API-sleutel is het aantal "
        "verzoeken om toewijzing begrensd (429).",
    )
    @transaction.atomic  # the verzoek and its stored retour together
    def create(self, request, *args, **kwargs):
        invoer = VerzoekOmToewijzingInvoerSerializer(data=request.data)
        invoer.is_valid(raise_exception=True)
        data = invoer.validated_data
        naam = data.get("naam") or {}
        aanbieder = eigen_aanbieder(request.user)
        with self.weigering(aanbieder, data["gemeente"], data["referentieAanbieder"]):
            verzoek = indienen(
                aanbieder, soort=Verzoek.Soort.TOEWIJZING,
                referentie=data["referentieAanbieder"],
                producten=[dict(p) for p in data["producten"]], user=request.user,
                bsn=data["bsn"], gemeente=data["gemeente"],
                geboortedatum=data.get("geboortedatum"),
                naam=" ".join(
                    naam.get(k, "") for k in ("voorletters", "voorvoegsel", "geslachtsnaam")
                ),
            )  # fmt: skip
        return self.antwoord(verzoek)

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(VerzoekOmToewijzingThrottle())
        return throttles


class VerzoekOmWijzigingViewSet(VerzoekViewSet):
    """Verzoeken om wijziging (WMO317) of the caller's toewijzingen, with the gemeente's answer."""

    serializer_class = VerzoekOmWijzigingAntwoordSerializer
    antwoord_serializer = VerzoekOmWijzigingMetRetourSerializer
    soort = Verzoek.Soort.WIJZIGING

    @extend_schema(parameters=[STATUS_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=VerzoekOmWijzigingInvoerSerializer,
        responses={201: VerzoekOmWijzigingMetRetourSerializer},
        description="Vraagt een wijziging van één eigen toewijzing (toewijzingNummer en "
        "gemeente) met redenVerzoek (WJ758) en precies één product: de gewenste toewijzing.",
    )
    @transaction.atomic  # the verzoek and its stored retour together
    def create(self, request, *args, **kwargs):
        invoer = VerzoekOmWijzigingInvoerSerializer(data=request.data)
        invoer.is_valid(raise_exception=True)
        data = invoer.validated_data
        aanbieder = eigen_aanbieder(request.user)
        toewijzing = toewijzing_of_404(
            request.user, "toegang.view_toewijzing", data["gemeente"], data["toewijzingNummer"]
        )
        with self.weigering(aanbieder, data["gemeente"], data["referentieAanbieder"]):
            verzoek = indienen(
                aanbieder, soort=Verzoek.Soort.WIJZIGING, referentie=data["referentieAanbieder"],
                producten=[dict(p) for p in data["producten"]], user=request.user,
                toewijzing=toewijzing, reden=data["redenVerzoek"],
            )  # fmt: skip
        return self.antwoord(verzoek)
