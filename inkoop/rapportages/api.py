"""GET/POST /api/v1/rapportages/: the quarterly reports of an aanbieder (inkoop issue), through
inkoop.rapportages.importeren with the same validation as the web upload.

A POST carries the figures and lines of one quarter of one contract. The report is made (as a
concept, by the same service as the web's form: the caller's own contract, a quarter that has
ended and in which the contract ran) or, when it exists and is still a concept or sent back,
filled anew. The body is turned into the published template and read by the same reader as an
uploaded file, so every rule is the upload's; its errors come back per JSON field. With
``indienen: true`` the report is also submitted. All of it happens in one transaction: a
refusal stores nothing.
"""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from inkoop.models import Rapportage
from inkoop.rapportages import importeren, services
from inkoop.rapportages.forms import RapportageAanmaakForm
from regio.aggregates import DREMPEL
from regio.api.filters import gewijzigd_sinds, keuze
from regio.api.idempotentie import IdempotentCreateMixin
from regio.api.pagination import KeysetCursorPagination
from regio.mixins import ScopedViewSetMixin
from regio.query import scope_for
from regio.tabel import ImportGeweigerd

# API name -> model field, in the template's order.
KENGETALLEN_API = {
    "clientenInZorg": "clienten_in_zorg",
    "instroom": "instroom",
    "uitstroom": "uitstroom",
    "wachtenden": "wachtenden",
    "uitgavenTotNu": "uitgaven_tot_nu",
    "clienttevredenheid": "clienttevredenheid",
    "doelrealisatie": "doelrealisatie",
    "incidenten": "incidenten",
    "aandeelHbo": "aandeel_hbo",
    "aandeelMbo": "aandeel_mbo",
}
API_NAAM = {veld: naam for naam, veld in KENGETALLEN_API.items()}
REGEL_KOLOMMEN = {
    "productcode_of_functie": "product",
    "gemeentecode": "gemeente",
    "volume": "volume",
    "clienten": "clienten",
}
CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def _getal(max_digits=14, decimal_places=2, **kwargs):
    # The model's precision, so the value reaches the template reader unchanged.
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=decimal_places, coerce_to_string=False, **kwargs
    )


class KengetallenSerializer(serializers.Serializer):
    clientenInZorg = serializers.IntegerField(min_value=0)
    instroom = serializers.IntegerField(min_value=0)
    uitstroom = serializers.IntegerField(min_value=0)
    wachtenden = serializers.IntegerField(min_value=0)
    uitgavenTotNu = _getal(help_text="Euro, dit jaar tot en met dit kwartaal.")
    clienttevredenheid = _getal(4, 1, required=False, allow_null=True, help_text="0 tot 10.")
    doelrealisatie = _getal(5, 1, required=False, allow_null=True, help_text="Procent.")
    incidenten = serializers.IntegerField(min_value=0)
    aandeelHbo = _getal(5, 1, required=False, allow_null=True, help_text="Procent.")
    aandeelMbo = _getal(5, 1, required=False, allow_null=True, help_text="Procent.")


class RegelSerializer(serializers.Serializer):
    product = serializers.RegexField(
        CODE, max_length=50, help_text="Productcode of functie (code uit de catalogus)."
    )
    gemeente = serializers.RegexField(r"^\d{4}$", help_text="CBS-gemeentecode.")
    volume = _getal(12, 2)
    clienten = serializers.IntegerField(min_value=0)


class RapportageInSerializer(serializers.Serializer):
    contract = serializers.IntegerField(help_text="Id van het eigen contract.")
    jaar = serializers.IntegerField(min_value=2000, max_value=2999)
    kwartaal = serializers.IntegerField(min_value=1, max_value=4)
    kengetallen = KengetallenSerializer()
    regels = RegelSerializer(many=True, max_length=importeren.MAX_RIJEN // 2)
    indienen = serializers.BooleanField(
        default=False, help_text="Na het opslaan meteen indienen bij de regio."
    )


class RapportageSerializer(serializers.ModelSerializer):
    contractKenmerk = serializers.CharField(source="contract.kenmerk")
    contract = serializers.IntegerField(source="contract_id")
    kengetallen = serializers.SerializerMethodField()
    regels = serializers.SerializerMethodField()
    aantallenOnderdrukt = serializers.SerializerMethodField(
        help_text="Cliëntaantallen van 1 tot 4 zijn leeg gelaten (u bent niet de aanbieder)."
    )
    ingediendOp = serializers.DateTimeField(source="ingediend_op", allow_null=True)
    gewijzigdOp = serializers.DateTimeField(source="gewijzigd_op")

    class Meta:
        model = Rapportage
        fields = ["id", "contract", "contractKenmerk", "jaar", "kwartaal", "status",
                  "kengetallen", "regels", "aantallenOnderdrukt", "ingediendOp",
                  "gewijzigdOp"]  # fmt: skip

    def exact(self, obj) -> bool:
        scope = self.context["exact_scope"]
        return obj.contract.aanbieder_id in scope.aanbieder_ids or (
            obj.contract.regio_id in scope.regio_ids
        )

    def aantal(self, obj, waarde):
        if self.exact(obj) or waarde is None or not 0 < waarde < DREMPEL:
            return waarde
        return None

    @extend_schema_field(KengetallenSerializer)
    def get_kengetallen(self, obj):
        uit = {}
        for naam, veld in KENGETALLEN_API.items():
            waarde = getattr(obj, veld)
            if veld in services.CLIENTAANTALLEN:
                waarde = self.aantal(obj, waarde)
            uit[naam] = waarde
        return KengetallenSerializer(uit).data

    @extend_schema_field(RegelSerializer(many=True))
    def get_regels(self, obj):
        return RegelSerializer(
            [
                {
                    "product": r.product.code,
                    "gemeente": r.gemeente.code,
                    "volume": r.volume,
                    "clienten": self.aantal(obj, r.clienten),
                }
                for r in obj.regels.all()
            ],
            many=True,
        ).data

    def get_aantallenOnderdrukt(self, obj) -> bool:
        return not self.exact(obj)


def _sjabloon(data) -> tuple[SimpleUploadedFile, dict[int, str]]:
    """The body as the published CSV template, and which JSON field each row came from."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    herkomst: dict[int, str] = {}
    rij = 1
    writer.writerow(importeren.KOP_KENGETALLEN)
    for naam, veld in KENGETALLEN_API.items():
        waarde = data["kengetallen"].get(naam)
        rij += 1
        herkomst[rij] = f"kengetallen.{naam}"
        writer.writerow([veld, "" if waarde is None else str(waarde)])
    rij += 1
    writer.writerow(importeren.KOP_REGELS)
    for index, regel in enumerate(data["regels"]):
        rij += 1
        herkomst[rij] = f"regels.{index}"
        writer.writerow(
            [regel["product"], regel["gemeente"], str(regel["volume"]), str(regel["clienten"])]
        )
    inhoud = buffer.getvalue().encode("utf-8")
    return SimpleUploadedFile("api.csv", inhoud, content_type="text/csv"), herkomst


def _importfouten(fouten, herkomst) -> ValidationError:
    detail: dict[str, list[str]] = {}
    for fout in fouten:
        naam = herkomst.get(fout.rij) if fout.rij else None
        if naam and naam.startswith("regels."):
            kolom = fout.kolom.split(" (")[0]
            naam = f"{naam}.{REGEL_KOLOMMEN[kolom]}" if kolom in REGEL_KOLOMMEN else naam
        elif naam is None and fout.kolom in API_NAAM:
            naam = f"kengetallen.{API_NAAM[fout.kolom]}"
        detail.setdefault(naam or "nonFieldErrors", []).append(fout.reden)
    return ValidationError(detail)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("contract", OpenApiTypes.INT),
            OpenApiParameter("jaar", OpenApiTypes.INT),
            OpenApiParameter("kwartaal", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Rapportage.Status.values),
            OpenApiParameter(
                "gewijzigdSinds",
                OpenApiTypes.DATETIME,
                description="Alleen rapportages gewijzigd op of na dit moment (ISO 8601).",
            ),
        ]
    ),
    create=extend_schema(
        request=RapportageInSerializer,
        responses={200: RapportageSerializer, 201: RapportageSerializer},
    ),
)
class RapportageViewSet(
    IdempotentCreateMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Periodieke rapportages per contract en kwartaal; een POST vult een concept (of een
    teruggestuurde rapportage) en dient desgewenst in."""

    queryset = Rapportage.objects.all()
    serializer_class = RapportageSerializer
    capabilities = {"default": "inkoop.view_rapportage", "create": "inkoop.add_rapportage"}
    pagination_class = KeysetCursorPagination
    cursor_ordering = ("gewijzigd_op", "pk")
    query_params = frozenset(
        {"cursor", "aantal", "contract", "jaar", "kwartaal", "status", "gewijzigdSinds"}
    )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["exact_scope"] = scope_for(self.request.user, services.DIEN_IN)
        return context

    def get_queryset(self):
        qs = (
            super()
            .get_queryset()
            .select_related("contract")
            .prefetch_related("regels__product", "regels__gemeente")
        )
        if self.action != "list":
            return qs
        get = self.request.query_params
        for param in ("contract", "jaar", "kwartaal"):
            if param in get:
                if not get[param].isdigit():
                    raise ValidationError({param: "Geef een geheel getal."})
                qs = qs.filter(**{param: int(get[param])})
        if (waarde := keuze(self.request, "status", Rapportage.Status.values)) is not None:
            qs = qs.filter(status=waarde)
        if (moment := gewijzigd_sinds(self.request)) is not None:
            qs = qs.filter(gewijzigd_op__gte=moment)
        return qs

    def create(self, request, *args, **kwargs):
        invoer = RapportageInSerializer(data=request.data)
        invoer.is_valid(raise_exception=True)
        data = invoer.validated_data
        user = request.user
        with transaction.atomic():
            rapportage = (
                Rapportage.objects.visible_to(user, services.WIJZIG)
                .filter(contract_id=data["contract"], jaar=data["jaar"], kwartaal=data["kwartaal"])
                .first()
            )
            nieuw = rapportage is None
            if nieuw:
                form = RapportageAanmaakForm(
                    data={k: data[k] for k in ("contract", "jaar", "kwartaal")}, user=user
                )
                if not form.is_valid():
                    raise ValidationError(
                        {
                            ("nonFieldErrors" if veld == "__all__" else veld): fouten
                            for veld, fouten in form.errors.items()
                        }
                    )
                # The quarter (ended, the contract ran in it) is the service's: a Django
                # ValidationError naming ``kwartaal``, answered as problem+json 400.
                rapportage = services.maak_rapportage(
                    form.cleaned_data["contract"], data["jaar"], data["kwartaal"], user=user
                )
            bestand, herkomst = _sjabloon(data)
            try:
                importeren.importeer(rapportage, bestand, user=user)
            except ImportGeweigerd as exc:
                raise _importfouten(exc.fouten, herkomst) from None
            if data["indienen"]:
                services.overgang(rapportage, Rapportage.Status.INGEDIEND, user)
        rapportage = self.get_queryset().get(pk=rapportage.pk)
        return Response(
            self.get_serializer(rapportage).data,
            status=status.HTTP_201_CREATED if nieuw else status.HTTP_200_OK,
        )
