"""The one table reader of every upload (regio.tabel): encodings, separators, XLSX cells with
their Excel row numbers, the refusals with a Dutch reason, the limits, and the value parsers
(a number with a thousands separator is refused at its row and column, never guessed)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from regio.tabel import (
    Foutenlijst,
    Importfout,
    ImportGeweigerd,
    Veldfout,
    euro,
    lees_tabel,
    nl_getal,
    parse_bedrag,
    parse_datum,
    parse_gemeentecode,
    parse_getal,
)

D = datetime.date
MB = 1024 * 1024


def lees(bestand, naam="t.csv", **opties):
    opties = {"max_bytes": MB, "max_rijen": 100, **opties}
    return lees_tabel(bestand, naam, **opties)


def rijen(bestand, naam="t.csv", **opties):
    return [(nummer, list(cellen)) for nummer, cellen in lees(bestand, naam, **opties).rijen]


def reden(excinfo) -> str:
    [fout] = excinfo.value.fouten
    assert fout.rij is None and fout.kolom == ""
    return fout.reden


def xlsx_bytes(*bladen, namen=None):
    boek = openpyxl.Workbook()
    boek.remove(boek.active)
    for i, inhoud in enumerate(bladen):
        blad = boek.create_sheet((namen or [])[i] if namen else f"Blad{i + 1}")
        for rij in inhoud:
            blad.append(list(rij))
    uit = io.BytesIO()
    boek.save(uit)
    return uit.getvalue()


# --- encodings and separators ----------------------------------------------------------------

TEKST = "naam;bedrag\r\nCafé Zoë;12,50\r\n"


@pytest.mark.parametrize(
    "data",
    [
        TEKST.encode("utf-8"),
        b"\xef\xbb\xbf" + TEKST.encode("utf-8"),
        TEKST.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8 met BOM", "windows-1252"],
)
def test_csv_in_utf8_with_or_without_bom_and_in_windows_1252(data):
    assert rijen(data) == [(1, ["naam", "bedrag"]), (2, ["Café Zoë", "12,50"])]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (TEKST.encode("utf-16"), "UTF-16"),
        (b"naam;bedrag\r\n\x81\x8d;1\r\n", "tekenset"),
        (b"\xef\xbb\xbfnaam\r\n\xff\r\n", "ongeldige tekens"),
        (b"na\x00am;bedrag\r\n", "binaire gegevens"),
    ],
)
def test_an_unknown_encoding_is_refused_with_the_reason(data, fragment):
    with pytest.raises(ImportGeweigerd) as exc:
        lees(data)
    assert fragment in reden(exc)


def test_the_separator_is_the_one_that_makes_known_column_names():
    # The comment line and the decimal comma do not mislead: the header decides.
    data = b'# uitleg; met puntkomma\r\nnaam,bedrag\r\nA,"12,50"\r\n'
    assert rijen(data, kolomnamen=["naam", "bedrag"]) == [
        (1, ["# uitleg; met puntkomma"]),
        (2, ["naam", "bedrag"]),
        (3, ["A", "12,50"]),
    ]
    # Column names as people write them count too (case, spaces, hyphens).
    data = b"Periode begin;Bedrag\r\n1-1-2026;5\r\n"
    assert rijen(data, kolomnamen=["periode_begin", "bedrag"])[1] == (2, ["1-1-2026", "5"])


def test_without_known_names_the_separator_in_the_header_counts_semicolon_first():
    assert rijen(b"a,b\r\n1,2\r\n")[1] == (2, ["1", "2"])
    assert rijen(b"a;b,c\r\n1;2,3\r\n")[1] == (2, ["1", "2,3"])
    assert rijen(b"enkel\r\nwaarde\r\n") == [(1, ["enkel"]), (2, ["waarde"])]


def test_a_tab_or_pipe_separator_is_refused():
    for scheiding in ("\t", "|"):
        with pytest.raises(ImportGeweigerd) as exc:
            lees(f"a{scheiding}b\r\n1{scheiding}2\r\n".encode(), kolomnamen=["a", "b"])
        assert "scheidingsteken is niet herkend" in reden(exc)


def test_rows_keep_their_number_and_empty_rows_are_left_out():
    data = b'a;b\r\n\r\n;\r\n"x\r\ny";2\r\n  ; \r\nz;3\r\n'
    # A quoted value over two lines is one row, as in Excel.
    assert rijen(data) == [(1, ["a", "b"]), (4, ["x\r\ny", "2"]), (6, ["z", "3"])]


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_cells_keep_their_type_and_their_excel_row_number():
    data = xlsx_bytes(
        [
            ["naam", "bedrag", "datum", "code"],
            [],
            ["A", 12.5, datetime.datetime(2026, 3, 1), 307],
            ["B", None, "01-02-2026", "0307"],
        ]
    )
    tabel = lees(data, "t.XLSX")
    assert tabel.soort == "xlsx"
    assert [(nummer, list(cellen)) for nummer, cellen in tabel.rijen] == [
        (1, ["naam", "bedrag", "datum", "code"]),
        (3, ["A", 12.5, datetime.datetime(2026, 3, 1), 307]),
        (4, ["B", None, "01-02-2026", "0307"]),
    ]


def test_xlsx_reads_the_named_sheet_or_else_the_first():
    data = xlsx_bytes([["eerste"]], [["tweede"]], namen=["Uitleg", "Rapportage"])
    assert rijen(data, "t.xlsx") == [(1, ["eerste"])]
    assert rijen(data, "t.xlsx", blad="Rapportage") == [(1, ["tweede"])]
    assert rijen(data, "t.xlsx", blad="Bestaat niet") == [(1, ["eerste"])]


# --- file types and limits -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "naam", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "t.xls", "(.xls)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "t.csv", "(.xls)"),
        (b"%PDF-1.4", "t.pdf", "“.pdf” wordt niet ondersteund"),
        (b"a;b\r\n", "t", "zonder extensie"),
        (b"a;b\r\n", "t.xlsx", "heet .xlsx maar is geen Excel-bestand"),
        (xlsx_bytes([["a"]]), "t.csv", "noem het .xlsx"),
        (b"PK\x03\x04 kapot", "t.xlsx", "geen leesbaar Excel-bestand"),
        (b"", "t.csv", "Het bestand is leeg."),
        (b" \r\n;\r\n", "t.csv", "Het bestand is leeg."),
        (xlsx_bytes([[None, " "]]), "t.xlsx", "Het bestand is leeg."),
    ],
)
def test_what_is_not_a_readable_csv_or_xlsx_is_refused_with_a_dutch_reason(data, naam, fragment):
    with pytest.raises(ImportGeweigerd) as exc:
        lees(data, naam)
    assert fragment in reden(exc)


def test_the_size_limit_is_checked_on_the_upload_before_reading_it():
    data = b"a;b\r\n" + b"1;2\r\n" * 100

    class Onleesbaar(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("the size says enough")

    for bestand in (data, io.BytesIO(data), Onleesbaar("t.csv", data)):
        with pytest.raises(ImportGeweigerd) as exc:
            lees(bestand, max_bytes=200)
        assert reden(exc) == "Het bestand is groter dan 200 bytes; splits het op."
    groot = SimpleUploadedFile("t.csv", b"x" * (5 * MB + 1))
    with pytest.raises(ImportGeweigerd, match="groter dan 5 MB"):
        lees_tabel(groot, max_bytes=5 * MB, max_rijen=5)


def test_the_row_limit_counts_the_rows_below_the_header():
    data = b"a\r\n1\r\n2\r\n3\r\n"
    assert len(lees(data, max_rijen=3, kopregels=1).rijen) == 4
    with pytest.raises(ImportGeweigerd) as exc:
        lees(data, max_rijen=2, kopregels=1)
    assert reden(exc) == "Het bestand heeft meer dan 2 regels."
    with pytest.raises(ImportGeweigerd, match="meer dan 2 regels"):
        lees(xlsx_bytes([["a"], [1], [2], [3]]), "t.xlsx", max_rijen=2, kopregels=1)


def test_an_uploaded_file_is_read_from_the_start_and_named_by_itself():
    upload = SimpleUploadedFile("Kosten.CSV", b"a;b\r\n1;2\r\n")
    upload.read()  # a form may have looked at it already
    assert [list(c) for _, c in lees_tabel(upload, max_bytes=MB, max_rijen=10).rijen] == [
        ["a", "b"],
        ["1", "2"],
    ]


# --- errors ----------------------------------------------------------------------------------


def test_an_error_names_its_row_and_column_and_never_a_bsn():
    assert str(Importfout(3, "bedrag", "Fout.")) == "Rij 3, kolom bedrag: Fout."
    assert str(Importfout(None, "instroom", "Ontbreekt.")) == "Kolom instroom: Ontbreekt."
    assert str(Importfout(4, "", "Te veel velden.")) == "Rij 4: Te veel velden."
    assert str(Importfout(None, "", "Leeg.")) == "Leeg."
    fouten = Foutenlijst(["bsn", "bedrag"])
    fouten.add(None, "", "Bestand 999990019.csv")
    fouten.add(3, "bedrag", "b")
    fouten.add(3, "bsn", "“123456789” is geen BSN")
    fouten.add(2, "bedrag", "a")
    with pytest.raises(ImportGeweigerd) as exc:
        fouten.weiger()
    assert [(f.rij, f.kolom, f.reden) for f in exc.value.fouten] == [
        (2, "bedrag", "a"),
        (3, "bsn", "“*********” is geen BSN"),
        (3, "bedrag", "b"),
        (None, "", "Bestand *********.csv"),
    ]
    assert exc.value.messages[1] == "Rij 3, kolom bsn: “*********” is geen BSN"
    Foutenlijst().weiger()  # nothing to refuse


def test_grouped_numbers_in_a_file_are_refused_at_their_row_and_column():
    data = b"omschrijving;bedrag\r\nA;1234,56\r\nB;1.234,56\r\nC;1.234\r\nD;0,125\r\n"
    fouten = Foutenlijst(["omschrijving", "bedrag"])
    for nummer, (_, bedrag) in lees(data, kolomnamen=["bedrag"]).rijen[1:]:
        try:
            parse_bedrag(bedrag)
        except Veldfout as exc:
            fouten.add(nummer, "bedrag", str(exc))
    with pytest.raises(ImportGeweigerd) as exc:
        fouten.weiger()
    assert [str(f) for f in exc.value.fouten] == [
        "Rij 3, kolom bedrag: “1.234,56”: gebruik geen scheidingsteken voor duizendtallen; "
        "schrijf het getal met alleen een decimale komma of punt, bijvoorbeeld 1234,56.",
        "Rij 4, kolom bedrag: “1.234” is dubbelzinnig: de punt kan duizendtallen of decimalen "
        "scheiden. Schrijf duizendtallen zonder scheidingsteken, bijvoorbeeld 1234 of 1234,5. "
        "Een bedrag heeft hoogstens 2 decimalen.",
        "Rij 5, kolom bedrag: Een bedrag heeft hoogstens 2 decimalen.",
    ]


# --- value parsers ---------------------------------------------------------------------------

GETALLEN = {
    "1234,56": Decimal("1234.56"),
    "1234.56": Decimal("1234.56"),
    "-12,5": Decimal("-12.5"),
    "+3": Decimal("3"),
    " 7 ": Decimal("7"),
    "0,125": Decimal("0.125"),  # a leading 0 is never a thousands group
    "1234.567": Decimal("1234.567"),  # four digits before the point: not a group either
    "€ 12,50": Decimal("12.50"),
    12: Decimal("12"),
    12.25: Decimal("12.25"),
    1.234: Decimal("1.234"),  # a number cell is a number, never ambiguous
    Decimal("3.10"): Decimal("3.10"),
}


@pytest.mark.parametrize("waarde", GETALLEN, ids=[repr(w) for w in GETALLEN])
def test_a_number_with_a_decimal_comma_or_point(waarde):
    assert parse_getal(waarde) == GETALLEN[waarde]


@pytest.mark.parametrize(
    ("waarde", "fragment"),
    [
        ("1.234,56", "duizendtallen"),
        ("1,234.56", "duizendtallen"),
        ("1 234", "duizendtallen"),
        ("12 345,67", "duizendtallen"),
        ("1.234.567", "duizendtallen"),
        ("1.234", "“1.234” is dubbelzinnig: de punt"),
        ("12,500", "“12,500” is dubbelzinnig: de komma"),
        ("-999.999", "dubbelzinnig"),
        ("twaalf", "Dit is geen getal."),
        ("1,", "Dit is geen getal."),
        ("", "Dit is geen getal."),
        (True, "Dit is geen getal."),
        (float("nan"), "Dit is geen getal."),
        (D(2026, 1, 1), "Dit is geen getal."),
    ],
)
def test_a_thousands_separator_is_refused_never_guessed(waarde, fragment):
    with pytest.raises(Veldfout) as exc:
        parse_getal(waarde)
    assert fragment in str(exc.value)


def test_decimals_are_limited_where_asked_and_cell_noise_is_rounded():
    assert parse_getal(12.349999999, decimalen=2) == Decimal("12.35")
    assert parse_getal("12,3", decimalen=2) == Decimal("12.3")
    for waarde in ("0,125", 12.345):
        with pytest.raises(Veldfout, match="Een getal heeft hoogstens 2 decimalen."):
            parse_getal(waarde, decimalen=2)
    with pytest.raises(Veldfout, match="Een getal heeft hoogstens 1 decimaal."):
        parse_getal("7,85", decimalen=1)
    with pytest.raises(Veldfout, match="dubbelzinnig.*hoogstens 2 decimalen"):
        parse_getal("100,001", decimalen=2)
    assert parse_bedrag(0.1 + 0.2) == Decimal("0.30")
    assert parse_bedrag("-99") == Decimal("-99.00")
    with pytest.raises(Veldfout, match=r"te groot \(hoogstens 9\.999\.999\.999,99\)"):
        parse_bedrag("10000000000")


def test_dates_and_codes():
    assert parse_datum("1-2-2026") == parse_datum("2026-02-01") == D(2026, 2, 1)
    assert parse_datum(datetime.datetime(2026, 2, 1, 13, 5)) == D(2026, 2, 1)
    with pytest.raises(Veldfout, match="dd-mm-jjjj"):
        parse_datum("2026/02/01")
    assert parse_gemeentecode(307) == parse_gemeentecode("GM0307") == "0307"
    with pytest.raises(Veldfout, match="geen CBS-gemeentecode"):
        parse_gemeentecode("12345")


def test_dutch_notation_the_other_way_round():
    assert nl_getal(Decimal("1234567.8")) == "1.234.567,80"
    assert nl_getal(Decimal("-12.345"), 1) == "-12,3"
    assert euro(Decimal("5541.84")) == "€ 5.541,84"


# The module uses no database; hypothesis needs no function-scoped fixture here.


@hsettings(max_examples=400)
@given(st.one_of(st.text(), st.from_regex(r"-?[0-9]{1,12}([.,][0-9]{0,4})?", fullmatch=True)))
def test_parse_bedrag_never_raises_anything_but_veldfout(tekst):
    try:
        bedrag = parse_bedrag(tekst)
    except Veldfout as exc:
        assert str(exc)
    else:
        assert bedrag == bedrag.quantize(Decimal("0.01")) and abs(bedrag) < 10**10


@hsettings(max_examples=400)
@given(st.one_of(st.text(), st.from_regex(r"[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,4}", fullmatch=True)))
def test_parse_datum_never_raises_anything_but_veldfout(tekst):
    try:
        datum = parse_datum(tekst)
    except Veldfout as exc:
        assert str(exc)
    else:
        assert 1900 <= datum.year <= 2100


@given(
    st.decimals(min_value=-(10**10) + 1, max_value=10**10 - 1, places=2, allow_nan=False),
    st.sampled_from([",", "."]),
)
def test_parse_bedrag_reads_back_any_amount(bedrag, scheiding):
    assert parse_bedrag(f"{bedrag:f}".replace(".", scheiding)) == bedrag


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_parse_datum_reads_both_notations(datum):
    assert parse_datum(f"{datum:%d-%m-%Y}") == datum == parse_datum(datum.isoformat())
    assert parse_datum(f"{datum.day}-{datum.month}-{datum.year:04d}") == datum


@given(st.one_of(st.floats(), st.integers(), st.decimals(), st.booleans(), st.none()))
def test_parse_bedrag_of_a_cell_never_raises_anything_but_veldfout(waarde):
    try:
        parse_bedrag(waarde)
    except Veldfout:
        pass


@given(
    st.one_of(
        st.text(max_size=20),
        st.from_regex(r"[-+]?[0-9]{1,4}([.,' ][0-9]{1,4}){0,3}", fullmatch=True),
    )
)
def test_parse_getal_reads_a_number_or_refuses_it_with_veldfout(tekst):
    try:
        getal = parse_getal(tekst)
    except Veldfout as exc:
        assert str(exc)
    else:
        assert getal.is_finite()
