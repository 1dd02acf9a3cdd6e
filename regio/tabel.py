"""One reader for every uploaded table: the finance imports (financien.imports) and the quarterly
report of an aanbieder (inkoop.rapportages.importeren) read their CSV or XLSX file here, report
their errors in one shape and parse numbers, amounts, dates and codes by the same rules. What
the columns mean stays with each import.

The file
--------
- ``.csv`` in UTF-8 (with or without BOM) or Windows-1252; UTF-16 and binary content are refused.
  The separator is ``;`` or ``,``: the one that makes the first line that is not empty and not a
  ``#`` comment into known column names (``kolomnamen``), else the one that line contains (``;``
  first, as Dutch Excel writes it). A tab or ``|`` without either is refused.
- ``.xlsx``: the sheet named ``blad`` when there is one, else the first sheet; cells keep their
  type (number, date, text). ``.xls`` (and anything that is not CSV or XLSX) is refused, as is a
  file whose content does not match its extension.
- At most ``max_bytes`` bytes (checked on the upload's size before reading it) and
  ``max_rijen`` rows below the first ``kopregels`` rows.
- Rows carry their number as Excel shows it (the first row is 1); completely empty rows are left
  out. CSV cells are text as written, XLSX cells their value (None for an empty cell).

Values (each parser raises only ``Veldfout``, one Dutch sentence)
-----------------------------------------------------------------
- Number: digits with a decimal comma or a decimal point, a minus sign in front (``-12,5``,
  ``1234.75``; a euro sign before it may stay), or a number cell. A thousands separator is
  refused, never guessed: ``1.234,56``, ``1,234.56`` and ``1 234`` are named as such, and
  ``1.234`` or ``12,500`` are refused as ambiguous (a thousands separator or three decimals?).
  ``0,125`` and ``1234.567`` are unambiguous.
- Amount: a number with at most two decimals (a number cell with binary noise such as
  12.349999999 is rounded to cents).
- Date: ``dd-mm-jjjj`` (``1-2-2026`` too), ``jjjj-mm-dd`` or a date cell; years 1900–2100.
- Code (CBS gemeentecode, AGB code): digits whose leading zeros Excel dropped are restored.

Errors
------
``Importfout(rij, kolom, reden)``: the row as Excel shows it (None for the file as a whole), the
column and the Dutch reason. ``Foutenlijst`` collects them and masks anything shaped like a BSN
(``regio.audit.scrub``); ``ImportGeweigerd`` refuses a file whole with all its errors.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import NamedTuple

from django.core.exceptions import ValidationError

from regio import audit

# --- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Importfout:
    """One reason for refusing a file: ``rij`` as Excel shows it (None for the file as a whole),
    ``kolom`` the column (empty for the whole row or file), ``reden`` in Dutch."""

    rij: int | None
    kolom: str
    reden: str

    def __str__(self):
        plaats = []
        if self.rij is not None:
            plaats.append(f"rij {self.rij}")
        if self.kolom:
            plaats.append(f"kolom {self.kolom}")
        if not plaats:
            return self.reden
        waar = ", ".join(plaats)
        return f"{waar[0].upper()}{waar[1:]}: {self.reden}"


class ImportGeweigerd(ValidationError):
    """The file is refused as a whole; ``fouten`` lists every error with its row and column."""

    def __init__(self, fouten: list[Importfout]):
        self.fouten = list(fouten)
        super().__init__([str(f) for f in self.fouten], code="import")

    @classmethod
    def bestand(cls, reden: str) -> ImportGeweigerd:
        """Refused for one reason about the file as a whole."""
        return cls([Importfout(None, "", audit.scrub(reden))])


class Veldfout(ValueError):
    """A value that is not valid for its column (one Dutch sentence, never a BSN)."""


class Foutenlijst:
    """The errors of one file, each masked for anything shaped like a BSN. ``volgorde`` (column
    names in the file's order) sorts the errors of a row by column; without it, by column name."""

    def __init__(self, volgorde=()):
        self._volgorde = {naam: i for i, naam in enumerate(volgorde)}
        self.lijst: list[Importfout] = []

    def add(self, rij: int | None, kolom: str, reden: str):
        self.lijst.append(Importfout(rij, kolom, audit.scrub(reden)))

    def __bool__(self):
        return bool(self.lijst)

    def __len__(self):
        return len(self.lijst)

    def gesorteerd(self) -> list[Importfout]:
        """In file order; errors about the whole file last."""
        if self._volgorde:
            anders = len(self._volgorde)
            kolom = lambda f: self._volgorde.get(f.kolom, anders)  # noqa: E731
        else:
            kolom = lambda f: f.kolom  # noqa: E731
        return sorted(self.lijst, key=lambda f: (f.rij is None, f.rij or 0, kolom(f)))

    def weiger(self):
        """Raise ImportGeweigerd with every error when there is any."""
        if self.lijst:
            raise ImportGeweigerd(self.gesorteerd())


# --- reading the file -----------------------------------------------------------------------


class Rij(NamedTuple):
    nummer: int  # as Excel shows it: the first row is 1
    cellen: list


@dataclass
class Tabel:
    soort: str  # "csv" or "xlsx"
    rijen: list[Rij]  # the rows that are not completely empty, in file order


def leeg(waarde) -> bool:
    return waarde is None or (isinstance(waarde, str) and not waarde.strip())


def als_tekst(waarde) -> str:
    """A cell as text: a number cell without a needless ``.0``, a date cell as jjjj-mm-dd."""
    if waarde is None:
        return ""
    if isinstance(waarde, str):
        return waarde.strip()
    if isinstance(waarde, float) and waarde.is_integer():
        return str(int(waarde))
    if isinstance(waarde, datetime.datetime):
        return waarde.date().isoformat()
    if isinstance(waarde, datetime.date):
        return waarde.isoformat()
    return str(waarde)


def kolomnaam(naam) -> str:
    """A header cell as a column name: ``Periode begin`` and ``periode-begin`` are
    ``periode_begin``."""
    return re.sub(r"[\s\-]+", "_", als_tekst(naam).lstrip("\ufeff").strip().lower())


def omvang(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{n} bytes"


_XLSX = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old Excel format (.xls) and other Office 97 files


def lees_tabel(
    bestand,
    bestandsnaam: str | None = None,
    *,
    max_bytes: int,
    max_rijen: int,
    kopregels: int = 0,
    kolomnamen=(),
    blad: str | None = None,
) -> Tabel:
    """The rows of an uploaded CSV or XLSX file (``bestand``: bytes or a binary file object such
    as an UploadedFile; ``bestandsnaam`` defaults to its ``name``). Raises ImportGeweigerd with
    one reason when the file cannot be read; see the module docstring for the rules."""
    if bestandsnaam is None:
        bestandsnaam = getattr(bestand, "name", "") or ""
    data = _lees_bytes(bestand, max_bytes)
    if not data.strip():
        raise ImportGeweigerd.bestand("Het bestand is leeg.")
    extensie = PurePath(bestandsnaam).suffix.lower()
    zip_bestand = data.startswith(_XLSX)
    if extensie == ".xls" or data.startswith(_OLE):
        raise ImportGeweigerd.bestand(
            "Het oude Excel-formaat (.xls) wordt niet ondersteund; sla het bestand op als .xlsx "
            "of als CSV."
        )
    limiet = max_rijen + kopregels
    if extensie == ".xlsx":
        if not zip_bestand:
            raise ImportGeweigerd.bestand("Het bestand heet .xlsx maar is geen Excel-bestand.")
        rijen = _lees_xlsx(data, blad, limiet, max_rijen)
    elif extensie == ".csv":
        if zip_bestand:
            raise ImportGeweigerd.bestand(
                "Het bestand heet .csv maar is een Excel-bestand; noem het .xlsx of sla het op "
                "als CSV."
            )
        rijen = _lees_csv(data, {kolomnaam(n) for n in kolomnamen}, limiet, max_rijen)
    else:
        raise ImportGeweigerd.bestand(
            f"Bestandstype “{extensie or 'zonder extensie'}” wordt niet ondersteund; lever een "
            "CSV- of XLSX-bestand."
        )
    if not rijen:
        raise ImportGeweigerd.bestand("Het bestand is leeg.")
    return Tabel(soort=extensie[1:], rijen=rijen)


def _lees_bytes(bestand, limiet: int) -> bytes:
    te_groot = f"Het bestand is groter dan {omvang(limiet)}; splits het op."
    grootte = getattr(bestand, "size", None)
    if isinstance(grootte, int) and grootte > limiet:
        raise ImportGeweigerd.bestand(te_groot)
    if isinstance(bestand, (bytes, bytearray, memoryview)):
        data = bytes(bestand)
    else:
        if hasattr(bestand, "seek"):
            try:
                bestand.seek(0)  # a form may have looked at it already
            except (OSError, ValueError):
                pass
        data = bestand.read(limiet + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > limiet:
        raise ImportGeweigerd.bestand(te_groot)
    return data


def _te_veel(max_rijen: int) -> ImportGeweigerd:
    return ImportGeweigerd.bestand(f"Het bestand heeft meer dan {max_rijen} regels.")


def _decodeer(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportGeweigerd.bestand(
            "Het bestand is in UTF-16 opgeslagen; sla het op als CSV in UTF-8 of Windows-1252."
        )
    if b"\x00" in data:
        raise ImportGeweigerd.bestand(
            "Het bestand bevat binaire gegevens en is geen CSV-tekstbestand."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise ImportGeweigerd.bestand(
                "Het bestand zegt UTF-8 te zijn maar bevat ongeldige tekens."
            ) from None
    for codering in ("utf-8", "cp1252"):
        try:
            return data.decode(codering)
        except UnicodeDecodeError:
            continue
    raise ImportGeweigerd.bestand(
        "De tekenset van het bestand is niet herkend; sla het op als UTF-8 of Windows-1252."
    )


def _scheidingsteken(regels: list[str], bekend: set[str]) -> str:
    """``;`` or ``,``: the one that makes the first line that is not empty and not a comment
    into known column names; else the one in that line (``;`` first: Dutch Excel writes it,
    and it leaves decimal commas alone)."""
    kop = next((r for r in regels if r.strip() and not r.lstrip(' "').startswith("#")), "")
    scores = {
        teken: sum(kolomnaam(n) in bekend for n in next(csv.reader([kop], delimiter=teken)))
        for teken in (";", ",")
    }
    if any(scores.values()):
        return max((";", ","), key=lambda t: scores[t])  # ties: ; (first)
    for teken in (";", ","):
        if teken in kop:
            return teken
    if "\t" in kop or "|" in kop:
        raise ImportGeweigerd.bestand(
            "Het scheidingsteken is niet herkend; gebruik een puntkomma (;) of een komma (,)."
        )
    return ";"


def _lees_csv(data: bytes, bekend: set[str], limiet: int, max_rijen: int) -> list[Rij]:
    tekst = _decodeer(data)
    scheiding = _scheidingsteken(tekst.splitlines(), bekend)
    reader = csv.reader(io.StringIO(tekst, newline=""), delimiter=scheiding)
    rijen = []
    nummer = 0
    try:
        for nummer, cellen in enumerate(reader, start=1):
            if nummer > limiet:
                raise _te_veel(max_rijen)
            if not all(leeg(c) for c in cellen):
                rijen.append(Rij(nummer, cellen))
    except csv.Error as exc:
        raise ImportGeweigerd.bestand(
            f"Het CSV-bestand is niet te lezen bij rij {nummer + 1}: {exc}."
        ) from None
    return rijen


def _lees_xlsx(data: bytes, blad: str | None, limiet: int, max_rijen: int) -> list[Rij]:
    import openpyxl  # heavy; only when an XLSX arrives

    onleesbaar = (
        "Het bestand is niet te lezen: geen leesbaar Excel-bestand (.xlsx). Is het beschadigd of "
        "met een wachtwoord beveiligd?"
    )
    # openpyxl raises anything from BadZipFile to KeyError on a damaged or foreign file (and
    # defusedxml refuses entity tricks): any of them means the same to the user.
    try:
        boek = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportGeweigerd.bestand(onleesbaar) from None
    try:
        if not boek.worksheets:
            raise ImportGeweigerd.bestand("Het Excel-bestand heeft geen werkblad.")
        sheet = boek[blad] if blad in boek.sheetnames else boek.worksheets[0]
        rijen = []
        for nummer, cellen in enumerate(sheet.iter_rows(values_only=True), start=1):
            if nummer > limiet:
                raise _te_veel(max_rijen)
            if not all(leeg(c) for c in cellen):
                rijen.append(Rij(nummer, list(cellen)))
        return rijen
    except ImportGeweigerd:
        raise
    except Exception:
        raise ImportGeweigerd.bestand(onleesbaar) from None
    finally:
        boek.close()


# --- values ---------------------------------------------------------------------------------

_GETAL = re.compile(r"([-+]?)([0-9]+)(?:([.,])([0-9]+))?")
# Digits in groups of three behind a separator (a point, comma, space or apostrophe), maybe
# followed by decimals: 1.234,56 - 1,234.56 - 1 234 - 1.234.567.
_GROEPERING = re.compile(r"[-+]?[0-9]{1,3}(?:[.,\s'’][0-9]{3})+(?:[.,][0-9]+)?")
_DATUM_NL = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")
_DATUM_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_CIJFERS = re.compile(r"[0-9]+")
CENT = Decimal("0.01")
MAX_BEDRAG = Decimal("10000000000")  # 12 digits of which 2 decimals, as the money fields hold
_RUIS = Decimal("0.000001")  # binary noise of a number cell Excel computed (12.349999999)


def _decimalen(naam: str, decimalen: int) -> str:
    if decimalen == 0:
        return f"Een {naam} heeft hier geen decimalen."
    return (
        f"Een {naam} heeft hoogstens {decimalen} {'decimaal' if decimalen == 1 else 'decimalen'}."
    )


def parse_getal(waarde, *, decimalen: int | None = None, naam: str = "getal") -> Decimal:
    """A number from a text or number cell; see the module docstring for the rule. With
    ``decimalen`` more decimals are refused (a number cell's binary noise is rounded away).
    ``naam`` names the kind of number in the messages (``getal``, ``bedrag``)."""
    geen = f"Dit is geen {naam}. Gebruik bijvoorbeeld 1234,56 of 12.5."
    if isinstance(waarde, bool):
        raise Veldfout(geen)
    if isinstance(waarde, int):
        return Decimal(waarde)
    if isinstance(waarde, (float, Decimal)):
        try:
            getal = Decimal(repr(waarde)) if isinstance(waarde, float) else waarde
            if not getal.is_finite():
                raise Veldfout(geen)
            if decimalen is not None:
                afgerond = getal.quantize(Decimal(1).scaleb(-decimalen))
                if abs(afgerond - getal) > _RUIS:
                    raise Veldfout(_decimalen(naam, decimalen))
                getal = afgerond
        except InvalidOperation:
            raise Veldfout(geen) from None
        return getal
    if not isinstance(waarde, str):
        raise Veldfout(geen)
    tekst = waarde.strip()
    getoond = tekst[:40]
    if tekst.startswith("€"):
        tekst = tekst[1:].strip()
    if m := _GETAL.fullmatch(tekst):
        teken, geheel, scheiding, breuk = m.groups()
        if scheiding and len(breuk) == 3 and len(geheel) <= 3 and not geheel.startswith("0"):
            teken_naam = "punt" if scheiding == "." else "komma"
            reden = (
                f"“{getoond}” is dubbelzinnig: de {teken_naam} kan duizendtallen of decimalen "
                "scheiden. Schrijf duizendtallen zonder scheidingsteken, bijvoorbeeld 1234 of "
                "1234,5."
            )
            if decimalen is not None and decimalen < 3:
                reden += f" {_decimalen(naam, decimalen)}"
            raise Veldfout(reden)
        if decimalen is not None and breuk and len(breuk) > decimalen:
            raise Veldfout(_decimalen(naam, decimalen))
        return Decimal(f"{teken}{geheel}.{breuk}" if breuk else f"{teken}{geheel}")
    if _GROEPERING.fullmatch(tekst):
        raise Veldfout(
            f"“{getoond}”: gebruik geen scheidingsteken voor duizendtallen; schrijf het "
            "getal met alleen een decimale komma of punt, bijvoorbeeld 1234,56."
        )
    raise Veldfout(geen)


def parse_bedrag(waarde, *, maximum: Decimal = MAX_BEDRAG) -> Decimal:
    """An amount in euros with at most two decimals, below ``maximum``: ``-1234,5``,
    ``1234.56`` or a number cell."""
    bedrag = parse_getal(waarde, decimalen=2, naam="bedrag")
    if abs(bedrag) >= maximum:
        raise Veldfout(f"Het bedrag is te groot (hoogstens {nl_getal(maximum - CENT)}).")
    return bedrag.quantize(CENT)


def parse_datum(waarde) -> datetime.date:
    """A date as dd-mm-jjjj or jjjj-mm-dd, or a date cell."""
    if isinstance(waarde, datetime.datetime):
        datum = waarde.date()
    elif isinstance(waarde, datetime.date):
        datum = waarde
    elif isinstance(waarde, str):
        tekst = waarde.strip()
        if m := _DATUM_NL.fullmatch(tekst):
            dag, maand, jaar = (int(x) for x in m.groups())
        elif m := _DATUM_ISO.fullmatch(tekst):
            jaar, maand, dag = (int(x) for x in m.groups())
        else:
            raise Veldfout(f"“{tekst[:40]}” is geen datum; gebruik dd-mm-jjjj of jjjj-mm-dd.")
        try:
            datum = datetime.date(jaar, maand, dag)
        except ValueError:
            raise Veldfout(f"{tekst} bestaat niet als datum.") from None
    else:
        raise Veldfout("Dit is geen datum; gebruik dd-mm-jjjj of jjjj-mm-dd.")
    if not 1900 <= datum.year <= 2100:
        raise Veldfout(f"Het jaar {datum.year} ligt buiten 1900–2100.")
    return datum


def parse_code(waarde, lengte: int, omschrijving: str, prefix: str = "") -> str:
    """A code of ``lengte`` digits (maybe behind ``prefix``); the leading zeros Excel drops
    from a number are restored."""
    tekst = als_tekst(waarde)
    kaal = tekst[len(prefix) :] if prefix and tekst.upper().startswith(prefix) else tekst
    if not (_CIJFERS.fullmatch(kaal) and len(kaal) <= lengte):
        raise Veldfout(f"“{tekst[:40]}” is geen {omschrijving} ({lengte} cijfers).")
    return kaal.zfill(lengte)


def parse_gemeentecode(waarde) -> str:
    """A CBS gemeentecode: ``307``, ``0307`` and ``GM0307`` are ``0307``."""
    return parse_code(waarde, 4, "CBS-gemeentecode", prefix="GM")


# --- Dutch notation (the other way round) ---------------------------------------------------


def nl_getal(getal: Decimal, decimalen: int = 2) -> str:
    """1234567.8 as ``1.234.567,80``: how a number reads in a Dutch message or summary."""
    tekst = f"{getal:,.{decimalen}f}"
    return tekst.replace(",", "_").replace(".", ",").replace("_", ".")


def euro(bedrag: Decimal) -> str:
    """``€ 1.234,56``."""
    return f"€ {nl_getal(bedrag)}"
