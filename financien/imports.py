"""Imports of the finance workplace (issue 7): kostenregels (pgb payments and handmatige
regels) and the conversie of the existing BW caseload at the cut-over. Both read a CSV or XLSX
file, validate every row before anything is written and are refused whole, with every error
(row, column, Dutch reason), when one row is wrong. The caller authorises (the view through its
capability, the management command as a system action); these functions only take the regio.

Files (both imports)
--------------------
- CSV (``.csv``) in UTF-8 (with or without BOM) or Windows-1252, separated by ``;`` or ``,``
  (chosen from the header row), or XLSX (``.xlsx``, first sheet). Old ``.xls`` is refused.
- Row 1 holds the column names (case and spaces do not matter: ``Periode begin`` is
  ``periode_begin``). A column not listed below is refused, a required one missing too.
- Row numbers in errors are the row numbers as Excel shows them (the header is row 1).
  Completely empty rows are skipped.
- Dates: ``dd-mm-jjjj`` (``1-2-2026`` too) or ``jjjj-mm-dd``; in XLSX also a date cell.
- Amounts: a comma or a dot as decimal separator, at most 2 decimals, no thousands separator,
  a minus sign for a credit (``-12,50``); in XLSX also a number cell.
- Codes: CBS gemeentecode (4 digits; ``307`` and ``GM0307`` are read as ``0307``, since Excel
  drops leading zeros), AGB code of the aanbieder (8 digits, leading zeros restored the same
  way), BSN (9 digits passing the elfproef; dots, spaces and hyphens are ignored; a number cell
  in XLSX gets its leading zeros back, a text of 8 digits does not: that would be guessing).
- At most ``settings.FINANCIEN_IMPORT_MAX_BYTES`` (default 20 MB) and
  ``settings.FINANCIEN_IMPORT_MAX_REGELS`` (default 200,000) data rows.

Kostenregels (``importeer_kostenregels``)
-----------------------------------------
``referentie``, ``bsn``, ``gemeente_herkomst``, ``bron``, ``periode_begin``, ``periode_einde``,
``bedrag`` (all required) and optionally ``functie`` and ``aanbieder_agb`` (the columns may be
absent; a value may be empty).

- ``bron``: ``pgb`` or ``handmatig``. ``declaratie`` and ``taakgericht`` lines come from the
  declaraties and the taakgerichte toerekening, never from a file.
- ``referentie``: at most 100 characters, unique within the file and not yet stored for the
  regio and that bron (so the same file imported twice is refused, nothing is doubled).
- ``bsn``: the person must be known in regiozorg (registered by the toegang, or by the
  conversie); a kostenregel never creates a person.
- ``gemeente_herkomst``: a beschermd-wonen member of the regio on at least one day of the period.
- ``periode_begin`` .. ``periode_einde``: within one calendar year (the kostenregel's ``jaar``).
- ``functie``: ``Product.code`` of the regio's catalogue (e.g. ``beschermd-wonen``), of the
  beschermd-wonen domein and valid on at least one day of the period; not the iWmo
  productcategorie/productcode, because taakgerichte functies have no productcode and a
  categorie does not identify one functie.
- ``aanbieder_agb``: a known aanbieder.
- First BW start: a person without an ``EersteBWStart`` gets one (bron regiozorg) on the begin of
  their earliest period in the file, with that line's regio, gemeente and aanbieder; an existing
  regiozorg row with a later date is lowered to it; a conversie row is never changed by costs
  (the conversie is the record of the history before regiozorg).

Conversie (``importeer_conversie``)
-----------------------------------
``bsn``, ``geslachtsnaam``, ``eerste_start_bw``, ``gemeente_herkomst`` (required),
``aanbieder_agb`` (the column is required, the value may be empty: pgb or unknown) and
optionally ``voornamen``, ``voorvoegsel``, ``geboortedatum``.

- One row per person (a BSN twice is refused).
- ``eerste_start_bw`` on or before the regio's cut-over (``Jaarparameters.peildatum_nieuw``; see
  ``peildatum_conversie`` for which year's parameters) and not before the ``geboortedatum``.
- ``gemeente_herkomst``: a beschermd-wonen member of the regio on the cut-over date.
- A person unknown to regiozorg is created (Client + Persoon; the names and birth date are
  checked as Persoon requires: ``geslachtsnaam`` is required); for a known person the names in
  the file are ignored (as in the toegang's registration).
- ``EersteBWStart`` is the earliest date known: none yet → created (bron conversie); an existing
  row with a later date (regiozorg or an earlier conversie) is lowered and becomes bron
  conversie; an existing row with the same or an earlier date is kept as it is. Importing the
  same conversie again therefore changes nothing.

Never a BSN in an error, the audit log or command output: errors name the row and the column,
and any 9-digit number in an echoed value or file name is masked.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from financien.models import EersteBWStart, Jaarparameters, Kostenbron, Kostenregel
from inkoop.models import Aanbieder, Product
from regio import audit
from regio.models import Domein, Gemeente, Lidmaatschap
from regio.validators import validate_bsn
from toegang.dossiers.services import normaliseer_bsn
from toegang.models import Client, Persoon, bsn_hash

MAX_FOUTEN = 200
IMPORT_BRONNEN = (Kostenbron.PGB, Kostenbron.HANDMATIG)
_CHUNK = 5000


def max_bytes() -> int:
    return int(getattr(settings, "FINANCIEN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_regels() -> int:
    return int(getattr(settings, "FINANCIEN_IMPORT_MAX_REGELS", 200_000))


# --- columns ---------------------------------------------------------------------------------

VERPLICHT = "verplicht"  # column in the header and a value in every row
KOLOM = "kolom"  # column in the header, the value may be empty
OPTIONEEL = "optioneel"  # the column may be absent, the value may be empty


@dataclass(frozen=True)
class Kolom:
    naam: str
    soort: str
    uitleg: str

    @property
    def kolom_nodig(self) -> bool:
        return self.soort in (VERPLICHT, KOLOM)


KOSTENREGEL_KOLOMMEN = (
    Kolom("referentie", VERPLICHT, "Uw kenmerk van de regel, uniek per bron (max. 100 tekens)."),
    Kolom("bsn", VERPLICHT, "BSN van de cliënt (elfproef); de persoon is bekend in regiozorg."),
    Kolom("gemeente_herkomst", VERPLICHT, "CBS-code van de gemeente van herkomst."),
    Kolom("bron", VERPLICHT, "pgb of handmatig."),
    Kolom("periode_begin", VERPLICHT, "Eerste dag van de periode."),
    Kolom("periode_einde", VERPLICHT, "Laatste dag van de periode (zelfde jaar)."),
    Kolom("bedrag", VERPLICHT, "Bedrag in euro, negatief voor een creditering."),
    Kolom("functie", OPTIONEEL, "Code van de functie in de catalogus van de regio."),
    Kolom("aanbieder_agb", OPTIONEEL, "AGB-code van de aanbieder."),
)

CONVERSIE_KOLOMMEN = (
    Kolom("bsn", VERPLICHT, "BSN van de cliënt (elfproef)."),
    Kolom("geslachtsnaam", VERPLICHT, "Achternaam zonder voorvoegsel."),
    Kolom("eerste_start_bw", VERPLICHT, "Eerste start beschermd wonen, op of vóór de peildatum."),
    Kolom("gemeente_herkomst", VERPLICHT, "CBS-code van de gemeente van herkomst."),
    Kolom("aanbieder_agb", KOLOM, "AGB-code van de huidige aanbieder; leeg bij pgb/onbekend."),
    Kolom("voornamen", OPTIONEEL, "Voornamen."),
    Kolom("voorvoegsel", OPTIONEEL, "Voorvoegsel van de achternaam, bv. van der."),
    Kolom("geboortedatum", OPTIONEEL, "Geboortedatum."),
)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Importfout:
    """One reason for refusing the file: ``rij`` as Excel shows it (header = 1; None for the
    file as a whole), ``kolom`` the column name (empty for the whole row or file)."""

    rij: int | None
    kolom: str
    reden: str

    def __str__(self):
        plaats = []
        if self.rij is not None:
            plaats.append(f"Rij {self.rij}")
        if self.kolom:
            plaats.append(f"kolom {self.kolom}")
        return f"{', '.join(plaats)}: {self.reden}" if plaats else self.reden


@dataclass
class Importresultaat:
    """The outcome of an import: either ``gelukt`` with the counts of what was written, or
    refused with the errors (the first ``MAX_FOUTEN``; ``fouten_meer`` counts the rest)."""

    soort: str
    bestandsnaam: str
    regels: int = 0
    aantallen: dict = field(default_factory=dict)
    fouten: list[Importfout] = field(default_factory=list)
    fouten_meer: int = 0

    @property
    def gelukt(self) -> bool:
        return not self.fouten

    @property
    def aantal_fouten(self) -> int:
        return len(self.fouten) + self.fouten_meer

    def samenvatting(self) -> list[str]:
        """Dutch lines for the screen or the command line."""
        if not self.gelukt:
            regels = [
                f"Import geweigerd: {self.aantal_fouten} "
                f"{'fout' if self.aantal_fouten == 1 else 'fouten'}; er is niets vastgelegd.",
                *(str(f) for f in self.fouten),
            ]
            if self.fouten_meer:
                regels.append(f"… en nog {self.fouten_meer} fouten.")
            return regels
        a = self.aantallen
        if self.soort == "kostenregels":
            return [
                f"{a['kostenregels']} kostenregels vastgelegd, samen {euro(a['bedrag'])}.",
                f"Eerste start beschermd wonen: {a['eerste_starts_nieuw']} nieuw, "
                f"{a['eerste_starts_verlaagd']} vervroegd.",
            ]
        return [
            f"{self.regels} cliënten verwerkt: {a['personen_nieuw']} nieuwe personen, "
            f"{a['personen_bekend']} al bekend.",
            f"Eerste start beschermd wonen: {a['eerste_starts_nieuw']} nieuw, "
            f"{a['eerste_starts_verlaagd']} vervroegd, "
            f"{a['eerste_starts_ongewijzigd']} ongewijzigd.",
        ]


def euro(bedrag: Decimal) -> str:
    """€ 1.234,56 (Dutch notation)."""
    tekst = f"{bedrag:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {tekst}"


class Bestandsfout(Exception):
    """The file as a whole cannot be read (one Dutch sentence)."""


class Veldfout(ValueError):
    """A value that is not valid for its column (one Dutch sentence, never the BSN)."""


class _Fouten:
    def __init__(self, kolommen):
        self._volgorde = {k.naam: i for i, k in enumerate(kolommen)}
        self.lijst: list[Importfout] = []

    def add(self, rij, kolom, reden):
        self.lijst.append(Importfout(rij, kolom, audit.scrub(reden)))

    def __bool__(self):
        return bool(self.lijst)

    def gesorteerd(self) -> list[Importfout]:
        return sorted(
            self.lijst,
            key=lambda f: (f.rij or 0, self._volgorde.get(f.kolom, len(self._volgorde))),
        )


# --- value parsers (public for the tests; each raises only Veldfout) -------------------------

_DATUM_NL = re.compile(r"([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})")
_DATUM_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_BEDRAG = re.compile(r"([-+]?)([0-9]+)(?:[.,]([0-9]+))?")
_CIJFERS = re.compile(r"[0-9]+")
CENT = Decimal("0.01")
MAX_BEDRAG = Decimal("10000000000")  # Kostenregel.bedrag: 12 digits, 2 decimals


def _als_tekst(waarde) -> str:
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


def parse_datum(waarde) -> datetime.date:
    """A date as dd-mm-jjjj or jjjj-mm-dd (or an XLSX date cell)."""
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


def parse_bedrag(waarde) -> Decimal:
    """An amount in euros with at most two decimals: ``-1234,5``, ``1234.56`` or a number cell."""
    if isinstance(waarde, bool):
        raise Veldfout("Dit is geen bedrag.")
    if isinstance(waarde, int):
        bedrag = Decimal(waarde)
    elif isinstance(waarde, (float, Decimal)):
        try:
            bedrag = Decimal(repr(waarde)) if isinstance(waarde, float) else waarde
            if not bedrag.is_finite():
                raise Veldfout("Dit is geen bedrag.")
            afgerond = bedrag.quantize(CENT)
        except InvalidOperation:
            raise Veldfout("Dit is geen bedrag.") from None
        # A number cell computed by Excel may carry binary noise (12.349999999); a real third
        # decimal is refused like in text.
        if abs(afgerond - bedrag) > Decimal("0.000001"):
            raise Veldfout("Een bedrag heeft hoogstens 2 decimalen.")
        bedrag = afgerond
    elif isinstance(waarde, str):
        tekst = waarde.strip()
        m = _BEDRAG.fullmatch(tekst)
        if not m:
            if re.fullmatch(r"[-+]?[0-9]{1,3}([.,][0-9]{3})+([.,][0-9]{1,2})?", tekst):
                raise Veldfout(f"“{tekst[:40]}”: gebruik geen scheidingsteken voor duizendtallen.")
            raise Veldfout(
                f"“{tekst[:40]}” is geen bedrag; gebruik bijvoorbeeld 1234,56 of -12.50."
            )
        teken, geheel, decimalen = m.groups()
        if decimalen and len(decimalen) > 2:
            raise Veldfout("Een bedrag heeft hoogstens 2 decimalen.")
        bedrag = Decimal(f"{teken}{geheel}.{decimalen or '0'}")
    else:
        raise Veldfout("Dit is geen bedrag.")
    if abs(bedrag) >= MAX_BEDRAG:
        raise Veldfout("Het bedrag is te groot (hoogstens 9.999.999.999,99).")
    return bedrag.quantize(CENT)


def parse_bsn(waarde) -> str:
    """Nine digits passing the elfproef; the message never repeats the value."""
    if isinstance(waarde, (int, float)) and not isinstance(waarde, bool):
        tekst = _als_tekst(waarde)
        tekst = tekst.zfill(9) if _CIJFERS.fullmatch(tekst) else tekst
    else:
        tekst = normaliseer_bsn(_als_tekst(waarde))
    try:
        validate_bsn(tekst)
    except ValidationError as exc:
        raise Veldfout(exc.messages[0]) from None
    return tekst


def _code(waarde, lengte: int, omschrijving: str, prefix: str = "") -> str:
    tekst = _als_tekst(waarde)
    kaal = tekst[len(prefix) :] if prefix and tekst.upper().startswith(prefix) else tekst
    if not (_CIJFERS.fullmatch(kaal) and len(kaal) <= lengte):
        raise Veldfout(f"“{tekst[:40]}” is geen {omschrijving} ({lengte} cijfers).")
    return kaal.zfill(lengte)


def parse_gemeentecode(waarde) -> str:
    return _code(waarde, 4, "CBS-gemeentecode", prefix="GM")


def parse_agb(waarde) -> str:
    return _code(waarde, 8, "AGB-code")


def parse_bron(waarde) -> str:
    tekst = _als_tekst(waarde).lower()
    if tekst in IMPORT_BRONNEN:
        return tekst
    if tekst == Kostenbron.DECLARATIE:
        raise Veldfout("Declaraties komen uit de declaratieberichten, niet uit een import.")
    if tekst == Kostenbron.TAAKGERICHT:
        raise Veldfout(
            "Taakgerichte kosten komen uit de taakgerichte toerekening, niet uit een import."
        )
    raise Veldfout(f"Onbekende bron “{tekst[:40]}”; gebruik pgb of handmatig.")


def _tekst(max_lengte: int):
    def parse(waarde) -> str:
        tekst = _als_tekst(waarde)
        if len(tekst) > max_lengte:
            raise Veldfout(f"Hoogstens {max_lengte} tekens (dit zijn er {len(tekst)}).")
        return tekst

    return parse


def parse_functiecode(waarde) -> str:
    return _tekst(50)(waarde).lower()


# --- reading the file ------------------------------------------------------------------------


@dataclass
class _Tabel:
    kolommen: list[str]
    rijen: list[tuple[int, dict]]  # (row number, {column: raw value})


def _normaliseer_kolomnaam(naam) -> str:
    return re.sub(r"[\s\-]+", "_", _als_tekst(naam).lstrip("\ufeff").strip().lower())


def _omvang(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{n} bytes"


def _lees_bytes(bestand) -> bytes:
    limiet = max_bytes()
    grootte = getattr(bestand, "size", None)
    if isinstance(grootte, int) and grootte > limiet:
        raise Bestandsfout(f"Het bestand is groter dan {_omvang(limiet)}; splits het op.")
    if isinstance(bestand, (bytes, bytearray, memoryview)):
        data = bytes(bestand)
    else:
        if hasattr(bestand, "seek"):
            try:
                bestand.seek(0)
            except (OSError, ValueError):
                pass
        data = bestand.read(limiet + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > limiet:
        raise Bestandsfout(f"Het bestand is groter dan {_omvang(limiet)}; splits het op.")
    return data


def _decodeer(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Bestandsfout(
            "Het bestand is in UTF-16 opgeslagen; sla het op als CSV in UTF-8 of Windows-1252."
        )
    if b"\x00" in data:
        raise Bestandsfout("Het bestand bevat binaire gegevens en is geen CSV-tekstbestand.")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise Bestandsfout(
                "Het bestand zegt UTF-8 te zijn maar bevat ongeldige tekens."
            ) from None
    for codering in ("utf-8", "cp1252"):
        try:
            return data.decode(codering)
        except UnicodeDecodeError:
            continue
    raise Bestandsfout(
        "De tekenset van het bestand is niet herkend; sla het op als UTF-8 of Windows-1252."
    )


def _lees_csv(data: bytes, bekend: set[str]) -> tuple[list[str], list[tuple[int, list]]]:
    tekst = _decodeer(data)
    regels = tekst.splitlines()
    eerste = regels[0] if regels else ""
    if not eerste.strip():
        raise Bestandsfout("De eerste regel moet de kolomnamen bevatten en is leeg.")
    # The separator is the one that makes the header into known column names (; first: Dutch
    # Excel writes it, and it leaves decimal commas alone).
    scores = {}
    for teken in (";", ","):
        namen = next(csv.reader([eerste], delimiter=teken))
        scores[teken] = sum(_normaliseer_kolomnaam(n) in bekend for n in namen)
    scheiding = max((";", ","), key=lambda t: scores[t])  # ties: ; (first)
    if scores[scheiding] == 0 and ("\t" in eerste or "|" in eerste):
        raise Bestandsfout(
            "Het scheidingsteken is niet herkend; gebruik een puntkomma (;) of een komma (,)."
        )
    reader = csv.reader(io.StringIO(tekst, newline=""), delimiter=scheiding)
    rijen = []
    try:
        for nummer, rij in enumerate(reader, start=1):
            if nummer > max_regels() + 1:
                raise Bestandsfout(f"Het bestand heeft meer dan {max_regels()} regels.")
            rijen.append((nummer, rij))
    except csv.Error as exc:
        raise Bestandsfout(
            f"Het CSV-bestand is niet te lezen bij rij {len(rijen) + 1}: {exc}."
        ) from None
    kop, *data_rijen = rijen
    return kop[1], data_rijen


def _lees_xlsx(data: bytes) -> tuple[list, list[tuple[int, list]]]:
    import openpyxl  # heavy; only when an XLSX arrives

    onleesbaar = "Het Excel-bestand is niet te lezen; is het beschadigd of met een wachtwoord?"
    # openpyxl raises anything from BadZipFile to KeyError on a damaged or foreign file; any of
    # them means the same to the user.
    try:
        boek = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise Bestandsfout(onleesbaar) from None
    try:
        if not boek.worksheets:
            raise Bestandsfout("Het Excel-bestand heeft geen werkblad.")
        rijen = []
        for nummer, rij in enumerate(boek.worksheets[0].iter_rows(values_only=True), start=1):
            if nummer > max_regels() + 1:
                raise Bestandsfout(f"Het bestand heeft meer dan {max_regels()} regels.")
            rijen.append((nummer, list(rij)))
    except Bestandsfout:
        raise
    except Exception:
        raise Bestandsfout(onleesbaar) from None
    finally:
        boek.close()
    if not rijen:
        raise Bestandsfout("Het bestand is leeg.")
    kop, *data_rijen = rijen
    return kop[1], data_rijen


def _leeg(waarde) -> bool:
    return waarde is None or (isinstance(waarde, str) and not waarde.strip())


def _lees(bestand, bestandsnaam: str, kolommen, fouten: _Fouten) -> _Tabel | None:
    """The file as rows of {column: raw value}; None (with the errors added) when it cannot be
    read, its header is wrong or it has no rows."""
    try:
        data = _lees_bytes(bestand)
        if not data.strip():
            raise Bestandsfout("Het bestand is leeg.")
        extensie = PurePath(bestandsnaam or "").suffix.lower()
        zip_bestand = data.startswith(b"PK\x03\x04")
        if extensie == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
            raise Bestandsfout(
                "Het oude Excel-formaat (.xls) wordt niet ondersteund; sla het bestand op als "
                ".xlsx of als CSV."
            )
        if extensie == ".xlsx":
            if not zip_bestand:
                raise Bestandsfout("Het bestand heet .xlsx maar is geen Excel-bestand.")
            kop, rijen = _lees_xlsx(data)
        elif extensie == ".csv":
            if zip_bestand:
                raise Bestandsfout(
                    "Het bestand heet .csv maar is een Excel-bestand; noem het .xlsx of sla "
                    "het op als CSV."
                )
            kop, rijen = _lees_csv(data, {k.naam for k in kolommen})
        else:
            raise Bestandsfout(
                f"Bestandstype “{extensie or 'zonder extensie'}” wordt niet ondersteund; lever "
                "een CSV- of XLSX-bestand."
            )
    except Bestandsfout as exc:
        fouten.add(None, "", str(exc))
        return None

    namen = [_normaliseer_kolomnaam(n) for n in kop]
    while namen and not namen[-1]:
        namen.pop()
    if not namen:
        fouten.add(None, "", "De eerste rij moet de kolomnamen bevatten en is leeg.")
        return None
    bekend = {k.naam for k in kolommen}
    for i, naam in enumerate(namen, start=1):
        if not naam:
            fouten.add(1, "", f"Kolom {i} heeft geen naam.")
        elif naam not in bekend:
            fouten.add(
                1, naam,
                f"Onbekende kolom “{naam[:40]}”; toegestaan zijn: "
                f"{', '.join(k.naam for k in kolommen)}.",
            )  # fmt: skip
    for naam in sorted({n for n in namen if n and namen.count(n) > 1}):
        fouten.add(1, naam, "Deze kolom staat meer dan eens in de kopregel.")
    for kolom in kolommen:
        if kolom.kolom_nodig and kolom.naam not in namen:
            fouten.add(1, kolom.naam, "Deze kolom ontbreekt.")
    if fouten:
        return None

    tabel = _Tabel(kolommen=namen, rijen=[])
    for nummer, cellen in rijen:
        cellen = list(cellen)
        if all(_leeg(c) for c in cellen):
            continue
        extra = cellen[len(namen) :]
        if any(not _leeg(c) for c in extra):
            if extensie == ".csv":
                reden = (
                    f"Deze rij heeft {len(cellen)} velden, de kopregel {len(namen)}. Staat er "
                    "een komma in een bedrag? Zet het dan tussen aanhalingstekens."
                )
            else:
                reden = "Deze rij heeft waarden buiten de kolommen van de kopregel."
            fouten.add(nummer, "", reden)
            continue
        cellen += [None] * (len(namen) - len(cellen))
        tabel.rijen.append((nummer, dict(zip(namen, cellen, strict=False))))
    if not tabel.rijen and not fouten:
        fouten.add(None, "", "Het bestand bevat geen regels onder de kopregel.")
        return None
    # A row with too many fields is reported and left out; the other rows are still checked
    # so that the user sees every error at once (the file is refused all the same).
    return tabel


def _ontleed(tabel: _Tabel, kolommen, parsers: dict, fouten: _Fouten) -> list[tuple[int, dict]]:
    """Every row parsed: {column: value or None}; a missing value of a required column and
    each Veldfout is added to ``fouten`` (that column's value is then None)."""
    uit = []
    for nummer, ruw in tabel.rijen:
        waarden = {}
        for kolom in kolommen:
            waarde = ruw.get(kolom.naam)
            waarden[kolom.naam] = None
            if _leeg(waarde):
                if kolom.soort == VERPLICHT:
                    fouten.add(nummer, kolom.naam, "Dit veld is verplicht.")
                continue
            try:
                waarden[kolom.naam] = parsers[kolom.naam](waarde)
            except Veldfout as exc:
                fouten.add(nummer, kolom.naam, str(exc))
        uit.append((nummer, waarden))
    return uit


# --- lookups (one query per kind, chunked) ---------------------------------------------------


def _in_brokken(waarden):
    waarden = sorted(waarden)
    for i in range(0, len(waarden), _CHUNK):
        yield waarden[i : i + _CHUNK]


def _clients_op_bsn(bsns) -> dict[str, object]:
    """{bsn: client id} of the persons known by these BSNs: the bulk form of
    ``Persoon.objects.find_by_bsn`` (same keyed hash, ``toegang.models.bsn_hash``)."""
    hashes = {bsn_hash(b): b for b in bsns}
    gevonden = {}
    for brok in _in_brokken(hashes):
        for h, client_id in Persoon.objects.filter(bsn_hash__in=brok).values_list(
            "bsn_hash", "client_id"
        ):
            gevonden[hashes[h]] = client_id
    return gevonden


def _gemeenten(codes) -> dict[str, Gemeente]:
    return {g.code: g for g in Gemeente.objects.filter(code__in=set(codes))}


def _bw_lidmaatschappen(regio) -> dict[int, list[tuple]]:
    leden = defaultdict(list)
    for gemeente_id, begin, einde in Lidmaatschap.objects.filter(
        regio=regio, domein=Domein.BESCHERMD_WONEN
    ).values_list("gemeente_id", "begin", "einde"):
        leden[gemeente_id].append((begin, einde))
    return leden


def _overlapt(begin, einde, van, tot) -> bool:
    """[begin, einde] (None = unbounded) overlaps [van, tot]."""
    return (begin is None or begin <= tot) and (einde is None or einde >= van)


def _aanbieders(agb_codes) -> dict[str, Aanbieder]:
    return {a.agb_code: a for a in Aanbieder.objects.filter(agb_code__in=set(agb_codes))}


def _controleer_gemeente(fouten, nummer, code, gemeenten, leden, regio, van, tot, wanneer):
    """The gemeente of ``code`` when it is a BW member of ``regio`` on a day of [van, tot];
    without a period (van None) only whether the code exists."""
    gemeente = gemeenten.get(code)
    if gemeente is None:
        fouten.add(nummer, "gemeente_herkomst", f"Onbekende gemeentecode {code}.")
        return None
    if van is None:
        return None
    if not any(_overlapt(b, e, van, tot) for b, e in leden.get(gemeente.pk, ())):
        fouten.add(
            nummer, "gemeente_herkomst",
            f"{gemeente.naam} is {wanneer} geen lid van {regio.naam} voor beschermd wonen.",
        )  # fmt: skip
        return None
    return gemeente


def _controleer_functie(fouten, nummer, code, producten, regio, van, tot):
    """The BW product of the regio's catalogue with ``code`` valid on a day of [van, tot];
    without a period (van None) only whether the code exists."""
    kandidaten = producten.get(code, ())
    if not kandidaten:
        fouten.add(
            nummer, "functie", f"Functie “{code}” staat niet in de catalogus van {regio.naam}."
        )
        return None
    if van is None:
        return None
    geldig = [p for p in kandidaten if _overlapt(p.begin, p.einde, van, tot)]
    if not geldig:
        fouten.add(nummer, "functie", f"Functie “{code}” geldt niet in deze periode.")
    elif len(geldig) > 1:
        fouten.add(
            nummer, "functie", f"Functie “{code}” staat in deze periode in meer dan één perceel."
        )
    elif geldig[0].domein != Domein.BESCHERMD_WONEN:
        fouten.add(
            nummer, "functie",
            f"Functie “{code}” hoort niet bij beschermd wonen; alleen kosten van beschermd "
            "wonen worden geïmporteerd.",
        )  # fmt: skip
    else:
        return geldig[0]
    return None


def _controleer_aanbieder(fouten, nummer, agb, aanbieders):
    if agb is None:
        return None
    aanbieder = aanbieders.get(agb)
    if aanbieder is None:
        fouten.add(nummer, "aanbieder_agb", f"Geen aanbieder bekend met AGB-code {agb}.")
    return aanbieder


# --- shared outcome --------------------------------------------------------------------------


def _afgerond(resultaat: Importresultaat, fouten: list[Importfout]) -> Importresultaat:
    resultaat.fouten = fouten[:MAX_FOUTEN]
    resultaat.fouten_meer = max(len(fouten) - MAX_FOUTEN, 0)
    return resultaat


def _geweigerd(resultaat, fouten: list[Importfout], regio, user, object_type):
    _afgerond(resultaat, fouten)
    audit.record(
        "create", object_type=object_type, resultaat="error", actor=user,
        toelichting={
            "import": resultaat.soort, "bestand": audit.scrub(resultaat.bestandsnaam)[:200],
            "regio": regio.code, "regels": resultaat.regels, "fouten": resultaat.aantal_fouten,
        },
    )  # fmt: skip
    return resultaat


GELIJKTIJDIG = (
    "Terwijl dit bestand werd verwerkt, legde iemand anders een deel van dezelfde gegevens "
    "vast; er is niets vastgelegd. Importeer het bestand opnieuw."
)


# --- kostenregels ----------------------------------------------------------------------------

_KOSTENREGEL_PARSERS = {
    "referentie": _tekst(100),
    "bsn": parse_bsn,
    "gemeente_herkomst": parse_gemeentecode,
    "bron": parse_bron,
    "periode_begin": parse_datum,
    "periode_einde": parse_datum,
    "bedrag": parse_bedrag,
    "functie": parse_functiecode,
    "aanbieder_agb": parse_agb,
}


def _opzoeken(regio, waarden):
    """What both imports look up for all rows at once (a few queries, not one per row): the
    clients by BSN, the gemeenten by CBS code, the regio's BW memberships, the aanbieders by
    AGB code."""
    return (
        _clients_op_bsn({w["bsn"] for w in waarden if w["bsn"]}),
        _gemeenten(w["gemeente_herkomst"] for w in waarden if w["gemeente_herkomst"]),
        _bw_lidmaatschappen(regio),
        _aanbieders(w["aanbieder_agb"] for w in waarden if w["aanbieder_agb"]),
    )


def importeer_kostenregels(regio, bestand, bestandsnaam: str, *, user=None) -> Importresultaat:
    """Import pgb payments and handmatige kostenregels of ``regio`` from a CSV or XLSX file
    (``bestand``: bytes or a binary file object such as an UploadedFile). All or nothing; see
    the module docstring for the columns and rules."""
    resultaat = Importresultaat(soort="kostenregels", bestandsnaam=bestandsnaam or "")
    object_type = "financien.kostenregel"
    fouten = _Fouten(KOSTENREGEL_KOLOMMEN)
    tabel = _lees(bestand, bestandsnaam, KOSTENREGEL_KOLOMMEN, fouten)
    if tabel is None:
        return _geweigerd(resultaat, fouten.gesorteerd(), regio, user, object_type)
    resultaat.regels = len(tabel.rijen)
    rijen = _ontleed(tabel, KOSTENREGEL_KOLOMMEN, _KOSTENREGEL_PARSERS, fouten)

    waarden = [w for _, w in rijen]
    clients, gemeenten, leden, aanbieders = _opzoeken(regio, waarden)
    # The regio's whole catalogue (tens of products), keyed case-insensitively.
    producten = defaultdict(list)
    for product in Product.objects.filter(perceel__regio=regio):
        producten[product.code.lower()].append(product)
    opgeslagen = set()
    for brok in _in_brokken({w["referentie"] for w in waarden if w["referentie"]}):
        opgeslagen |= set(
            Kostenregel.objects.filter(regio=regio, referentie__in=brok).values_list(
                "bron", "referentie"
            )
        )

    eerste_rij_van: dict[str, int] = {}
    nieuwe_regels = []
    for nummer, w in rijen:
        begin, einde = w["periode_begin"], w["periode_einde"]
        periode = begin is not None and einde is not None
        if periode and einde < begin:
            fouten.add(nummer, "periode_einde", "De periode eindigt vóór ze begint.")
            periode = False
        elif periode and einde.year != begin.year:
            fouten.add(
                nummer, "periode_einde",
                "Een kostenregel valt binnen één kalenderjaar; splits de periode per jaar.",
            )  # fmt: skip
            periode = False

        referentie = w["referentie"]
        if referentie:
            if referentie in eerste_rij_van:
                fouten.add(
                    nummer, "referentie",
                    f"Deze referentie staat ook in rij {eerste_rij_van[referentie]}.",
                )  # fmt: skip
            else:
                eerste_rij_van[referentie] = nummer
            if w["bron"] and (w["bron"], referentie) in opgeslagen:
                fouten.add(
                    nummer, "referentie",
                    f"Een {w['bron']}-regel met deze referentie is al vastgelegd.",
                )  # fmt: skip

        client_id = None
        if w["bsn"]:
            client_id = clients.get(w["bsn"])
            if client_id is None:
                fouten.add(
                    nummer, "bsn",
                    "Deze persoon is niet bekend in regiozorg; registreer de cliënt of neem hem "
                    "op in de conversie van het bestaande cliëntenbestand.",
                )  # fmt: skip

        gemeente = None
        if w["gemeente_herkomst"]:
            gemeente = _controleer_gemeente(
                fouten, nummer, w["gemeente_herkomst"], gemeenten, leden, regio,
                begin if periode else None, einde, "in deze periode",
            )  # fmt: skip

        functie = None
        if w["functie"]:
            functie = _controleer_functie(
                fouten, nummer, w["functie"], producten, regio, begin if periode else None, einde
            )

        aanbieder = _controleer_aanbieder(fouten, nummer, w["aanbieder_agb"], aanbieders)

        if not fouten:
            nieuwe_regels.append(
                Kostenregel(
                    regio=regio, jaar=begin.year, client_id=client_id, gemeente_herkomst=gemeente,
                    functie=functie, aanbieder=aanbieder, bron=w["bron"], referentie=referentie,
                    periode_begin=begin, periode_einde=einde, bedrag=w["bedrag"],
                )
            )  # fmt: skip

    if fouten:
        return _geweigerd(resultaat, fouten.gesorteerd(), regio, user, object_type)

    try:
        with transaction.atomic():
            aantallen = _schrijf_kostenregels(regio, nieuwe_regels, user, resultaat)
    except IntegrityError:
        return _geweigerd(resultaat, [Importfout(None, "", GELIJKTIJDIG)], regio, user, object_type)
    resultaat.aantallen = aantallen
    return resultaat


def _schrijf_kostenregels(regio, regels: list[Kostenregel], user, resultaat) -> dict:
    opgeslagen = Kostenregel.objects.bulk_create(regels, batch_size=2000)

    # The earliest period begin of each client in this file (ties: the first row).
    vroegste: dict = {}
    for regel in regels:
        huidig = vroegste.get(regel.client_id)
        if huidig is None or regel.periode_begin < huidig.periode_begin:
            vroegste[regel.client_id] = regel
    bestaand = {
        e.client_id: e
        for brok in _in_brokken(vroegste)
        for e in EersteBWStart.objects.select_for_update().filter(client_id__in=brok)
    }
    nieuw, verlaagd = [], []
    for client_id, regel in vroegste.items():
        start = bestaand.get(client_id)
        if start is None:
            nieuw.append(
                EersteBWStart(
                    client_id=client_id, regio=regio, gemeente_herkomst=regel.gemeente_herkomst,
                    aanbieder=regel.aanbieder, datum=regel.periode_begin,
                    bron=EersteBWStart.Bron.REGIOZORG,
                )
            )  # fmt: skip
        elif start.bron == EersteBWStart.Bron.REGIOZORG and regel.periode_begin < start.datum:
            start.datum = regel.periode_begin
            start.regio = regio
            start.gemeente_herkomst = regel.gemeente_herkomst
            start.aanbieder = regel.aanbieder
            verlaagd.append(start)
    EersteBWStart.objects.bulk_create(nieuw, batch_size=2000)
    EersteBWStart.objects.bulk_update(
        verlaagd, ["datum", "regio", "gemeente_herkomst", "aanbieder"], batch_size=2000
    )
    aantallen = {
        "kostenregels": len(opgeslagen),
        "bedrag": sum((r.bedrag for r in regels), Decimal("0.00")),
        "eerste_starts_nieuw": len(nieuw),
        "eerste_starts_verlaagd": len(verlaagd),
    }
    audit.record(
        "create", objects=opgeslagen, actor=user,
        toelichting={
            "import": "kostenregels", "bestand": audit.scrub(resultaat.bestandsnaam)[:200],
            "regio": regio.code, **aantallen, "bedrag": str(aantallen["bedrag"]),
        },
    )  # fmt: skip
    return aantallen


# --- conversie of the existing caseload ------------------------------------------------------


def peildatum_conversie(regio, jaar: int | None = None) -> datetime.date:
    """The cut-over date for the conversie of ``regio``: ``peildatum_nieuw`` of the parameters of
    ``jaar`` when given; otherwise of the parameters of the cut-over's own year (the year whose
    peildatum lies in it), else of the earliest year with parameters. Raises Bestandsfout when
    the regio has none."""
    parameters = Jaarparameters.objects.filter(regio=regio).order_by("jaar")
    if jaar is not None:
        gekozen = parameters.filter(jaar=jaar).first()
        if gekozen is None:
            raise Bestandsfout(
                f"{regio.naam} heeft geen vereveningsparameters voor {jaar}; leg die eerst vast."
            )
        return gekozen.peildatum_nieuw
    alle = list(parameters)
    if not alle:
        raise Bestandsfout(
            f"{regio.naam} heeft nog geen vereveningsparameters (peildatum nieuwe cliënten); "
            "leg die eerst vast."
        )
    eigen_jaar = [p for p in alle if p.peildatum_nieuw.year == p.jaar]
    return (eigen_jaar or alle)[0].peildatum_nieuw


_CONVERSIE_PARSERS = {
    "bsn": parse_bsn,
    "geslachtsnaam": _tekst(200),
    "eerste_start_bw": parse_datum,
    "gemeente_herkomst": parse_gemeentecode,
    "aanbieder_agb": parse_agb,
    "voornamen": _tekst(200),
    "voorvoegsel": _tekst(10),
    "geboortedatum": parse_datum,
}
_PERSOON_VELDEN = ("geslachtsnaam", "voornamen", "voorvoegsel", "geboortedatum")


def importeer_conversie(
    regio, bestand, bestandsnaam: str, *, user=None, jaar: int | None = None
) -> Importresultaat:
    """Import the BW clients in care at ``regio``'s cut-over with each person's first BW start,
    gemeente van herkomst and current aanbieder. All or nothing; see the module docstring.
    ``jaar`` chooses whose Jaarparameters give the cut-over (see ``peildatum_conversie``)."""
    resultaat = Importresultaat(soort="conversie", bestandsnaam=bestandsnaam or "")
    object_type = "financien.eerstebwstart"
    fouten = _Fouten(CONVERSIE_KOLOMMEN)
    try:
        peildatum = peildatum_conversie(regio, jaar)
    except Bestandsfout as exc:
        return _geweigerd(resultaat, [Importfout(None, "", str(exc))], regio, user, object_type)
    tabel = _lees(bestand, bestandsnaam, CONVERSIE_KOLOMMEN, fouten)
    if tabel is None:
        return _geweigerd(resultaat, fouten.gesorteerd(), regio, user, object_type)
    resultaat.regels = len(tabel.rijen)
    rijen = _ontleed(tabel, CONVERSIE_KOLOMMEN, _CONVERSIE_PARSERS, fouten)

    waarden = [w for _, w in rijen]
    clients, gemeenten, leden, aanbieders = _opzoeken(regio, waarden)
    vandaag = datetime.date.today()

    rij_van_bsn: dict[str, int] = {}
    te_verwerken = []  # (client id or None, Persoon or None, start fields)
    for nummer, w in rijen:
        bsn = w["bsn"]
        if bsn:
            if bsn in rij_van_bsn:
                fouten.add(nummer, "bsn", f"Deze persoon staat ook in rij {rij_van_bsn[bsn]}.")
            else:
                rij_van_bsn[bsn] = nummer
        start, geboren = w["eerste_start_bw"], w["geboortedatum"]
        if start and start > peildatum:
            fouten.add(
                nummer, "eerste_start_bw",
                f"De eerste start ligt na de peildatum {peildatum:%d-%m-%Y}; deze cliënt is "
                "nieuw en hoort niet in de conversie.",
            )  # fmt: skip
        if geboren and geboren > vandaag:
            fouten.add(nummer, "geboortedatum", "De geboortedatum ligt in de toekomst.")
        elif start and geboren and start < geboren:
            fouten.add(nummer, "eerste_start_bw", "De eerste start ligt vóór de geboortedatum.")
        gemeente = None
        if w["gemeente_herkomst"]:
            gemeente = _controleer_gemeente(
                fouten, nummer, w["gemeente_herkomst"], gemeenten, leden, regio, peildatum,
                peildatum, f"op de peildatum {peildatum:%d-%m-%Y}",
            )  # fmt: skip
        aanbieder = _controleer_aanbieder(fouten, nummer, w["aanbieder_agb"], aanbieders)

        client_id = clients.get(bsn) if bsn else None
        persoon = None
        if bsn and client_id is None:
            persoon = Persoon(bsn=bsn, **{v: w[v] or "" for v in _PERSOON_VELDEN[:-1]})
            persoon.geboortedatum = geboren
            # What Persoon itself requires (the BSN was checked above; an empty geslachtsnaam
            # is reported once, as a required column).
            uitgezonderd = ["client", "bsn_hash", "bsn"]
            if w["geslachtsnaam"] is None:
                uitgezonderd.append("geslachtsnaam")
            try:
                persoon.full_clean(exclude=uitgezonderd)
            except ValidationError as exc:
                for veld, berichten in exc.message_dict.items():
                    for bericht in berichten:
                        fouten.add(nummer, veld if veld in _PERSOON_VELDEN else "", bericht)
        if not fouten:
            te_verwerken.append((client_id, persoon, start, gemeente, aanbieder))

    if fouten:
        return _geweigerd(resultaat, fouten.gesorteerd(), regio, user, object_type)
    try:
        with transaction.atomic():
            aantallen = _schrijf_conversie(regio, te_verwerken, user, resultaat)
    except IntegrityError:
        return _geweigerd(resultaat, [Importfout(None, "", GELIJKTIJDIG)], regio, user, object_type)
    resultaat.aantallen = aantallen
    return resultaat


def _schrijf_conversie(regio, te_verwerken, user, resultaat) -> dict:
    nieuwe_personen = [p for _, p, *_ in te_verwerken if p is not None]
    nieuwe_clients = Client.objects.bulk_create(
        [Client() for _ in nieuwe_personen], batch_size=2000
    )
    for client, persoon in zip(nieuwe_clients, nieuwe_personen, strict=True):
        persoon.client = client
        persoon.bsn_hash = bsn_hash(persoon.bsn)  # bulk_create skips Persoon.save()
    Persoon.objects.bulk_create(nieuwe_personen, batch_size=2000)

    bekende = [c for c, *_ in te_verwerken if c is not None]
    bestaand = {
        e.client_id: e
        for brok in _in_brokken(bekende)
        for e in EersteBWStart.objects.select_for_update().filter(client_id__in=brok)
    }
    nieuw, verlaagd, ongewijzigd = [], [], 0
    for client_id, persoon, datum, gemeente, aanbieder in te_verwerken:
        client_id = client_id or persoon.client_id
        start = bestaand.get(client_id)
        if start is None:
            nieuw.append(
                EersteBWStart(
                    client_id=client_id, regio=regio, gemeente_herkomst=gemeente,
                    aanbieder=aanbieder, datum=datum, bron=EersteBWStart.Bron.CONVERSIE,
                )
            )  # fmt: skip
        elif datum < start.datum:
            start.datum = datum
            start.bron = EersteBWStart.Bron.CONVERSIE
            start.regio = regio
            start.gemeente_herkomst = gemeente
            start.aanbieder = aanbieder
            verlaagd.append(start)
        else:
            ongewijzigd += 1
    EersteBWStart.objects.bulk_create(nieuw, batch_size=2000)
    EersteBWStart.objects.bulk_update(
        verlaagd, ["datum", "bron", "regio", "gemeente_herkomst", "aanbieder"], batch_size=2000
    )
    aantallen = {
        "personen_nieuw": len(nieuwe_personen),
        "personen_bekend": len(bekende),
        "eerste_starts_nieuw": len(nieuw),
        "eerste_starts_verlaagd": len(verlaagd),
        "eerste_starts_ongewijzigd": ongewijzigd,
    }
    # The pseudonymous keys of everyone created or changed (EersteBWStart's key is the client).
    audit.record(
        "create", object_type="financien.eerstebwstart",
        object_ids=[e.client_id for e in (*nieuw, *verlaagd)], actor=user,
        toelichting={
            "import": "conversie", "bestand": audit.scrub(resultaat.bestandsnaam)[:200],
            "regio": regio.code, **aantallen,
        },
    )  # fmt: skip
    return aantallen
