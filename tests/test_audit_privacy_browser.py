"""Browser flow of the privacy officer: find a client by BSN, see who looked, no CSP violation
and no BSN in any address the browser visits."""

import pytest
from playwright.sync_api import expect

from regio import audit
from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, consulent, dossier_in, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_privacy_officer_finds_who_looked(page, live_server, refdata):
    officer = UserFactory(username="pf-soest")
    grant(officer, "privacyfunctionaris", gemeente="0342")
    dossier = dossier_in("0342")
    lezer = consulent("c-soest", "0342")
    audit.record("view", objects=[dossier], actor=lezer)
    bsn = dossier.client.persoon.bsn
    violations = collect_csp_violations(page)
    bezocht = []
    page.on("request", lambda request: bezocht.append(request.url))

    login(page, live_server, "pf-soest")
    page.goto(f"{live_server.url}/privacy/audit/")
    expect(page.get_by_role("heading", name="Auditlog per cliënt")).to_be_visible()
    page.locator("#bsn_bsn").fill(bsn)
    page.get_by_role("button", name="Zoeken op BSN").click()
    expect(page.get_by_role("heading", name="Wie heeft dit dossier ingezien?")).to_be_visible()
    rij = page.get_by_role("row").filter(has_text="c-soest")
    expect(rij).to_contain_text("Inzage")
    page.get_by_label("Actie").select_option("export")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Geen auditregels met deze filters.")).to_be_visible()

    page.goto(f"{live_server.url}/privacy/audit/")
    page.locator("#bsn_bsn").fill("123456789")
    page.get_by_role("button", name="Zoeken op BSN").click()
    expect(page.get_by_text("elfproef")).to_be_visible()
    assert violations == []
    assert bezocht and not [url for url in bezocht if bsn in url]
