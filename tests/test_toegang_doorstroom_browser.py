"""Browser flow of doorstroom: record a direct placement, then a doorstroom after the
confirmation page, and see both in the monitoring screen."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser import collect_csp_violations, login
from tests.factories import locatie
from tests.test_toegang_doorstroom import beoordeeld, bouw_opzet
from toegang.models import Plaatsing, Zorgbeweging

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ct_records_a_direct_placement_and_a_doorstroom(page, live_server, refdata):
    opzet = bouw_opzet()
    locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw], naam="De Linde")
    a = beoordeeld(opzet)
    naam = a.dossier.client.persoon.naam
    violations = collect_csp_violations(page)

    login(page, live_server, "ct-door")
    page.goto(f"{live_server.url}/toegang/wachtlijst/aanmeldingen/{a.pk}/")
    expect(page.get_by_role("heading", name=naam)).to_be_visible()
    page.get_by_role("link", name="Directe plaatsing vastleggen").click()
    expect(page.get_by_role("heading", name="Directe plaatsing vastleggen")).to_be_visible()
    page.get_by_label("Locatie").select_option(
        label=f"De Linde ({opzet.aanbieder.naam}, Amersfoort)"
    )
    # No beschikking yet: only as a crisis placement with its reason (issue 17 item 9).
    page.get_by_label("Reden crisisplaatsing").fill("Acute crisis; de beschikking volgt.")
    page.get_by_role("button", name="Plaatsing vastleggen").click()
    expect(page.get_by_text("De directe plaatsing op De Linde is vastgelegd.")).to_be_visible()
    expect(
        page.get_by_role("row").filter(has_text="direct, buiten de wachtlijst om")
    ).to_be_visible()

    page.get_by_role("link", name="Doorstroom vastleggen").click()
    page.get_by_label("Naar").select_option("beschermd_thuis")
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("heading", name="Bevestigen")).to_be_visible()
    assert Plaatsing.objects.get().status == "geplaatst"
    page.get_by_role("button", name="Doorstroom vastleggen: bevestigen").click()
    expect(page.get_by_text("De doorstroom naar beschermd thuis is vastgelegd")).to_be_visible()
    assert Plaatsing.objects.get().status == "beeindigd"
    assert Zorgbeweging.objects.filter(soort="doorstroom").count() == 1

    page.goto(f"{live_server.url}/toegang/zorgbewegingen/")
    jaar = datetime.date.today().year
    expect(
        page.get_by_role("heading", name=f"In-, door- en uitstroom Amersfoort {jaar}")
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Beschermd wonen").first).to_be_visible()
    assert violations == []
