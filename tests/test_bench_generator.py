"""The benchmark's data generator (config.benchdata.generate) at a tiny scale, through the same
code path as `make bench`: the rows satisfy every constraint (deferred foreign keys checked
too), the app's scoping sees them as it should, and the same seed gives the same data."""

import datetime

import pytest
from django.db import connection, transaction

from config.benchdata.generate import aantallen, genereer
from inkoop.apisleutels import services as sleutels
from regio.models import User
from regio.validators import is_valid_bsn
from toegang.models import Aanmelding, Dossier, Persoon, Toewijzing, bsn_hash

pytestmark = pytest.mark.django_db

SCALE = 0.0005  # 200 clients, 500 beschikkingen, 15 BW clients, 2,500 kostenregels
ANKER = datetime.date(2026, 11, 1)


def _teruggedraaid(seed):
    with transaction.atomic():
        resultaat = genereer(SCALE, seed, ANKER)
        transaction.set_rollback(True)
    return resultaat


def test_same_seed_same_data_and_another_seed_other_data(refdata):
    eerste = _teruggedraaid(7)
    tweede = _teruggedraaid(7)
    ander = _teruggedraaid(8)
    assert eerste.digest == tweede.digest
    assert eerste.api_tokens == tweede.api_tokens
    assert ander.digest != eerste.digest
    assert {k: v[0] for k, v in eerste.tabellen.items()} == {
        k: v[0] for k, v in tweede.tabellen.items()
    }


def test_generated_rows_are_valid_and_scoped_like_any_other(refdata):
    resultaat = genereer(SCALE, 7, ANKER)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys, now
    n = aantallen(SCALE)
    assert Dossier.objects.count() == n["clienten"]
    assert resultaat.tabellen["clients (Client, Persoon, Adres, Dossier, Melding)"][0] == (
        5 * n["clienten"]
    )
    for persoon in Persoon.objects.order_by("pk")[:50]:
        assert is_valid_bsn(persoon.bsn)
        assert persoon.bsn_hash == bsn_hash(persoon.bsn)

    # A consulent of one generated gemeente sees exactly that gemeente's dossiers.
    gemeente_id = (
        Dossier.objects.values_list("verantwoordelijke_gemeente", flat=True).order_by("pk").first()
    )
    eigen = set(Dossier.objects.filter(verantwoordelijke_gemeente=gemeente_id).values_list("pk"))
    code = Dossier.objects.filter(pk=min(eigen)[0]).values_list(
        "verantwoordelijke_gemeente__code", flat=True
    )[0]
    consulent = User.objects.get(username=f"consulent-{code}-0")
    gezien = set(Dossier.objects.visible_to(consulent, "toegang.view_dossier").values_list("pk"))
    assert gezien == eigen
    assert len(eigen) < Dossier.objects.count()

    # An aanbieder's API key authenticates and sees only that aanbieder's toewijzingen.
    sleutel = sleutels.zoek(resultaat.api_tokens[0])
    assert sleutel is not None
    zichtbaar = Toewijzing.objects.visible_to(sleutel.user, "toegang.view_toewijzing")
    assert zichtbaar.exists()
    assert set(zichtbaar.values_list("aanbieder", flat=True)) == {sleutel.aanbieder_id}
    assert zichtbaar.count() < Toewijzing.objects.count()

    # The Centrale Toegang of a regio sees that regio's waiting list only.
    aanmelding = Aanmelding.objects.select_related("regio").order_by("pk").first()
    ct = User.objects.get(username=f"ct-{aanmelding.regio.code}")
    lijst = Aanmelding.objects.visible_to(ct, "toegang.view_aanmelding")
    assert set(lijst.values_list("regio", flat=True)) == {aanmelding.regio_id}
    assert lijst.count() < Aanmelding.objects.count()
