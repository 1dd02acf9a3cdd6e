import datetime

import factory

from regio.models import Gemeente, Regio, Rol, Roltoekenning, User
from toegang.models import Client, Dossier, Persoon


def valid_bsn(n: int) -> str:
    """The n-th 9-digit number (from 100000000 up) that passes the elfproef."""
    from toegang.validators import is_valid_bsn

    candidate = 100_000_000 + n * 37
    while not is_valid_bsn(str(candidate)):
        candidate += 1
    return str(candidate)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    password = factory.django.Password("demo")


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


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    geopend_op = datetime.date(2026, 1, 15)
    persoon = factory.RelatedFactory(PersoonFactory, client=factory.SelfAttribute("..client"))


def gemeente(code: str) -> Gemeente:
    return Gemeente.objects.get(code=code)


def regio(code: str) -> Regio:
    return Regio.objects.get(code=code)


def grant(user, rol_code: str, *, gemeente=None, regio=None, begin=None, einde=None):
    """Give ``user`` the rol for a gemeente or regio (by object or code)."""
    if isinstance(gemeente, str):
        gemeente = Gemeente.objects.get(code=gemeente)
    if isinstance(regio, str):
        regio = Regio.objects.get(code=regio)
    return Roltoekenning.objects.create(
        user=user,
        rol=Rol.objects.get(code=rol_code),
        gemeente=gemeente,
        regio=regio,
        begin=begin or datetime.date(2020, 1, 1),
        einde=einde,
    )


def dossier_in(code: str, **kwargs) -> Dossier:
    return DossierFactory(verantwoordelijke_gemeente=gemeente(code), **kwargs)
