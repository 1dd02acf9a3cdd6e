"""The shared CSV/XLSX export of every list (regio.exports): XLSX cells are typed (a Decimal is
a number with its own decimals, a date a date cell in Dutch notation), CSV is Dutch Excel's dialect;
formula-like text is neutralised in both."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl

from regio.exports import to_csv, to_xlsx

KOPPEN = ["Omschrijving", "Bedrag", "Aantal", "Datum", "Moment"]
SOM = Decimal("0.10") + Decimal("0.20")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def rijen():
    return [
        ["Som", SOM, 3, datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1, 9, 30)],
        ["Groot", Decimal("1234567.89"), Decimal("7.5"), None, None],
        # Aware (as the models hold it): written in Dutch local time, without a time zone.
        ["Utc", Decimal("-12"), 0, None, datetime.datetime(2026, 7, 1, 8, 0, tzinfo=datetime.UTC)],
    ]


def blad(inhoud: bytes):
    return openpyxl.load_workbook(io.BytesIO(inhoud)).active


def test_xlsx_writes_decimals_as_exact_numbers_and_dates_as_date_cells(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    inhoud = to_xlsx(KOPPEN, rijen(), title="Toets")
    sheet = blad(inhoud)
    assert [c.value for c in sheet[1]] == KOPPEN

    som, aantal, datum, moment = sheet["B2"], sheet["C2"], sheet["D2"], sheet["E2"]
    # 0.10 + 0.20 is 0.30 as a number cell, not 0.30000000000000004 and not a text.
    assert som.data_type == "n" and Decimal(repr(som.value)) == Decimal("0.30")
    assert som.number_format == "#,##0.00"  # money keeps its two decimals
    assert aantal.value == 3 and aantal.number_format == "General"
    assert datum.is_date and datum.value == datetime.datetime(2026, 3, 1)
    assert datum.number_format == "DD-MM-YYYY"
    assert moment.is_date and moment.value == datetime.datetime(2026, 3, 1, 9, 30)
    assert moment.number_format == "DD-MM-YYYY HH:MM"

    assert sheet["B3"].value == 1234567.89 and sheet["B3"].number_format == "#,##0.00"
    assert sheet["C3"].value == 7.5 and sheet["C3"].number_format == "#,##0.0"
    assert sheet["B4"].value == -12 and sheet["B4"].number_format == "#,##0"
    assert sheet["E4"].value == datetime.datetime(2026, 7, 1, 10, 0)  # CEST

    xml = zipfile.ZipFile(io.BytesIO(inhoud)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>0.3</v>" in xml and "0.30000000000000004" not in xml


def test_csv_is_the_dutch_excel_dialect(settings):
    """';' between cells, a decimal comma, dates dd-mm-jjjj (a moment in Dutch time), UTF-8 with
    a BOM, CRLF: Excel with Dutch settings opens it as numbers and dates."""
    settings.TIME_ZONE = "Europe/Amsterdam"
    inhoud = to_csv(KOPPEN, rijen())
    assert inhoud.startswith(b"\xef\xbb\xbf")
    tekst = inhoud.decode("utf-8-sig")
    assert tekst.split("\r\n") == [
        "Omschrijving;Bedrag;Aantal;Datum;Moment",
        "Som;0,30;3;01-03-2026;01-03-2026 09:30",
        "Groot;1234567,89;7,5;;",
        "Utc;-12;0;;01-07-2026 10:00",  # a negative number is a number, never neutralised
        "",
    ]
    assert to_csv(["a"], [[True], [False], [1.25]]).decode("utf-8-sig").split("\r\n")[1:4] == [
        "ja",
        "nee",
        "1,25",
    ]


FORMULES = ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\t=1", '=HYPERLINK("http://x")']


def test_formula_like_text_is_neutralised_in_csv_and_xlsx():
    rijen_ = [[f, Decimal("-5.00"), -3] for f in FORMULES]
    tekst = to_csv(["Tekst", "Bedrag", "Aantal"], rijen_).decode("utf-8-sig")
    gelezen = list(csv.reader(io.StringIO(tekst, newline=""), delimiter=";"))
    assert gelezen[1:] == [["'" + f, "-5,00", "-3"] for f in FORMULES]

    sheet = blad(to_xlsx(["Tekst", "Bedrag", "Aantal"], rijen_))
    for rij, formule in enumerate(FORMULES, start=2):
        cel = sheet.cell(row=rij, column=1)
        assert cel.value == formule and cel.data_type == "s" and cel.quotePrefix
        assert (
            sheet.cell(row=rij, column=2).value == -5 and sheet.cell(row=rij, column=3).value == -3
        )
        assert sheet.cell(row=rij, column=2).data_type == "n"
    xml = zipfile.ZipFile(io.BytesIO(to_xlsx(["T"], [[f] for f in FORMULES]))).read(
        "xl/worksheets/sheet1.xml"
    )
    assert b"<f>" not in xml  # no formula cell at all
