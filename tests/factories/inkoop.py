"""Factories and helpers for inkoop: aanbieders, percelen and their products with tariffs,
contracts, locations with capacity, and an aanbieder's technical user."""

import datetime
from decimal import Decimal

import factory

from inkoop.models import (
    Aanbieder,
    Bestedingsruimte,
    Capaciteit,
    Contract,
    Locatie,
    Perceel,
    Product,
    Tarief,
)
from regio.models import Gemeente
from tests.factories.regio import gebruiker, gemeente, regio

# The gemeenten in regio Amersfoort for beschermd wonen (the reference data).
AMERSFOORT_BW = ["0307", "0308", "0313", "0327", "0267", "0342", "0351"]


class AanbiederFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aanbieder
        django_get_or_create = ["agb_code"]

    naam = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    agb_code = factory.Sequence(lambda n: f"{75000000 + n:08d}")
    kvk_nummer = factory.Sequence(lambda n: f"{60000000 + n:08d}")


class PerceelFactory(factory.django.DjangoModelFactory):
    """A perceel of regio Amersfoort (or ``regio``, an object or a code), taakgericht from
    2023 unless told otherwise."""

    class Meta:
        model = Perceel

    regio = factory.LazyFunction(lambda: regio("amersfoort"))
    code = factory.Sequence(lambda n: f"perceel-{n}")
    naam = factory.Sequence(lambda n: f"Perceel {n}")
    bekostiging = "taakgericht"
    begin = datetime.date(2023, 1, 1)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs["regio"], str):
            kwargs["regio"] = regio(kwargs["regio"])
        return kwargs


class ProductFactory(factory.django.DjangoModelFactory):
    """A functie for beschermd wonen by default; ``begeleiding=True`` makes the P×Q product
    'Begeleiding individueel' (categorie 02, code 02R01, per uur), ``tarief`` gives it a
    tariff from the perceel's begin."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    class Params:
        begeleiding = factory.Trait(
            naam="Begeleiding individueel",
            soort="product",
            domein="begeleiding",
            productcategorie="02",
            productcode="02R01",
            eenheid="04",
        )

    perceel = factory.SubFactory(PerceelFactory)
    code = factory.Sequence(lambda n: f"product-{n}")
    naam = factory.Sequence(lambda n: f"Product {n}")
    soort = "functie"
    domein = "beschermd_wonen"
    productcategorie = "15"
    begin = factory.SelfAttribute("perceel.begin")

    @factory.post_generation
    def tarief(self, create, extracted, **kwargs):
        if extracted is not None:
            TariefFactory(product=self, bedrag=extracted, **{"begin": self.begin, **kwargs})


class TariefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tarief

    product = factory.SubFactory(ProductFactory, begeleiding=True)
    begin = datetime.date(2023, 1, 1)
    bedrag = Decimal("60.00")


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract of an aanbieder in regio Amersfoort covering the given gemeenten (codes) and
    percelen; by default all BW members of the regio and one new perceel."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    aanbieder = factory.SubFactory(AanbiederFactory)
    regio = factory.LazyFunction(lambda: regio("amersfoort"))
    kenmerk = factory.Sequence(lambda n: f"AMF-{n:04d}")
    soort = "raamovereenkomst"
    bekostiging = "taakgericht"
    begin = datetime.date(2023, 1, 1)
    einde = datetime.date(2026, 12, 31)

    @factory.post_generation
    def gemeenten(self, create, extracted, **kwargs):
        codes = extracted or AMERSFOORT_BW
        self.gemeenten.set(Gemeente.objects.filter(code__in=codes))

    @factory.post_generation
    def percelen(self, create, extracted, **kwargs):
        self.percelen.set(extracted or [PerceelFactory(regio=self.regio)])

    @factory.post_generation
    def bestedingsruimte(self, create, extracted, **kwargs):
        """``bestedingsruimte={jaar: bedrag}``: the contract's budget per year."""
        for jaar, bedrag in (extracted or {}).items():
            BestedingsruimteFactory(contract=self, jaar=jaar, bedrag=Decimal(bedrag))


class BestedingsruimteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bestedingsruimte

    contract = factory.SubFactory(ContractFactory)
    jaar = 2025
    bedrag = Decimal("100000.00")


class LocatieFactory(factory.django.DjangoModelFactory):
    """A location of an aanbieder in Amersfoort (``gemeente`` an object or a CBS code) for the
    given ``functies``, with ``plaatsen`` places (3 unless told; 0: no capacity row) from 2020
    on."""

    class Meta:
        model = Locatie
        skip_postgeneration_save = True

    aanbieder = factory.SubFactory(AanbiederFactory)
    naam = factory.LazyFunction(lambda: f"Huis {Locatie.objects.count() + 1}")
    straat = "Stationsplein"
    huisnummer = "1"
    postcode = "3811AA"
    plaats = "Amersfoort"
    gemeente = "0307"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs["gemeente"], str):
            kwargs["gemeente"] = gemeente(kwargs["gemeente"])
        return kwargs

    @factory.post_generation
    def functies(self, create, extracted, **kwargs):
        self.functies.set(extracted or ())

    @factory.post_generation
    def plaatsen(self, create, extracted, **kwargs):
        if extracted is None:
            extracted = 3
        if extracted:
            CapaciteitFactory(locatie=self, plaatsen=extracted, **kwargs)


class CapaciteitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capaciteit

    locatie = factory.SubFactory(LocatieFactory, plaatsen=0)
    begin = datetime.date(2020, 1, 1)
    plaatsen = 3


def locatie(aanbieder, plaatsen=3, functies=(), gemeente_code="0307", **velden):
    """A location of ``aanbieder`` in ``gemeente_code`` with ``plaatsen`` places for
    ``functies`` (the waiting-list tests' shorthand for :class:`LocatieFactory`)."""
    return LocatieFactory(
        aanbieder=aanbieder, plaatsen=plaatsen, functies=functies, gemeente=gemeente_code, **velden
    )


def aanbiedersysteem(aanbieder, username: str):
    """The technical user of an aanbieder's API credential (role Aanbiedersysteem)."""
    return gebruiker(username, "aanbiedersysteem", aanbieder=aanbieder)
