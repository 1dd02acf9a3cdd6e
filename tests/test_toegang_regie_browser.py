"""Browser flow of the regie: the CT makes a trajectplan for a placed client with a goal and an
evaluation, records the evaluation, passes a quality signal; RISB takes it up and closes it."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from inkoop.models import Kwaliteitssignaal
from tests.browser import collect_csp_violations, login
from tests.factories import valid_bsn
from tests.test_toegang_regie import VANDAAG, bouw_opzet, geplaatst
from toegang.models import Evaluatie, Trajectplan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAG = datetime.timedelta(days=1)


def test_ct_makes_a_plan_records_an_evaluation_and_risb_handles_the_signal(
    page, live_server, refdata
):
    opzet = bouw_opzet()
    p = geplaatst(opzet, op=VANDAAG - 100 * DAG)
    naam = p.aanmelding.dossier.client.persoon.naam
    violations = collect_csp_violations(page)

    login(page, live_server, opzet.ct.username)
    page.goto(f"{live_server.url}/toegang/wachtlijst/aanmeldingen/{p.aanmelding_id}/")
    page.get_by_role("link", name="Trajectplan opstellen").click()
    expect(page.get_by_role("heading", name="Trajectplan opstellen")).to_be_visible()
    page.get_by_label("Opgesteld op").fill((VANDAAG - 90 * DAG).isoformat())
    page.get_by_label("Akkoord cliënt op").fill((VANDAAG - 89 * DAG).isoformat())
    page.get_by_label("Akkoord aanbieder op").fill((VANDAAG - 89 * DAG).isoformat())
    page.get_by_label("Eerste evaluatie op").fill((VANDAAG - DAG).isoformat())
    page.get_by_role("button", name="Trajectplan opslaan").click()
    expect(page.get_by_role("heading", name=f"Trajectplan {naam}")).to_be_visible()
    expect(page.get_by_text("Te laat")).to_be_visible()

    page.get_by_role("link", name="Doel toevoegen").click()
    page.get_by_label("Leefgebied").select_option("wonen")
    page.get_by_role("textbox", name="Doel", exact=True).fill(
        "Zelfstandig wonen met ambulante begeleiding"
    )
    page.get_by_role("button", name="Doel toevoegen").click()
    expect(page.get_by_text("Het doel is toegevoegd.")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Zelfstandig wonen met ambulante begeleiding")
    ).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Vastleggen")).click()
    expect(page.get_by_role("heading", name="Evaluatie vastleggen")).to_be_visible()
    page.get_by_label("Uitkomst").select_option("doorgaan")
    page.get_by_label("Verslag").fill("Wonen gaat goed; volgende stap is dagbesteding.")
    page.get_by_role("button", name="Evaluatie vastleggen").click()
    expect(page.get_by_text("De evaluatie is vastgelegd; de volgende staat op")).to_be_visible()
    assert Evaluatie.objects.filter(uitgevoerd_op__isnull=True).count() == 1
    assert Evaluatie.objects.get(uitgevoerd_op__isnull=False).uitkomst == "doorgaan"

    page.get_by_role("link", name="Kwaliteitssignaal doorgeven aan RISB").click()
    page.get_by_label("Onderwerp").select_option("veiligheid")
    page.get_by_label("Omschrijving").fill(f"Bewoner {valid_bsn(8)} meldt een kapotte deur.")
    page.get_by_role("button", name="Signaal doorgeven").click()
    expect(page.get_by_text("Noem geen BSN")).to_be_visible()
    page.get_by_label("Omschrijving").fill("De buitendeur sluit al weken niet.")
    page.get_by_role("button", name="Signaal doorgeven").click()
    expect(page.get_by_text("Het kwaliteitssignaal is doorgegeven aan RISB.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Veiligheid")).to_contain_text("Open")
    plan = Trajectplan.objects.get()
    assert page.url.endswith(f"/toegang/regie/trajectplannen/{plan.pk}/")

    page.context.clear_cookies()
    login(page, live_server, opzet.risb.username)
    page.goto(f"{live_server.url}/inkoop/signalen/")
    expect(page.get_by_role("heading", name="Kwaliteitssignalen")).to_be_visible()
    page.get_by_role("row").filter(has_text=opzet.aanbieder.naam).get_by_role("link").click()
    page.get_by_role("button", name="In behandeling nemen").click()
    expect(page.get_by_text("Het signaal is in behandeling genomen.")).to_be_visible()
    page.get_by_role("link", name="Afhandelen").click()
    page.get_by_role("button", name="Afhandelen").click()
    expect(page.get_by_text("Dit veld is vereist.")).to_be_visible()
    page.get_by_label("Afhandeling").fill("Met de aanbieder besproken; de deur is gerepareerd.")
    page.get_by_role("button", name="Afhandelen").click()
    expect(page.get_by_text("Het signaal is afgehandeld.")).to_be_visible()
    assert Kwaliteitssignaal.objects.get().status == "afgehandeld"
    assert violations == []
