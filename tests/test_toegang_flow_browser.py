"""The whole consulent flow in Chromium, as issue 5 asks: consulent-soest registers a melding,
records the onderzoek and the aanvraag, drafts a beschikking; a second consulent approves it and
makes it bekend; the PDF downloads. consulent-soest opening a Baarn dossier gets a 404."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product
from tests.browser import collect_csp_violations, login
from tests.factories import consulent, dossier_in
from toegang.models import Adres, Beschikking, Melding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_melding_to_bekendgemaakte_beschikking(page, browser, live_server, refdata):
    inkoop_demo.catalogus()
    consulent("consulent-soest", "0342", first_name="Sanne", last_name="Soest")
    consulent("teamleider-soest", "0342", first_name="Tim", last_name="Teamleider")
    dossier = dossier_in("0342", persoon__geslachtsnaam="Verhoeven")
    Adres.objects.create(persoon=dossier.client.persoon, soort="01", straat="Steenhoffstraat",
                         huisnummer="12", postcode="3764 BH", plaats="Soest")  # fmt: skip
    baarn = dossier_in("0308")
    vandaag = datetime.date.today()
    perceel = Perceel.objects.get(code="wmo-begeleiding-en-beschermd-wonen")
    begeleiding = Product.objects.get(perceel=perceel, code="begeleiding")
    violations = collect_csp_violations(page)

    login(page, live_server, "consulent-soest")
    page.goto(f"{live_server.url}/toegang/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Melding registreren").click()
    page.get_by_label("Melding ontvangen op").fill(
        (vandaag - datetime.timedelta(days=7)).isoformat()
    )
    page.get_by_label("Hulpvraag").fill("Meneer redt het thuis niet meer zonder begeleiding.")
    page.get_by_role("button", name="Melding registreren").click()
    expect(page.get_by_role("status")).to_contain_text("De melding is geregistreerd")

    page.get_by_role("link", name="Onderzoek vastleggen").click()
    page.get_by_label("Datum van het gesprek").fill(vandaag.isoformat())
    page.get_by_label("Gespreksverslag").fill("Keukentafelgesprek; begeleiding nodig.")
    page.get_by_label("Onderzoek afgerond op").fill(vandaag.isoformat())
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("link", name="Aanvraag registreren").click()
    page.get_by_label("Aanvraag ontvangen op").fill(vandaag.isoformat())
    page.get_by_label("Begeleiding", exact=True).check()
    page.get_by_role("button", name="Aanvraag registreren").click()
    expect(page.get_by_role("status")).to_contain_text("De aanvraag van")
    melding = Melding.objects.get(dossier=dossier)
    aanvraag = melding.aanvraag
    assert list(aanvraag.functies.all()) == [begeleiding]

    page.goto(f"{live_server.url}/toegang/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Beschikking opstellen").click()
    page.get_by_label("Perceel").select_option(str(perceel.pk))
    page.get_by_label("Aanvraag").select_option(str(aanvraag.pk))
    page.get_by_label("Besluit").select_option("toekenning")
    page.get_by_label("Ingangsdatum").fill(vandaag.isoformat())
    page.get_by_label("Einddatum").fill((vandaag + datetime.timedelta(days=364)).isoformat())
    page.get_by_label("Motivering").fill("Uit het onderzoek blijkt dat begeleiding nodig is.")
    page.get_by_role("button", name="Concept aanmaken").click()
    page.get_by_role("group", name="Regel 1").get_by_label("Product of functie").select_option(
        str(begeleiding.pk)
    )
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.get_by_role("link", name="Ter accordering aanbieden").click()
    page.get_by_role("button", name="Ter accordering aanbieden").click()
    expect(page.locator("#status")).to_have_text("Ter accordering")
    beschikking = Beschikking.objects.get(dossier=dossier)

    second = browser.new_page()
    violations_second = collect_csp_violations(second)
    login(second, live_server, "teamleider-soest")
    second.goto(f"{live_server.url}/toegang/beschikkingen/{beschikking.pk}/")
    second.get_by_role("link", name="Accorderen en vaststellen").click()
    second.get_by_role("button", name="Accorderen en vaststellen").click()
    expect(second.locator("#status")).to_have_text("Vastgesteld")
    second.get_by_role("link", name="Bekendmaken (brief maken)").click()
    second.get_by_role("button", name="Bekendmaken (brief maken)").click()
    expect(second.locator("#status")).to_have_text("Bekendgemaakt")
    with second.expect_download() as info:
        second.get_by_role("link", name=re.compile(r"\(PDF\) downloaden")).click()
    with open(info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    melding.refresh_from_db()
    assert melding.status == Melding.Status.BESLOTEN  # out of the werkvoorraad

    response = page.goto(f"{live_server.url}/toegang/dossiers/{baarn.pk}/")
    assert response.status == 404
    assert violations == [] and violations_second == []
    second.close()
