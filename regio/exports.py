"""Every table can be downloaded as CSV or XLSX: one helper for all of them.

A table is a header row plus data rows of plain values (str, int, Decimal, date). CSV uses ';'
and a UTF-8 BOM so Excel opens it with Dutch settings; XLSX is written with openpyxl, with
typed cells: a Decimal stays a number with its own decimals (money keeps its two), a date or
date-time is a date cell shown as dd-mm-jjjj (never a float or a text that Excel guesses at).
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


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


DATUM = "DD-MM-YYYY"
DATUM_TIJD = "DD-MM-YYYY HH:MM"


def _xlsx_waarde(waarde):
    if isinstance(waarde, Decimal) and not waarde.is_finite():
        return str(waarde)
    if isinstance(waarde, datetime.datetime) and timezone.is_aware(waarde):
        return timezone.localtime(waarde).replace(tzinfo=None)  # Excel has no time zones
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
        if isinstance(cel.value, datetime.datetime):
            cel.number_format = DATUM_TIJD
        elif isinstance(cel.value, datetime.date):
            cel.number_format = DATUM
        elif isinstance(cel.value, Decimal):
            cel.number_format = _getalnotatie(cel.value)
    return cellen


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence], title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for cell in xlsx_rij(sheet, headers):
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
    stamp = datetime.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
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
