"""The quarterly report of an aanbieder and its RISB review: transitions and who may do them,
upload of the template (CSV and XLSX), small-cell suppression, scoping, plausibility signals and
the dashboard helpers."""

import csv
import datetime
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook

from inkoop.models import (
    Bestedingsruimte,
    Contract,
    Product,
    Rapportage,
    Rapportageopmerking,
    Rapportageregel,
)
from inkoop.rapportages import services
from inkoop.rapportages.importeren import importeer
from inkoop.rapportages.plausibiliteit import plausibiliteit
from inkoop.rapportages.services import overgang
from regio.models import AuditEntry, Gemeente
from regio.tabel import ImportGeweigerd
from tests.browser import has_inline_script
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    grant,
    rol_met,
)

pytestmark = pytest.mark.django_db
D = datetime.date
S = Rapportage.Status


@pytest.fixture
def o(refdata):
    """One perceel with two current products and one that ended in 2024; contract AMF-R1 of
    Zorggroep Eemland for Amersfoort and Soest with a 2026 bestedingsruimte of 100,000; a second
    aanbieder; RISB of Amersfoort and of Groningen; a user of each aanbieder."""
    perceel = PerceelFactory(code="wmo", naam="Wmo begeleiding en beschermd wonen")
    begeleiding = ProductFactory(perceel=perceel, code="begeleiding", naam="Begeleiding")
    bw = ProductFactory(perceel=perceel, code="beschermd-wonen", naam="Beschermd wonen")
    oud = ProductFactory(
        perceel=perceel, code="oud", naam="Oud product", begin=D(2023, 1, 1), einde=D(2024, 12, 31)
    )
    ander_perceel = PerceelFactory(code="ander", naam="Ander perceel")
    vreemd = ProductFactory(perceel=ander_perceel, code="vreemd", naam="Vreemd product")
    aanbieder = AanbiederFactory(naam="Zorggroep Eemland")
    contract = ContractFactory(
        aanbieder=aanbieder, kenmerk="AMF-R1", percelen=[perceel], gemeenten=["0307", "0342"]
    )
    Bestedingsruimte.objects.create(contract=contract, jaar=2026, bedrag=Decimal("100000.00"))
    andere = AanbiederFactory(naam="Andere Zorg")
    ander_contract = ContractFactory(
        aanbieder=andere, kenmerk="AMF-R2", percelen=[perceel], gemeenten=["0307"]
    )
    risb = UserFactory(username="risb-amf")
    grant(risb, "contractmanager", regio="amersfoort")
    risb_groningen = UserFactory(username="risb-gron")
    grant(risb_groningen, "contractmanager", regio="groningen")
    aanbieder_user = UserFactory(username="eemland")
    grant(aanbieder_user, "aanbieder", aanbieder=aanbieder)
    ander = UserFactory(username="andere-zorg")
    grant(ander, "aanbieder", aanbieder=andere)
    return SimpleNamespace(
        perceel=perceel, begeleiding=begeleiding, bw=bw, oud=oud, vreemd=vreemd,
        aanbieder=aanbieder, contract=contract, andere=andere, ander_contract=ander_contract,
        risb=risb, risb_groningen=risb_groningen, aanbieder_user=aanbieder_user, ander=ander,
    )  # fmt: skip


def rapportage(o, jaar=2026, kwartaal=2, status=S.CONCEPT, contract=None, **velden):
    return Rapportage.objects.create(
        contract=contract or o.contract, jaar=jaar, kwartaal=kwartaal, status=status, **velden
    )


def regel(r, product, code, volume, clienten):
    return Rapportageregel.objects.create(
        rapportage=r,
        product=product,
        gemeente=Gemeente.objects.get(code=code),
        volume=Decimal(volume),
        clienten=clienten,
    )


def html(response) -> str:
    return response.content.decode()


# --- transitions ------------------------------------------------------------------------------

ALLOWED = [
    (S.CONCEPT, S.INGEDIEND, "aanbieder_user"),
    (S.TERUGGESTUURD, S.INGEDIEND, "aanbieder_user"),
    (S.INGEDIEND, S.IN_BEOORDELING, "risb"),
    (S.IN_BEOORDELING, S.AKKOORD, "risb"),
    (S.IN_BEOORDELING, S.TERUGGESTUURD, "risb"),
    (S.AKKOORD, S.DEFINITIEF, "risb"),
]


@pytest.mark.parametrize(("van", "naar", "wie"), ALLOWED)
def test_allowed_transition_records_step_and_audit(o, van, naar, wie):
    r = rapportage(o, status=van)
    user = getattr(o, wie)
    assert naar in services.toegestane_overgangen(r, user)

    overgang(r, naar, user, toelichting="Graag de instroom toelichten.")

    r.refresh_from_db()
    assert r.status == naar
    stap = r.stappen.get()
    assert (stap.van, stap.naar, stap.door, stap.toelichting) == (
        van, naar, user, "Graag de instroom toelichten.",
    )  # fmt: skip
    assert AuditEntry.objects.filter(
        actie="change", object_type="inkoop.rapportage", object_ids=[str(r.pk)], actor_id=user.pk
    ).exists()
    assert (r.ingediend_op is not None) == (naar == S.INGEDIEND)


# Who may see the report but not make this step is refused (403, with the reason); another
# aanbieder or the RISB of another regio does not even find it (404).
WRONG_ACTOR = [
    (S.CONCEPT, S.INGEDIEND, "risb", "Alleen de aanbieder zelf"),
    (S.TERUGGESTUURD, S.INGEDIEND, "risb", "Alleen de aanbieder zelf"),
    (S.CONCEPT, S.INGEDIEND, "ander", None),
    (S.INGEDIEND, S.IN_BEOORDELING, "aanbieder_user", "Alleen een contractmanager"),
    (S.IN_BEOORDELING, S.AKKOORD, "aanbieder_user", "Alleen een contractmanager"),
    (S.IN_BEOORDELING, S.TERUGGESTUURD, "aanbieder_user", "Alleen een contractmanager"),
    (S.AKKOORD, S.DEFINITIEF, "aanbieder_user", "Alleen een contractmanager"),
    (S.IN_BEOORDELING, S.AKKOORD, "risb_groningen", None),
]


@pytest.mark.parametrize(("van", "naar", "wie", "melding"), WRONG_ACTOR)
def test_transition_by_the_wrong_party_is_refused(o, van, naar, wie, melding):
    r = rapportage(o, status=van)
    user = getattr(o, wie)
    assert naar not in services.toegestane_overgangen(r, user)
    with pytest.raises(PermissionDenied if melding else Http404, match=melding):
        overgang(r, naar, user, toelichting="x")
    r.refresh_from_db()
    assert r.status == van and not r.stappen.exists()


@pytest.mark.parametrize(
    ("van", "naar"),
    [
        (S.CONCEPT, S.AKKOORD),
        (S.CONCEPT, S.IN_BEOORDELING),
        (S.INGEDIEND, S.AKKOORD),
        (S.INGEDIEND, S.INGEDIEND),
        (S.AKKOORD, S.TERUGGESTUURD),
        (S.DEFINITIEF, S.TERUGGESTUURD),
        (S.DEFINITIEF, S.CONCEPT),
        (S.TERUGGESTUURD, S.AKKOORD),
    ],
)
def test_transition_from_the_wrong_status_is_refused_for_everyone(o, van, naar):
    r = rapportage(o, status=van)
    for user in (o.risb, o.aanbieder_user):
        with pytest.raises(ValidationError, match="kan niet naar"):
            overgang(r, naar, user, toelichting="x")
    r.refresh_from_db()
    assert r.status == van and not r.stappen.exists()


def test_unknown_target_status_is_refused(o):
    r = rapportage(o, status=S.IN_BEOORDELING)
    with pytest.raises(ValidationError, match="Onbekende status"):
        overgang(r, "goedgekeurd", o.risb)


def test_sending_back_needs_a_toelichting_or_an_open_comment(o):
    r = rapportage(o, status=S.IN_BEOORDELING)
    with pytest.raises(ValidationError, match="Geef een toelichting"):
        overgang(r, S.TERUGGESTUURD, o.risb, toelichting="   ")
    opmerking = Rapportageopmerking.objects.create(
        rapportage=r, onderdeel="instroom", tekst="Klopt dit?", door=o.risb, opgelost=True
    )
    with pytest.raises(ValidationError, match="Geef een toelichting"):
        overgang(r, S.TERUGGESTUURD, o.risb)
    opmerking.opgelost = False
    opmerking.save()
    overgang(r, S.TERUGGESTUURD, o.risb)
    assert Rapportage.objects.get(pk=r.pk).status == S.TERUGGESTUURD


def test_resubmission_after_sending_back_sets_a_new_ingediend_op(o):
    r = rapportage(o)
    with freeze_time("2026-07-10 09:00"):
        overgang(r, S.INGEDIEND, o.aanbieder_user)
    eerste = Rapportage.objects.get(pk=r.pk).ingediend_op
    with freeze_time("2026-07-15 09:00"):
        overgang(r, S.IN_BEOORDELING, o.risb)
    with freeze_time("2026-07-15 10:00"):
        overgang(r, S.TERUGGESTUURD, o.risb, toelichting="Uitgaven ontbreken.")
    assert Rapportage.objects.get(pk=r.pk).ingediend_op == eerste
    with freeze_time("2026-07-20 09:00"):
        overgang(r, S.INGEDIEND, o.aanbieder_user)
    r.refresh_from_db()
    assert r.status == S.INGEDIEND
    assert (eerste.date(), r.ingediend_op.date()) == (D(2026, 7, 10), D(2026, 7, 20))
    assert [(s.van, s.naar, s.door) for s in r.stappen.all()] == [
        (S.CONCEPT, S.INGEDIEND, o.aanbieder_user),
        (S.INGEDIEND, S.IN_BEOORDELING, o.risb),
        (S.IN_BEOORDELING, S.TERUGGESTUURD, o.risb),
        (S.TERUGGESTUURD, S.INGEDIEND, o.aanbieder_user),
    ]


def test_review_buttons_only_for_risb_of_that_regio_in_the_state_they_apply(client, o):
    """Issue 18: RISB of Groningen who may also read Amersfoort's reports sees no review
    buttons or comment form on them (nor does the aanbieder), and its POST is refused."""
    r = rapportage(o, status=S.IN_BEOORDELING)
    grant(o.risb_groningen, rol_met("lezer-rapportages", "inkoop.view_rapportage",
                                    scope="regio"), regio="amersfoort")  # fmt: skip
    url = lambda naar: reverse("inkoop:rapportage-overgang", args=[r.pk, naar])  # noqa: E731
    detail = reverse("inkoop:rapportage-detail", args=[r.pk])
    for wie in (o.risb_groningen, o.aanbieder_user):
        client.force_login(wie)
        page = client.get(detail)
        assert page.status_code == 200
        assert page.context["overgangen"] == [] and page.context["opmerking_form"] is None
        assert url(S.AKKOORD) not in html(page) and url(S.TERUGGESTUURD) not in html(page)
        assert client.post(url(S.AKKOORD)).status_code == 403
    client.force_login(o.risb)
    page = client.get(detail)
    assert [x["naar"] for x in page.context["overgangen"]] == [S.AKKOORD, S.TERUGGESTUURD]
    assert url(S.AKKOORD) in html(page) and page.context["opmerking_form"] is not None
    assert Rapportage.objects.get(pk=r.pk).status == S.IN_BEOORDELING


def test_transition_views_start_confirm_and_refuse(client, o):
    r = rapportage(o, status=S.INGEDIEND)
    url = lambda naar: reverse("inkoop:rapportage-overgang", args=[r.pk, naar])  # noqa: E731

    client.force_login(o.aanbieder_user)
    response = client.post(url(S.IN_BEOORDELING), follow=True)
    # Refused by the service: the 403 page names the reason.
    assert response.status_code == 403 and "Alleen een contractmanager" in html(response)
    assert Rapportage.objects.get(pk=r.pk).status == S.INGEDIEND

    client.force_login(o.risb)
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    assert "Beoordeling starten" in html(page) and "Akkoord geven" not in html(page)
    response = client.post(url(S.IN_BEOORDELING), follow=True)
    assert "In beoordeling" in html(response)
    assert Rapportage.objects.get(pk=r.pk).status == S.IN_BEOORDELING

    # Sending back asks for confirmation, and a reason when there are no open comments.
    confirm = client.get(url(S.TERUGGESTUURD))
    assert confirm.status_code == 200 and "Toelichting" in html(confirm)
    response = client.post(url(S.TERUGGESTUURD), {"toelichting": ""})
    assert response.status_code == 200
    assert "Geef een toelichting" in html(response) and "field-error" in html(response)
    assert Rapportage.objects.get(pk=r.pk).status == S.IN_BEOORDELING
    client.post(url(S.TERUGGESTUURD), {"toelichting": "Instroom klopt niet."})
    assert Rapportage.objects.get(pk=r.pk).status == S.TERUGGESTUURD

    # A transition that is not possible now sends the user back with a message.
    response = client.get(url(S.AKKOORD), follow=True)
    assert "niet mogelijk" in html(response)
    assert client.get(url("onzin")).status_code == 404


# --- upload ------------------------------------------------------------------------------------

GELDIG_CSV = """\ufeff# een toelichting die wordt overgeslagen
veld;waarde
clienten_in_zorg;12
instroom;3
uitstroom;2
wachtenden;4
uitgaven_tot_nu;12345,67
clienttevredenheid;7,8
doelrealisatie;65
incidenten;1
aandeel_hbo;70
aandeel_mbo;30

productcode_of_functie;gemeentecode;volume;clienten
begeleiding;0307;120,5;9
beschermd-wonen;0342;30;2
begeleiding;0342;;
"""


def upload(client, r, naam, inhoud):
    return client.post(
        reverse("inkoop:rapportage-upload", args=[r.pk]),
        {"bestand": SimpleUploadedFile(naam, inhoud)},
        follow=True,
    )


def opgeslagen_regels(r):
    return sorted(
        (x.product.code, x.gemeente.code, x.volume, x.clienten)
        for x in Rapportageregel.objects.filter(rapportage=r).select_related("product", "gemeente")
    )


def test_valid_csv_upload_replaces_figures_and_lines(client, o):
    r = rapportage(o, clienten_in_zorg=1)
    oud = regel(r, o.bw, "0307", "5", 5)
    blijft = regel(r, o.begeleiding, "0307", "1", 1)
    client.force_login(o.aanbieder_user)

    response = upload(client, r, "kwartaal.csv", GELDIG_CSV.encode("utf-8"))

    assert "2 regels opgeslagen" in html(response)
    r.refresh_from_db()
    assert (r.clienten_in_zorg, r.instroom, r.uitstroom, r.wachtenden) == (12, 3, 2, 4)
    assert r.uitgaven_tot_nu == Decimal("12345.67")
    assert r.clienttevredenheid == Decimal("7.8") and r.aandeel_hbo == Decimal("70")
    assert opgeslagen_regels(r) == [
        ("begeleiding", "0307", Decimal("120.50"), 9),
        ("beschermd-wonen", "0342", Decimal("30.00"), 2),
    ]
    # A line that stays keeps its id (comments on it stay attached); a line not in the file goes.
    assert Rapportageregel.objects.filter(pk=blijft.pk).exists()
    assert not Rapportageregel.objects.filter(pk=oud.pk).exists()


def test_comma_separated_csv_without_bom_and_empty_optionals(o):
    tekst = (
        "veld,waarde\nclienten_in_zorg,5\ninstroom,0\nuitstroom,0\nwachtenden,0\n"
        'uitgaven_tot_nu,"100,50"\nincidenten,0\naandeel_hbo,\n'
        "productcode_of_functie,gemeentecode,volume,clienten\nbegeleiding,307,1.5,5\n"
    )
    r = rapportage(o, aandeel_hbo=Decimal("50"))
    importeer(r, SimpleUploadedFile("r.csv", tekst.encode()), user=o.aanbieder_user)
    r.refresh_from_db()
    assert r.uitgaven_tot_nu == Decimal("100.50") and r.aandeel_hbo is None
    assert opgeslagen_regels(r) == [("begeleiding", "0307", Decimal("1.50"), 5)]


KAPOT_CSV = """veld;waarde
clienten_in_zorg;twaalf
instroom;-3
uitstroom;2
wachtenden;4
uitgaven_tot_nu;100
incidenten;1
aantal_bedden;3
productcode_of_functie;gemeentecode;volume;clienten
onbekend;0307;1;1
oud;0307;1;1
begeleiding;0014;1;1
begeleiding;0307;abc;1
begeleiding;0342;5;-1
begeleiding;0342;5;2
vreemd;0307;1;1
beschermd-wonen;0307;7;
"""

# (row, column, part of the message) of every error in KAPOT_CSV.
KAPOT_FOUTEN = [
    (2, "waarde (B)", "Dit is geen getal."),
    (3, "waarde (B)", "negatief"),
    (8, "veld (A)", "Onbekend kengetal ‘aantal_bedden’"),
    (10, "productcode_of_functie (A)", "Onbekend product of functie ‘onbekend’"),
    (11, "productcode_of_functie (A)", "Product ‘oud’ is in 2026-K2 niet geldig"),
    (12, "gemeentecode (B)", "Gemeente 0014 valt niet onder dit contract"),
    (13, "volume (C)", "Dit is geen getal."),
    (14, "clienten (D)", "negatief"),
    (15, "", "Dubbele regel: begeleiding in gemeente 0342 staat al op rij 14"),
    (16, "productcode_of_functie (A)", "Onbekend product of functie ‘vreemd’"),
    (17, "clienten (D)", "Vul een waarde in"),
]


def assert_niets_opgeslagen(r, clienten_in_zorg, regels):
    r.refresh_from_db()
    assert r.clienten_in_zorg == clienten_in_zorg
    assert opgeslagen_regels(r) == regels


def test_broken_csv_lists_every_error_with_row_and_column_and_stores_nothing(client, o):
    r = rapportage(o, clienten_in_zorg=7)
    regel(r, o.bw, "0307", "5", 5)
    voor = opgeslagen_regels(r)

    with pytest.raises(ImportGeweigerd) as exc:
        importeer(r, SimpleUploadedFile("r.csv", KAPOT_CSV.encode()), user=None)
    assert [(f.rij, f.kolom) for f in exc.value.fouten] == [(f[0], f[1]) for f in KAPOT_FOUTEN]
    for fout, (_, _, deel) in zip(exc.value.fouten, KAPOT_FOUTEN, strict=True):
        assert deel in fout.reden

    client.force_login(o.aanbieder_user)
    response = upload(client, r, "r.csv", KAPOT_CSV.encode())
    page = html(response)
    assert "Er is niets opgeslagen" in page and f"{len(KAPOT_FOUTEN)} fouten" in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert [(int(rij), kolom) for rij, kolom, _ in rows] == [
        (rij, kolom or "—") for rij, kolom, _ in KAPOT_FOUTEN
    ]
    assert_niets_opgeslagen(r, 7, voor)


def test_missing_sections_and_figures_are_errors(o):
    r = rapportage(o)
    with pytest.raises(ImportGeweigerd) as exc:
        importeer(r, SimpleUploadedFile("r.csv", b"veld;waarde\nclienten_in_zorg;3\n"), user=None)
    meldingen = [str(f) for f in exc.value.fouten]
    assert "Kolom instroom: Dit kengetal ontbreekt." in meldingen
    assert any("Het deel met regels" in m for m in meldingen)
    with pytest.raises(ImportGeweigerd, match="groter|leeg"):
        importeer(r, SimpleUploadedFile("r.csv", b""), user=None)
    # Windows-1252 is read as such: the error names the figure with its ü.
    with pytest.raises(ImportGeweigerd, match="Onbekend kengetal ‘müll’"):
        importeer(r, SimpleUploadedFile("r.csv", "veld;waarde\nmüll".encode("cp1252")), user=None)
    with pytest.raises(ImportGeweigerd, match="geen leesbaar Excel"):
        importeer(r, SimpleUploadedFile("r.xlsx", b"PK\x03\x04 kapot"), user=None)


def test_thousands_separators_are_refused_at_their_cell_never_guessed(client, o):
    tekst = GELDIG_CSV.replace("uitgaven_tot_nu;12345,67", "uitgaven_tot_nu;12.345,67").replace(
        "begeleiding;0307;120,5;9", "begeleiding;0307;1.205;9"
    )
    r = rapportage(o, clienten_in_zorg=7)
    with pytest.raises(ImportGeweigerd) as exc:
        importeer(r, SimpleUploadedFile("r.csv", tekst.encode()), user=None)
    assert [(f.rij, f.kolom) for f in exc.value.fouten] == [(7, "waarde (B)"), (15, "volume (C)")]
    assert "duizendtallen" in exc.value.fouten[0].reden
    assert "“1.205” is dubbelzinnig" in exc.value.fouten[1].reden
    client.force_login(o.aanbieder_user)
    page = html(upload(client, r, "r.csv", tekst.encode()))
    assert "2 fouten" in page and "dubbelzinnig" in page
    assert_niets_opgeslagen(r, 7, [])


def xlsx(rijen) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rapportage"
    for rij in rijen:
        sheet.append(rij)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


KENGETALLEN_RIJEN = [
    ["veld", "waarde"],
    ["clienten_in_zorg", 40],
    ["instroom", 6],
    ["uitstroom", 10],
    ["wachtenden", 16],
    ["uitgaven_tot_nu", 70000.5],
    ["incidenten", 0],
    ["clienttevredenheid", None],
]


def test_valid_xlsx_upload(client, o):
    r = rapportage(o)
    inhoud = xlsx(
        [
            *KENGETALLEN_RIJEN,
            [],
            ["productcode_of_functie", "gemeentecode", "volume", "clienten"],
            ["begeleiding", 307, 12.25, 8],  # a numeric gemeentecode lost its leading zero
            ["beschermd-wonen", "0342", 3, 2],
        ]
    )
    client.force_login(o.aanbieder_user)
    response = upload(client, r, "rapportage.xlsx", inhoud)
    assert "2 regels opgeslagen" in html(response)
    r.refresh_from_db()
    assert (r.clienten_in_zorg, r.wachtenden, r.uitgaven_tot_nu) == (40, 16, Decimal("70000.50"))
    assert opgeslagen_regels(r) == [
        ("begeleiding", "0307", Decimal("12.25"), 8),
        ("beschermd-wonen", "0342", Decimal("3.00"), 2),
    ]


def test_broken_xlsx_lists_every_error_and_stores_nothing(client, o):
    r = rapportage(o, clienten_in_zorg=7)
    regel(r, o.bw, "0307", "5", 5)
    voor = opgeslagen_regels(r)
    inhoud = xlsx(
        [
            *KENGETALLEN_RIJEN[:5],
            ["uitgaven_tot_nu", "veel"],
            ["incidenten", 2.5],
            ["productcode_of_functie", "gemeentecode", "volume", "clienten"],
            ["begeleiding", "0307", -1, 3],
            ["begeleiding", "0351", 1, 1],
            ["begeleiding", "0307", 1, 1],
            ["beschermd-wonen", "12345", 1, 1, "extra"],
        ]
    )
    with pytest.raises(ImportGeweigerd) as exc:
        importeer(r, SimpleUploadedFile("r.xlsx", inhoud), user=None)
    assert [(f.rij, f.kolom) for f in exc.value.fouten] == [
        (6, "waarde (B)"),
        (7, "waarde (B)"),
        (9, "volume (C)"),
        (10, "gemeentecode (B)"),
        (11, ""),
        (12, "E"),
        (12, "gemeentecode (B)"),
    ]
    assert "geheel getal" in exc.value.fouten[1].reden
    assert "0351 valt niet onder dit contract" in exc.value.fouten[3].reden

    client.force_login(o.aanbieder_user)
    response = upload(client, r, "r.xlsx", inhoud)
    assert "7 fouten" in html(response) and "Dubbele regel" in html(response)
    assert_niets_opgeslagen(r, 7, voor)


def test_hbo_and_mbo_above_100_is_an_import_error(o):
    tekst = GELDIG_CSV.replace("aandeel_mbo;30", "aandeel_mbo;31")
    r = rapportage(o)
    with pytest.raises(ImportGeweigerd) as exc:
        importeer(r, SimpleUploadedFile("r.csv", tekst.encode()), user=None)
    assert [str(f) for f in exc.value.fouten] == [
        "Rij 12, kolom waarde (B): Het aandeel hbo en mbo samen is meer dan 100%."
    ]


def test_template_downloads_round_trip(client, o):
    r = rapportage(o)
    client.force_login(o.aanbieder_user)

    response = client.get(reverse("inkoop:rapportage-template", args=[r.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('rapportage-AMF-R1-2026-k2.csv"')
    tekst = response.content.decode("utf-8-sig")
    assert "productcode_of_functie;gemeentecode;volume;clienten" in tekst
    assert "begeleiding;0307;;" in tekst and "oud;" not in tekst  # only products valid now
    assert '"#' not in tekst  # explanation rows stay readable: one unquoted cell each
    gevuld = tekst.replace("begeleiding;0342;;", "begeleiding;0342;10;6")
    importeer(r, SimpleUploadedFile("t.csv", gevuld.encode("utf-8-sig")), user=o.aanbieder_user)
    assert opgeslagen_regels(r) == [("begeleiding", "0342", Decimal("10.00"), 6)]

    response = client.get(reverse("inkoop:rapportage-template", args=[r.pk, "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Rapportage"]
    waarden = [[c.value for c in rij] for rij in sheet.iter_rows()]
    assert ["begeleiding", "0342", 10, 6] in waarden  # the template now carries the lines
    for rij in sheet.iter_rows():
        if rij[0].value == "clienten_in_zorg":
            rij[1].value = 9
        if rij[0].value == "begeleiding":
            rij[2].value = 11
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client, r, "t.xlsx", buffer.getvalue())
    r.refresh_from_db()
    assert r.clienten_in_zorg == 9
    assert opgeslagen_regels(r) == [("begeleiding", "0342", Decimal("11.00"), 6)]
    assert client.get(reverse("inkoop:rapportage-template", args=[r.pk, "pdf"])).status_code == 404


def test_upload_after_submission_is_refused(client, o):
    r = rapportage(o, status=S.INGEDIEND, clienten_in_zorg=7)
    with pytest.raises(ValidationError, match="kan niet meer worden gewijzigd"):
        importeer(r, SimpleUploadedFile("r.csv", GELDIG_CSV.encode()), user=None)
    client.force_login(o.aanbieder_user)
    response = upload(client, r, "r.csv", GELDIG_CSV.encode())
    assert "kan niet meer worden gewijzigd" in html(response)
    assert_niets_opgeslagen(r, 7, [])


def test_upload_form_refuses_other_file_types(client, o):
    r = rapportage(o)
    client.force_login(o.aanbieder_user)
    response = upload(client, r, "r.pdf", b"%PDF-1.4")
    assert "Kies een CSV- of XLSX-bestand." in html(response)


# --- editing by web form ---------------------------------------------------------------------


def formset_data(kop=None, regels=(), bestaand=()):
    data = {
        "kop-clienten_in_zorg": "10", "kop-instroom": "2", "kop-uitstroom": "1",
        "kop-wachtenden": "0", "kop-uitgaven_tot_nu": "5000.00", "kop-incidenten": "0",
        "kop-clienttevredenheid": "", "kop-doelrealisatie": "", "kop-aandeel_hbo": "",
        "kop-aandeel_mbo": "",
        "regels-TOTAL_FORMS": str(len(regels)), "regels-INITIAL_FORMS": str(len(bestaand)),
        "regels-MIN_NUM_FORMS": "0", "regels-MAX_NUM_FORMS": "500",
    }  # fmt: skip
    data.update(kop or {})
    for i, (product, gemeente, volume, clienten) in enumerate(regels):
        data.update(
            {
                f"regels-{i}-product": str(product.pk),
                f"regels-{i}-gemeente": str(Gemeente.objects.get(code=gemeente).pk),
                f"regels-{i}-volume": volume,
                f"regels-{i}-clienten": clienten,
            }
        )
        if i < len(bestaand):
            data[f"regels-{i}-id"] = str(bestaand[i].pk)
    return data


def test_aanbieder_edits_figures_and_lines_by_form(client, o):
    r = rapportage(o)
    client.force_login(o.aanbieder_user)
    url = reverse("inkoop:rapportage-edit", args=[r.pk])
    page = client.get(url)
    assert page.status_code == 200
    keuzes = page.context["formset"].forms[0].fields["product"].queryset
    assert set(keuzes) == {o.begeleiding, o.bw}  # not the lapsed product, not another perceel
    gemeenten = page.context["formset"].forms[0].fields["gemeente"].queryset
    assert {g.code for g in gemeenten} == {"0307", "0342"}

    response = client.post(url, formset_data(regels=[(o.begeleiding, "0307", "12.5", "10")]))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.clienten_in_zorg == 10 and r.uitgaven_tot_nu == Decimal("5000.00")
    assert opgeslagen_regels(r) == [("begeleiding", "0307", Decimal("12.50"), 10)]
    assert AuditEntry.objects.filter(actie="change", object_ids=[str(r.pk)]).exists()


@pytest.mark.parametrize(
    ("regels", "kop", "melding"),
    [
        ("vreemd", {}, "Selecteer een geldige keuze"),
        ("gemeente-buiten", {}, "Selecteer een geldige keuze"),
        ("dubbel", {}, "Corrigeer de dubbele"),
        ("", {"kop-aandeel_hbo": "80", "kop-aandeel_mbo": "30"}, "meer dan 100%"),
        ("", {"kop-clienten_in_zorg": "-1"}, "minstens 0"),
    ],
)
def test_edit_form_errors_are_shown_at_the_field_and_nothing_is_saved(
    client, o, regels, kop, melding
):
    r = rapportage(o, clienten_in_zorg=3)
    lines = {
        "vreemd": [(o.vreemd, "0307", "1", "1")],
        "gemeente-buiten": [(o.begeleiding, "0351", "1", "1")],
        "dubbel": [(o.begeleiding, "0307", "1", "1"), (o.begeleiding, "0307", "2", "2")],
        "": [],
    }[regels]
    client.force_login(o.aanbieder_user)
    response = client.post(
        reverse("inkoop:rapportage-edit", args=[r.pk]), formset_data(kop=kop, regels=lines)
    )
    assert response.status_code == 200
    assert melding in html(response) and "niet opgeslagen" in html(response)
    assert_niets_opgeslagen(r, 3, [])


def tabel_data(formset, waarden, kop=None):
    """The edit form as the browser posts it: every row of the table, with ``waarden``
    {(product code, gemeente code): (volume, clienten)} filled in and the rest empty."""
    data = formset_data(kop=kop)
    data.update({"regels-TOTAL_FORMS": str(len(formset.forms)), "regels-INITIAL_FORMS": "0"})
    for i, form in enumerate(formset.forms):
        product = Product.objects.get(pk=form.initial["product"])
        gemeente = Gemeente.objects.get(pk=form.initial["gemeente"])
        volume, clienten = waarden.get((product.code, gemeente.code), ("", ""))
        rij = {"product": product.pk, "gemeente": gemeente.pk, "volume": volume,
               "clienten": clienten}  # fmt: skip
        data.update({f"regels-{i}-{k}": str(v) for k, v in rij.items()})
    return data


def test_edit_form_shows_every_product_and_gemeente_of_the_quarter_prefilled(client, o):
    """Issue 18: one table of every product × gemeente row of the quarter, prefilled like the
    template (before: the existing lines and three empty rows to choose in)."""
    r = rapportage(o)
    regel(r, o.bw, "0342", "7.25", 3)
    client.force_login(o.aanbieder_user)
    page = client.get(reverse("inkoop:rapportage-edit", args=[r.pk]))
    rijen = [
        (Product.objects.get(pk=f.initial["product"]).code,
         Gemeente.objects.get(pk=f.initial["gemeente"]).code,
         f.initial["volume"], f.initial["clienten"])
        for f in page.context["formset"].forms
    ]  # fmt: skip
    assert rijen == [
        ("begeleiding", "0307", None, None),
        ("begeleiding", "0342", None, None),
        ("beschermd-wonen", "0307", None, None),
        ("beschermd-wonen", "0342", Decimal("7.25"), 3),
    ]
    body = html(page)
    assert "<table" in body and body.count("<tr") == 5  # the header and the four rows
    assert "Volume Beschermd wonen, Soest" in body  # each input labelled by its row
    assert 'value="7.25"' in body


def test_edit_table_saves_at_once_with_errors_per_row(client, o):
    r = rapportage(o, clienten_in_zorg=3)
    weg = regel(r, o.bw, "0342", "7.25", 3)
    blijft = regel(r, o.begeleiding, "0307", "1", 1)
    client.force_login(o.aanbieder_user)
    url = reverse("inkoop:rapportage-edit", args=[r.pk])
    formset = client.get(url).context["formset"]
    # One row half filled in: the error is at that row's field, and nothing is saved.
    fout = tabel_data(formset, {("begeleiding", "0307"): ("12.5", "10"),
                                ("beschermd-wonen", "0307"): ("4", "")})  # fmt: skip
    response = client.post(url, fout)
    assert response.status_code == 200 and "niet opgeslagen" in html(response)
    rijen = response.context["formset"].forms
    assert rijen[2].errors == {"clienten": ["Vul een waarde in (of laat volume én cliënten leeg)."]}
    assert not any(f.errors for i, f in enumerate(rijen) if i != 2)
    assert_niets_opgeslagen(r, 3, [("begeleiding", "0307", Decimal("1.00"), 1),
                                   ("beschermd-wonen", "0342", Decimal("7.25"), 3)])  # fmt: skip
    # Corrected: the whole table in one go; an emptied row's line goes, a kept line keeps its id.
    goed = tabel_data(formset, {("begeleiding", "0307"): ("12.5", "10"),
                                ("beschermd-wonen", "0307"): ("4", "2")})  # fmt: skip
    assert client.post(url, goed).status_code == 302
    assert opgeslagen_regels(r) == [
        ("begeleiding", "0307", Decimal("12.50"), 10),
        ("beschermd-wonen", "0307", Decimal("4.00"), 2),
    ]
    assert Rapportageregel.objects.filter(pk=blijft.pk).exists()
    assert not Rapportageregel.objects.filter(pk=weg.pk).exists()


# --- the quarter must have ended ---------------------------------------------------------------


def test_no_report_for_a_quarter_that_has_not_ended(client, o):
    """Web form, upload and submission refuse the running quarter in one place, the service."""
    jaar, kwartaal = services.kwartaal_van(datetime.date.today())
    client.force_login(o.aanbieder_user)
    response = client.post(
        reverse("inkoop:rapportage-create"),
        {"contract": o.contract.pk, "jaar": jaar, "kwartaal": kwartaal},
    )
    assert response.status_code == 200
    assert "nog niet voorbij" in response.context["form"].errors["kwartaal"][0]
    assert not Rapportage.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.maak_rapportage(o.contract, jaar, kwartaal, user=o.aanbieder_user)
    assert "nog niet voorbij" in exc.value.message_dict["kwartaal"][0]
    # A report of the running quarter made before this rule: not filled, not submitted.
    r = rapportage(o, jaar=jaar, kwartaal=kwartaal, clienten_in_zorg=3)
    response = upload(client, r, "kwartaal.csv", GELDIG_CSV.encode("utf-8"))
    assert "nog niet voorbij" in html(response)
    assert_niets_opgeslagen(r, 3, [])
    with pytest.raises(ValidationError, match="nog niet voorbij"):
        overgang(r, S.INGEDIEND, o.aanbieder_user)
    assert Rapportage.objects.get(pk=r.pk).status == S.CONCEPT
    # Its page offers no button that would be refused, and says why.
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    assert page.context["overgangen"] == [] and not page.context["mag_bewerken"]
    assert "nog niet voorbij" in html(page)
    assert reverse("inkoop:rapportage-edit", args=[r.pk]) not in html(page)


def test_a_quarter_has_ended_the_day_after_its_last_day():
    assert services.weigering_kwartaal(2026, 3, D(2026, 9, 30)).startswith(
        "Het kwartaal 2026-K3 is nog niet voorbij (het loopt tot en met 30-09-2026)"
    )
    assert services.weigering_kwartaal(2026, 3, D(2026, 10, 1)) is None
    assert services.weigering_kwartaal(2026, 4, D(2026, 9, 30)) == (
        "Dit kwartaal is nog niet begonnen."
    )


def test_submitted_report_cannot_be_edited(client, o):
    r = rapportage(o, status=S.INGEDIEND, clienten_in_zorg=3)
    client.force_login(o.aanbieder_user)
    url = reverse("inkoop:rapportage-edit", args=[r.pk])
    assert "kan niet meer worden gewijzigd" in html(client.get(url, follow=True))
    client.post(url, formset_data())
    assert_niets_opgeslagen(r, 3, [])


# --- create --------------------------------------------------------------------------------------


@freeze_time("2026-11-27")
def test_aanbieder_creates_a_report_for_its_own_contract_only(client, o):
    client.force_login(o.aanbieder_user)
    url = reverse("inkoop:rapportage-create")
    page = client.get(url)
    assert list(page.context["form"].fields["contract"].queryset) == [o.contract]

    response = client.post(url, {"contract": o.contract.pk, "jaar": 2026, "kwartaal": 3})
    r = Rapportage.objects.get(contract=o.contract, jaar=2026, kwartaal=3)
    assert response.status_code == 302
    assert response["Location"] == reverse("inkoop:rapportage-edit", args=[r.pk])
    assert r.status == S.CONCEPT

    fouten = {
        "ander contract": ({"contract": o.ander_contract.pk, "jaar": 2026, "kwartaal": 3},
                           "Selecteer een geldige keuze"),
        "dubbel": ({"contract": o.contract.pk, "jaar": 2026, "kwartaal": 3},
                   "Voor dit contract en kwartaal is al een rapportage."),
        "toekomst": ({"contract": o.contract.pk, "jaar": 2027, "kwartaal": 1},
                     "Dit kwartaal is nog niet begonnen."),
        "voor begin": ({"contract": o.contract.pk, "jaar": 2022, "kwartaal": 4},
                       "Het contract liep niet in 2022-K4"),
        "onzin jaar": ({"contract": o.contract.pk, "jaar": 20000, "kwartaal": 1},
                       "hoogstens 2999"),
    }  # fmt: skip
    for data, melding in fouten.values():
        response = client.post(url, data)
        assert response.status_code == 200 and melding in html(response), melding
    assert Rapportage.objects.count() == 1


def test_risb_cannot_create_reports(client, o):
    client.force_login(o.risb)
    assert client.get(reverse("inkoop:rapportage-create")).status_code == 403
    response = client.post(
        reverse("inkoop:rapportage-create"),
        {"contract": o.contract.pk, "jaar": 2026, "kwartaal": 1},
    )
    assert response.status_code == 403 and not Rapportage.objects.exists()


# --- comments ------------------------------------------------------------------------------------


def test_risb_comments_per_item_during_review_and_resolves(client, o):
    r = rapportage(o, status=S.INGEDIEND)
    lijn = regel(r, o.begeleiding, "0307", "10", 12)
    client.force_login(o.risb)
    url = reverse("inkoop:rapportage-opmerking", args=[r.pk])

    response = client.post(url, {"onderdeel": "instroom", "tekst": "Te vroeg"}, follow=True)
    assert "start eerst de beoordeling" in html(response)
    assert not Rapportageopmerking.objects.exists()

    overgang(r, S.IN_BEOORDELING, o.risb)
    assert client.post(url, {"onderdeel": "bestaat-niet", "tekst": "x"}).status_code == 200
    assert client.post(url, {"onderdeel": "instroom", "tekst": "   "}).status_code == 200
    assert not Rapportageopmerking.objects.exists()
    client.post(url, {"onderdeel": "instroom", "tekst": "Instroom lijkt hoog."})
    client.post(url, {"onderdeel": f"regel-{lijn.pk}", "tekst": "Volume verklaren."})
    assert Rapportageopmerking.objects.count() == 2

    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    kengetallen = {k["veld"]: k for k in page.context["kengetallen"]}
    assert [x.tekst for x in kengetallen["instroom"]["opmerkingen"]] == ["Instroom lijkt hoog."]
    assert [x.tekst for x in page.context["regels"][0].opmerkingen] == ["Volume verklaren."]
    assert "2 open opmerkingen" in html(page)

    opmerking = Rapportageopmerking.objects.get(onderdeel="instroom")
    client.post(reverse("inkoop:rapportage-opmerking-opgelost", args=[opmerking.pk]))
    assert Rapportageopmerking.objects.get(pk=opmerking.pk).opgelost

    # The aanbieder reads the comments but cannot place or resolve one.
    client.force_login(o.aanbieder_user)
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    assert "Instroom lijkt hoog." in html(page) and page.context["opmerking_form"] is None
    assert client.post(url, {"onderdeel": "instroom", "tekst": "x"}).status_code == 404
    andere = Rapportageopmerking.objects.get(onderdeel=f"regel-{lijn.pk}")
    response = client.post(reverse("inkoop:rapportage-opmerking-opgelost", args=[andere.pk]))
    assert (
        response.status_code == 404 and not Rapportageopmerking.objects.get(pk=andere.pk).opgelost
    )


# --- small-cell suppression ----------------------------------------------------------------------


@pytest.fixture
def kleine_aantallen(o):
    r = rapportage(
        o, status=S.INGEDIEND, clienten_in_zorg=3, instroom=0, uitstroom=7, wachtenden=4,
        uitgaven_tot_nu=Decimal("1000.00"),
    )  # fmt: skip
    regel(r, o.begeleiding, "0307", "10", 2)
    regel(r, o.bw, "0342", "20", 12)
    return r


def test_risb_sees_small_client_counts_suppressed_on_the_page(client, o, kleine_aantallen):
    r = kleine_aantallen
    client.force_login(o.risb)
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    waarden = {k["veld"]: k["waarde"] for k in page.context["kengetallen"]}
    assert (waarden["clienten_in_zorg"], waarden["instroom"]) == ("<5", 0)
    assert (waarden["uitstroom"], waarden["wachtenden"]) == (7, "<5")
    assert [x.clienten_getoond for x in page.context["regels"]] == ["<5", 12]
    assert "&lt;5" in html(page)

    lijst = client.get(reverse("inkoop:rapportage-list"))
    assert [x.clienten_getoond for x in lijst.context["object_list"]] == ["<5"]

    client.force_login(o.aanbieder_user)
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    waarden = {k["veld"]: k["waarde"] for k in page.context["kengetallen"]}
    assert (waarden["clienten_in_zorg"], waarden["wachtenden"]) == (3, 4)
    assert [x.clienten_getoond for x in page.context["regels"]] == [2, 12]
    assert "&lt;5" not in html(page)


def export_rows(response, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_suppresses_small_counts_for_risb_not_for_the_aanbieder(
    client, o, kleine_aantallen, fmt
):
    rapportage(o, contract=o.ander_contract, kwartaal=1, clienten_in_zorg=2)
    client.force_login(o.risb)
    response = client.get(reverse("inkoop:rapportage-list"), {"export": fmt, "q": "Eemland"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    header, *rows = export_rows(response, fmt)
    assert header[6:10] == ["Cliënten in zorg", "Instroom", "Uitstroom", "Wachtenden"]
    assert [row[6:10] for row in rows] == [["<5", "0", "7", "<5"]]
    assert AuditEntry.objects.filter(actie="export", actor_id=o.risb.pk).exists()

    client.force_login(o.aanbieder_user)
    _, *rows = export_rows(client.get(reverse("inkoop:rapportage-list"), {"export": fmt}), fmt)
    assert [row[6:10] for row in rows] == [["3", "0", "7", "4"]]  # only its own report


def test_plausibility_text_does_not_reveal_small_counts(o):
    rapportage(o, kwartaal=1, clienten_in_zorg=2)
    r = rapportage(o, kwartaal=2, clienten_in_zorg=4)
    verborgen = [s.tekst for s in plausibiliteit(r, exact=False) if "cliënten" in s.tekst]
    assert verborgen == ["Het aantal cliënten in zorg wijkt meer dan 25% af van 2026-K1 (<5 → <5)."]
    exact = [s.tekst for s in plausibiliteit(r) if "cliënten" in s.tekst]
    assert exact == ["Het aantal cliënten in zorg wijkt meer dan 25% af van 2026-K1 (2 → 4, 100%)."]


# --- scoping -------------------------------------------------------------------------------------


def test_other_regio_and_other_aanbieder_get_404_everywhere(client, o):
    r = rapportage(o, status=S.INGEDIEND)
    concept = rapportage(o, kwartaal=3)
    urls = [
        ("get", reverse("inkoop:rapportage-detail", args=[r.pk])),
        ("get", reverse("inkoop:rapportage-edit", args=[concept.pk])),
        ("post", reverse("inkoop:rapportage-edit", args=[concept.pk])),
        ("get", reverse("inkoop:rapportage-upload", args=[concept.pk])),
        ("post", reverse("inkoop:rapportage-upload", args=[concept.pk])),
        ("get", reverse("inkoop:rapportage-template", args=[concept.pk, "csv"])),
        ("get", reverse("inkoop:rapportage-overgang", args=[r.pk, S.IN_BEOORDELING])),
        ("post", reverse("inkoop:rapportage-overgang", args=[r.pk, S.IN_BEOORDELING])),
        ("post", reverse("inkoop:rapportage-overgang", args=[concept.pk, S.INGEDIEND])),
        ("get", reverse("inkoop:rapportage-opmerking", args=[r.pk])),
        ("post", reverse("inkoop:rapportage-opmerking", args=[r.pk])),
    ]
    for user in (o.risb_groningen, o.ander):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (user.username, url)
        lijst = client.get(reverse("inkoop:rapportage-list"))
        assert list(lijst.context["object_list"]) == []
    assert Rapportage.objects.get(pk=r.pk).status == S.INGEDIEND
    assert Rapportage.objects.get(pk=concept.pk).status == S.CONCEPT

    # RISB of the regio reads the report but cannot change it.
    client.force_login(o.risb)
    assert client.get(urls[0][1]).status_code == 200
    for method, url in urls[1:6]:
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, o):
    r = rapportage(o)
    response = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- plausibility --------------------------------------------------------------------------------


def signalen(r, **kwargs):
    return [(s.niveau, s.tekst) for s in plausibiliteit(r, **kwargs)]


@pytest.mark.parametrize(
    ("uitgaven", "niveau", "deel"),
    [
        ("69999.99", None, None),
        ("70000.00", "waarschuwing", "signaaldrempel van 70% is bereikt"),
        ("99999.99", "waarschuwing", "signaaldrempel van 70% is bereikt"),
        ("100000.00", "kritiek", "de bestedingsruimte is bereikt"),
        ("123456.00", "kritiek", "123,5% van de bestedingsruimte 2026 (€ 100.000,00)"),
    ],
)
def test_spend_signal_at_the_threshold_and_at_100_percent(o, uitgaven, niveau, deel):
    rapportage(o, kwartaal=1)
    r = rapportage(o, uitgaven_tot_nu=Decimal(uitgaven))
    besteding = [(n, t) for n, t in signalen(r) if "uitgaven" in t]
    if niveau is None:
        assert besteding == []
    else:
        assert len(besteding) == 1 and besteding[0][0] == niveau and deel in besteding[0][1]


def test_spend_threshold_is_the_contracts_own(o):
    o.contract.signaaldrempel = 80
    o.contract.save()
    r = rapportage(o, uitgaven_tot_nu=Decimal("75000"))
    assert not [t for _, t in signalen(r) if "uitgaven" in t]
    r.uitgaven_tot_nu = Decimal("80000")
    assert any("signaaldrempel van 80%" in t for _, t in signalen(r))


def test_missing_bestedingsruimte_is_a_signal(o):
    r = rapportage(o, jaar=2025, kwartaal=4, uitgaven_tot_nu=Decimal("10"))
    assert ("waarschuwing", "Voor 2025 is geen bestedingsruimte van dit contract bekend: de "
            "uitgaven zijn niet te toetsen.") in signalen(r)  # fmt: skip


def test_jump_against_the_previous_quarter(o, settings):
    vorig = rapportage(o, jaar=2025, kwartaal=4, clienten_in_zorg=100)
    regel(vorig, o.begeleiding, "0307", "200", 20)
    regel(vorig, o.bw, "0342", "50", 5)
    r = rapportage(o, jaar=2026, kwartaal=1, clienten_in_zorg=125)
    regel(r, o.begeleiding, "0307", "250", 20)
    teksten = [t for _, t in signalen(r)]
    assert not any("cliënten in zorg" in t for t in teksten)  # exactly 25% is no jump
    assert not any("Begeleiding" in t for t in teksten)
    assert (
        "Het volume Beschermd wonen in Soest wijkt meer dan 25% af van 2025-K4 (50,00 → 0,00, "
        "-100%). Deze regel ontbreekt nu." in teksten
    )

    r.clienten_in_zorg = 126
    nieuw = regel(r, o.bw, "0342", "80", 5)
    found = {s.onderdeel: s.tekst for s in plausibiliteit(r)}
    assert "meer dan 25% af van 2025-K4 (100 → 126, 26%)" in found["clienten_in_zorg"]
    assert "(50,00 → 80,00, 60%)" in found[f"regel-{nieuw.pk}"]

    settings.INKOOP_SPRONG_DREMPEL_PCT = 70
    assert not [t for _, t in signalen(r) if "wijkt meer dan" in t]


def test_no_previous_report_and_staff_mix(o):
    r = rapportage(o, aandeel_hbo=Decimal("40"), aandeel_mbo=Decimal("30"))
    assert ("info", "Er is geen rapportage over 2026-K1 om deze mee te vergelijken.") in signalen(r)
    assert (
        "waarschuwing",
        "Het aandeel hbo (40,0%) en mbo (30,0%) is samen 70,0%; verwacht wordt ongeveer 100%.",
    ) in signalen(r)
    r.aandeel_mbo = Decimal("55")  # 95% is close enough
    assert not any("samen" in t for _, t in signalen(r))
    r.aandeel_mbo = None
    assert ("info", "Van de personeelsmix is maar één van hbo en mbo ingevuld.") in signalen(r)


def test_reviewer_sees_signals_the_aanbieder_does_not(client, o):
    r = rapportage(o, status=S.INGEDIEND, uitgaven_tot_nu=Decimal("80000"))
    client.force_login(o.risb)
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    assert "Plausibiliteit" in html(page) and "signaaldrempel van 70%" in html(page)
    client.force_login(o.aanbieder_user)
    page = client.get(reverse("inkoop:rapportage-detail", args=[r.pk]))
    assert page.context["signalen"] is None and "Plausibiliteit" not in html(page)


# --- dashboard helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peildatum", "kwartaal"),
    [
        (D(2026, 4, 30), (2025, 4)),  # Q1 ended 31 March: 30 days later it is not late yet
        (D(2026, 5, 1), (2026, 1)),
        (D(2026, 7, 31), (2026, 2)),
        (D(2026, 1, 30), (2025, 3)),
        (D(2026, 1, 31), (2025, 4)),
    ],
)
def test_verplicht_kwartaal(peildatum, kwartaal):
    assert services.verplicht_kwartaal(peildatum) == kwartaal


def test_te_laat(o):
    zonder = o.contract
    ingediend = ContractFactory(kenmerk="AMF-I", percelen=[o.perceel])
    rapportage(o, contract=ingediend, jaar=2026, kwartaal=1, status=S.TERUGGESTUURD)
    concept = ContractFactory(kenmerk="AMF-C", percelen=[o.perceel])
    rapportage(o, contract=concept, jaar=2026, kwartaal=1, status=S.CONCEPT)
    later = ContractFactory(kenmerk="AMF-L", percelen=[o.perceel], begin=D(2026, 4, 1))
    afgelopen = ContractFactory(
        kenmerk="AMF-A", percelen=[o.perceel], begin=D(2023, 1, 1), einde=D(2025, 12, 31)
    )
    halverwege = ContractFactory(
        kenmerk="AMF-H", percelen=[o.perceel], begin=D(2023, 1, 1), einde=D(2026, 2, 15)
    )
    rapportage(o, contract=o.ander_contract, jaar=2026, kwartaal=1, status=S.DEFINITIEF)
    alle = Contract.objects.all()

    laat = set(services.te_laat(alle, D(2026, 5, 1)).values_list("kenmerk", flat=True))
    assert laat == {zonder.kenmerk, concept.kenmerk, halverwege.kenmerk}
    assert later.kenmerk not in laat and afgelopen.kenmerk not in laat

    # On 30 April Q1 is not late yet; Q4 of 2025 is the quarter that counts then.
    laat = set(services.te_laat(alle, D(2026, 4, 30)).values_list("kenmerk", flat=True))
    assert laat == {c.kenmerk for c in alle if c.kenmerk not in {"AMF-L"}}
    # The caller's scope is respected: it passes its own queryset.
    assert not services.te_laat(Contract.objects.filter(pk=ingediend.pk), D(2026, 5, 1)).exists()


def test_wacht_op_beoordeling_oldest_submission_first(o):
    for kwartaal, status in enumerate(S.values[:4], start=1):
        rapportage(o, jaar=2025, kwartaal=kwartaal, status=status)
    nieuw = rapportage(o, jaar=2026, kwartaal=1, status=S.CONCEPT)
    overgang(nieuw, S.INGEDIEND, o.aanbieder_user)
    oud = Rapportage.objects.get(jaar=2025, kwartaal=2)
    oud.ingediend_op = datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
    oud.save()
    wacht = services.wacht_op_beoordeling(Rapportage.objects.all())
    assert [(x.jaar, x.kwartaal) for x in wacht] == [(2025, 2), (2026, 1), (2025, 3)]


# --- list ----------------------------------------------------------------------------------------


def test_list_filters_search_sort_counts_and_empty_state(client, o):
    rapportage(o, jaar=2026, kwartaal=1, status=S.INGEDIEND)
    rapportage(o, jaar=2026, kwartaal=2, status=S.AKKOORD)
    rapportage(o, contract=o.ander_contract, jaar=2025, kwartaal=4, status=S.IN_BEOORDELING)
    client.force_login(o.risb)
    url = reverse("inkoop:rapportage-list")

    def shown(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [(x.contract.kenmerk, x.jaar, x.kwartaal) for x in response.context["object_list"]]

    page = client.get(url)
    assert "2 wachten op beoordeling" in html(page)
    assert shown() == [("AMF-R1", 2026, 2), ("AMF-R1", 2026, 1), ("AMF-R2", 2025, 4)]
    assert shown(status="wacht") == [("AMF-R1", 2026, 1), ("AMF-R2", 2025, 4)]
    assert shown(status=S.AKKOORD) == [("AMF-R1", 2026, 2)]
    assert shown(jaar="2025") == [("AMF-R2", 2025, 4)]
    assert shown(kwartaal="1") == [("AMF-R1", 2026, 1)]
    assert shown(aanbieder=str(o.andere.pk)) == [("AMF-R2", 2025, 4)]
    assert shown(q="eemland") == [("AMF-R1", 2026, 2), ("AMF-R1", 2026, 1)]
    assert shown(q="amf-r2") == [("AMF-R2", 2025, 4)]
    assert shown(sort="-aanbieder")[0][0] == "AMF-R1"  # Zorggroep after Andere
    assert shown(sort="aanbieder")[0][0] == "AMF-R2"
    assert shown(sort="periode")[0] == ("AMF-R2", 2025, 4)
    # Nonsense parameters are ignored, never a crash.
    assert len(shown(jaar="99999999999", kwartaal="x", aanbieder="1" * 30, sort="drop")) == 3
    response = client.get(url, {"q": "bestaat niet"})
    assert "Geen rapportages gevonden met deze zoekopdracht." in html(response)
    client.force_login(o.risb_groningen)
    assert "Er zijn nog geen rapportages." in html(client.get(url))


def test_list_paginates_and_query_count_is_flat(client, o):
    client.force_login(o.risb)
    url = reverse("inkoop:rapportage-list")
    rapportage(o, jaar=2020, kwartaal=1)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as een:
        client.get(url)
    for jaar in range(2013, 2020):
        for kwartaal in range(1, 5):
            contract = o.contract if kwartaal % 2 else o.ander_contract
            rapportage(o, contract=contract, jaar=jaar, kwartaal=kwartaal)
    with CaptureQueriesContext(connection) as veel:
        response = client.get(url)
    assert len(veel) == len(een)
    assert len(response.context["object_list"]) == 25
    assert "Pagina 1 van 2" in html(response)
    assert len(client.get(url, {"page": 2}).context["object_list"]) == 4


def test_pages_have_no_inline_script_or_style(client, o):
    r = rapportage(o, status=S.IN_BEOORDELING)
    concept = rapportage(o, kwartaal=1)
    pagina_s = {
        o.risb: [
            reverse("inkoop:rapportage-list"),
            reverse("inkoop:rapportage-detail", args=[r.pk]),
            reverse("inkoop:rapportage-overgang", args=[r.pk, S.TERUGGESTUURD]),
            reverse("inkoop:rapportage-opmerking", args=[r.pk]),
        ],
        o.aanbieder_user: [
            reverse("inkoop:rapportage-create"),
            reverse("inkoop:rapportage-edit", args=[concept.pk]),
            reverse("inkoop:rapportage-upload", args=[concept.pk]),
            reverse("inkoop:rapportage-overgang", args=[concept.pk, S.INGEDIEND]),
        ],
    }
    for user, urls in pagina_s.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert not has_inline_script(html(response)) and " style=" not in html(response), url
            assert "<style" not in html(response), url
