"""Factories and helpers for toegang: clients with their person and addresses, dossiers,
meldingen and aanvragen, beschikkingen with their products, and toewijzingen with care periods
(made directly; scenarios that go through the services are in tests/scenarios.py)."""

import datetime

import factory
from django.utils import timezone

from tests.factories.inkoop import PerceelFactory
from tests.factories.regio import gemeente, valid_bsn
from toegang.models import (
    Aanvraag,
    Adres,
    Beschikking,
    BeschiktProduct,
    Client,
    Dossier,
    Melding,
    Persoon,
    Toewijzing,
    Zorgperiode,
)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client


class PersoonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persoon

    client = factory.SubFactory(ClientFactory)
    bsn = factory.Sequence(valid_bsn)
    voornamen = "Jan"
    geslachtsnaam = factory.Sequence(lambda n: f"Achternaam{n}")


class AdresFactory(factory.django.DjangoModelFactory):
    """An address of a person; soort 01 (BRP) unless told otherwise."""

    class Meta:
        model = Adres

    persoon = factory.SubFactory(PersoonFactory)
    soort = "01"
    straat = "Torenstraat"
    huisnummer = "1"
    postcode = "3761AB"
    plaats = "Soest"


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    geopend_op = datetime.date(2026, 1, 15)
    persoon = factory.RelatedFactory(PersoonFactory, client=factory.SelfAttribute("..client"))


def dossier_in(code: str, **kwargs) -> Dossier:
    return DossierFactory(verantwoordelijke_gemeente=gemeente(code), **kwargs)


class MeldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Melding

    dossier = factory.SubFactory(DossierFactory)
    ontvangen_op = datetime.date(2025, 1, 6)
    hulpvraag = "Hulp."


class AanvraagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aanvraag

    melding = factory.SubFactory(MeldingFactory)
    dossier = factory.SelfAttribute("melding.dossier")
    ontvangen_op = factory.SelfAttribute("melding.ontvangen_op")


class BeschikkingFactory(factory.django.DjangoModelFactory):
    """A concept beschikking (toekenning) for the perceel of its products; the database refuses
    new products under a vastgestelde one, so :func:`beschikt_product` moves it on afterwards."""

    class Meta:
        model = Beschikking

    dossier = factory.SubFactory(DossierFactory)
    perceel = factory.SubFactory(PerceelFactory)
    besluit = "toekenning"
    motivering = "Nodig."
    ingangsdatum = datetime.date(2025, 1, 1)
    einddatum = datetime.date(2025, 12, 31)


class BeschiktProductFactory(factory.django.DjangoModelFactory):
    """A toegekend product of a (concept) beschikking, for the beschikking's client and period."""

    class Meta:
        model = BeschiktProduct

    beschikking = factory.SubFactory(BeschikkingFactory)
    ingangsdatum = factory.SelfAttribute("beschikking.ingangsdatum")
    einddatum = factory.SelfAttribute("beschikking.einddatum")
    client = factory.SelfAttribute("beschikking.dossier.client")
    productcategorie = factory.SelfAttribute("product.productcategorie")


def beschikt_product(dossier, product, ingang, eind, user, *, status="vastgesteld", volume=None,
                     eenheid="", frequentie="", bekendgemaakt_op=None):  # fmt: skip
    """A beschikking with one toegekend product for ``dossier``. Made as concept (the database
    refuses new products under a vastgestelde beschikking), then moved on to ``status`` (with
    ``bekendgemaakt_op`` if given) with the product active, the way the service does."""
    beschikking = BeschikkingFactory(
        dossier=dossier, perceel=product.perceel, ingangsdatum=ingang, einddatum=eind,
        opgesteld_door=user,
    )  # fmt: skip
    bp = BeschiktProductFactory(
        beschikking=beschikking, product=product, volume=volume, eenheid=eenheid,
        frequentie=frequentie,
    )  # fmt: skip
    if status != "concept":
        Beschikking.objects.filter(pk=beschikking.pk).update(
            status=status, vastgesteld_op=timezone.now(), bekendgemaakt_op=bekendgemaakt_op
        )
        BeschiktProduct.objects.filter(pk=bp.pk).update(actief=True)
    return BeschiktProduct.objects.select_related(
        "product__perceel", "beschikking__dossier__verantwoordelijke_gemeente"
    ).get(pk=bp.pk)


class ToewijzingFactory(factory.django.DjangoModelFactory):
    """A toewijzing of a beschikt product under ``contract``, stored directly (no checks, no
    number series): for worlds the service would refuse, such as years-old care. Through the
    service: ``tests.scenarios.zorgtraject``."""

    class Meta:
        model = Toewijzing

    aanbieder = factory.SelfAttribute("contract.aanbieder")
    gemeente = factory.SelfAttribute(
        "beschikt_product.beschikking.dossier.verantwoordelijke_gemeente"
    )
    nummer = factory.Sequence(lambda n: n + 1)
    ingangsdatum = factory.SelfAttribute("beschikt_product.ingangsdatum")
    einddatum = factory.SelfAttribute("beschikt_product.einddatum")


class ZorgperiodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zorgperiode

    begindatum = factory.SelfAttribute("toewijzing.ingangsdatum")
    bron = "api"
