"""RISB screens: aanbieders, contracts (extensions, budgets, documents), dashboard, catalogue."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from demo import inkoop as inkoop_demo
from inkoop.contracten.services import budget_signaal, budgetgebruik
from inkoop.models import (
    Aanbieder,
    Bestedingsruimte,
    Contract,
    ContractDocument,
    Perceel,
    Rapportage,
    Verlengingsoptie,
)
from regio.models import AuditEntry, Regio
from tests.factories import AanbiederFactory, ContractFactory, UserFactory, grant, rol_met

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def risb(client, refdata):
    user = UserFactory(username="risb-views")
    grant(user, "contractmanager", regio="amersfoort")
    client.force_login(user)
    return user


@pytest.fixture
def groningen_contract(refdata):
    return ContractFactory(regio=Regio.objects.get(code="groningen"), gemeenten=["0014"])


def test_register_aanbieder_with_contacts_and_field_errors(client, risb):
    response = client.post(
        "/inkoop/aanbieders/nieuw/",
        {"naam": "Nieuw Thuis", "agb_code": "1234", "kvk_nummer": "", "postcode": "",
         "contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "0",
         "contact-0-naam": "Piet", "contact-0-email": "geen-email"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Een AGB-code bestaat uit precies 8 cijfers." in html
    assert "Voer een geldig e-mailadres in." in html
    assert not Aanbieder.objects.filter(naam="Nieuw Thuis").exists()
    response = client.post(
        "/inkoop/aanbieders/nieuw/",
        {"naam": "Nieuw Thuis", "agb_code": "12345678", "kvk_nummer": "87654321",
         "postcode": "3811 ab", "contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "0",
         "contact-0-naam": "Piet", "contact-0-email": "piet@example.nl"},
    )  # fmt: skip
    aanbieder = Aanbieder.objects.get(naam="Nieuw Thuis")
    assert (
        response.status_code == 302
        and response["Location"] == f"/inkoop/aanbieders/{aanbieder.pk}/"
    )
    assert aanbieder.postcode == "3811 AB" and aanbieder.contacten.get().naam == "Piet"
    assert AuditEntry.objects.filter(actie="create", object_type="inkoop.aanbieder").exists()
    assert client.get(f"/inkoop/aanbieders/{aanbieder.pk}/").status_code == 200


def test_aanbieder_list_search_export_and_scope(client, risb, groningen_contract):
    eigen = ContractFactory(aanbieder=AanbiederFactory(naam="Huize Zonneschijn"))
    response = client.get("/inkoop/aanbieders/?q=Zonne")
    html = response.content.decode()
    assert "Huize Zonneschijn" in html and groningen_contract.aanbieder.naam not in html
    csv_body = client.get("/inkoop/aanbieders/?export=csv").content.decode("utf-8-sig")
    assert (
        "Huize Zonneschijn;" in csv_body and groningen_contract.aanbieder.agb_code not in csv_body
    )
    xlsx = client.get("/inkoop/aanbieders/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Huize Zonneschijn"] and eigen.aanbieder.agb_code
    assert client.get(f"/inkoop/aanbieders/{groningen_contract.aanbieder.pk}/").status_code == 404
    assert client.get(f"/inkoop/contracten/{groningen_contract.pk}/").status_code == 404


def test_contract_form_checks_percelen_and_membership(client, risb):
    aanbieder = AanbiederFactory()
    perceel = Perceel.objects.create(
        regio=Regio.objects.get(code="amersfoort"),
        code="p",
        naam="Perceel A",
        bekostiging="taakgericht",
        begin=D(2023, 1, 1),
    )
    data = {"regio": Regio.objects.get(code="amersfoort").pk, "aanbieder": aanbieder.pk,
            "kenmerk": "AMF-9", "soort": "raamovereenkomst", "bekostiging": "taakgericht",
            "begin": "2023-01-01", "einde": "2026-12-31", "signaaldrempel": "70",
            "percelen": [perceel.pk], "gemeenten": [],
            "toerekeningsbasis": "toewijzingen"}  # fmt: skip
    from regio.models import Gemeente

    veenendaal = Gemeente.objects.get(code="0345")
    soest = Gemeente.objects.get(code="0342")
    response = client.post(
        "/inkoop/contracten/nieuw/", {**data, "gemeenten": [soest.pk, veenendaal.pk]}
    )
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()  # Veenendaal: not in scope
    response = client.post("/inkoop/contracten/nieuw/", {**data, "gemeenten": [soest.pk]})
    contract = Contract.objects.get(kenmerk="AMF-9")
    assert response.status_code == 302 and contract.looptijd_einde == D(2026, 12, 31)
    assert list(contract.gemeenten.all()) == [soest]
    assert contract.toerekeningsbasis == "toewijzingen"  # the basis is chosen in the form


def test_extension_decision_with_confirmation(client, risb):
    contract = ContractFactory()
    # The deadline is ahead, so no reason is asked (issue 17 item 14: after it one is).
    uiterlijk = datetime.date.today() + datetime.timedelta(days=30)
    optie = Verlengingsoptie.objects.create(contract=contract, volgnummer=1, duur_maanden=24,
                                            besluit_uiterlijk=uiterlijk)  # fmt: skip
    url = f"/inkoop/contracten/{contract.pk}/verlengingen/{optie.pk}/"
    confirm = client.get(url + "?benut=ja")
    assert confirm.status_code == 200 and "24 maanden langer" in confirm.content.decode()
    contract.refresh_from_db()
    assert contract.looptijd_einde == D(2026, 12, 31)  # nothing changes on GET
    client.post(url, {"benut": "ja"})
    contract.refresh_from_db()
    assert contract.looptijd_einde == D(2028, 12, 31)


def test_budget_and_document_forms(client, risb, groningen_contract):
    contract = ContractFactory()
    url = f"/inkoop/contracten/{contract.pk}/bestedingsruimte/"
    response = client.post(url, {"jaar": "2030", "bedrag": "1000"})
    assert "Het contract loopt van 2023 tot en met 2026." in response.content.decode()
    client.post(url, {"jaar": "2024", "bedrag": "1000000.00"})
    assert Bestedingsruimte.objects.get(contract=contract).jaar == 2024
    response = client.post(url, {"jaar": "2024", "bedrag": "5"})
    assert "al een bestedingsruimte voor dit jaar" in response.content.decode()

    upload = f"/inkoop/contracten/{contract.pk}/documenten/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.pdf", b"<html>geen pdf</html>", content_type="application/pdf")
    response = client.post(upload, {"naam": "Overeenkomst", "bestand": fake})
    assert "Alleen PDF-bestanden zijn toegestaan." in response.content.decode()
    assert not ContractDocument.objects.exists()
    pdf = SimpleUploadedFile("o.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    client.post(upload, {"naam": "Overeenkomst", "bestand": pdf})
    document = ContractDocument.objects.get()
    download = client.get(f"/inkoop/contracten/{contract.pk}/documenten/{document.pk}/")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # Another regio's contract: no upload, no download.
    assert client.post(f"/inkoop/contracten/{groningen_contract.pk}/bestedingsruimte/",
                       {"jaar": "2024", "bedrag": "1"}).status_code == 404  # fmt: skip


def test_contract_edit_forms_only_for_whoever_may_edit_this_contract(client, risb, refdata):
    """Issue 18: a contract manager of Amersfoort who may also read Groningen's contracts sees
    no edit forms there (before, may-edit-some-contract was enough), and is refused."""
    groningen = ContractFactory(regio=Regio.objects.get(code="groningen"), gemeenten=["0014"])
    grant(risb, rol_met("lezer-contracten", "inkoop.view_contract", scope="regio"),
          regio="groningen")  # fmt: skip
    eigen = ContractFactory()
    uiterlijk = datetime.date.today() + datetime.timedelta(days=30)
    for contract in (eigen, groningen):
        Verlengingsoptie.objects.create(contract=contract, volgnummer=1, duur_maanden=12,
                                        besluit_uiterlijk=uiterlijk)  # fmt: skip
    formulieren = ("/bestedingsruimte/", "/documenten/", "/wijzigen/", "/verlengingen/")
    body = client.get(f"/inkoop/contracten/{eigen.pk}/").content.decode()
    assert all(f"/inkoop/contracten/{eigen.pk}{pad}" in body for pad in formulieren)
    response = client.get(f"/inkoop/contracten/{groningen.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert not any(f"/inkoop/contracten/{groningen.pk}{pad}" in body for pad in formulieren)
    assert response.context["budget_form"] is None and response.context["document_form"] is None
    # And the POST is still refused.
    assert client.post(f"/inkoop/contracten/{groningen.pk}/bestedingsruimte/",
                       {"jaar": "2024", "bedrag": "1"}).status_code == 404  # fmt: skip
    assert not Bestedingsruimte.objects.filter(contract=groningen).exists()


@pytest.mark.parametrize(
    ("besteed", "signaal"),
    [("699.99", None), ("700.00", "drempel"), ("999.99", "drempel"), ("1000.00", "overschreden")],
)
def test_budget_signal_at_70_and_100_percent(refdata, besteed, signaal):
    from tests.test_inkoop_dashboard import besteed as boek

    contract = ContractFactory()
    Bestedingsruimte.objects.create(contract=contract, jaar=2025, bedrag=Decimal("1000.00"))
    # The spend is what was booked under the contract (issue 17): the reports are shown beside.
    boek(contract, besteed, jaar=2025)
    Rapportage.objects.create(contract=contract, jaar=2025, kwartaal=1, status="akkoord",
                              uitgaven_tot_nu=Decimal("100.00"))  # fmt: skip
    Rapportage.objects.create(contract=contract, jaar=2025, kwartaal=2, status="ingediend",
                              uitgaven_tot_nu=Decimal("200.00"))  # fmt: skip
    Rapportage.objects.create(
        contract=contract,
        jaar=2025,
        kwartaal=3,
        status="concept",
        uitgaven_tot_nu=Decimal("5000.00"),
    )  # a concept does not count
    (gebruik,) = budgetgebruik(Contract.objects.filter(pk=contract.pk), 2025)
    assert gebruik.besteed == Decimal(besteed) and gebruik.signaal == signaal
    assert (gebruik.gemeld, gebruik.verschil) == (Decimal("200.00"), 200 - Decimal(besteed))
    assert budget_signaal(Decimal("80"), 85) is None  # the threshold is per contract


def test_dashboard_shows_signals_and_exports(client, risb, groningen_contract):
    contract = ContractFactory(kenmerk="AMF-SIGNAAL")
    jaar = datetime.date.today().year
    Bestedingsruimte.objects.create(contract=contract, jaar=jaar, bedrag=Decimal("1000.00"))
    from tests.test_inkoop_dashboard import besteed

    besteed(contract, "750.00", jaar=jaar)
    from inkoop.models import Certificaat

    binnenkort = datetime.date.today() + datetime.timedelta(days=30)
    Certificaat.objects.create(aanbieder=contract.aanbieder, soort="HKZ", geldig_tot=binnenkort)
    Certificaat.objects.create(
        aanbieder=groningen_contract.aanbieder, soort="HKZ-GRONINGEN", geldig_tot=binnenkort
    )
    response = client.get(f"/inkoop/regio/amersfoort/dashboard/?jaar={jaar}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Certificaten die verlopen" in html and ">HKZ<" in html and "HKZ-GRONINGEN" not in html
    assert "AMF-SIGNAAL" in html and "Drempel 70% bereikt" in html and "<svg" in html
    assert groningen_contract.kenmerk not in html
    export = client.get(
        f"/inkoop/regio/amersfoort/dashboard/?jaar={jaar}&export=budget&formaat=csv"
    )
    assert "AMF-SIGNAAL;" in export.content.decode("utf-8-sig")
    assert client.get("/inkoop/regio/groningen/dashboard/").status_code == 404


def test_catalogue_page_per_peildatum(client, refdata):
    inkoop_demo.catalogus()
    consulent = UserFactory(username="c-catalogus")
    grant(consulent, "consulent", gemeente="0037")  # Stadskanaal
    client.force_login(consulent)
    url = "/inkoop/regio/oldambt-stadskanaal/catalogus/"
    old = client.get(url + "?peildatum=2022-05-31").content.decode()  # the last old day
    new = client.get(url + "?peildatum=2024-03-01").content.decode()
    assert "Begeleiding individueel basis (BI-B)" in old and "€ 61,10" in old
    assert (
        "Begeleiding individueel plus" in new and "€ 81,40" in new and "maximaal 6 maanden" in new
    )
    assert "BI-B" not in new
    assert client.get("/inkoop/regio/amersfoort/catalogus/").status_code == 404


def test_start_page_links_for_risb(client, risb):
    html = client.get("/mijn-werk/").content.decode()
    assert "/inkoop/regio/amersfoort/dashboard/" in html and "/inkoop/aanbieders/" in html


def test_aanbieder_user_sees_only_its_own_contracts(client, refdata):
    eigen = ContractFactory(kenmerk="AMF-EIGEN")
    ander = ContractFactory(kenmerk="AMF-ANDER")
    user = UserFactory(username="aanbieder-web")
    grant(user, "aanbieder", aanbieder=eigen.aanbieder)
    client.force_login(user)
    html = client.get("/inkoop/contracten/").content.decode()
    assert "AMF-EIGEN" in html and "AMF-ANDER" not in html
    assert client.get(f"/inkoop/contracten/{ander.pk}/").status_code == 404
    assert client.get(f"/inkoop/aanbieders/{ander.aanbieder.pk}/").status_code == 404
    # It may look, not change.
    assert client.get(f"/inkoop/contracten/{eigen.pk}/wijzigen/").status_code == 404
    assert client.get("/inkoop/regio/amersfoort/dashboard/").status_code == 404


def test_contract_list_sorts_both_ways_and_keeps_filters(client, risb):
    ContractFactory(kenmerk="AMF-A", begin=D(2023, 1, 1))
    ContractFactory(kenmerk="AMF-B", begin=D(2024, 1, 1))
    html = client.get("/inkoop/contracten/?status=lopend&sort=begin").content.decode()
    assert html.index("AMF-A") < html.index("AMF-B")
    assert 'aria-sort="ascending"' in html and "status=lopend&amp;sort=-begin" in html
    html = client.get("/inkoop/contracten/?status=lopend&sort=-begin").content.decode()
    assert html.index("AMF-B") < html.index("AMF-A") and 'aria-sort="descending"' in html
    assert client.get("/inkoop/contracten/?sort=bestaat-niet").status_code == 200


def test_aanbieder_edit_button_only_for_whoever_may_edit_this_aanbieder(client, refdata):
    """A consulent in Soest who is also RISB elsewhere sees a Soest aanbieder, but may edit only
    the aanbieders of the regio she is RISB in: no Wijzigen here, and the URL refuses her."""
    contract = ContractFactory(regio=Regio.objects.get(code="amersfoort"), gemeenten=["0342"])
    user = UserFactory(username="soest-en-elders")
    grant(user, "consulent", gemeente="0342")
    grant(user, "contractmanager", regio="groningen")
    client.force_login(user)
    response = client.get(f"/inkoop/aanbieders/{contract.aanbieder.pk}/")
    assert response.status_code == 200
    assert f"/inkoop/aanbieders/{contract.aanbieder.pk}/wijzigen/" not in response.content.decode()
    assert client.get(f"/inkoop/aanbieders/{contract.aanbieder.pk}/wijzigen/").status_code in {
        403,
        404,
    }
    risb = UserFactory(username="risb-amf-aanbieder")
    grant(risb, "contractmanager", regio="amersfoort")
    client.force_login(risb)
    html = client.get(f"/inkoop/aanbieders/{contract.aanbieder.pk}/").content.decode()
    assert f"/inkoop/aanbieders/{contract.aanbieder.pk}/wijzigen/" in html
