"""Every download a person makes is written here, in one dialect: CSV and XLSX for all of them.

A table is a header row plus data rows of plain values (str, int, Decimal, float, date,
date-time, bool). CSV is the dialect Excel opens with Dutch settings: ``;`` between cells, a
decimal comma, dates as dd-mm-jjjj (a moment as dd-mm-jjjj uu:mm in Dutch time), UTF-8 with a
BOM and CRLF line ends. XLSX is written with openpyxl, with typed cells: a Decimal stays a number
with its own decimals (money keeps its two), a date or date-time is a date cell shown as
dd-mm-jjjj (never a float or a text that Excel guesses at).

A text that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would be read as
a formula (CSV injection, OWASP): in CSV it gets a leading apostrophe, in XLSX it stays a text
cell with Excel's quote prefix. Numbers are never touched: a negative amount is a number, not a
text. Command-line outputs (``manage.py verevening``, ``manage.py wachtlijstrapport``) keep their
documented machine formats and do not come here.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from regio import audit

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


FORMULE_BEGIN = ("=", "+", "-", "@", "\t", "\r")


def formuleachtig(waarde) -> bool:
    """True for a text Excel or LibreOffice would read as a formula."""
    return isinstance(waarde, str) and waarde.startswith(FORMULE_BEGIN)


def _getal_csv(waarde) -> str:
    if isinstance(waarde, Decimal):
        return format(waarde, "f").replace(".", ",") if waarde.is_finite() else str(waarde)
    return repr(waarde).replace(".", ",")


def csv_cel(waarde) -> str:
    """One value as the Dutch CSV dialect writes it."""
    if waarde is None:
        return ""
    if isinstance(waarde, bool):
        return "ja" if waarde else "nee"
    if isinstance(waarde, int):
        return str(waarde)
    if isinstance(waarde, Decimal | float):
        return _getal_csv(waarde)
    if isinstance(waarde, datetime.datetime):
        if timezone.is_aware(waarde):
            waarde = timezone.localtime(waarde)
        return waarde.strftime("%d-%m-%Y %H:%M")
    if isinstance(waarde, datetime.date):
        return waarde.strftime("%d-%m-%Y")
    tekst = str(waarde)
    return "'" + tekst if formuleachtig(tekst) else tekst


def to_csv(headers: Sequence[str] | None, rows: Iterable[Sequence]) -> bytes:
    """The table as Dutch CSV (UTF-8 with BOM, ``;``, decimal comma, CRLF); no header row when
    ``headers`` is None."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if headers is not None:
        writer.writerow([csv_cel(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cel(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


DATUM = "DD-MM-YYYY"
DATUM_TIJD = "DD-MM-YYYY HH:MM"


def _xlsx_waarde(waarde):
    if isinstance(waarde, Decimal) and not waarde.is_finite():
        return str(waarde)
    if isinstance(waarde, datetime.datetime) and timezone.is_aware(waarde):
        return timezone.localtime(waarde).replace(tzinfo=None)  # Excel has no time zones
    if waarde is not None and not isinstance(
        waarde, str | int | float | Decimal | datetime.date | datetime.time
    ):
        return str(waarde)  # a lazy translation, a model: as the text it shows
    return waarde


def _getalnotatie(waarde: Decimal) -> str:
    """The number format that shows a Decimal with its own decimals: 0.30 as 0,30."""
    decimalen = min(max(-waarde.as_tuple().exponent, 0), 10)
    return "#,##0" + ("." + "0" * decimalen if decimalen else "")


def xlsx_rij(sheet, waarden: Sequence) -> tuple:
    """Append one row to an openpyxl sheet as typed cells (a Decimal as a number with its
    decimals, a date as a date cell in Dutch notation) and return its cells."""
    waarden = [_xlsx_waarde(v) for v in waarden]
    sheet.append(waarden)
    if not waarden:
        return ()
    rij = sheet.max_row
    cellen = tuple(sheet.cell(row=rij, column=i) for i in range(1, len(waarden) + 1))
    for cel in cellen:
        if cel.data_type == "f" or formuleachtig(cel.value):
            cel.data_type = "s"  # a text, never a formula
            cel.quotePrefix = True  # and Excel keeps it a text when it is edited
        elif isinstance(cel.value, datetime.datetime):
            cel.number_format = DATUM_TIJD
        elif isinstance(cel.value, datetime.date):
            cel.number_format = DATUM
        elif isinstance(cel.value, Decimal):
            cel.number_format = _getalnotatie(cel.value)
    return cellen


def to_xlsx(
    headers: Sequence[str] | None, rows: Iterable[Sequence], title: str = "Export"
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for cell in xlsx_rij(sheet, headers) if headers is not None else ():
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_rij(sheet, row)
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    fmt: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    request=None,
    objects=(),
    datum_in_naam: bool = True,
) -> HttpResponse:
    """An attachment in ``fmt`` ('csv' or 'xlsx'); the download is audited, naming ``objects``
    (and so their clients) when the export lists model rows."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    rows = list(rows)
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, title=filename)
    audit.record(
        "export",
        objects=objects,
        request=request,
        toelichting={"bestand": f"{filename}.{fmt}", "rijen": len(rows)},
    )
    response = HttpResponse(body, content_type=FORMATS[fmt])
    naam = f"{filename}-{datetime.date.today().isoformat()}" if datum_in_naam else filename
    response["Content-Disposition"] = f'attachment; filename="{naam}.{fmt}"'
    return response


class ExportableListMixin:
    """For list views: ``?export=csv`` or ``?export=xlsx`` downloads the whole filtered list.

    ``export_columns`` is a list of (header, function(row) → value); ``export_filename`` names
    the file.
    """

    export_columns: list = []
    export_filename = "export"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            shown = list(self.get_queryset())
            rows = ([column(row) for _, column in self.export_columns] for row in shown)
            headers = [header for header, _ in self.export_columns]
            return export_response(
                fmt, self.export_filename, headers, rows, request=request, objects=shown
            )
        return super().get(request, *args, **kwargs)
