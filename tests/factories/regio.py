"""Factories and helpers for regio: users, their roles, and the reference data (gemeenten and
regio's come from the ``refdata`` fixture and are looked up, never made)."""

import datetime

import factory
from django.contrib.auth.models import Group, Permission

from regio.models import Gemeente, Regio, Rol, Roltoekenning, User


def valid_bsn(n: int) -> str:
    """The n-th 9-digit number (from 100000000 up) that passes the elfproef."""
    from regio.validators import is_valid_bsn

    candidate = 100_000_000 + n * 37
    while not is_valid_bsn(str(candidate)):
        candidate += 1
    return str(candidate)


def gemeente(code: str) -> Gemeente:
    return Gemeente.objects.get(code=code)


def regio(code: str) -> Regio:
    return Regio.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    password = factory.django.Password("demo")


class RoltoekenningFactory(factory.django.DjangoModelFactory):
    """A rol for a user; pass ``rol`` as an object or its code and exactly one of ``gemeente``,
    ``regio`` (objects or codes) and ``aanbieder``."""

    class Meta:
        model = Roltoekenning

    user = factory.SubFactory(UserFactory)
    begin = datetime.date(2020, 1, 1)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        for veld, model in (("rol", Rol), ("gemeente", Gemeente), ("regio", Regio)):
            if isinstance(kwargs.get(veld), str):
                kwargs[veld] = model.objects.get(code=kwargs[veld])
        return kwargs


def grant(user, rol_code: str, *, gemeente=None, regio=None, aanbieder=None, begin=None,
          einde=None):  # fmt: skip
    """Give ``user`` the rol for a gemeente or regio (by object or code) or an aanbieder."""
    return RoltoekenningFactory(
        user=user, rol=rol_code, gemeente=gemeente, regio=regio, aanbieder=aanbieder,
        begin=begin or datetime.date(2020, 1, 1), einde=einde,
    )  # fmt: skip


def gebruiker(username: str, rol_code: str, **scope):
    """A user holding one rol; ``scope`` as for :func:`grant` (gemeente, regio or aanbieder)."""
    user = UserFactory(username=username)
    grant(user, rol_code, **scope)
    return user


def consulent(username: str, gemeente: str, **fields):
    """A user who is consulent of the lokaal team of ``gemeente`` (CBS code)."""
    user = UserFactory(username=username, **fields)
    grant(user, "consulent", gemeente=gemeente)
    return user


def rol_met(code: str, *capabilities: str, scope: str = "gemeente") -> Rol:
    """A role made for one test with exactly the capabilities it names (e.g. a reader who may
    see but not change), to check that a service refuses what a role does not hold."""
    group = Group.objects.create(name=f"test-{code}")
    for capability in capabilities:
        app_label, codename = capability.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return Rol.objects.create(code=code, naam=code, scope=scope, group=group)
