"""The finance imports (issue 7): kostenregels (pgb, handmatig) and the conversie of the existing
BW caseload, from CSV and XLSX; every refusal is whole (nothing written), the same file twice
adds nothing twice, and no BSN reaches an error, the audit log or the command output."""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command, load_command_class
from django.db import connections

from demo import inkoop as inkoop_demo
from financien.imports.conversie import importeer_conversie, peildatum_conversie
from financien.imports.gedeeld import GELIJKTIJDIG
from financien.imports.kostenregels import importeer_kostenregels
from financien.models import EersteBWStart, Jaarparameters, Kostenregel
from regio.models import AuditEntry
from regio.tabel import ImportGeweigerd
from tests.factories import AanbiederFactory, PersoonFactory, UserFactory, gemeente, grant, regio
from toegang.models import Client, Persoon

pytestmark = pytest.mark.django_db

D = datetime.date
DATA = Path(__file__).parent / "data"
KOSTEN_CSV = DATA / "import_kostenregels.csv"
CONVERSIE_CSV = DATA / "import_conversie.csv"
# Test BSNs (the 99999xxxx range, elfproef-valid).
BSN_A, BSN_B, BSN_C = "999990019", "999990020", "999990032"
BSN_NIEUW_1, BSN_NIEUW_2 = "999990044", "999990056"
BSN_ONBEKEND = "999990068"
ALLE_BSNS = (BSN_A, BSN_B, BSN_C, BSN_NIEUW_1, BSN_NIEUW_2, BSN_ONBEKEND, "123456789")
KOP = (
    "referentie;bsn;gemeente_herkomst;bron;periode_begin;periode_einde;bedrag;functie;aanbieder_agb"
)
CONVERSIE_KOP = "bsn;geslachtsnaam;eerste_start_bw;gemeente_herkomst;aanbieder_agb"


def persoon(bsn):
    return PersoonFactory(bsn=bsn)


def start(p, datum, bron, code="0307"):
    return EersteBWStart.objects.create(
        client=p.client, regio=regio("amersfoort"), gemeente_herkomst=gemeente(code),
        datum=datum, bron=bron,
    )  # fmt: skip


@pytest.fixture
def amersfoort(refdata):
    """Regio Amersfoort with its real catalogue, an aanbieder, a cut-over of 1-1-2022 and three
    known persons: A without a first BW start, B with a conversie start in 2019, C with a
    regiozorg start on 1-6-2026."""
    inkoop_demo.catalogus()
    AanbiederFactory(agb_code="75810001", naam="Huize Eemland")
    r = regio("amersfoort")
    Jaarparameters.objects.create(
        regio=r, jaar=2026, peildatum_nieuw=D(2022, 1, 1), alpha=Decimal("0.5"),
        centrumgemeentebudget=Decimal("9500000.00"),
    )  # fmt: skip
    a, b, c = persoon(BSN_A), persoon(BSN_B), persoon(BSN_C)
    start(b, D(2019, 5, 1), "conversie", "0342")
    start(c, D(2026, 6, 1), "regiozorg", "0313")
    return {"regio": r, "a": a, "b": b, "c": c}


def stand():
    """Everything an import may write."""
    return (
        Kostenregel.objects.count(),
        list(EersteBWStart.objects.order_by("client_id").values_list("client_id", "datum", "bron")),
        Client.objects.count(),
        Persoon.objects.count(),
    )


def csv_bytes(*regels, kop=KOP, codering="utf-8"):
    return "\r\n".join([kop, *regels]).encode(codering)


def xlsx_bytes(rijen):
    boek = openpyxl.Workbook()
    blad = boek.active
    for rij in rijen:
        blad.append(list(rij))
    uit = io.BytesIO()
    boek.save(uit)
    return uit.getvalue()


def geen_bsn_in(tekst):
    for bsn in ALLE_BSNS:
        assert bsn not in tekst


GOED = "R1;999990019;0307;pgb;01-01-2026;31-01-2026;100,00;beschermd-wonen;75810001"


# --- kostenregels: valid files ---------------------------------------------------------------


def test_valid_csv_import_writes_every_line_and_the_first_bw_starts(amersfoort):
    user = UserFactory(username="fin-import")
    grant(user, "financien", regio="amersfoort")  # imports are a regio-wide role's work
    resultaat = importeer_kostenregels(
        amersfoort["regio"], KOSTEN_CSV.open("rb"), "kosten.csv", user=user
    )
    assert resultaat.gelukt, resultaat.fouten
    assert resultaat.regels == 4  # the trailing empty row is skipped
    assert resultaat.aantallen == {
        "kostenregels": 4, "bedrag": Decimal("5541.84"),
        "eerste_starts_nieuw": 1, "eerste_starts_verlaagd": 1,
    }  # fmt: skip
    regels = {k.referentie: k for k in Kostenregel.objects.select_related("functie", "aanbieder")}
    assert sum(k.bedrag for k in regels.values()) == Decimal("5541.84")
    eerste = regels["PGB-2026-0001"]
    assert (eerste.bedrag, eerste.bron, eerste.jaar, eerste.client_id) == (
        Decimal("2345.67"), "pgb", 2026, amersfoort["a"].client_id,
    )  # fmt: skip
    assert (eerste.periode_begin, eerste.periode_einde) == (D(2026, 1, 1), D(2026, 1, 31))
    assert eerste.functie.code == "beschermd-wonen" and eerste.aanbieder.agb_code == "75810001"
    credit = regels["HM-2026-0001"]
    assert credit.bedrag == Decimal("-150.00") and credit.functie is None
    assert credit.aanbieder is None and credit.gemeente_herkomst.code == "0342"
    assert regels["HM-2026-0002"].bedrag == Decimal("1000.50")
    assert regels["HM-2026-0002"].periode_begin == D(2026, 4, 1)

    starts = {e.client_id: e for e in EersteBWStart.objects.all()}
    # A had none: one from the earliest period in the file, bron regiozorg.
    a = starts[amersfoort["a"].client_id]
    assert (a.datum, a.bron, a.gemeente_herkomst.code, a.aanbieder.agb_code) == (
        D(2026, 1, 1), "regiozorg", "0307", "75810001",
    )  # fmt: skip
    # B's conversie start (2019) is kept; C's later regiozorg start is lowered to 1-4-2026.
    assert (starts[amersfoort["b"].client_id].datum, starts[amersfoort["b"].client_id].bron) == (
        D(2019, 5, 1), "conversie",
    )  # fmt: skip
    c = starts[amersfoort["c"].client_id]
    assert (c.datum, c.bron) == (D(2026, 4, 1), "regiozorg")

    entry = AuditEntry.objects.get(object_type="financien.kostenregel")
    assert entry.resultaat == "ok" and entry.actor_id == user.pk
    assert sorted(entry.object_ids) == sorted(str(k.pk) for k in regels.values())
    assert entry.toelichting["kostenregels"] == 4 and entry.toelichting["bedrag"] == "5541.84"
    assert entry.toelichting["bestand"] == "kosten.csv"
    assert resultaat.samenvatting()[0] == "4 kostenregels vastgelegd, samen € 5.541,84."


def test_valid_xlsx_import_with_number_and_date_cells_and_without_optional_columns(amersfoort):
    data = xlsx_bytes([
        ["Referentie", "BSN", "Gemeente herkomst", "Bron", "Periode begin", "Periode einde",
         "Bedrag"],
        ["X-1", int(BSN_A), 307, "PGB", datetime.datetime(2026, 3, 1), D(2026, 3, 31), 1234.5],
        ["X-2", BSN_A, "GM0307", "pgb", "01-02-2026", "2026-02-28", 0.1 + 0.2],
        [None, None, None, None, None, None, None],
        [2001, BSN_C, "0313", "handmatig", D(2026, 5, 1), D(2026, 5, 31), -99],
    ])  # fmt: skip
    resultaat = importeer_kostenregels(amersfoort["regio"], data, "kosten.xlsx", user=None)
    assert resultaat.gelukt, resultaat.fouten
    bedragen = dict(Kostenregel.objects.values_list("referentie", "bedrag"))
    assert bedragen == {"X-1": Decimal("1234.50"), "X-2": Decimal("0.30"), "2001": Decimal("-99")}
    assert resultaat.aantallen["bedrag"] == Decimal("1135.80")
    a = EersteBWStart.objects.get(client=amersfoort["a"].client)
    assert (a.datum, a.aanbieder) == (D(2026, 2, 1), None)
    assert EersteBWStart.objects.get(client=amersfoort["c"].client).datum == D(2026, 5, 1)


def test_windows_1252_and_comma_separated_csv_is_read(amersfoort):
    data = csv_bytes(
        'Ré1,999990019,0307,pgb,01-01-2026,31-01-2026,"12,50",,',
        "R2,999990019,0307,handmatig,01-01-2026,31-01-2026,7.5,,",
        kop=KOP.replace(";", ","),
        codering="cp1252",
    )
    resultaat = importeer_kostenregels(amersfoort["regio"], data, "kosten.CSV", user=None)
    assert resultaat.gelukt, resultaat.fouten
    assert resultaat.aantallen["bedrag"] == Decimal("20.00")
    assert Kostenregel.objects.filter(referentie="Ré1", bedrag=Decimal("12.50")).exists()


def test_the_same_file_twice_is_refused_on_referentie_and_nothing_doubles(amersfoort):
    assert importeer_kostenregels(
        amersfoort["regio"], KOSTEN_CSV.read_bytes(), "k.csv", user=None
    ).gelukt
    voor = stand()
    tweede = importeer_kostenregels(
        amersfoort["regio"], KOSTEN_CSV.read_bytes(), "k.csv", user=None
    )
    assert not tweede.gelukt
    assert [(f.rij, f.kolom) for f in tweede.fouten] == [(r, "referentie") for r in (2, 3, 4, 5)]
    assert "al vastgelegd" in tweede.fouten[0].reden
    assert stand() == voor and Kostenregel.objects.count() == 4


def test_costs_never_change_a_conversie_start(amersfoort):
    # B's conversie says 1-5-2019; a correction over January 2019 leaves that as it is.
    regel = f"HM-B;{BSN_B};0342;handmatig;01-01-2019;31-01-2019;10,00;;"
    assert importeer_kostenregels(amersfoort["regio"], csv_bytes(regel), "b.csv", user=None).gelukt
    b = EersteBWStart.objects.get(client=amersfoort["b"].client)
    assert (b.datum, b.bron) == (D(2019, 5, 1), "conversie")


def test_same_referentie_under_another_bron_is_allowed(amersfoort):
    assert importeer_kostenregels(amersfoort["regio"], csv_bytes(GOED), "a.csv", user=None).gelukt
    ander = GOED.replace(";pgb;", ";handmatig;")
    assert importeer_kostenregels(amersfoort["regio"], csv_bytes(ander), "b.csv", user=None).gelukt
    assert Kostenregel.objects.count() == 2


# --- kostenregels: refusals ------------------------------------------------------------------

# (rows below the header, expected (row, column), a fragment of the reason)
WEIGERINGEN = {
    "verplicht leeg": (GOED.replace(";100,00;", ";;"), (2, "bedrag"), "verplicht"),
    "datum bestaat niet": (GOED.replace("31-01-2026", "31-02-2026"), (2, "periode_einde"),
                           "bestaat niet"),
    "datumformaat": (GOED.replace("01-01-2026", "2026/01/01"), (2, "periode_begin"),
                     "dd-mm-jjjj"),
    "drie decimalen": (GOED.replace("100,00", "100,001"), (2, "bedrag"), "2 decimalen"),
    "duizendtallen": (GOED.replace("100,00", "1.234,56"), (2, "bedrag"), "duizendtallen"),
    "duizendtal of decimalen": (GOED.replace("100,00", "1.234"), (2, "bedrag"), "dubbelzinnig"),
    "geen bedrag": (GOED.replace("100,00", "honderd"), (2, "bedrag"), "geen bedrag"),
    "elfproef": (GOED.replace(BSN_A, "123456789"), (2, "bsn"), "elfproef"),
    "bsn te kort": (GOED.replace(BSN_A, "12345678"), (2, "bsn"), "9 cijfers"),
    "onbekende persoon": (GOED.replace(BSN_A, BSN_ONBEKEND), (2, "bsn"), "niet bekend"),
    "onbekende gemeente": (GOED.replace(";0307;", ";9999;"), (2, "gemeente_herkomst"),
                           "Onbekende gemeentecode 9999"),
    "geen lid": (GOED.replace(";0307;", ";0345;"), (2, "gemeente_herkomst"),
                 "Veenendaal is in deze periode geen lid van Amersfoort"),
    "andere regio": (GOED.replace(";0307;", ";0014;"), (2, "gemeente_herkomst"), "geen lid"),
    "onbekende functie": (GOED.replace("beschermd-wonen", "zwemmen"), (2, "functie"),
                          "niet in de catalogus"),
    "functie niet bw": (GOED.replace("beschermd-wonen", "begeleiding"), (2, "functie"),
                        "hoort niet bij beschermd wonen"),
    "functie verlopen": (GOED.replace("beschermd-wonen", "arrangement-2"), (2, "functie"),
                         "geldt niet in deze periode"),
    "onbekende aanbieder": (GOED.replace("75810001", "75819999"), (2, "aanbieder_agb"),
                            "Geen aanbieder bekend met AGB-code 75819999"),
    "agb formaat": (GOED.replace("75810001", "AGB1"), (2, "aanbieder_agb"), "8 cijfers"),
    "over de jaargrens": (GOED.replace("31-01-2026", "31-01-2027"), (2, "periode_einde"),
                          "één kalenderjaar"),
    "einde voor begin": (GOED.replace("01-01-2026", "15-01-2026").replace("31-01-2026",
                         "10-01-2026"), (2, "periode_einde"), "eindigt vóór"),
    "bron declaratie": (GOED.replace(";pgb;", ";declaratie;"), (2, "bron"), "declaratieberichten"),
    "bron taakgericht": (GOED.replace(";pgb;", ";taakgericht;"), (2, "bron"),
                         "taakgerichte toerekening"),
    "bron onbekend": (GOED.replace(";pgb;", ";contant;"), (2, "bron"), "Onbekende bron"),
    "referentie te lang": (GOED.replace("R1;", "R" * 101 + ";"), (2, "referentie"),
                           "Hoogstens 100"),
    "referentie dubbel": ((GOED, GOED.replace("100,00", "5,00")), (3, "referentie"),
                          "ook in rij 2"),
    "te veel velden": (GOED + ";extra", (2, ""), "10 velden, de kopregel 9"),
    "fout na goede rijen": ((GOED, GOED.replace("R1", "R2"), GOED.replace("R1", "R3")
                             .replace("100,00", "x")), (4, "bedrag"), "geen bedrag"),
}  # fmt: skip


@pytest.mark.parametrize("naam", WEIGERINGEN)
def test_a_wrong_row_refuses_the_whole_file(amersfoort, naam):
    rijen, plaats, fragment = WEIGERINGEN[naam]
    rijen = (rijen,) if isinstance(rijen, str) else rijen
    voor = stand()
    resultaat = importeer_kostenregels(
        amersfoort["regio"], csv_bytes(*rijen), "kosten.csv", user=None
    )
    assert not resultaat.gelukt
    assert [(f.rij, f.kolom) for f in resultaat.fouten] == [plaats]
    assert fragment in resultaat.fouten[0].reden
    assert stand() == voor
    geen_bsn_in("\n".join(resultaat.samenvatting()))


def test_a_row_with_too_many_fields_does_not_hide_the_other_errors(amersfoort):
    rijen = [GOED + ";extra", GOED.replace("R1", "R2").replace("100,00", "x")]
    resultaat = importeer_kostenregels(amersfoort["regio"], csv_bytes(*rijen), "k.csv", user=None)
    assert [(f.rij, f.kolom) for f in resultaat.fouten] == [(2, ""), (3, "bedrag")]
    assert not Kostenregel.objects.exists()


def test_a_failure_while_writing_leaves_nothing_behind(amersfoort, monkeypatch):
    """Two imports racing: the database refuses the second one's rows (unique referentie or
    first start); the transaction takes back what was already written."""
    from django.db import IntegrityError

    def botsing(*args, **kwargs):
        raise IntegrityError("gelijktijdig")

    monkeypatch.setattr(EersteBWStart.objects, "bulk_create", botsing)
    voor = stand()
    resultaat = importeer_kostenregels(
        amersfoort["regio"], KOSTEN_CSV.read_bytes(), "k.csv", user=None
    )
    assert [f.reden for f in resultaat.fouten] == [GELIJKTIJDIG]
    resultaat = importeer_conversie(
        amersfoort["regio"], CONVERSIE_CSV.read_bytes(), "c.csv", user=None
    )
    assert [f.reden for f in resultaat.fouten] == [GELIJKTIJDIG]
    assert stand() == voor
    assert not AuditEntry.objects.filter(resultaat="ok").exists()
    assert AuditEntry.objects.filter(resultaat="error").count() == 2


def test_an_uploaded_file_and_a_functie_code_in_capitals(amersfoort):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "kosten.csv", csv_bytes(GOED.replace("beschermd-wonen", "Beschermd-Wonen"))
    )
    upload.read()  # a form may have looked at it already
    resultaat = importeer_kostenregels(amersfoort["regio"], upload, upload.name, user=None)
    assert resultaat.gelukt, resultaat.fouten
    assert Kostenregel.objects.get().functie.code == "beschermd-wonen"


def test_every_error_of_every_row_is_listed_in_file_order(amersfoort):
    rijen = [
        GOED.replace("100,00", "x").replace("0307", "9999"),
        GOED.replace("R1", "R2").replace(BSN_A, "123456789"),
    ]
    resultaat = importeer_kostenregels(amersfoort["regio"], csv_bytes(*rijen), "k.csv", user=None)
    assert [(f.rij, f.kolom) for f in resultaat.fouten] == [
        (2, "gemeente_herkomst"), (2, "bedrag"), (3, "bsn"),
    ]  # fmt: skip
    assert str(resultaat.fouten[2]) == (
        "Rij 3, kolom bsn: Dit is geen geldig BSN: het voldoet niet aan de elfproef."
    )


def test_the_error_list_is_capped(amersfoort):
    rijen = [GOED.replace("R1", f"R{i}").replace("100,00", "x") for i in range(250)]
    resultaat = importeer_kostenregels(amersfoort["regio"], csv_bytes(*rijen), "k.csv", user=None)
    assert len(resultaat.fouten) == 200 and resultaat.fouten_meer == 50
    assert resultaat.aantal_fouten == 250
    assert resultaat.samenvatting()[-1] == "… en nog 50 fouten."
    assert not Kostenregel.objects.exists()


def _corrupt_xlsx():
    uit = io.BytesIO()
    with zipfile.ZipFile(uit, "w") as z:
        z.writestr("iets.txt", "geen werkmap")
    return uit.getvalue()


# (file bytes, file name, a fragment of the one reason)
BESTANDSFOUTEN = {
    "leeg": (b"", "k.csv", "Het bestand is leeg."),
    "alleen witruimte": (b" \r\n \r\n", "k.csv", "Het bestand is leeg."),
    "alleen kopregel": (KOP.encode(), "k.csv", "geen regels onder de kopregel"),
    "pdf": (b"%PDF-1.4", "k.pdf", "“.pdf” wordt niet ondersteund"),
    "zonder extensie": (csv_bytes(GOED), "kosten", "zonder extensie"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "k.xls", "(.xls)"),
    "xlsx is geen zip": (csv_bytes(GOED), "k.xlsx", "geen Excel-bestand"),
    "csv is een zip": (xlsx_bytes([["a"]]), "k.csv", "noem het .xlsx"),
    "kapotte xlsx": (_corrupt_xlsx(), "k.xlsx", "niet te lezen"),
    "utf-16": (csv_bytes(GOED, codering="utf-16"), "k.csv", "UTF-16"),
    "tekenset": (csv_bytes(GOED) + b"\x81\x8d", "k.csv", "tekenset"),
    "binair": (b"ref\x00erentie;bsn\n", "k.csv", "binaire gegevens"),
    "tab": (csv_bytes(GOED.replace(";", "\t"), kop=KOP.replace(";", "\t")), "k.csv",
            "scheidingsteken"),
    "lege eerste regel": (b"\r\n" + csv_bytes(GOED), "k.csv", "eerste regel"),
    "lege eerste rij": (xlsx_bytes([[None], ["referentie"], ["R1"]]), "k.xlsx", "eerste rij"),
}  # fmt: skip


@pytest.mark.parametrize("naam", BESTANDSFOUTEN)
def test_an_unreadable_file_is_refused_with_one_reason(amersfoort, naam):
    data, bestandsnaam, fragment = BESTANDSFOUTEN[naam]
    voor = stand()
    resultaat = importeer_kostenregels(amersfoort["regio"], data, bestandsnaam, user=None)
    assert not resultaat.gelukt
    assert len(resultaat.fouten) == 1 and resultaat.fouten[0].rij is None
    assert fragment in resultaat.fouten[0].reden
    assert stand() == voor


def test_a_file_too_large_is_refused_before_it_is_read_whole(amersfoort, settings):
    settings.FINANCIEN_IMPORT_MAX_BYTES = 200
    data = csv_bytes(GOED, GOED.replace("R1", "R2"), GOED.replace("R1", "R3"))
    assert len(data) > 200
    resultaat = importeer_kostenregels(amersfoort["regio"], io.BytesIO(data), "k.csv", user=None)
    assert [f.reden for f in resultaat.fouten] == [
        "Het bestand is groter dan 200 bytes; splits het op."
    ]
    from django.core.files.uploadedfile import SimpleUploadedFile

    class Onleesbaar(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("the size says enough")

    resultaat = importeer_kostenregels(
        amersfoort["regio"], Onleesbaar("k.csv", data), "k.csv", user=None
    )
    assert "groter dan 200 bytes" in resultaat.fouten[0].reden
    settings.FINANCIEN_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    settings.FINANCIEN_IMPORT_MAX_REGELS = 2
    resultaat = importeer_kostenregels(amersfoort["regio"], data, "k.csv", user=None)
    assert resultaat.fouten[0].reden == "Het bestand heeft meer dan 2 regels."
    assert not Kostenregel.objects.exists()


def test_wrong_columns_are_each_named(amersfoort):
    kop = "Referentie;BSN;bron;periode_begin;periode_begin;bedrag;opmerking;;aanbieder_agb"
    resultaat = importeer_kostenregels(
        amersfoort["regio"], csv_bytes(GOED, kop=kop), "k.csv", user=None
    )
    fouten = {(f.kolom, f.reden.split(";")[0].split(".")[0]) for f in resultaat.fouten}
    assert fouten == {
        ("opmerking", "Onbekende kolom “opmerking”"),
        ("", "Kolom 8 heeft geen naam"),
        ("periode_begin", "Deze kolom staat meer dan eens in de kopregel"),
        ("gemeente_herkomst", "Deze kolom ontbreekt"),
        ("periode_einde", "Deze kolom ontbreekt"),
    }
    assert all(f.rij == 1 for f in resultaat.fouten)
    assert not Kostenregel.objects.exists()


# --- conversie -------------------------------------------------------------------------------


def test_conversie_creates_persons_and_keeps_the_earliest_start(amersfoort):
    user = UserFactory(username="fin-conversie")
    grant(user, "financien", regio="amersfoort")  # imports are a regio-wide role's work
    clients_voor = Client.objects.count()
    resultaat = importeer_conversie(
        amersfoort["regio"], CONVERSIE_CSV.read_bytes(), "conversie.csv", user=user
    )
    assert resultaat.gelukt, resultaat.fouten
    assert resultaat.aantallen == {
        "personen_nieuw": 2, "personen_bekend": 2, "eerste_starts_nieuw": 2,
        "eerste_starts_verlaagd": 1, "eerste_starts_ongewijzigd": 1,
    }  # fmt: skip
    assert Client.objects.count() == clients_voor + 2
    vries = Persoon.objects.find_by_bsn(BSN_NIEUW_2)
    assert (vries.geslachtsnaam, vries.voorvoegsel, vries.voornamen, vries.geboortedatum) == (
        "Vries", "de", "Eliëlle", D(1985, 11, 2),
    )  # fmt: skip
    start_vries = EersteBWStart.objects.get(client=vries.client)
    assert (start_vries.datum, start_vries.bron, start_vries.gemeente_herkomst.code) == (
        D(2019, 9, 1), "conversie", "0342",
    )  # fmt: skip
    assert start_vries.aanbieder.agb_code == "75810001" and start_vries.regio.code == "amersfoort"
    jansen = Persoon.objects.find_by_bsn(BSN_NIEUW_1)
    assert EersteBWStart.objects.get(client=jansen.client).datum == D(2015, 6, 15)
    # C: regiozorg 1-6-2026 lowered to the conversie's 1-3-2021, now bron conversie; the
    # person's name is not overwritten by the file.
    c = EersteBWStart.objects.get(client=amersfoort["c"].client)
    assert (c.datum, c.bron, c.gemeente_herkomst.code, c.aanbieder) == (
        D(2021, 3, 1), "conversie", "0313", None,
    )  # fmt: skip
    assert Persoon.objects.get(pk=amersfoort["c"].pk).geslachtsnaam != "Bakker"
    # B: conversie 1-5-2019 is earlier than the file's 1-1-2021: kept.
    b = EersteBWStart.objects.get(client=amersfoort["b"].client)
    assert (b.datum, b.gemeente_herkomst.code) == (D(2019, 5, 1), "0342")

    entry = AuditEntry.objects.get(object_type="financien.eerstebwstart", resultaat="ok")
    assert entry.actor_id == user.pk
    assert set(entry.object_ids) == {
        str(jansen.client_id),
        str(vries.client_id),
        str(amersfoort["c"].client_id),
    }
    assert entry.toelichting["personen_nieuw"] == 2

    # The same conversie again changes nothing.
    voor = stand()
    opnieuw = importeer_conversie(
        amersfoort["regio"], CONVERSIE_CSV.read_bytes(), "c.csv", user=None
    )
    assert opnieuw.gelukt and opnieuw.aantallen["eerste_starts_ongewijzigd"] == 4
    assert opnieuw.aantallen["personen_nieuw"] == 0
    assert stand() == voor


def test_conversie_lowers_a_later_conversie_start(amersfoort):
    data = csv_bytes(f"{BSN_B};Smit;2018-01-01;0307;", kop=CONVERSIE_KOP)
    assert importeer_conversie(amersfoort["regio"], data, "c.csv", user=None).gelukt
    b = EersteBWStart.objects.get(client=amersfoort["b"].client)
    assert (b.datum, b.bron, b.gemeente_herkomst.code) == (D(2018, 1, 1), "conversie", "0307")


def test_conversie_from_xlsx(amersfoort):
    data = xlsx_bytes([
        ["bsn", "geslachtsnaam", "eerste_start_bw", "gemeente_herkomst", "aanbieder_agb",
         "geboortedatum"],
        [int(BSN_NIEUW_1), "Jansen", datetime.datetime(2015, 6, 15), 307, 75810001,
         datetime.datetime(1970, 3, 12)],
    ])  # fmt: skip
    resultaat = importeer_conversie(amersfoort["regio"], data, "c.xlsx", user=None)
    assert resultaat.gelukt, resultaat.fouten
    persoon_ = Persoon.objects.find_by_bsn(BSN_NIEUW_1)
    assert persoon_.geboortedatum == D(1970, 3, 12)
    assert EersteBWStart.objects.get(client=persoon_.client).aanbieder.agb_code == "75810001"


GOED_CONVERSIE = f"{BSN_NIEUW_1};Jansen;15-06-2015;0307;75810001"
CONVERSIE_WEIGERINGEN = {
    "na de peildatum": (GOED_CONVERSIE.replace("15-06-2015", "02-01-2022"),
                        (2, "eerste_start_bw"), "na de peildatum 01-01-2022"),
    "bsn dubbel": ((GOED_CONVERSIE, GOED_CONVERSIE), (3, "bsn"), "ook in rij 3"),
    "elfproef": (GOED_CONVERSIE.replace(BSN_NIEUW_1, "123456789"), (2, "bsn"), "elfproef"),
    "geen lid op de peildatum": (GOED_CONVERSIE.replace(";0307;", ";0345;"),
                                 (2, "gemeente_herkomst"), "op de peildatum 01-01-2022"),
    "geen naam": (GOED_CONVERSIE.replace("Jansen", ""), (2, "geslachtsnaam"), "verplicht"),
    "onbekende aanbieder": (GOED_CONVERSIE.replace("75810001", "75819999"), (2, "aanbieder_agb"),
                            "Geen aanbieder"),
    "start leeg": (GOED_CONVERSIE.replace("15-06-2015", ""), (2, "eerste_start_bw"), "verplicht"),
}  # fmt: skip


@pytest.mark.parametrize("naam", CONVERSIE_WEIGERINGEN)
def test_a_wrong_conversie_row_refuses_the_whole_file(amersfoort, naam):
    rijen, plaats, fragment = CONVERSIE_WEIGERINGEN[naam]
    rijen = (rijen,) if isinstance(rijen, str) else rijen
    # A good row first: it must not be written either.
    goed = f"{BSN_NIEUW_2};Vries;01-01-2020;0307;"
    voor = stand()
    resultaat = importeer_conversie(
        amersfoort["regio"], csv_bytes(goed, *rijen, kop=CONVERSIE_KOP), "c.csv", user=None
    )
    assert [(f.rij - 1, f.kolom) for f in resultaat.fouten] == [plaats]  # the good row is 2
    assert fragment in resultaat.fouten[0].reden
    assert stand() == voor
    geen_bsn_in("\n".join(resultaat.samenvatting()))


def test_conversie_checks_the_person_details(amersfoort):
    kop = CONVERSIE_KOP + ";geboortedatum;voorvoegsel"
    rijen = (
        f"{BSN_NIEUW_1};Jansen;15-06-2015;0307;;01-01-2016;",
        f"{BSN_NIEUW_2};Vries;15-06-2015;0307;;01-01-2099;",
        f"{BSN_ONBEKEND};Berg;15-06-2015;0307;;;van den berg voor",
    )
    resultaat = importeer_conversie(
        amersfoort["regio"], csv_bytes(*rijen, kop=kop), "c.csv", user=None
    )
    assert [(f.rij, f.kolom) for f in resultaat.fouten] == [
        (2, "eerste_start_bw"), (3, "geboortedatum"), (4, "voorvoegsel"),
    ]  # fmt: skip
    assert "vóór de geboortedatum" in resultaat.fouten[0].reden
    assert not Persoon.objects.filter(geslachtsnaam__in=["Jansen", "Vries", "Berg"]).exists()


def test_conversie_requires_the_aanbieder_column_but_not_its_value(amersfoort):
    kop = "bsn;geslachtsnaam;eerste_start_bw;gemeente_herkomst"
    resultaat = importeer_conversie(
        amersfoort["regio"],
        csv_bytes(GOED_CONVERSIE.rsplit(";", 1)[0], kop=kop),
        "c.csv",
        user=None,
    )
    assert [(f.rij, f.kolom, f.reden) for f in resultaat.fouten] == [
        (1, "aanbieder_agb", "Deze kolom ontbreekt.")
    ]


def test_conversie_without_parameters_is_refused(refdata):
    resultaat = importeer_conversie(
        regio("amersfoort"), CONVERSIE_CSV.read_bytes(), "conversie.csv", user=None
    )
    assert len(resultaat.fouten) == 1
    assert "geen vereveningsparameters" in resultaat.fouten[0].reden
    assert not Persoon.objects.exists() and not EersteBWStart.objects.exists()


def test_which_parameters_give_the_cut_over(refdata):
    r = regio("amersfoort")

    def parameters(jaar, peildatum):
        Jaarparameters.objects.create(
            regio=r, jaar=jaar, peildatum_nieuw=peildatum, alpha=Decimal("1"),
            centrumgemeentebudget=Decimal("0"),
        )  # fmt: skip

    parameters(2025, D(2022, 1, 1))
    parameters(2024, D(2022, 1, 1))
    assert peildatum_conversie(r) == D(2022, 1, 1)  # no year of its own: the earliest year
    parameters(2026, D(2026, 1, 1))  # the regio started counting again in 2026
    assert peildatum_conversie(r) == D(2026, 1, 1)  # the parameters of the cut-over's year
    assert peildatum_conversie(r, 2025) == D(2022, 1, 1)
    with pytest.raises(ImportGeweigerd, match="geen vereveningsparameters voor 2019"):
        peildatum_conversie(r, 2019)


# --- commands --------------------------------------------------------------------------------


def run_command(capsys, monkeypatch, *argv):
    """Run like ``manage.py`` does: the exit code and both outputs. (``run_from_argv`` closes
    the database connections at the end, which would end the test's transaction.)"""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    try:
        naam, *rest = argv
        load_command_class("financien", naam).run_from_argv(["manage.py", naam, *rest])
        code = 0
    except SystemExit as exc:
        code = exc.code
    uit = capsys.readouterr()
    return code, uit.out, uit.err


def test_command_prints_the_counts(amersfoort, capsys, monkeypatch):
    code, out, err = run_command(
        capsys, monkeypatch, "importeer_kostenregels", "--regio", "amersfoort", str(KOSTEN_CSV)
    )
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "4 kostenregels vastgelegd, samen € 5.541,84.",
        "Eerste start beschermd wonen: 1 nieuw, 1 vervroegd.",
    ]
    code, out, _ = run_command(
        capsys, monkeypatch, "importeer_conversie", "--regio", "amersfoort", str(CONVERSIE_CSV)
    )
    assert code == 0
    assert out.splitlines()[0] == "4 cliënten verwerkt: 2 nieuwe personen, 2 al bekend."


def test_command_prints_every_error_without_bsn_and_exits_non_zero(
    amersfoort, capsys, monkeypatch, tmp_path
):
    pad = tmp_path / f"kosten-{BSN_A}.csv"
    pad.write_bytes(
        csv_bytes(
            GOED.replace(BSN_A, "123456789"), GOED.replace("R1", "R2").replace(BSN_A, BSN_ONBEKEND)
        )  # fmt: skip
    )
    code, out, err = run_command(
        capsys, monkeypatch, "importeer_kostenregels", "--regio", "amersfoort", str(pad)
    )
    assert code == 1 and out == ""
    assert "Rij 2, kolom bsn: Dit is geen geldig BSN" in err
    assert "Rij 3, kolom bsn: Deze persoon is niet bekend" in err
    assert "CommandError: Import geweigerd: 2 fouten; er is niets vastgelegd." in err
    assert "Traceback" not in err
    geen_bsn_in(err)
    assert not Kostenregel.objects.exists()
    entry = AuditEntry.objects.get(object_type="financien.kostenregel")
    assert entry.resultaat == "error" and entry.toelichting["fouten"] == 2
    assert entry.toelichting["bestand"] == "kosten-*********.csv"

    pad = tmp_path / "conversie.csv"
    pad.write_bytes(csv_bytes(GOED_CONVERSIE.replace(";0307;", ";0345;"), kop=CONVERSIE_KOP))
    code, _, err = run_command(
        capsys, monkeypatch, "importeer_conversie", "--regio", "amersfoort", str(pad)
    )
    assert code == 1 and "Rij 2, kolom gemeente_herkomst: Veenendaal" in err
    geen_bsn_in(err)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--regio", "nergens", "x.csv"], "Onbekende regio “nergens”."),
        (["--regio", "amersfoort", "/bestaat/niet.csv"], "niet.csv is niet te openen"),
    ],
)
def test_command_refuses_bad_arguments_without_traceback(
    amersfoort, capsys, monkeypatch, argv, fragment
):
    code, _, err = run_command(capsys, monkeypatch, "importeer_kostenregels", *argv)
    assert code == 1 and fragment in err and "Traceback" not in err


def test_call_command_raises_commanderror_for_scripts(amersfoort):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Import geweigerd: 1 fout;"):
        call_command(
            "importeer_kostenregels", "--regio", "amersfoort", str(DATA / "import_leeg.csv")
        )


def test_no_bsn_reaches_the_audit_log(amersfoort):
    regio_ = amersfoort["regio"]
    importeer_kostenregels(regio_, KOSTEN_CSV.read_bytes(), f"{BSN_A}.csv", user=None)
    importeer_kostenregels(regio_, csv_bytes(GOED.replace(BSN_A, BSN_ONBEKEND)), "x.csv", user=None)
    importeer_conversie(
        regio_, CONVERSIE_CSV.read_bytes(), f"conversie {BSN_NIEUW_1}.csv", user=None
    )
    importeer_conversie(
        regio_, csv_bytes(GOED_CONVERSIE, GOED_CONVERSIE, kop=CONVERSIE_KOP), "y.csv", user=None
    )
    rows = list(AuditEntry.objects.values())
    assert len(rows) >= 4
    geen_bsn_in(json.dumps(rows, default=str))
