"""Browser flow of an intrekking in a real headless Chromium: consulent A draws up the
intrekkingsbesluit from a bekendgemaakte beschikking, records the hearing and offers it; B
approves and makes it known; the beschikking then reads 'Ingetrokken'."""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo import inkoop as inkoop_demo
from inkoop.models import Perceel, Product
from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, dossier_in, grant
from toegang.beschikkingen import services
from toegang.beschikkingen.producten import ProductRegel
from toegang.models import Adres, Beschikking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHERMEN = os.environ.get("REGIOZORG_SCREENSHOTS", "")


def foto(page, naam):
    if SCHERMEN:
        page.screenshot(path=os.path.join(SCHERMEN, f"{naam}.png"), full_page=True)


def test_intrekking_heard_approved_by_another_and_made_known(page, live_server, refdata):
    inkoop_demo.catalogus()
    a = UserFactory(username="consulent-soest", first_name="Anna", last_name="Aalbers")
    b = UserFactory(username="consulent-soest-2", first_name="Bram", last_name="Bos")
    for user in (a, b):
        grant(user, "consulent", gemeente="0342")
    dossier = dossier_in("0342")
    Adres.objects.create(
        persoon=dossier.client.persoon, soort="01", straat="Steenhoffstraat", huisnummer="12",
        postcode="3764 BH", plaats="Soest",
    )  # fmt: skip
    perceel = Perceel.objects.get(code="wmo-begeleiding-en-beschermd-wonen")
    vandaag = timezone.localdate()
    beschikking = services.maak_concept(
        dossier, a, perceel=perceel, besluit="toekenning", motivering="Begeleiding nodig.",
        ingangsdatum=datetime.date(2026, 1, 1), einddatum=datetime.date(2027, 12, 31),
        regels=[ProductRegel(product=Product.objects.get(perceel=perceel, code="begeleiding"))],
    )  # fmt: skip
    services.dien_in(beschikking, a)
    services.stel_vast(beschikking, b)
    services.maak_bekend(beschikking, a)
    violations = collect_csp_violations(page)

    login(page, live_server, "consulent-soest")
    page.goto(f"{live_server.url}/toegang/beschikkingen/{beschikking.pk}/")
    page.get_by_role("link", name=re.compile("Intrekken")).click()
    page.get_by_label("Grond").select_option("2310-1b")
    page.get_by_label("Motivering").fill("De cliënt heeft deze begeleiding niet meer nodig.")
    page.get_by_label("Ingetrokken met ingang van").fill(vandaag.isoformat())
    foto(page, "intrekken-formulier")
    page.get_by_role("button", name=re.compile("Intrekken")).click()
    expect(page.get_by_role("heading", name=re.compile("Intrekkingsbesluit"))).to_be_visible()
    besluit = Beschikking.objects.get(vorige=beschikking)
    expect(page.locator("#horen")).to_contain_text("nog niet vastgelegd")

    page.get_by_role("link", name="Horen vastleggen").click()
    page.get_by_label("Gehoord op").fill(vandaag.isoformat())
    page.get_by_label("Verslag van het horen").fill("Telefonisch; de cliënt is het eens.")
    page.get_by_role("button", name="Horen vastleggen").click()
    expect(page.locator("#horen")).to_contain_text("gehoord op")
    page.get_by_role("link", name="Ter accordering aanbieden").click()
    page.get_by_role("button", name="Ter accordering aanbieden").click()
    expect(page.locator("#status")).to_have_text("Ter accordering")
    foto(page, "intrekkingsbesluit-ter-accordering")

    page.context.clear_cookies()
    login(page, live_server, "consulent-soest-2")
    page.goto(f"{live_server.url}/toegang/beschikkingen/{besluit.pk}/")
    page.get_by_role("link", name="Accorderen en vaststellen").click()
    page.get_by_role("button", name="Accorderen en vaststellen").click()
    page.get_by_role("link", name=re.compile("Bekendmaken")).click()
    page.get_by_role("button", name=re.compile("Bekendmaken")).click()
    expect(page.locator("#status")).to_have_text("Bekendgemaakt")
    foto(page, "intrekkingsbesluit-bekendgemaakt")
    page.goto(f"{live_server.url}/toegang/beschikkingen/{beschikking.pk}/")
    expect(page.locator("#status")).to_have_text("Ingetrokken")
    assert violations == []
