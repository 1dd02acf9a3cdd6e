"""Browser flows in a real headless Chromium (Debian's), driven by Playwright."""

import re

import pytest
from playwright.sync_api import expect

from regio.models import JobRun
from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, dossier_in, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consulent_soest_logs_in_and_sees_start_page(page, live_server, refdata):
    user = UserFactory(username="consulent-soest", first_name="Sanne", last_name="Soest")
    grant(user, "consulent", gemeente="0342")
    soest = dossier_in("0342")
    baarn = dossier_in("0308")
    violations = collect_csp_violations(page)

    login(page, live_server, "consulent-soest")

    expect(page).to_have_url(f"{live_server.url}/mijn-werk/")
    expect(page.get_by_role("heading", name="Mijn werk")).to_be_visible()
    card = page.get_by_role("region", name="Consulent lokaal team")
    expect(card).to_contain_text("Soest")
    card.get_by_role("link", name="Dossiers").click()
    expect(page.get_by_role("heading", name="Dossiers")).to_be_visible()
    expect(page.get_by_role("link", name=soest.client.persoon.naam)).to_be_visible()
    expect(page.get_by_text(baarn.client.persoon.geslachtsnaam)).to_have_count(0)
    assert violations == []


def test_wrong_password_shows_dutch_error(page, live_server):
    UserFactory(username="iemand")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill("iemand")
    page.get_by_label("Wachtwoord").fill("verkeerd")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Voer een juiste gebruikersnaam")


def test_job_progress_component_updates_until_done(
    page, live_server, refdata, celery_worker_thread
):
    user = UserFactory(username="risb-browser")
    grant(user, "contractmanager", regio="amersfoort")
    violations = collect_csp_violations(page)
    login(page, live_server, "risb-browser")
    page.goto(f"{live_server.url}/regio/amersfoort/")
    expect(page.locator("svg.chart")).to_be_visible()
    page.get_by_role("button", name="Ledenoverzicht (CSV) maken").click()
    expect(page).to_have_url(re.compile(r"/taken/\d+/$"))
    expect(page.locator(".jobprogress-status")).to_have_text("Gereed", timeout=15000)
    expect(page.locator(".jobprogress-bar")).to_have_attribute("value", "100")
    expect(page.get_by_role("link", name="ledenoverzicht.csv")).to_be_visible()
    assert JobRun.objects.get().status == JobRun.Status.GEREED
    assert violations == []
