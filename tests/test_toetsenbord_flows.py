"""Keyboard only, the main flows of three roles in a real headless Chromium (issue 18, WCAG 2.1
AA: 2.1.1 keyboard, 2.1.2 no keyboard trap, 2.4.3 focus order, 2.4.7 focus visible).

A person without a mouse uses Tab, Shift+Tab, Enter, Space, the arrow keys and typing. These
tests do the same: no click, no fill, no page.goto except the first page of a flow and the
first page after logging in (itself done by keyboard). Every element the focus passes shows where
the focus is, on screen (``tests.browser.ACTIEF``), and every form page of the flow is walked
top to bottom and back without a trap (``loopt_rond_zonder_val``).

1. Anna (consulent) drafts a beschikking for an aanvraag and offers it for accordering; Marieke
   (teamleider) opens it from the "Ter accordering" tab, previews the letter, accords and makes
   it known.
2. Esther (Centrale Toegang) places a waiting client with a provider.
3. Erik (aanbieder) files his quarterly report; Thomas (RISB) reviews and approves it."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inkoop.models import Rapportage
from inkoop.rapportages import services as rapportages
from regio.models import Gemeente
from tests import scenarios
from tests.browser import ACTIEF, collect_csp_violations, loopt_rond_zonder_val, tab_tot
from tests.factories import AanbiederFactory, UserFactory, dossier_in, grant, locatie
from toegang.beschikkingen import services as beschikkingen
from toegang.beschikkingen.producten import ProductRegel
from toegang.models import Aanvraag, Adres, Beschikking, Melding, Plaatsing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VANDAAG = datetime.date.today()
SOEST = "0342"


def dag_gelijk_aan_maand(vanaf: datetime.date) -> datetime.date:
    """The first date from ``vanaf`` whose day and month are the same number: typed as digits it
    means the same in dd-mm and mm-dd order (the field's order follows the browser's language)."""
    datum = vanaf
    while datum.day != datum.month:
        datum += datetime.timedelta(days=1)
    return datum


def persoon(username, voornaam, achternaam, rol, **waar):
    user = UserFactory(username=username, first_name=voornaam, last_name=achternaam)
    grant(user, rol, **waar)
    return user


@pytest.fixture
def inloggen(browser, live_server):
    """``inloggen(username)``: a browser context of one's own, logged in through the form by
    keyboard alone. At the end no page has reported a Content-Security-Policy violation (our own
    scripts are files, as the strict CSP asks)."""
    contexten, meldingen = [], []

    def inloggen(username):
        context = browser.new_context(locale="nl-NL", accept_downloads=True)
        contexten.append(context)
        page = context.new_page()
        meldingen.append(collect_csp_violations(page))
        page.goto(f"{live_server.url}/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        tab_tot(page, "Gebruikersnaam")
        page.keyboard.type(username)
        tab_tot(page, "Wachtwoord")
        page.keyboard.type("demo")
        druk_enter(page)
        expect(page).to_have_url(re.compile(r"/mijn-werk/"))
        return page

    yield inloggen
    for context in contexten:
        context.close()
    assert [m for lijst in meldingen for m in lijst] == []


def druk_enter(page, toets="Enter"):
    """Enter (or Space, on a button) on the focused element, and wait for the page it leads
    to."""
    with page.expect_navigation():
        page.keyboard.press(toets)


def volg(page, label, toets="Enter", **kwargs):
    """Tab to the link or button labelled ``label`` and follow it with Enter (or Space)."""
    tab_tot(page, label, **kwargs)
    druk_enter(page, toets)


def kies(page, label, optie):
    """Tab to the select ``label`` and step with the arrow keys to the option that contains
    ``optie``, as a keyboard user does on a closed list; the focus stays on the select."""
    tab_tot(page, label)
    gekozen = ""
    for _ in range(30):
        gekozen = page.evaluate("() => document.activeElement.selectedOptions[0].text")
        if optie in gekozen:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label}: {optie!r} niet te kiezen met de pijltjes (nu {gekozen!r})")


@pytest.fixture
def wereld(refdata):
    """Regio Amersfoort with a waiting list, its Centrale Toegang (Esther), the aanbieder
    Zorggroep Eemland with a place free at De Eik and its zorgbemiddelaar (Erik), RISB (Thomas),
    and in Soest Anna (consulent) and Marieke (teamleider) with a client whose aanvraag waits."""
    opzet = scenarios.wachtlijst(
        ct="ct-amersfoort",
        perceel={"naam": "Beschermd wonen regio Amersfoort"},
        contract={"aanbieder": AanbiederFactory(naam="Zorggroep Eemland"), "kenmerk": "AMF-R1"},
    )
    opzet.ct.first_name, opzet.ct.last_name = "Esther", "Visser"
    opzet.ct.save()
    anna = persoon("consulent-soest", "Anna", "de Vries", "consulent", gemeente=SOEST)
    marieke = persoon("teamleider-amersfoort", "Marieke", "Smit", "consulent", gemeente=SOEST)
    erik = persoon("zorg-eemland", "Erik", "Eemland", "aanbieder", aanbieder=opzet.aanbieder)
    thomas = persoon("risb-amersfoort", "Thomas", "Bos", "contractmanager", regio="amersfoort")
    locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw], naam="De Eik")
    dossier = dossier_in(SOEST, persoon__geslachtsnaam="Verhoeven")
    Adres.objects.create(
        persoon=dossier.client.persoon, soort="01", straat="Steenhoffstraat", huisnummer="12",
        postcode="3764 BH", plaats="Soest",
    )  # fmt: skip
    return {
        "opzet": opzet, "anna": anna, "marieke": marieke, "erik": erik, "thomas": thomas,
        "dossier": dossier,
    }  # fmt: skip


@pytest.mark.slow(17)
def test_beschikking_opstellen_accorderen_en_bekendmaken(inloggen, live_server, wereld):
    opzet, dossier = wereld["opzet"], wereld["dossier"]
    melding = Melding.objects.create(
        dossier=dossier, ontvangen_op=VANDAAG - datetime.timedelta(days=40), hulpvraag="Wonen"
    )
    Aanvraag.objects.create(
        melding=melding, dossier=dossier, ontvangen_op=VANDAAG - datetime.timedelta(days=20)
    )
    ingang = dag_gelijk_aan_maand(VANDAAG)
    einde = ingang.replace(year=ingang.year + 1)

    # Anna drafts the beschikking: the head first, then its product.
    anna = inloggen("consulent-soest")
    anna.goto(f"{live_server.url}/toegang/dossiers/{dossier.pk}/beschikkingen/nieuw/")
    loopt_rond_zonder_val(anna)
    kies(anna, "Perceel", "Beschermd wonen regio Amersfoort")
    kies(anna, "Aanvraag", "Aanvraag van")
    kies(anna, "Besluit", "Toekenning")
    tab_tot(anna, "Ingangsdatum")
    anna.keyboard.type(ingang.strftime("%d%m%Y"))
    tab_tot(anna, "Einddatum")
    anna.keyboard.type(einde.strftime("%d%m%Y"))
    tab_tot(anna, "Motivering")
    anna.keyboard.type("Uit het onderzoek blijkt dat beschermd wonen nodig is.")
    volg(anna, "Concept aanmaken")
    expect(anna.get_by_role("heading", name=re.compile("Concept-beschikking"))).to_be_visible()
    beschikking = Beschikking.objects.get(dossier=dossier)
    loopt_rond_zonder_val(anna)
    kies(anna, "Product of functie", "Beschermd wonen")
    volg(anna, "Opslaan")
    expect(anna.locator("#status")).to_have_text("Concept")
    volg(anna, "Ter accordering aanbieden")
    loopt_rond_zonder_val(anna)
    volg(anna, "Ter accordering aanbieden")
    expect(anna.locator("#status")).to_have_text("Ter accordering")

    # Marieke opens it from her "Ter accordering" tab.
    marieke = inloggen("teamleider-amersfoort")
    marieke.goto(f"{live_server.url}/toegang/werkvoorraad/")
    volg(marieke, "Ter accordering (1)")
    volg(marieke, f"Beschikking {beschikking.pk}")
    expect(marieke.locator("#status")).to_have_text("Ter accordering")

    # The preview is reachable by keyboard, is a PDF and opens in a tab of its own, which its
    # name tells whoever cannot see the page.
    voorbeeld = tab_tot(marieke, "Voorbeeld (PDF)")
    assert voorbeeld["label"] == "Voorbeeld (PDF) (opent in een nieuw tabblad)"
    href = marieke.evaluate("() => document.activeElement.href")
    with marieke.context.expect_page() as nieuw:  # Enter opens it (target=_blank)
        marieke.keyboard.press("Enter")
    nieuw.value.close()
    antwoord = marieke.context.request.get(href)
    assert antwoord.ok and antwoord.headers["content-type"] == "application/pdf"
    assert antwoord.body().startswith(b"%PDF-")

    # Accorderen (vaststellen), then bekendmaken, each through its confirmation page.
    volg(marieke, "Accorderen en vaststellen")
    loopt_rond_zonder_val(marieke)
    volg(marieke, "Accorderen en vaststellen")
    expect(marieke.locator("#status")).to_have_text("Vastgesteld")
    volg(marieke, "Bekendmaken (brief maken)")
    loopt_rond_zonder_val(marieke)
    volg(marieke, "Bekendmaken (brief maken)")
    expect(marieke.locator("#status")).to_have_text("Bekendgemaakt")

    beschikking.refresh_from_db()
    assert beschikking.status == Beschikking.Status.BEKENDGEMAAKT
    assert beschikking.opgesteld_door == wereld["anna"]
    assert beschikking.geaccordeerd_door == wereld["marieke"]
    assert beschikking.aanvraag.melding == melding
    assert (beschikking.ingangsdatum, beschikking.einddatum) == (ingang, einde)
    assert beschikking.brief is not None
    assert [p.product for p in beschikking.producten.all()] == [opzet.bw]


def test_centrale_toegang_plaatst_een_wachtende(inloggen, live_server, wereld):
    opzet, dossier = wereld["opzet"], wereld["dossier"]
    sinds = VANDAAG - datetime.timedelta(days=60)
    aanmelding = scenarios.aanmelding(
        opzet, SOEST, dossier=dossier, door=wereld["anna"], aangemeld_op=sinds,
        functie=opzet.bw, wachtend_sinds=sinds,
    )  # fmt: skip
    beschikking = beschikkingen.maak_concept(
        dossier, wereld["anna"], perceel=opzet.perceel, besluit="toekenning",
        motivering="Beschermd wonen is nodig.", ingangsdatum=VANDAAG,
        einddatum=VANDAAG + datetime.timedelta(days=365), regels=[ProductRegel(product=opzet.bw)],
    )  # fmt: skip
    beschikkingen.dien_in(beschikking, wereld["anna"])
    beschikkingen.stel_vast(beschikking, wereld["marieke"])
    naam = dossier.client.persoon.naam

    esther = inloggen("ct-amersfoort")
    esther.goto(f"{live_server.url}/toegang/wachtlijst/")
    loopt_rond_zonder_val(esther)
    volg(esther, naam)
    expect(esther.get_by_role("heading", name=naam)).to_be_visible()
    loopt_rond_zonder_val(esther)
    volg(esther, "Reserveren op De Eik")
    expect(esther.get_by_text("Er is een plaats gereserveerd op De Eik.")).to_be_visible()
    volg(esther, "Plaatsen", max_stappen=200)
    expect(esther.get_by_role("heading", name="Cliënt plaatsen")).to_be_visible()
    loopt_rond_zonder_val(esther)
    volg(esther, "Plaatsen", toets="Space")
    expect(esther.get_by_text("De cliënt is geplaatst op De Eik.")).to_be_visible()

    plaatsing = Plaatsing.objects.get(aanmelding=aanmelding)
    assert plaatsing.status == Plaatsing.Status.GEPLAATST
    assert plaatsing.locatie.naam == "De Eik" and plaatsing.geplaatst_op == VANDAAG
    assert plaatsing.beschikking_id == beschikking.pk and plaatsing.toewijzing is not None
    aanmelding.refresh_from_db()
    assert aanmelding.status == "geplaatst"


@pytest.mark.slow(15)
def test_aanbieder_rapporteert_en_risb_keurt_goed(inloggen, live_server, wereld):
    opzet = wereld["opzet"]
    jaar, kwartaal = rapportages.vorig_kwartaal(*rapportages.kwartaal_van(VANDAAG))

    # Erik makes the report of the last quarter and fills in figures and lines.
    erik = inloggen("zorg-eemland")
    erik.goto(f"{live_server.url}/inkoop/rapportages/nieuw/")
    loopt_rond_zonder_val(erik)
    kies(erik, "Contract", "AMF")
    tab_tot(erik, "Jaar")
    erik.keyboard.press("ControlOrMeta+a")
    erik.keyboard.type(str(jaar))
    kies(erik, "Kwartaal", f"{kwartaal}e")
    volg(erik, "Rapportage aanmaken")
    rapportage = Rapportage.objects.get(contract=opzet.contract)
    expect(erik).to_have_url(re.compile(rf"/inkoop/rapportages/{rapportage.pk}/wijzigen/$"))
    loopt_rond_zonder_val(erik)
    for veld, waarde in [
        ("Cliënten in zorg", "42"),
        ("Instroom", "6"),
        ("Uitstroom", "3"),
        ("Wachtenden", "2"),
        ("Uitgaven tot nu", "72500"),
        ("Incidenten", "1"),
    ]:
        tab_tot(erik, veld)
        erik.keyboard.press("ControlOrMeta+a")
        erik.keyboard.type(waarde)
    soest = Gemeente.objects.get(code=SOEST).naam
    tab_tot(erik, f"Volume {opzet.bw.naam}, {soest}", max_stappen=200)
    erik.keyboard.type("310.5")
    volg(erik, "Opslaan", max_stappen=200)
    # The clients are missing: the form comes back with the focus on that very field, its error
    # linked to it, so Erik types the number and saves with Enter, without searching the page.
    expect(erik.locator(".field-error")).to_have_count(1)
    actief = erik.evaluate(ACTIEF)
    assert actief is not None and actief["zichtbaar"], actief
    assert actief["label"] == f"Cliënten {opzet.bw.naam}, {soest}", actief
    beschreven = erik.evaluate(
        "() => document.getElementById("
        "document.activeElement.getAttribute('aria-describedby').split(' ').pop()).innerText"
    )
    assert beschreven == "Vul een waarde in (of laat volume én cliënten leeg)."
    erik.keyboard.type("42")
    druk_enter(erik)
    expect(erik.get_by_role("status")).to_contain_text("De rapportage is opgeslagen.")
    volg(erik, "Indienen")
    loopt_rond_zonder_val(erik)
    volg(erik, "Indienen")
    expect(erik.locator("#status")).to_have_text("Ingediend")

    # Thomas finds it in the list, starts the review and approves it.
    thomas = inloggen("risb-amersfoort")
    thomas.goto(f"{live_server.url}/inkoop/rapportages/")
    volg(thomas, rapportages.kwartaal_label(jaar, kwartaal))
    expect(thomas.locator("#status")).to_have_text("Ingediend")
    volg(thomas, "Beoordeling starten", toets="Space")
    expect(thomas.locator("#status")).to_have_text("In beoordeling")
    volg(thomas, "Akkoord")
    loopt_rond_zonder_val(thomas)
    tab_tot(thomas, "Toelichting")
    thomas.keyboard.type("Cijfers zijn plausibel.")
    volg(thomas, "Akkoord")
    expect(thomas.locator("#status")).to_have_text("Akkoord")

    rapportage.refresh_from_db()
    assert rapportage.status == Rapportage.Status.AKKOORD
    assert (rapportage.clienten_in_zorg, rapportage.uitgaven_tot_nu) == (42, Decimal("72500"))
    regel = rapportage.regels.get()
    assert (regel.product, regel.gemeente.code, regel.volume, regel.clienten) == (
        opzet.bw,
        SOEST,
        Decimal("310.50"),
        42,
    )
    stappen = list(rapportage.stappen.order_by("op").values_list("naar", "door__username"))
    assert stappen[-1] == ("akkoord", "risb-amersfoort")
