"""Every parser of uploaded or received content refuses bad input with its own Dutch error and
never raises anything else (which would be a 500): the iWmo message reader, the table reader of
every upload (regio.tabel: CSV/XLSX) and the document type check. XML entity expansion is
refused, also inside an .xlsx. (The value parsers have their own property tests in
test_regio_tabel.py.)"""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from regio.tabel import ImportGeweigerd, lees_tabel
from tests.factories import UserFactory
from toegang.meldingen.services import controleer_upload
from toegang.toewijzingen.iwmo_xml.importeren import lees_bericht
from toegang.toewijzingen.iwmo_xml.schema import OngeldigBericht

DATA = Path(__file__).parent / "data"
VOORBEELD = (DATA / "iwmo_wmo305_voorbeeld.xml").read_bytes()
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

BOM = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lololololololololol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>'
)


@st.composite
def mutated(draw, original: bytes):
    """The valid example message with a slice replaced, removed or duplicated."""
    begin = draw(st.integers(0, len(original) - 1))
    end = draw(st.integers(begin, min(len(original), begin + 200)))
    change = draw(st.one_of(st.binary(max_size=40), st.just(b""), st.just(original[begin:end] * 2)))
    return original[:begin] + change + original[end:]


@pytest.mark.django_db
@FUZZ
@given(inhoud=st.one_of(st.binary(max_size=2000), mutated(VOORBEELD)))
def test_iwmo_reader_refuses_any_bad_message_with_its_own_error(refdata, inhoud):
    user = UserFactory.build(username="fuzz")
    try:
        lees_bericht(inhoud, user=user)
    except OngeldigBericht as exc:
        assert exc.fouten, "a refusal names at least one error"


@pytest.mark.django_db
def test_iwmo_reader_refuses_entity_expansion():
    inhoud = BOM + b"<root>&lol5;</root>"
    with pytest.raises(OngeldigBericht, match="DOCTYPE"):
        lees_bericht(inhoud, user=UserFactory.build(username="bom"))
    # The same in UTF-16, where the byte pattern is hidden from a plain search.
    utf16 = inhoud.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    with pytest.raises(OngeldigBericht):
        lees_bericht(utf16.encode("utf-16"), user=UserFactory.build(username="bom"))


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rapportage"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def lees(bestand):
    return lees_tabel(bestand, max_bytes=5 * 1024 * 1024, max_rijen=10_000)


def with_sheet_xml(xlsx: bytes, sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(item, data)
    return out.getvalue()


@FUZZ
@given(
    inhoud=st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=500).map(lambda t: t.encode("utf-8")),
        st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
    ),
    naam=st.sampled_from(["rapportage.csv", "rapportage.xlsx", "x"]),
)
def test_table_reader_refuses_or_reads_anything(inhoud, naam):
    try:
        tabel = lees(SimpleUploadedFile(naam, inhoud))
    except ImportGeweigerd as exc:
        assert exc.fouten
    else:
        nummers = [nummer for nummer, _ in tabel.rijen]
        assert nummers == sorted(set(nummers)) and nummers[0] >= 1
        assert all(cellen for _, cellen in tabel.rijen)


# Built once: openpyxl stamps the save time into the workbook, so a workbook built per example
# can differ in length between one example and its replay, and hypothesis then refuses the test
# as flaky.
RAPPORTAGE_XLSX = xlsx_bytes([["Product", "Aantal"], ["BW", 3], ["BT", 4]])


@FUZZ
@given(inhoud=mutated(RAPPORTAGE_XLSX))
def test_table_reader_survives_damaged_xlsx(inhoud):
    try:
        lees(SimpleUploadedFile("rapportage.xlsx", inhoud))
    except ImportGeweigerd as exc:
        assert exc.fouten


def test_table_reader_refuses_entity_expansion_inside_xlsx():
    sheet = BOM + (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol5;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    inhoud = with_sheet_xml(xlsx_bytes([["a"]]), sheet)
    with pytest.raises(ImportGeweigerd) as refused:
        lees(SimpleUploadedFile("rapportage.xlsx", inhoud))
    assert "Excel" in str(refused.value.fouten[0].reden)


@FUZZ
@given(
    inhoud=st.one_of(
        st.binary(min_size=1, max_size=2000),
        st.binary(max_size=200).map(lambda b: b"%PDF-" + b),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
    ),
    naam=st.sampled_from(["brief.pdf", "foto.png", "plan.docx", "geen-extensie", "x.exe"]),
)
def test_document_check_refuses_with_a_dutch_error_or_accepts(inhoud, naam):
    bestand = SimpleUploadedFile(naam, inhoud)
    try:
        soort = controleer_upload(bestand)
    except ValidationError as exc:
        assert exc.messages and all(m for m in exc.messages)
    else:
        assert soort in {"pdf", "png", "jpeg", "doc", "docx"}
