"""What a provider system reads of a toewijzing: the toewijzing and the client data it needs to
deliver the care (Wmo 2015 ch. 5, AVG: no more). The BSN travels in the body only."""

from __future__ import annotations

from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from toegang.models import Adres, Toewijzing

# The address where the care is delivered: a temporary stay first, then the verblijfadres, then
# the BRP address (COD757). The correspondence address is not needed for delivering care.
ZORGADRES_VOORKEUR = ("04", "03", "01")


def voorletters(persoon) -> str:
    if persoon.voorletters:
        return persoon.voorletters
    return "".join(f"{deel[0].upper()}." for deel in persoon.voornamen.split() if deel)


class NaamSerializer(serializers.Serializer):
    geslachtsnaam = serializers.CharField()
    voorvoegsel = serializers.CharField()
    voorletters = serializers.CharField()
    naamgebruik = serializers.CharField(help_text="COD700")


class AdresSerializer(serializers.ModelSerializer):
    class Meta:
        model = Adres
        fields = ["soort", "straat", "huisnummer", "huisletter", "toevoeging", "postcode",
                  "plaats", "land"]  # fmt: skip


class ClientSerializer(serializers.Serializer):
    bsn = serializers.CharField(
        help_text="Burgerservicenummer; alleen in de body, nooit in een URL."
    )
    naam = NaamSerializer()
    geboortedatum = serializers.DateField(allow_null=True)
    datumgebruik = serializers.CharField(help_text="COD170; leeg: volledig bekend.")
    geslacht = serializers.CharField(help_text="COD046")
    zorgadres = AdresSerializer(allow_null=True)


class ProductSerializer(serializers.Serializer):
    productcategorie = serializers.CharField(help_text="WMO020")
    productcode = serializers.CharField(help_text="Leeg bij een taakgerichte toewijzing.")
    omschrijving = serializers.CharField()


class ZorgperiodeSerializer(serializers.Serializer):
    begindatum = serializers.DateField()
    einddatum = serializers.DateField(allow_null=True)
    redenBeeindiging = serializers.CharField(source="reden_beeindiging", help_text="WMO588")
    einddatumTijdelijkeStop = serializers.DateField(
        source="einddatum_tijdelijke_stop", allow_null=True,
        help_text="Einddatum van de tijdelijke stop (reden 20) die de definitieve stop volgde.",
    )  # fmt: skip


class ToewijzingSerializer(serializers.ModelSerializer):
    toewijzingNummer = serializers.IntegerField(source="nummer")
    gemeente = serializers.CharField(source="gemeente.code", help_text="CBS-gemeentecode")
    redenWijziging = serializers.CharField(source="reden_wijziging", help_text="WMO002")
    volume = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    eenheid = serializers.CharField(help_text="WJ756")
    frequentie = serializers.CharField(help_text="WMO757")
    gewijzigdOp = serializers.DateTimeField(source="gewijzigd_op")
    product = serializers.SerializerMethodField()
    client = serializers.SerializerMethodField()
    zorgperioden = serializers.SerializerMethodField()

    class Meta:
        model = Toewijzing
        fields = ["id", "toewijzingNummer", "gemeente", "status", "redenWijziging",
                  "ingangsdatum", "einddatum", "product", "volume", "eenheid", "frequentie",
                  "zorgperioden", "client", "gewijzigdOp"]  # fmt: skip

    # One serializer of each nested kind per list, not one per row: a serializer's fields are
    # deep-copied when it is made, which cost more than the rest of a row of 50 (the bench's API
    # list). Under ``many=True`` this child serves every row.
    @cached_property
    def _product(self):
        return ProductSerializer()

    @cached_property
    def _client(self):
        return ClientSerializer()

    @cached_property
    def _zorgperiode(self):
        return ZorgperiodeSerializer()

    @extend_schema_field(ProductSerializer)
    def get_product(self, obj):
        product = obj.beschikt_product.product
        return self._product.to_representation(
            {
                "productcategorie": product.productcategorie,
                "productcode": product.productcode,
                "omschrijving": product.naam,
            }
        )

    @extend_schema_field(ClientSerializer(allow_null=True))
    def get_client(self, obj):
        persoon = getattr(obj.beschikt_product.client, "persoon", None)
        if persoon is None:  # erased (AVG): the toewijzing stays, the person is gone
            return None
        adressen = {a.soort: a for a in persoon.adressen.all()}
        adres = next((adressen[s] for s in ZORGADRES_VOORKEUR if s in adressen), None)
        return self._client.to_representation(
            {
                "bsn": persoon.bsn,
                "naam": {
                    "geslachtsnaam": persoon.geslachtsnaam,
                    "voorvoegsel": persoon.voorvoegsel,
                    "voorletters": voorletters(persoon),
                    "naamgebruik": persoon.naamgebruik,
                },
                "geboortedatum": persoon.geboortedatum,
                "datumgebruik": persoon.datumgebruik,
                "geslacht": persoon.geslacht,
                "zorgadres": adres,
            }
        )

    @extend_schema_field(ZorgperiodeSerializer(many=True))
    def get_zorgperioden(self, obj):
        # Prefetched without the deleted ones (toegang.toewijzingen.api.toewijzingen).
        return [self._zorgperiode.to_representation(z) for z in obj.zorgperioden_actueel]
