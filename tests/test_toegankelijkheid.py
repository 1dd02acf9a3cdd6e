"""Accessibility (WCAG 2.1 AA, as Dutch government sites must be): axe-core over every page each
demo role can reach, and keyboard-only use of the main flows (axe checks only part of WCAG).

The crawl starts at each role's start page and follows every link of our own site, one page per
view (the twentieth dossier adds nothing the first did not), so a new page is checked the day it
gets a link. Downloads and logging out are not pages. The Django admin (`/beheer/`) is the
functioneel beheerder's screen and is crawled like the rest."""

import datetime
import os
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser import login, loopt_rond_zonder_val, tab_tot
from tests.factories import UserFactory, dossier_in, grant
from toegang.models import Melding

pytestmark = pytest.mark.django_db(transaction=True)

# One demo user per role (demo/gebruikers.py): together they open every page of the product.
ROLLEN = [
    "consulent-soest",
    "teamleider-amersfoort",
    "ct-amersfoort",
    "cp-amersfoort",
    "risb-amersfoort",
    "financien-amersfoort",
    "aanbieder-demo",
    "privacy-amersfoort",
    "beheer",
]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NIET_CRAWLEN = re.compile(
    r"^/(admin|accounts/logout|api|static|media|metrics)/|^/beheer/jsi18n/|\.(pdf|csv|xlsx|xml|json|zip)$"
)
EXPORT_PARAMETERS = {"formaat", "format", "download", "export"}
MAX_PAGINAS_PER_ROL = 120


def _sleutel(url: str) -> str | None:
    """One page per view: the view's name (the URL's ids and filters do not make another page)."""
    delen = urlsplit(url)
    if NIET_CRAWLEN.search(delen.path):
        return None
    if any(p.split("=")[0] in EXPORT_PARAMETERS for p in delen.query.split("&") if p):
        return None
    try:
        match = resolve(delen.path)
    except Resolver404:
        return None
    return match.view_name or match._func_path


def _crawl(page, live_server, axe, gecontroleerd: set) -> tuple[int, list[str]]:
    """Visit every page this role reaches by links from its start page (one per view) and run
    axe on each view no earlier role had (``gecontroleerd``): the template is the same."""
    bezocht, fouten, aantal = set(), [], 0
    rij = deque([f"{live_server.url}/mijn-werk/"])
    while rij and len(bezocht) < MAX_PAGINAS_PER_ROL:
        url = rij.popleft()
        sleutel = _sleutel(url)
        if sleutel is None or sleutel in bezocht:
            continue
        bezocht.add(sleutel)
        try:
            response = page.goto(url)
        except PlaywrightError as fout:  # a link that downloads a file is no page
            if "Download is starting" in str(fout):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        aantal += 1
        if sleutel not in gecontroleerd:
            gecontroleerd.add(sleutel)
            print("axe", url, flush=True)  # shown with -s: where a slow crawl is
            opties = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
            for overtreding in axe.run(page, options=opties).response["violations"]:
                if overtreding["impact"] in {"serious", "critical"}:
                    doelen = [", ".join(n["target"]) for n in overtreding["nodes"][:3]]
                    pad = urlsplit(url).path
                    fouten.append(f"{pad}: {overtreding['id']} ({overtreding['impact']}) {doelen}")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith(live_server.url) and _sleutel(href) not in bezocht:
                rij.append(href.split("#")[0])
    return aantal, fouten


@pytest.mark.slow(320)
def test_every_page_of_every_role_passes_axe(browser, live_server, settings):
    call_command("demo", stdout=open(os.devnull, "w"))
    axe = Axe()
    alle_fouten, per_rol, gecontroleerd = [], {}, set()
    for username in ROLLEN:
        context = browser.new_context(locale="nl-NL")
        page = context.new_page()
        login(page, live_server, username)
        expect(page).to_have_url(re.compile(r"/mijn-werk/"))
        per_rol[username], fouten = _crawl(page, live_server, axe, gecontroleerd)
        alle_fouten += [f"{username} {fout}" for fout in fouten]
        context.close()
    print(f"axe: {len(gecontroleerd)} pagina's gecontroleerd; bezocht per rol: {per_rol}")
    # The crawl really ran: the consulent alone reaches dozens of pages, every role several.
    assert per_rol["consulent-soest"] >= 30 and min(per_rol.values()) >= 4, per_rol
    assert not alle_fouten, "\n".join(alle_fouten)


# Keyboard only: axe cannot tell whether a person without a mouse can work. These walk the main
# flows with Tab, typing and Enter (the helpers and the focus check are in tests/browser.py; the
# flows of beschikking, placement and rapportage are in test_toetsenbord_flows.py).
def test_keyboard_only_login_and_a_melding(page, live_server, refdata):
    user = UserFactory(username="toetsenbord", first_name="Tineke", last_name="Toets")
    grant(user, "consulent", gemeente="0342")
    dossier = dossier_in("0342", persoon__geslachtsnaam="Verhoeven")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    tab_tot(page, "Naar de inhoud")
    tab_tot(page, "Gebruikersnaam")
    page.keyboard.type("toetsenbord")
    tab_tot(page, "Wachtwoord")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mijn-werk/"))
    loopt_rond_zonder_val(page)

    page.goto(f"{live_server.url}/toegang/dossiers/{dossier.pk}/meldingen/nieuw/")
    loopt_rond_zonder_val(page)
    tab_tot(page, "Melding ontvangen op")
    # Day and month alike: the field's order (dd-mm or mm-dd) follows the browser's language.
    ontvangen = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    ontvangen = ontvangen.replace(day=ontvangen.month)
    page.keyboard.type(ontvangen.strftime("%d%m%Y"))
    tab_tot(page, "Hulpvraag")
    page.keyboard.type("Hulp bij het huishouden, in eigen woorden.")
    tab_tot(page, "Melding registreren")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/toegang/meldingen/\d+/$"))
    melding = Melding.objects.get(dossier=dossier)
    assert melding.ontvangen_op == ontvangen and melding.consulent == user
    loopt_rond_zonder_val(page)


def test_keyboard_only_lists_and_forms_of_each_role(page, live_server, refdata):
    """The pages people use all day, walked with Tab from top to bottom."""
    paginas = [
        ("consulent", {"gemeente": "0342"}, ["/toegang/werkvoorraad/", "/toegang/dossiers/"]),
        ("contractmanager", {"regio": "amersfoort"}, ["/inkoop/contracten/"]),
        ("contractmanager", {"regio": "amersfoort"}, ["/inkoop/rapportages/"]),
        ("financien", {"regio": "amersfoort"}, ["/financien/"]),
    ]
    for i, (rol, waar, urls) in enumerate(paginas):
        user = UserFactory(username=f"tab-{i}", first_name="Tab", last_name=f"Gebruiker {i}")
        grant(user, rol, **waar)
        page.context.clear_cookies()
        login(page, live_server, user.username)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            loopt_rond_zonder_val(page)


def test_admin_inline_fields_have_an_accessible_name(client, refdata):
    """Django's tabular inline gives a column header, no label: every field of an inline row,
    the relation selects and the delete box included, carries its label as aria-label."""
    beheer = UserFactory(username="beheer-a11y", is_staff=True)
    grant(beheer, "functioneel-beheerder", regio="amersfoort")
    iemand = UserFactory(username="iemand-a11y", first_name="Iris", last_name="Mans")
    grant(iemand, "consulent", gemeente="0342")
    client.force_login(beheer)
    html = client.get(f"/beheer/regio/user/{iemand.pk}/change/").content.decode()
    for veld in ["rol", "gemeente", "regio", "begin", "DELETE"]:
        tag = re.search(rf'<(?:select|input)[^>]*name="roltoekenningen-0-{veld}"[^>]*>', html)
        assert tag and "aria-label=" in tag.group(0), veld
