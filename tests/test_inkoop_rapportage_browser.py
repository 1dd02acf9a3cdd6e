"""The RISB review of a quarterly report in a real headless Chromium: RISB starts the review,
comments and sends the report back; the aanbieder corrects and resubmits; RISB approves."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inkoop.models import Bestedingsruimte, Rapportage, Rapportageregel
from inkoop.rapportages import services
from regio.models import Gemeente
from tests.browser import collect_csp_violations
from tests.browser import login as login_as
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    grant,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    login_as(page, live_server, username)
    expect(page.get_by_role("heading", name="Mijn werk")).to_be_visible()


def logout(page, username):
    page.get_by_role("button", name="Uitloggen", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def ingediend(refdata):
    perceel = PerceelFactory(code="wmo", naam="Wmo begeleiding en beschermd wonen")
    begeleiding = ProductFactory(perceel=perceel, code="begeleiding", naam="Begeleiding")
    aanbieder = AanbiederFactory(naam="Zorggroep Eemland")
    contract = ContractFactory(
        aanbieder=aanbieder, kenmerk="AMF-R1", percelen=[perceel], gemeenten=["0307", "0342"]
    )
    Bestedingsruimte.objects.create(contract=contract, jaar=2026, bedrag=Decimal("100000.00"))
    risb = UserFactory(username="risb-amersfoort", first_name="Rianne", last_name="Risb")
    grant(risb, "contractmanager", regio="amersfoort")
    aanbieder_user = UserFactory(username="zorg-eemland", first_name="Erik", last_name="Eemland")
    grant(aanbieder_user, "aanbieder", aanbieder=aanbieder)
    rapportage = Rapportage.objects.create(
        contract=contract, jaar=2026, kwartaal=2, clienten_in_zorg=42, instroom=6, uitstroom=3,
        wachtenden=2, uitgaven_tot_nu=Decimal("72500.00"), incidenten=1,
    )  # fmt: skip
    Rapportageregel.objects.create(
        rapportage=rapportage,
        product=begeleiding,
        gemeente=Gemeente.objects.get(code="0307"),
        volume=Decimal("310.50"),
        clienten=42,
    )
    services.overgang(rapportage, Rapportage.Status.INGEDIEND, aanbieder_user)
    return rapportage


def test_risb_sends_back_with_a_comment_and_approves_after_correction(page, live_server, ingediend):
    violations = collect_csp_violations(page)
    status = page.locator("#status")

    # RISB finds the submitted report in the list and starts the review.
    login(page, live_server, "risb-amersfoort")
    page.goto(f"{live_server.url}/inkoop/rapportages/")
    expect(page.get_by_role("heading", name="Rapportages")).to_be_visible()
    expect(page.get_by_role("link", name="1 wacht op beoordeling")).to_be_visible()
    page.get_by_role("link", name="2026-K2").click()
    expect(page.get_by_role("heading", name="Rapportage AMF-R1 2026-K2")).to_be_visible()
    expect(status).to_have_text("Ingediend")
    signalen = page.get_by_role("region", name="Plausibiliteit")
    expect(signalen).to_contain_text("signaaldrempel van 70% is bereikt")
    expect(page.get_by_role("row", name=re.compile("Wachtenden"))).to_contain_text("<5")
    page.get_by_role("button", name="Beoordeling starten").click()
    expect(status).to_have_text("In beoordeling")
    expect(page.get_by_role("status")).to_contain_text("In beoordeling")

    # A comment on one figure, then send it back with a reason (confirm page first).
    page.get_by_label("Over").select_option(label="Uitgaven tot nu (dit jaar)")
    page.get_by_label("Opmerking").fill("De uitgaven passen niet bij 42 cliënten; graag uitleg.")
    page.get_by_role("button", name="Opmerking plaatsen").click()
    expect(page.get_by_role("status")).to_contain_text("De opmerking is geplaatst.")
    uitgaven = page.get_by_role("row", name=re.compile("Uitgaven tot nu"))
    expect(uitgaven).to_contain_text("graag uitleg")
    page.get_by_role("link", name="Terugsturen").click()
    expect(page.get_by_role("heading", name=re.compile("^Terugsturen: rapportage"))).to_be_visible()
    expect(page.get_by_text("nog 1 open opmerking")).to_be_visible()
    page.get_by_label("Toelichting").fill("Zie de opmerking bij de uitgaven.")
    page.get_by_role("button", name="Terugsturen").click()
    expect(status).to_have_text("Teruggestuurd")
    expect(page.get_by_role("button", name="Beoordeling starten")).to_have_count(0)
    logout(page, "risb-amersfoort")

    # The aanbieder reads the comment, corrects the spend and resubmits.
    login(page, live_server, "zorg-eemland")
    page.goto(f"{live_server.url}/inkoop/rapportages/{ingediend.pk}/")
    expect(status).to_have_text("Teruggestuurd")
    expect(page.get_by_text("graag uitleg")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Wachtenden"))).to_contain_text("2")
    page.get_by_role("link", name="Wijzigen", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("wijzigen$"))).to_be_visible()
    page.get_by_label("Uitgaven tot nu (dit jaar)").fill("62500.00")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("De rapportage is opgeslagen.")
    expect(page.get_by_role("row", name=re.compile("Uitgaven tot nu"))).to_contain_text("62.500,00")
    page.get_by_role("link", name="Opnieuw indienen").click()
    page.get_by_role("button", name="Opnieuw indienen").click()
    expect(status).to_have_text("Ingediend")
    expect(page.get_by_role("link", name="Wijzigen", exact=True)).to_have_count(0)
    logout(page, "zorg-eemland")

    # RISB reviews again, resolves the comment and approves.
    login(page, live_server, "risb-amersfoort")
    page.goto(f"{live_server.url}/inkoop/rapportages/{ingediend.pk}/")
    page.get_by_role("button", name="Beoordeling starten").click()
    expect(status).to_have_text("In beoordeling")
    page.get_by_role("button", name="Markeer als opgelost").click()
    expect(page.get_by_role("status")).to_contain_text("opgelost")
    page.get_by_role("link", name="Akkoord geven").click()
    expect(page.get_by_role("heading", name=re.compile("^Akkoord geven"))).to_be_visible()
    page.get_by_role("button", name="Akkoord geven").click()
    expect(status).to_have_text("Akkoord")
    expect(page.get_by_role("link", name="Definitief maken")).to_be_visible()
    geschiedenis = page.get_by_role("table", name="Stappen in de beoordeling")
    expect(geschiedenis.locator("tbody tr")).to_have_count(6)
    expect(geschiedenis).to_contain_text("Zie de opmerking bij de uitgaven.")

    ingediend.refresh_from_db()
    assert ingediend.status == Rapportage.Status.AKKOORD
    assert ingediend.uitgaven_tot_nu == Decimal("62500.00")
    assert violations == []
