"""The demo stays alive as the calendar moves: loaded as if today were two years later, it has a
contract covering today on which a toewijzing can be made, open deadlines and a living
waiting list with free places (issue 18)."""

import datetime
import os

import pytest
from django.core.management import call_command
from freezegun import freeze_time

LATER = datetime.date.today() + datetime.timedelta(days=2 * 365)


@pytest.mark.slow(120)
@pytest.mark.django_db
def test_demo_loaded_two_years_later_still_works():
    from inkoop.contracten.services import contracten_voor
    from inkoop.models import Contract, Product, Rapportage, Verlengingsoptie
    from regio.models import Gemeente, User
    from tests import scenarios
    from toegang.models import Aanmelding, Melding, Toewijzing
    from toegang.wachtlijst import services as wachtlijst

    with freeze_time(LATER):
        call_command("demo", stdout=open(os.devnull, "w"))
        vandaag = datetime.date.today()
        assert vandaag == LATER

        # A contract covering today and the coming year, its due extension decisions taken by
        # the contractmanager (through the service: besloten_op and besloten_door are set).
        soest = Gemeente.objects.get(code="0342")
        begeleiding = Product.objects.get(
            perceel__code="wmo-begeleiding-en-beschermd-wonen", code="begeleiding"
        )
        dekkend = contracten_voor(soest, begeleiding, vandaag)
        assert dekkend.exists()
        assert contracten_voor(soest, begeleiding, vandaag + datetime.timedelta(days=365)).exists()
        wbbw = Contract.objects.get(kenmerk="WBBW-2023-01")
        besloten = wbbw.verlengingsopties.filter(besluit_uiterlijk__lte=vandaag)
        assert besloten.exists()
        assert all(o.benut and o.besloten_door.username == "risb-amersfoort" for o in besloten)
        assert not Verlengingsoptie.objects.filter(
            benut__isnull=True, besluit_uiterlijk__lt=vandaag
        ).exists()
        # Oldambt-Stadskanaal: its options ran out, a follow-up contract covers today.
        os_product = Product.objects.get(
            perceel__code="begeleiding-2023", code="begeleiding-individueel-regulier"
        )
        assert contracten_voor(Gemeente.objects.get(code="0037"), os_product, vandaag).exists()

        # A toewijzing can be made today, through the real service (contract check included),
        # for a new client of the demo consulent in Soest.
        traject = scenarios.zorgtraject(
            User.objects.get(username="consulent-soest"), begeleiding, dekkend.first().aanbieder,
            gemeente="0342", periode=(vandaag, vandaag + datetime.timedelta(days=364)),
        )  # fmt: skip
        assert traject.toewijzing.status == Toewijzing.Status.ACTIEF
        assert traject.toewijzing.einddatum == vandaag + datetime.timedelta(days=364)

        # Open deadlines: meldingen whose next deadline is still ahead.
        assert (
            Melding.objects.filter(
                status__in=["onderzoek", "aanvraag"], volgende_termijn__gte=vandaag
            ).count()
            >= 10
        )

        # A living waiting list: clients waiting, recent in- and outflow, free places.
        wachtend = Aanmelding.objects.filter(
            regio__code="amersfoort", status=Aanmelding.Status.WACHTEND
        )
        assert wachtend.count() >= 30
        maand_geleden = vandaag - datetime.timedelta(days=31)
        assert wachtend.filter(wachtend_sinds__gte=maand_geleden).exists()
        assert Aanmelding.objects.filter(
            regio__code="amersfoort", uitstroom_op__gte=maand_geleden
        ).exists()
        assert any(wachtlijst.passende_locaties(a, vandaag) for a in wachtend[:20])

        # Reports of the last quarters, relative to today.
        laatste_jaar = vandaag.year if vandaag.month > 3 else vandaag.year - 1
        assert Rapportage.objects.filter(jaar=laatste_jaar).exists()
