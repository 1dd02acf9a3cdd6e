"""In Chromium: consulent-soest registers a melding on a Soest dossier, records the onderzoek
(with the verslag as a PDF letter) and the aanvraag, and sees the computed deadlines in the
werkvoorraad and on the melding; the URL of a Baarn melding answers 404. No CSP violations."""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, dossier_in, grant
from toegang import termijnen
from toegang.models import Document, Melding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lang(datum: datetime.date) -> str:
    with translation.override("nl"):
        return date_format(datum, "l j F Y")


def test_consulent_soest_melding_onderzoek_aanvraag(page, live_server, refdata):
    user = UserFactory(username="consulent-soest", first_name="Sanne", last_name="Soest")
    grant(user, "consulent", gemeente="0342")
    soest = dossier_in("0342", persoon__geslachtsnaam="Verhoeven")
    baarn_consulent = UserFactory(username="consulent-baarn")
    grant(baarn_consulent, "consulent", gemeente="0308")
    baarn = Melding.objects.create(
        dossier=dossier_in("0308"), ontvangen_op=datetime.date.today(), hulpvraag="Baarns",
        consulent=baarn_consulent,
    )  # fmt: skip
    vandaag = datetime.date.today()
    gemeld = vandaag - datetime.timedelta(days=7)
    violations = collect_csp_violations(page)

    login(page, live_server, "consulent-soest")
    page.goto(f"{live_server.url}/toegang/dossiers/{soest.pk}/meldingen/nieuw/")
    expect(page.get_by_role("heading", name="Melding registreren")).to_be_visible()
    page.get_by_label("Melding ontvangen op").fill(gemeld.isoformat())
    page.get_by_label("Hulpvraag").fill("Meneer kan zijn administratie niet meer bijhouden.")
    page.get_by_role("button", name="Melding registreren").click()

    expect(page).to_have_url(re.compile(r"/toegang/meldingen/\d+/$"))
    onderzoek_einde = termijnen.onderzoekstermijn(gemeld)
    termijnen_tabel = page.get_by_role("table", name="Wettelijke termijnen van deze melding")
    expect(termijnen_tabel).to_contain_text(lang(onderzoek_einde))
    expect(page.get_by_role("status")).to_contain_text("De melding is geregistreerd")

    page.get_by_role("link", name="Onderzoek vastleggen").click()
    page.get_by_label("Datum van het gesprek").fill(gemeld.isoformat())
    page.get_by_label("Gespreksverslag").fill(
        "Gesprek thuis gevoerd; hulp bij administratie nodig."
    )
    page.get_by_label("Onderzoek afgerond op").fill(vandaag.isoformat())
    page.get_by_label("Het verslag nu als brief (PDF) maken en versturen").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("het verslag is als brief gemaakt")
    expect(page.get_by_role("link", name=re.compile("Verslag van het onderzoek"))).to_be_visible()

    page.get_by_role("link", name="Aanvraag registreren").click()
    page.get_by_label("Aanvraag ontvangen op").fill(vandaag.isoformat())
    page.get_by_label("Wat wordt aangevraagd").fill("Begeleiding bij de administratie")
    page.get_by_role("button", name="Aanvraag registreren").click()
    beslis_einde = termijnen.beslistermijn(vandaag)
    expect(page.get_by_role("status")).to_contain_text("De aanvraag van")
    expect(termijnen_tabel).to_contain_text(lang(beslis_einde))
    expect(termijnen_tabel).to_contain_text("Op tijd")

    melding = Melding.objects.get(dossier=soest)
    assert melding.status == Melding.Status.AANVRAAG and melding.volgende_termijn == beslis_einde
    assert Document.objects.get(dossier=soest).soort == Document.Soort.VERSLAG

    # The werkvoorraad lists the case with its next deadline.
    page.get_by_role("link", name="Naar de werkvoorraad").click()
    rij = page.get_by_role("row", name=re.compile("Verhoeven"))
    expect(rij).to_contain_text(beslis_einde.strftime("%-d-%-m-%Y"))

    # A melding of Baarn does not exist for her.
    response = page.goto(f"{live_server.url}/toegang/meldingen/{baarn.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Baarns")).to_have_count(0)
    assert violations == []
