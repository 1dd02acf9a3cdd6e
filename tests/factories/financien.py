"""Factories for financien: a regio's parameters of one year and the weights of its functies."""

import datetime
from decimal import Decimal

import factory

from financien.models import Functiegewicht, Jaarparameters
from tests.factories.inkoop import ProductFactory
from tests.factories.regio import regio


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
