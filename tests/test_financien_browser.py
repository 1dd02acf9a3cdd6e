"""Browser flow of the finance workplace: start a verevening, follow its progress, open the run
and have a colleague fix it (four eyes)."""

import re

import pytest
from playwright.sync_api import expect

from financien.models import Vereveningsrun
from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, grant
from tests.test_financien_views import amersfoort, functie, parameters  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_follow_open_and_fix_a_run(page, live_server, amersfoort, celery_worker_thread):  # noqa: F811
    for username in ("fin-start", "fin-vaststeller"):
        grant(UserFactory(username=username), "financien", regio="amersfoort")
    violations = collect_csp_violations(page)

    login(page, live_server, "fin-start")
    page.goto(f"{live_server.url}/financien/jaren/amersfoort/2026/verevening/")
    expect(page.get_by_text("Voor 2026 is nog geen verevening berekend.")).to_be_visible()
    page.get_by_role("button", name="Verevening berekenen").click()
    expect(page).to_have_url(re.compile(r"/financien/taken/\d+/$"))
    expect(page.locator(".jobprogress-status")).to_have_text("Gereed", timeout=15000)
    expect(page.locator(".jobprogress-bar")).to_have_attribute("value", "100")
    page.get_by_role("link", name="Naar de uitkomst").click()
    run = Vereveningsrun.objects.get()
    expect(page).to_have_url(re.compile(rf"/financien/runs/{run.pk}/$"))
    expect(page.locator("svg.chart")).to_be_visible()
    rij = page.get_by_role("row").filter(has_text="Bunschoten")
    expect(rij).to_contain_text("€ -6.765,57")
    expect(rij).to_contain_text("krijgt terug")
    expect(page.get_by_text("U startte deze run zelf")).to_be_visible()

    page.context.clear_cookies()
    login(page, live_server, "fin-vaststeller")
    page.goto(f"{live_server.url}/financien/runs/{run.pk}/")
    page.get_by_role("link", name="Vaststellen").click()
    expect(page.get_by_role("heading", name=re.compile("vaststellen"))).to_be_visible()
    reden = page.get_by_label("Reden om vast te stellen voor het einde van het jaar")
    if reden.count():  # 2026 has not ended yet
        reden.fill("Voorlopige afrekening voor de begroting")
    page.get_by_role("button", name="Vaststellen").click()
    expect(page.get_by_text(re.compile(r"De verevening .* 2026 is vastgesteld\."))).to_be_visible()
    run.refresh_from_db()
    assert run.status == "vastgesteld" and run.vastgesteld_door.username == "fin-vaststeller"
    assert violations == []
