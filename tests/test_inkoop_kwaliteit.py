"""Kwaliteit of contractpartners: certificate signals, calamiteiten and incidenten with the
regio's follow-up, onderaannemers per contract; scoping and exports."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from inkoop.kwaliteit.services import (
    GELDIG,
    VERLOOPT_BINNENKORT,
    VERLOPEN,
    certificaat_signaal,
    certificaten_die_verlopen,
    melding_afhandelen,
    met_signaal,
)
from inkoop.models import Certificaat, Melding, Onderaanneming
from regio.models import AuditEntry, Regio
from tests.factories import AanbiederFactory, ContractFactory, UserFactory, grant, valid_bsn

pytestmark = pytest.mark.django_db
D = datetime.date
PEIL = D(2026, 3, 1)


def dagen(n, vanaf=None):
    return (vanaf or timezone.localdate()) + datetime.timedelta(days=n)


def gebruiker(naam, rol, **scope):
    user = UserFactory(username=naam)
    grant(user, rol, **scope)
    return user


def csv_rijen(response):
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def wereld(refdata):
    a = AanbiederFactory(naam="Huize A")
    b = AanbiederFactory(naam="Stichting B")
    contract_a = ContractFactory(aanbieder=a, kenmerk="AMF-A")
    contract_b = ContractFactory(aanbieder=b, kenmerk="AMF-B")
    return {
        "a": a,
        "b": b,
        "contract_a": contract_a,
        "contract_b": contract_b,
        "risb": gebruiker("risb-amf", "contractmanager", regio="amersfoort"),
        "risb_gron": gebruiker("risb-gron", "contractmanager", regio="groningen"),
        "ct": gebruiker("ct-amf", "centrale-toegang", regio="amersfoort"),
        "ct_gron": gebruiker("ct-gron", "centrale-toegang", regio="groningen"),
        "user_a": gebruiker("aanbieder-a", "aanbieder", aanbieder=a),
        "user_b": gebruiker("aanbieder-b", "aanbieder", aanbieder=b),
    }


# --- certificate signal ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geldig_tot", "signaal"),
    [
        (dagen(-1, PEIL), VERLOPEN),  # lapsed yesterday
        (PEIL, VERLOOPT_BINNENKORT),  # today is its last valid day
        (dagen(89, PEIL), VERLOOPT_BINNENKORT),
        (dagen(90, PEIL), VERLOOPT_BINNENKORT),
        (dagen(91, PEIL), None),
    ],
)
def test_certificaat_signaal_at_its_boundaries(wereld, geldig_tot, signaal):
    certificaat = Certificaat.objects.create(aanbieder=wereld["a"], soort="HKZ",
                                             geldig_tot=geldig_tot)  # fmt: skip
    assert certificaat_signaal(certificaat, PEIL) == signaal
    # The list filter in the database draws the same lines.
    qs = Certificaat.objects.all()
    assert met_signaal(qs, signaal or GELDIG, PEIL).get() == certificaat
    for ander in {VERLOPEN, VERLOOPT_BINNENKORT, GELDIG} - {signaal or GELDIG}:
        assert not met_signaal(qs, ander, PEIL).exists()


def test_signal_window_is_a_parameter(wereld):
    certificaat = Certificaat.objects.create(aanbieder=wereld["a"], soort="ISO 9001",
                                             geldig_tot=dagen(30, PEIL))  # fmt: skip
    assert certificaat_signaal(certificaat, PEIL, dagen=29) is None
    assert certificaat_signaal(certificaat, PEIL, dagen=30) == VERLOOPT_BINNENKORT


def test_certificaten_die_verlopen_skips_valid_and_renewed_ones(wereld):
    a, b = wereld["a"], wereld["b"]
    verlopen = Certificaat.objects.create(aanbieder=a, soort="HKZ", geldig_tot=dagen(-10, PEIL))
    binnenkort = Certificaat.objects.create(aanbieder=b, soort="HKZ", geldig_tot=dagen(90, PEIL))
    Certificaat.objects.create(aanbieder=a, soort="ISO 9001", geldig_tot=dagen(91, PEIL))
    vervangen = Certificaat.objects.create(aanbieder=b, soort="VMS", geldig_tot=dagen(-5, PEIL))
    Certificaat.objects.create(aanbieder=b, soort="vms", geldig_tot=dagen(700, PEIL))
    uitkomst = list(certificaten_die_verlopen(Certificaat.objects.all(), PEIL))
    assert uitkomst == [verlopen, binnenkort]
    assert vervangen not in uitkomst


# --- certificates: screens ---------------------------------------------------------------------


def test_certificate_list_signals_filters_and_exports(client, wereld):
    a, b = wereld["a"], wereld["b"]
    Certificaat.objects.create(aanbieder=a, soort="HKZ", nummer="H-1", geldig_tot=dagen(-1))
    Certificaat.objects.create(aanbieder=b, soort="HKZ", nummer="H-2", geldig_tot=dagen(30))
    Certificaat.objects.create(aanbieder=b, soort="ISO 9001", nummer="I-1", geldig_tot=dagen(400))
    client.force_login(wereld["risb"])
    response = client.get("/inkoop/certificaten/")
    rijen = {c.nummer: c.signaal for c in response.context["object_list"]}
    assert rijen == {"H-1": VERLOPEN, "H-2": VERLOOPT_BINNENKORT, "I-1": None}
    html = response.content.decode()
    assert "Verlopen" in html and "Verloopt binnenkort" in html
    aandacht = client.get("/inkoop/certificaten/?signaal=aandacht").context["object_list"]
    assert [c.nummer for c in aandacht] == ["H-1", "H-2"]
    per_aanbieder = client.get(f"/inkoop/certificaten/?aanbieder={b.pk}").context["object_list"]
    assert [c.nummer for c in per_aanbieder] == ["H-2", "I-1"]
    export = csv_rijen(client.get("/inkoop/certificaten/?export=csv&signaal=verlopen"))
    assert [(r["Aanbieder"], r["Nummer"], r["Signaal"]) for r in export] == [
        ("Huize A", "H-1", "verlopen")
    ]
    xlsx = client.get("/inkoop/certificaten/?export=xlsx&sort=-geldig_tot")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    waarden = list(sheet.iter_rows(values_only=True))
    assert waarden[0][:4] == ("Aanbieder", "AGB-code", "Soort", "Nummer")
    assert [r[3] for r in waarden[1:]] == ["I-1", "H-2", "H-1"]


def test_certificates_of_other_aanbieders_and_regions_stay_out_of_sight(client, wereld):
    eigen = Certificaat.objects.create(aanbieder=wereld["a"], soort="HKZ", geldig_tot=dagen(10))
    Certificaat.objects.create(aanbieder=wereld["b"], soort="HKZ", geldig_tot=dagen(10))
    client.force_login(wereld["user_a"])
    assert list(client.get("/inkoop/certificaten/").context["object_list"]) == [eigen]
    client.force_login(wereld["risb_gron"])
    assert list(client.get("/inkoop/certificaten/").context["object_list"]) == []
    assert csv_rijen(client.get("/inkoop/certificaten/?export=csv")) == []
    for wie in ("risb_gron", "user_b", "ct_gron"):
        client.force_login(wereld[wie])
        url = f"/inkoop/certificaten/{eigen.pk}/wijzigen/"
        assert client.get(url).status_code == 404, wie
        data = {"soort": "Gekaapt", "geldig_tot": "2030-01-01"}
        assert client.post(url, data).status_code == 404
    eigen.refresh_from_db()
    assert eigen.soort == "HKZ"


def test_aanbieder_registers_and_renews_its_certificate(client, wereld):
    client.force_login(wereld["user_a"])
    response = client.post(
        "/inkoop/certificaten/nieuw/",
        {"aanbieder": wereld["b"].pk, "soort": "HKZ", "geldig_tot": "2027-01-01"},
    )
    assert list(response.context["form"].errors) == ["aanbieder"]
    response = client.post(
        "/inkoop/certificaten/nieuw/",
        {"aanbieder": wereld["a"].pk, "soort": "HKZ", "geldig_tot": "1-1-2027x"},
    )
    assert list(response.context["form"].errors) == ["geldig_tot"]
    assert not Certificaat.objects.exists()
    response = client.post(
        "/inkoop/certificaten/nieuw/",
        {"aanbieder": wereld["a"].pk, "soort": " HKZ ", "nummer": "7", "geldig_tot": "2027-01-01"},
    )
    assert response.status_code == 302
    certificaat = Certificaat.objects.get()
    assert (certificaat.aanbieder, certificaat.soort) == (wereld["a"], "HKZ")
    response = client.post(
        f"/inkoop/certificaten/{certificaat.pk}/wijzigen/",
        {"aanbieder": wereld["b"].pk, "soort": "HKZ", "nummer": "7", "geldig_tot": "2030-01-01"},
    )
    assert response.status_code == 302
    certificaat.refresh_from_db()
    assert certificaat.geldig_tot == D(2030, 1, 1) and certificaat.aanbieder == wereld["a"]
    assert AuditEntry.objects.filter(object_type="inkoop.certificaat").count() == 2


def test_ct_has_no_certificate_or_melding_screens(client, wereld):
    client.force_login(wereld["ct"])
    assert client.get("/inkoop/certificaten/").status_code == 403
    assert client.get("/inkoop/meldingen/").status_code == 403


# --- calamiteiten en incidenten ----------------------------------------------------------------


def maak_melding(aanbieder, **kwargs):
    velden = {"soort": "incident", "datum": dagen(-3), "omschrijving": "Brandalarm 's nachts."}
    return Melding.objects.create(aanbieder=aanbieder, **{**velden, **kwargs})


def test_melding_afhandelen_service_checks_and_closes(wereld):
    melding = maak_melding(wereld["a"])
    risb = wereld["risb"]
    with pytest.raises(ValidationError) as fout:
        melding_afhandelen(melding, "   ", risb, timezone.localdate())
    assert list(fout.value.message_dict) == ["opvolging"]
    with pytest.raises(ValidationError) as fout:
        melding_afhandelen(melding, "Gesprek gevoerd.", risb, dagen(-4))
    assert list(fout.value.message_dict) == ["afgehandeld_op"]
    with pytest.raises(ValidationError) as fout:
        melding_afhandelen(melding, "Gesprek gevoerd.", risb, dagen(1))
    assert "toekomst" in fout.value.message_dict["afgehandeld_op"][0]
    melding.refresh_from_db()
    assert melding.status == "open" and melding.opvolging == ""
    melding_afhandelen(melding, "Gesprek gevoerd.", risb, dagen(-3))
    melding.refresh_from_db()
    assert (melding.status, melding.afgehandeld_op, melding.opvolging) == (
        "afgehandeld",
        dagen(-3),
        "Gesprek gevoerd.",
    )
    entry = AuditEntry.objects.get(object_type="inkoop.melding", actie="change")
    assert entry.actor == "risb-amf" and entry.toelichting["status"] == "afgehandeld"
    with pytest.raises(ValidationError):
        melding_afhandelen(melding, "Nog eens.", risb, timezone.localdate())


def test_melding_flow_from_aanbieder_to_regio(client, wereld):
    client.force_login(wereld["user_a"])
    response = client.post(
        "/inkoop/meldingen/nieuw/",
        {"aanbieder": wereld["a"].pk, "contract": wereld["contract_a"].pk, "soort": "calamiteit",
         "datum": dagen(-1).isoformat(), "omschrijving": "Cliënt gevallen op de trap."},
    )  # fmt: skip
    melding = Melding.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/inkoop/meldingen/{melding.pk}/"
    )
    assert (melding.aanbieder, melding.contract, melding.status) == (
        wereld["a"],
        wereld["contract_a"],
        "open",
    )
    afhandelen = f"/inkoop/meldingen/{melding.pk}/afhandelen/"
    # The aanbieder sees its melding but closing it is the regio's.
    assert (
        "Opvolging vastleggen"
        not in client.get(f"/inkoop/meldingen/{melding.pk}/").content.decode()
    )
    assert client.post(afhandelen, {"actie": "afhandelen", "opvolging": "Klaar"}).status_code == 403

    client.force_login(wereld["risb"])
    detail = client.get(f"/inkoop/meldingen/{melding.pk}/").content.decode()
    assert "Opvolging vastleggen of afhandelen" in detail
    assert client.get(afhandelen).status_code == 200
    response = client.post(afhandelen, {"actie": "opslaan", "opvolging": "Gesprek gepland."})
    assert response.status_code == 302
    melding.refresh_from_db()
    assert (melding.status, melding.opvolging) == ("open", "Gesprek gepland.")
    response = client.post(
        afhandelen, {"actie": "afhandelen", "opvolging": "", "afgehandeld_op": ""}
    )
    assert set(response.context["form"].errors) == {"opvolging", "afgehandeld_op"}
    vandaag = timezone.localdate().isoformat()
    response = client.post(
        afhandelen,
        {"actie": "afhandelen", "opvolging": "Verbeterplan ontvangen.", "afgehandeld_op": vandaag},
    )
    assert response.status_code == 302
    melding.refresh_from_db()
    assert (melding.status, melding.afgehandeld_op) == ("afgehandeld", timezone.localdate())
    # A closed melding stays closed.
    response = client.post(afhandelen, {"actie": "opslaan", "opvolging": "Toch anders."})
    assert response.status_code == 302
    melding.refresh_from_db()
    assert melding.opvolging == "Verbeterplan ontvangen."
    assert (
        "Opvolging vastleggen"
        not in client.get(f"/inkoop/meldingen/{melding.pk}/").content.decode()
    )


def test_melding_form_refuses_foreign_ids_future_dates_and_a_bsn(client, wereld):
    client.force_login(wereld["user_a"])
    basis = {"aanbieder": wereld["a"].pk, "soort": "incident", "datum": dagen(-1).isoformat(),
             "omschrijving": "Agressie tegen medewerker."}  # fmt: skip
    cases = [
        ({"aanbieder": wereld["b"].pk}, "aanbieder"),
        ({"contract": wereld["contract_b"].pk}, "contract"),
        ({"datum": dagen(1).isoformat()}, "datum"),
        ({"omschrijving": f"Betreft cliënt {valid_bsn(7)}."}, "omschrijving"),
    ]
    for change, veld in cases:
        response = client.post("/inkoop/meldingen/nieuw/", {**basis, **change})
        assert response.status_code == 200
        assert list(response.context["form"].errors) == [veld], change
    assert not Melding.objects.exists()
    # RISB registers one for an aanbieder of its regio, but with the other's contract it is
    # refused at the contract field.
    client.force_login(wereld["risb"])
    response = client.post(
        "/inkoop/meldingen/nieuw/", {**basis, "contract": wereld["contract_b"].pk}
    )
    assert response.context["form"].errors == {
        "contract": ["Dit contract is niet van de gekozen aanbieder."]
    }
    assert client.post("/inkoop/meldingen/nieuw/", basis).status_code == 302
    assert Melding.objects.get().aanbieder == wereld["a"]


def test_melding_list_filters_scope_and_export(client, wereld):
    maak_melding(wereld["a"], soort="calamiteit", omschrijving="Brand in keuken.")
    maak_melding(wereld["a"], status="afgehandeld", afgehandeld_op=dagen(-1),
                 opvolging="Opgelost.", datum=dagen(-20))  # fmt: skip
    maak_melding(wereld["b"], omschrijving="Vermissing.")
    client.force_login(wereld["risb"])

    def omschrijvingen(query=""):
        lijst = client.get(f"/inkoop/meldingen/?{query}").context["object_list"]
        return sorted(m.omschrijving for m in lijst)

    assert omschrijvingen() == ["Brand in keuken.", "Brandalarm 's nachts.", "Vermissing."]
    assert omschrijvingen("status=open") == ["Brand in keuken.", "Vermissing."]
    assert omschrijvingen("soort=calamiteit") == ["Brand in keuken."]
    assert omschrijvingen(f"aanbieder={wereld['b'].pk}") == ["Vermissing."]
    assert omschrijvingen("q=brand") == ["Brand in keuken.", "Brandalarm 's nachts."]
    xlsx = client.get("/inkoop/meldingen/?export=xlsx&status=afgehandeld")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    waarden = list(sheet.iter_rows(values_only=True))
    assert waarden[0] == ("Datum", "Soort", "Aanbieder", "Contract", "Status", "Afgehandeld op",
                          "Omschrijving", "Opvolging")  # fmt: skip
    assert [(r[2], r[4], r[7]) for r in waarden[1:]] == [("Huize A", "Afgehandeld", "Opgelost.")]
    client.force_login(wereld["user_b"])
    assert omschrijvingen() == ["Vermissing."]
    client.force_login(wereld["risb_gron"])
    assert omschrijvingen() == []
    assert csv_rijen(client.get("/inkoop/meldingen/?export=csv")) == []


@pytest.mark.parametrize("wie", ["risb_gron", "ct_gron", "user_b"])
def test_foreign_users_get_404_on_a_melding(client, wereld, wie):
    melding = maak_melding(wereld["a"])
    client.force_login(wereld[wie])
    assert client.get(f"/inkoop/meldingen/{melding.pk}/").status_code == 404
    url = f"/inkoop/meldingen/{melding.pk}/afhandelen/"
    assert client.get(url).status_code == 404
    data = {"actie": "afhandelen", "opvolging": "x", "afgehandeld_op": dagen(0).isoformat()}
    assert client.post(url, data).status_code == 404
    melding.refresh_from_db()
    assert melding.status == "open"


# --- onderaannemers ----------------------------------------------------------------------------


def test_risb_adds_onderaannemers_to_a_contract_and_exports_them(client, wereld):
    contract = wereld["contract_a"]
    client.force_login(wereld["risb"])
    lijst = f"/inkoop/contracten/{contract.pk}/onderaannemers/"
    nieuw = f"{lijst}nieuw/"
    response = client.get(lijst)
    assert response.status_code == 200 and "geen onderaannemers" in response.content.decode()
    response = client.post(
        nieuw, {"naam": "Kleine Zorg", "agb_code": "123", "begin": "2024-02-01",
                "einde": "2024-01-01"},
    )  # fmt: skip
    assert set(response.context["form"].errors) == {"agb_code", "einde"}
    assert response.context["form"].errors["einde"] == ["De einddatum ligt vóór de begindatum."]
    response = client.post(nieuw, {"naam": "Te Laat", "begin": "2031-01-01"})
    assert list(response.context["form"].errors) == ["begin"]
    assert not Onderaanneming.objects.exists()
    response = client.post(
        nieuw, {"naam": "Kleine Zorg", "agb_code": "12345678", "kvk_nummer": "87654321",
                "begin": "2024-02-01"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == lijst
    onder = Onderaanneming.objects.get()
    assert (onder.contract, onder.naam, onder.einde) == (contract, "Kleine Zorg", None)
    Onderaanneming.objects.create(contract=wereld["contract_b"], naam="Van B", begin=D(2024, 1, 1))
    rijen = csv_rijen(client.get(f"{lijst}?export=csv"))
    assert [(r["Contract"], r["Onderaannemer"], r["AGB-code"]) for r in rijen] == [
        ("AMF-A", "Kleine Zorg", "12345678")
    ]
    response = client.post(
        f"/inkoop/onderaannemers/{onder.pk}/wijzigen/",
        {"naam": "Kleine Zorg", "agb_code": "12345678", "kvk_nummer": "87654321",
         "begin": "2024-02-01", "einde": "2025-12-31"},
    )  # fmt: skip
    assert response.status_code == 302
    onder.refresh_from_db()
    assert onder.einde == D(2025, 12, 31)


def test_aanbieder_sees_its_onderaannemers_but_does_not_add_them(client, wereld):
    contract = wereld["contract_a"]
    Onderaanneming.objects.create(contract=contract, naam="Kleine Zorg", begin=D(2024, 1, 1))
    client.force_login(wereld["user_a"])
    response = client.get(f"/inkoop/contracten/{contract.pk}/onderaannemers/")
    assert [o.naam for o in response.context["object_list"]] == ["Kleine Zorg"]
    assert "Onderaannemer toevoegen" not in response.content.decode()
    nieuw = f"/inkoop/contracten/{contract.pk}/onderaannemers/nieuw/"
    assert client.post(nieuw, {"naam": "Eigen", "begin": "2024-01-01"}).status_code == 403
    assert Onderaanneming.objects.count() == 1


@pytest.mark.parametrize("wie", ["risb_gron", "ct_gron", "user_b"])
def test_foreign_users_get_404_on_a_contracts_onderaannemers(client, wereld, wie):
    contract = wereld["contract_a"]
    onder = Onderaanneming.objects.create(contract=contract, naam="Kleine Zorg",
                                          begin=D(2024, 1, 1))  # fmt: skip
    client.force_login(wereld[wie])
    lijst = f"/inkoop/contracten/{contract.pk}/onderaannemers/"
    assert client.get(lijst).status_code == 404
    assert client.get(f"{lijst}?export=csv").status_code == 404
    assert client.get(f"{lijst}nieuw/").status_code == 404
    assert client.post(f"{lijst}nieuw/", {"naam": "X", "begin": "2024-01-01"}).status_code == 404
    assert client.get(f"/inkoop/onderaannemers/{onder.pk}/wijzigen/").status_code == 404
    assert Onderaanneming.objects.count() == 1


def test_ct_of_the_regio_is_refused_onderaannemers_without_hiding_the_contract(client, wereld):
    # CT may see the contract (403, its existence is no secret) but has no onderaanneming rights.
    client.force_login(wereld["ct"])
    lijst = f"/inkoop/contracten/{wereld['contract_a'].pk}/onderaannemers/"
    assert client.get(lijst).status_code == 403


def test_regions_share_no_gemeente(refdata):
    amf = Regio.objects.get(code="amersfoort").lidmaatschappen.values_list("gemeente", flat=True)
    gron = Regio.objects.get(code="groningen").lidmaatschappen.values_list("gemeente", flat=True)
    assert set(amf) and set(gron) and not set(amf) & set(gron)
