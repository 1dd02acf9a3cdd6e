"""One working day across roles in a real headless Chromium (issue 18, "Done when"): the work
travels from person to person, and each step asserts what the next person sees.

Anna (consulent, Soest) offers a beschikking for accordering → Marieke (teamleider) sees the
notification and the "Ter accordering" tab, and accords → Anna is told, previews the letter
(CONCEPT) and makes it known → Esther (Centrale Toegang) places the waiting client on it →
Anna's lokaal team is told → Erik (aanbieder) submits his quarterly report → Thomas (RISB) is
told and sends it back → Erik is told. Everyone logs in through the form in a browser context
of their own; colleagues appear by name, never by username."""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inkoop.models import Rapportage, Rapportageregel
from inkoop.rapportages import services as rapportages
from regio.models import Gemeente, Notificatie
from tests import scenarios
from tests.browser import collect_csp_violations, login
from tests.factories import AanbiederFactory, UserFactory, dossier_in, grant, locatie
from toegang.beschikkingen import services as beschikkingen
from toegang.beschikkingen.producten import ProductRegel
from toegang.models import Adres, Plaatsing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VANDAAG = datetime.date.today()
SOEST = "0342"


def pdf_tekst(inhoud: bytes) -> str:
    uit = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=inhoud, capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", uit.stdout.decode())


def gegeven(page, term):
    """The value beside ``term`` in the page's list of details."""
    return page.locator("dl.details dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def persoon(username, voornaam, achternaam, functie, team):
    return UserFactory(
        username=username, first_name=voornaam, last_name=achternaam, functie=functie, team=team
    )


@pytest.fixture
def dag(refdata):
    """The start of the day: a waiting client of Soest with a concept beschikking by Anna, a
    place free at De Eik, and Erik's report on the last quarter ready to send in."""
    opzet = scenarios.wachtlijst(
        ct="ct-amersfoort",
        contract={"aanbieder": AanbiederFactory(naam="Zorggroep Eemland"), "kenmerk": "AMF-R1"},
    )
    ct = opzet.ct
    ct.first_name, ct.last_name = "Esther", "Visser"
    ct.functie, ct.team = "medewerker Centrale Toegang", "regio Amersfoort"
    ct.save()
    anna = persoon("consulent-soest", "Anna", "de Vries", "consulent Wmo", "lokaal team Soest")
    grant(anna, "consulent", gemeente=SOEST)
    marieke = persoon(
        "teamleider-amersfoort", "Marieke", "Smit", "teamleider lokale teams", "regio Amersfoort"
    )
    grant(marieke, "consulent", gemeente=SOEST)
    erik = persoon("zorg-eemland", "Erik", "Eemland", "zorgbemiddelaar", "Zorggroep Eemland")
    grant(erik, "aanbieder", aanbieder=opzet.aanbieder)
    thomas = persoon("risb-amersfoort", "Thomas", "Bos", "contractmanager", "RISB regio Amersfoort")
    grant(thomas, "contractmanager", regio="amersfoort")
    locatie(opzet.aanbieder, plaatsen=2, functies=[opzet.bw], naam="De Eik")

    dossier = dossier_in(SOEST)
    Adres.objects.create(
        persoon=dossier.client.persoon, soort="01", straat="Steenhoffstraat", huisnummer="12",
        postcode="3764 BH", plaats="Soest",
    )  # fmt: skip
    sinds = VANDAAG - datetime.timedelta(days=60)
    aanmelding = scenarios.aanmelding(
        opzet, SOEST, dossier=dossier, door=anna, aangemeld_op=sinds, functie=opzet.bw,
        wachtend_sinds=sinds,
    )  # fmt: skip
    beschikking = beschikkingen.maak_concept(
        dossier, anna, perceel=opzet.perceel, besluit="toekenning",
        motivering="Uit het onderzoek blijkt dat beschermd wonen nodig is.",
        ingangsdatum=VANDAAG, einddatum=VANDAAG + datetime.timedelta(days=365),
        regels=[ProductRegel(product=opzet.bw)],
    )  # fmt: skip

    jaar, kwartaal = rapportages.vorig_kwartaal(*rapportages.kwartaal_van(VANDAAG))
    rapportage = rapportages.maak_rapportage(opzet.contract, jaar, kwartaal, user=erik)
    Rapportage.objects.filter(pk=rapportage.pk).update(
        clienten_in_zorg=42, instroom=6, uitstroom=3, wachtenden=2,
        uitgaven_tot_nu=Decimal("72500.00"), incidenten=1,
    )  # fmt: skip
    Rapportageregel.objects.create(
        rapportage=rapportage, product=opzet.bw, gemeente=Gemeente.objects.get(code=SOEST),
        volume=Decimal("310.50"), clienten=42,
    )  # fmt: skip
    # The day starts with nothing unread: what follows is today's work.
    Notificatie.objects.update(gelezen_op=timezone.now())
    return {
        "beschikking": beschikking,
        "aanmelding": aanmelding,
        "rapportage": rapportage,
        "client": dossier.client.persoon.naam,
    }


class Persoon:
    """One person at their own screen: a browser context of their own, logged in by the form."""

    def __init__(self, browser, live_server, username):
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.violations = collect_csp_violations(self.page)
        self.url = live_server.url
        login(self.page, live_server, username)
        expect(self.page).not_to_have_url(re.compile(r"/accounts/login/"))

    def ga_naar(self, pad):
        self.page.goto(f"{self.url}{pad}")

    @property
    def teller(self):
        """The notifications link in the header (its name carries the unread count)."""
        menu = self.page.get_by_role("navigation", name="Hoofdmenu")
        return menu.get_by_role("link", name=re.compile(r"^Notificaties"))

    def open_notificatie(self, tekst):
        """From the header to the notifications page, then follow the notice with ``tekst``."""
        self.teller.click()
        expect(self.page.get_by_role("heading", name="Notificaties", exact=True)).to_be_visible()
        self.page.get_by_role("link", name=tekst, exact=True).click()


@pytest.mark.slow(25)
def test_een_werkdag_over_de_rollen(browser, live_server, dag):
    beschikking, aanmelding, rapportage = dag["beschikking"], dag["aanmelding"], dag["rapportage"]
    b = beschikking.pk
    status = "#status"

    # 1. Anna offers her concept for accordering.
    anna = Persoon(browser, live_server, "consulent-soest")
    expect(anna.teller).to_have_text("Notificaties")
    anna.ga_naar(f"/toegang/beschikkingen/{b}/")
    expect(anna.page.locator(status)).to_have_text("Concept")
    anna.page.get_by_role("link", name="Ter accordering aanbieden").click()
    anna.page.get_by_role("button", name="Ter accordering aanbieden").click()
    expect(anna.page.locator(status)).to_have_text("Ter accordering")

    # 2. Marieke sees one unread notice and the tab, and follows the link to the beschikking.
    marieke = Persoon(browser, live_server, "teamleider-amersfoort")
    expect(marieke.page.get_by_role("navigation", name="Hoofdmenu")).to_contain_text(
        "Marieke Smit, teamleider lokale teams (regio Amersfoort)"
    )
    expect(marieke.teller).to_have_text("Notificaties 1 ongelezen")
    marieke.ga_naar("/toegang/werkvoorraad/")
    tab = marieke.page.get_by_role("link", name="Ter accordering (1)")
    expect(tab).to_be_visible()
    tab.click()
    rij = marieke.page.get_by_role("row").filter(has_text=f"Beschikking {b}")
    expect(rij).to_contain_text(dag["client"])
    expect(rij).to_contain_text("Anna de Vries")
    expect(rij).not_to_contain_text("consulent-soest")
    marieke.open_notificatie(f"Beschikking {b} (Soest) wacht op uw accordering.")
    expect(marieke.page).to_have_url(re.compile(rf"/toegang/beschikkingen/{b}/$"))
    expect(marieke.page.locator(status)).to_have_text("Ter accordering")
    expect(gegeven(marieke.page, "Opgesteld door")).to_have_text("Anna de Vries")
    expect(marieke.teller).to_have_text("Notificaties")
    marieke.page.get_by_role("link", name="Accorderen en vaststellen").click()
    marieke.page.get_by_role("button", name="Accorderen en vaststellen").click()
    expect(marieke.page.locator(status)).to_have_text("Vastgesteld")
    expect(gegeven(marieke.page, "Geaccordeerd door")).to_have_text("Marieke Smit")

    # 3. Anna is told; she previews the letter (CONCEPT) and makes the beschikking known.
    anna.page.reload()
    expect(anna.teller).to_have_text("Notificaties 1 ongelezen")
    anna.open_notificatie(f"Beschikking {b} (Soest) is vastgesteld.")
    expect(anna.page).to_have_url(re.compile(rf"/toegang/beschikkingen/{b}/$"))
    expect(anna.page.locator(status)).to_have_text("Vastgesteld")
    expect(gegeven(anna.page, "Geaccordeerd door")).to_have_text("Marieke Smit")
    # The preview opens in a new tab as an inline PDF; fetch it with Anna's own session.
    href = anna.page.get_by_role("link", name="Voorbeeld (PDF)").get_attribute("href")
    antwoord = anna.context.request.get(f"{anna.url}{href}")
    assert antwoord.ok and antwoord.headers["content-type"] == "application/pdf"
    assert "CONCEPT" in pdf_tekst(antwoord.body())
    anna.page.get_by_role("link", name="Bekendmaken (brief maken)").click()
    anna.page.get_by_role("button", name="Bekendmaken (brief maken)").click()
    expect(anna.page.locator(status)).to_have_text("Bekendgemaakt")
    expect(anna.page.get_by_role("link", name="Voorbeeld (PDF)")).to_have_count(0)
    with anna.page.expect_download() as info:
        anna.page.get_by_role("link", name=f"Beschikking {b} (PDF) downloaden").click()
    assert info.value.suggested_filename == f"beschikking-{b}.pdf"
    with open(info.value.path(), "rb") as handle:
        brief = pdf_tekst(handle.read())
    assert "CONCEPT" not in brief
    assert "Marieke Smit" in brief

    # 4. Esther places the waiting client on that beschikking.
    esther = Persoon(browser, live_server, "ct-amersfoort")
    esther.ga_naar("/toegang/wachtlijst/")
    esther.page.get_by_role("row").filter(has_text=dag["client"]).get_by_role(
        "link", name=dag["client"]
    ).click()
    expect(esther.page.get_by_role("heading", name=dag["client"])).to_be_visible()
    esther.page.get_by_role("row").filter(has_text="De Eik").get_by_role(
        "button", name="Reserveren op De Eik"
    ).click()
    expect(esther.page.get_by_text("Er is een plaats gereserveerd op De Eik.")).to_be_visible()
    esther.page.get_by_role("link", name="Plaatsen").click()
    expect(esther.page.get_by_role("heading", name="Cliënt plaatsen")).to_be_visible()
    esther.page.get_by_role("button", name="Plaatsen").click()
    expect(esther.page.get_by_text("De cliënt is geplaatst op De Eik.")).to_be_visible()
    plaatsingen = esther.page.get_by_role("table", name="Plaatsingen", exact=True)
    expect(plaatsingen.get_by_role("row").filter(has_text="De Eik")).to_contain_text("Geplaatst")

    # 5. Anna's lokaal team is told, and the link shows the placement.
    anna.page.reload()
    expect(anna.teller).to_have_text("Notificaties 3 ongelezen")
    anna.teller.click()
    a = aanmelding.pk
    notities = anna.page.get_by_role("table", name="Uw notificaties, nieuwste eerst")
    ongelezen = anna.page.get_by_role("button", name=re.compile("^Markeer als gelezen"))
    expect(notities.locator("tbody tr").filter(has=ongelezen)).to_have_count(3)
    # The placement itself, and the wachtstatus of the reservation and of the placement.
    expect(notities).to_contain_text(
        f"Aanmelding {a} (Soest): geplaatst per {VANDAAG:%d-%m-%Y} bij Zorggroep Eemland."
    )
    expect(notities).to_contain_text(f"Wachtstatus aanmelding {a} (Soest): plaats gereserveerd;")
    expect(notities).to_contain_text(f"Wachtstatus aanmelding {a} (Soest): geplaatst;")
    anna.open_notificatie(
        f"Aanmelding {a} (Soest): geplaatst per {VANDAAG:%d-%m-%Y} bij Zorggroep Eemland."
    )
    expect(anna.page).to_have_url(re.compile(rf"/toegang/wachtlijst/aanmeldingen/{a}/$"))
    expect(anna.teller).to_have_text("Notificaties 2 ongelezen")
    plaatsing = Plaatsing.objects.get(aanmelding=aanmelding)
    rij = anna.page.get_by_role("table", name="Plaatsingen", exact=True).get_by_role("row")
    rij = rij.filter(has_text="De Eik (Zorggroep Eemland)")
    expect(rij).to_contain_text("Geplaatst")
    # It rests on Anna's beschikking (no crisis placement), with its toewijzing to the aanbieder.
    expect(rij).to_contain_text(f"op beschikking {b}")
    expect(rij).to_contain_text(str(plaatsing.toewijzing.nummer))
    # ... and the details above the table say the same, not "nog geen".
    expect(anna.page.get_by_text(f"Beschikking {b} (waarop geplaatst)")).to_be_visible()

    # 6. Erik sends in his report on the last quarter.
    erik = Persoon(browser, live_server, "zorg-eemland")
    erik.ga_naar(f"/inkoop/rapportages/{rapportage.pk}/")
    expect(erik.page.locator(status)).to_have_text("Concept")
    erik.page.get_by_role("link", name="Indienen").click()
    erik.page.get_by_role("button", name="Indienen").click()
    expect(erik.page.locator(status)).to_have_text("Ingediend")

    # 7. Thomas is told, follows the link, and sends the report back with a reason.
    thomas = Persoon(browser, live_server, "risb-amersfoort")
    expect(thomas.teller).to_have_text("Notificaties 1 ongelezen")
    thomas.open_notificatie(f"Rapportage {rapportage} van Zorggroep Eemland is ingediend.")
    expect(thomas.page).to_have_url(re.compile(rf"/inkoop/rapportages/{rapportage.pk}/$"))
    expect(thomas.page.locator(status)).to_have_text("Ingediend")
    stappen = thomas.page.get_by_role("table", name="Stappen in de beoordeling")
    expect(stappen).to_contain_text("Erik Eemland")
    thomas.page.get_by_role("button", name="Beoordeling starten").click()
    expect(thomas.page.locator(status)).to_have_text("In beoordeling")
    thomas.page.get_by_role("link", name="Terugsturen").click()
    thomas.page.get_by_label("Toelichting").fill("De uitgaven passen niet bij 42 cliënten.")
    thomas.page.get_by_role("button", name="Terugsturen").click()
    expect(thomas.page.locator(status)).to_have_text("Teruggestuurd")

    # 8. Erik is told; the link shows the report sent back, with why and by whom.
    erik.page.reload()
    expect(erik.teller).to_have_text("Notificaties 1 ongelezen")
    erik.open_notificatie(f"Rapportage {rapportage} van Zorggroep Eemland is teruggestuurd.")
    expect(erik.page).to_have_url(re.compile(rf"/inkoop/rapportages/{rapportage.pk}/$"))
    expect(erik.page.locator(status)).to_have_text("Teruggestuurd")
    stappen = erik.page.get_by_role("table", name="Stappen in de beoordeling")
    expect(stappen).to_contain_text("De uitgaven passen niet bij 42 cliënten.")
    expect(stappen).to_contain_text("Thomas Bos")
    expect(erik.page.get_by_role("link", name="Wijzigen", exact=True)).to_be_visible()

    for wie in (anna, marieke, esther, erik, thomas):
        assert wie.violations == []
        wie.context.close()
