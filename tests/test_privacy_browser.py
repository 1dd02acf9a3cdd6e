"""Browser flow of the privacy officer: review a destruction list, exclude a dossier with a
reason, approve the list; no CSP violations on the way."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import collect_csp_violations, login
from tests.factories import UserFactory, gemeente, grant
from tests.test_privacy_bewaren import bouw_opzet, gesloten, toegekend
from toegang.models import Dossier, Vernietigingslijst
from toegang.privacy import bewaren

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_privacy_officer_excludes_a_dossier_and_approves_the_list(page, live_server, refdata):
    import datetime

    opzet = bouw_opzet()
    dossiers = []
    for _ in range(3):
        d = gesloten("0307", geopend=datetime.date(2001, 1, 1))
        toegekend(opzet, d, datetime.date(2002, 1, 1), datetime.date(2004, 1, 1))
        dossiers.append(d)
    lijst = bewaren.lijst_bijwerken(gemeente("0307"), Dossier.objects.all(), datetime.date.today())
    officer = UserFactory(username="pf-amersfoort")
    grant(officer, "privacyfunctionaris", gemeente="0307")
    violations = collect_csp_violations(page)

    login(page, live_server, "pf-amersfoort")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/privacy/")
    expect(page.get_by_role("heading", name="Vernietigingslijsten")).to_be_visible()
    page.get_by_role("link", name="Amersfoort").click()
    expect(page.get_by_role("heading", name="Vernietigingslijst Amersfoort")).to_be_visible()
    tabel = page.get_by_role("table", name="Dossiers op de lijst")
    expect(tabel.get_by_role("row")).to_have_count(4)

    eerste = dossiers[0].pk
    tabel.get_by_role("link", name=f"Uitzonderen dossier {eerste}").click()
    expect(page.get_by_role("heading", name="Dossier uitzonderen")).to_be_visible()
    page.get_by_role("button", name="Uitzonderen").click()
    expect(page.get_by_text("Dit veld is vereist.")).to_be_visible()
    page.get_by_label("Reden om dit dossier te bewaren").fill("Lopende procedure bij de rechter.")
    page.get_by_role("button", name="Uitzonderen").click()
    expect(page.get_by_text(f"Dossier {eerste} is uitgezonderd.")).to_be_visible()
    rij = tabel.get_by_role("row").filter(has_text=f"Dossier {eerste}")
    expect(rij).to_contain_text("Lopende procedure bij de rechter.")

    page.get_by_role("link", name="Goedkeuren").click()
    expect(page.get_by_role("heading", name="Vernietigingslijst goedkeuren")).to_be_visible()
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_text("De vernietigingslijst is goedgekeurd.")).to_be_visible()
    expect(page.get_by_text("pf-amersfoort").first).to_be_visible()
    expect(page.get_by_role("link", name="Vernietigen uitvoeren")).to_be_visible()

    lijst.refresh_from_db()
    assert lijst.status == Vernietigingslijst.Status.GOEDGEKEURD
    assert lijst.beoordeeld_door == officer
    assert lijst.regels.filter(uitgezonderd=True).count() == 1
    assert violations == []
