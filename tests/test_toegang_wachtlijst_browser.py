"""Browser flow of the Centrale Toegang: from the waiting list to a placed client."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests import scenarios
from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, grant, locatie
from tests.test_toegang_wachtlijst import VANDAAG, wachtend
from toegang.models import Plaatsing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ct_amersfoort_places_a_client_and_the_free_places_drop(page, live_server, refdata):
    opzet = scenarios.wachtlijst()
    ct = UserFactory(username="ct-amersfoort")
    grant(ct, "centrale-toegang", regio="amersfoort")
    locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw], naam="De Eik")
    eerste = wachtend(opzet, sinds=VANDAAG - datetime.timedelta(120))
    tweede = wachtend(opzet, sinds=VANDAAG - datetime.timedelta(10))
    naam = eerste.dossier.client.persoon.naam
    violations = collect_csp_violations(page)

    login(page, live_server, "ct-amersfoort")
    page.goto(f"{live_server.url}/toegang/wachtlijst/")
    expect(page.get_by_role("heading", name="Wachtlijst Amersfoort")).to_be_visible()
    rij = page.get_by_role("row").filter(has_text=naam)
    expect(rij).to_contain_text("Boven de norm")
    rij.get_by_role("link", name=naam).click()

    expect(page.get_by_role("heading", name=naam)).to_be_visible()
    match = page.get_by_role("row").filter(has_text="De Eik")
    expect(match.get_by_role("cell").nth(3)).to_have_text("2")
    match.get_by_role("button", name="Reserveren op De Eik").click()
    expect(page.get_by_text("Er is een plaats gereserveerd op De Eik.")).to_be_visible()
    page.get_by_role("link", name="Plaatsen").click()
    expect(page.get_by_role("heading", name="Cliënt plaatsen")).to_be_visible()
    # No beschikking yet: only as a crisis placement with its reason (issue 17 item 9).
    page.get_by_label("Reden crisisplaatsing").fill("Acute crisis; de beschikking volgt.")
    page.get_by_role("button", name="Plaatsen").click()
    expect(page.get_by_text("De cliënt is geplaatst op De Eik.")).to_be_visible()
    plaatsingen = page.get_by_role("table", name="Plaatsingen", exact=True)
    expect(plaatsingen.get_by_role("row").filter(has_text="De Eik")).to_contain_text("Geplaatst")
    assert Plaatsing.objects.get().status == "geplaatst"

    # The next client on the list now sees one free place fewer at De Eik.
    page.goto(f"{live_server.url}/toegang/wachtlijst/aanmeldingen/{tweede.pk}/")
    match = page.get_by_role("row").filter(has_text="De Eik")
    expect(match.get_by_role("cell").nth(3)).to_have_text("1")
    assert violations == []

    # A CT user of another regio does not even learn that the aanmelding exists.
    page.context.clear_cookies()
    groningen = UserFactory(username="ct-groningen")
    grant(groningen, "centrale-toegang", regio="groningen")
    login(page, live_server, "ct-groningen")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    response = page.goto(f"{live_server.url}/toegang/wachtlijst/aanmeldingen/{eerste.pk}/")
    assert response.status == 404
