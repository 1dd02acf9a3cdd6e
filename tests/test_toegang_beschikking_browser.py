"""Browser flow of the beschikking in a real headless Chromium: consulent A drafts and offers it
for accordering, cannot approve it herself (four-eyes), consulent B approves and makes it bekend,
and the letter downloads as a PDF."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product
from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, dossier_in, grant
from toegang.models import Aanvraag, Adres, Beschikking, Melding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WBBW = "wmo-begeleiding-en-beschermd-wonen"


def test_draft_four_eyes_approve_bekendmaken_and_download(page, browser, live_server, refdata):
    inkoop_demo.catalogus()
    a = UserFactory(username="consulent-soest", first_name="Anna", last_name="Aalbers")
    b = UserFactory(username="consulent-soest-2", first_name="Bram", last_name="Bos")
    for user in (a, b):
        grant(user, "consulent", gemeente="0342")
    dossier = dossier_in("0342")
    Adres.objects.create(
        persoon=dossier.client.persoon,
        soort="01",
        straat="Steenhoffstraat",
        huisnummer="12",
        postcode="3764 BH",
        plaats="Soest",
    )
    melding = Melding.objects.create(
        dossier=dossier, ontvangen_op=datetime.date(2025, 11, 3), hulpvraag="Hulp thuis"
    )
    aanvraag = Aanvraag.objects.create(
        melding=melding, dossier=dossier, ontvangen_op=datetime.date(2025, 12, 1)
    )
    perceel = Perceel.objects.get(code=WBBW)
    functies = {p.code: p.pk for p in Product.objects.filter(perceel=perceel)}
    violations = collect_csp_violations(page)

    # Consulent A drafts the beschikking and offers it for accordering.
    login(page, live_server, "consulent-soest")
    page.goto(f"{live_server.url}/toegang/dossiers/{dossier.pk}/beschikkingen/nieuw/")
    expect(page.get_by_role("heading", name="Beschikking opstellen")).to_be_visible()
    page.get_by_label("Perceel").select_option(str(perceel.pk))
    page.get_by_label("Aanvraag").select_option(str(aanvraag.pk))
    page.get_by_label("Besluit").select_option("toekenning")
    page.get_by_label("Ingangsdatum").fill("2026-01-01")
    page.get_by_label("Einddatum").fill("2026-12-31")
    page.get_by_label("Motivering").fill("Uit het onderzoek blijkt dat begeleiding nodig is.")
    page.get_by_role("button", name="Concept aanmaken").click()

    expect(page.get_by_role("heading", name=re.compile("Concept-beschikking"))).to_be_visible()
    page.get_by_role("group", name="Regel 1").get_by_label("Product of functie").select_option(
        str(functies["begeleiding"])
    )
    page.get_by_role("group", name="Regel 2").get_by_label("Product of functie").select_option(
        str(functies["beschermd-wonen"])
    )
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("#status")).to_have_text("Concept")
    expect(page.get_by_role("cell", name="Beschermd wonen", exact=True)).to_be_visible()
    page.get_by_role("link", name="Ter accordering aanbieden").click()
    page.get_by_role("button", name="Ter accordering aanbieden").click()
    expect(page.locator("#status")).to_have_text("Ter accordering")
    beschikking = Beschikking.objects.get()
    assert beschikking.opgesteld_door == a

    # Four-eyes: A has no approve button, and the URL itself refuses her.
    expect(page.get_by_role("link", name="Accorderen en vaststellen")).to_have_count(0)
    expect(page.get_by_text("u hebt deze beschikking zelf opgesteld")).to_be_visible()
    page.goto(f"{live_server.url}/toegang/beschikkingen/{beschikking.pk}/stap/vaststellen/")
    expect(page.locator("ul.messages")).to_contain_text("Vier ogen")
    expect(page.locator("#status")).to_have_text("Ter accordering")

    # Consulent B finds it in the worklist, approves it and makes it bekend.
    page_b = browser.new_page()
    violations_b = collect_csp_violations(page_b)
    login(page_b, live_server, "consulent-soest-2")
    page_b.goto(f"{live_server.url}/toegang/beschikkingen/?status=ter_accordering")
    page_b.get_by_role("link", name=f"Beschikking {beschikking.pk}", exact=True).click()
    page_b.get_by_role("link", name="Accorderen en vaststellen").click()
    expect(
        page_b.get_by_role("heading", name=re.compile("Accorderen en vaststellen"))
    ).to_be_visible()
    page_b.get_by_role("button", name="Accorderen en vaststellen").click()
    expect(page_b.locator("#status")).to_have_text("Vastgesteld")
    page_b.get_by_role("link", name="Bekendmaken (brief maken)").click()
    page_b.get_by_role("button", name="Bekendmaken (brief maken)").click()
    expect(page_b.locator("#status")).to_have_text("Bekendgemaakt")

    with page_b.expect_download() as info:
        page_b.get_by_role("link", name=re.compile(r"\(PDF\) downloaden")).click()
    download = info.value
    assert download.suggested_filename == f"beschikking-{beschikking.pk}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert dossier.client.persoon.bsn not in page_b.url
    beschikking.refresh_from_db()
    assert (beschikking.status, beschikking.geaccordeerd_door) == ("bekendgemaakt", b)
    assert violations == [] and violations_b == []
    page_b.close()
