"""Factories for financien: a regio's parameters of one year and the weights of its functies."""

import datetime
from decimal import Decimal

import factory

from financien.models import EersteBWStart, Functiegewicht, Jaarparameters, Kostenregel
from tests.factories.inkoop import ProductFactory
from tests.factories.regio import gemeente, regio
from toegang.models import Client


class JaarparametersFactory(factory.django.DjangoModelFactory):
    """Regio Amersfoort's parameters for 2025: new clients since 2022, alpha 0.5 and a
    centrumgemeentebudget of 1,000,000.00; ``gewichten={functie: gewicht}`` adds weights."""

    class Meta:
        model = Jaarparameters
        skip_postgeneration_save = True

    regio = factory.LazyFunction(lambda: regio("amersfoort"))
    jaar = 2025
    peildatum_nieuw = datetime.date(2022, 1, 1)
    alpha = Decimal("0.5")
    centrumgemeentebudget = Decimal("1000000.00")

    @factory.post_generation
    def gewichten(self, create, extracted, **kwargs):
        for functie, gewicht in (extracted or {}).items():
            FunctiegewichtFactory(parameters=self, functie=functie, gewicht=Decimal(gewicht))


class FunctiegewichtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Functiegewicht

    parameters = factory.SubFactory(JaarparametersFactory)
    functie = factory.SubFactory(ProductFactory)
    gewicht = Decimal("1")


def kosten(regio_obj, client, code, bedrag, begin, functie=None, ref=None, bron="handmatig"):
    """A Kostenregel of ``bedrag`` for ``client`` on one day, gemeente van herkomst ``code``."""
    return Kostenregel.objects.create(
        regio=regio_obj, jaar=begin.year, client=client, gemeente_herkomst=gemeente(code),
        functie=functie, bron=bron, referentie=ref or f"r{Kostenregel.objects.count()}",
        periode_begin=begin, periode_einde=begin, bedrag=Decimal(bedrag),
    )  # fmt: skip


def client_met_start(regio_obj, code, start) -> Client:
    """A client whose first start of beschermd wonen (from the conversie) is ``start``."""
    client = Client.objects.create()
    EersteBWStart.objects.create(
        client=client, regio=regio_obj, gemeente_herkomst=gemeente(code), datum=start,
        bron="conversie",
    )  # fmt: skip
    return client
