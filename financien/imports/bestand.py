"""The file of a finance import: its limits, its columns, the values only these imports know
(BSN, AGB code, bron, text) and the check of the header and of every row. The file itself is
read by ``regio.tabel`` (encodings, separators, XLSX, numbers and dates: the same rules as every
upload); here row 1 is the header and every other row one record.

- Row 1 holds the column names (case, spaces and hyphens do not matter: ``Periode begin`` is
  ``periode_begin``). A column not listed is refused, a required one missing too.
- Completely empty rows are skipped; a row with values beyond the header's columns is refused.
- BSN: 9 digits passing the elfproef; dots, spaces and hyphens are ignored; a number cell in XLSX
  gets its leading zeros back, a text of 8 digits does not (that would be guessing).
- AGB code: 8 digits, leading zeros restored like the gemeentecode's.
- At most ``settings.FINANCIEN_IMPORT_MAX_BYTES`` (default 20 MB) and
  ``settings.FINANCIEN_IMPORT_MAX_REGELS`` (default 200,000) rows below the header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from financien.models import Kostenbron
from regio.tabel import (
    Foutenlijst,
    ImportGeweigerd,
    Veldfout,
    als_tekst,
    kolomnaam,
    leeg,
    lees_tabel,
    parse_code,
)
from regio.validators import validate_bsn
from toegang.dossiers.services import normaliseer_bsn

IMPORT_BRONNEN = (Kostenbron.PGB, Kostenbron.HANDMATIG)


def max_bytes() -> int:
    return int(getattr(settings, "FINANCIEN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_regels() -> int:
    return int(getattr(settings, "FINANCIEN_IMPORT_MAX_REGELS", 200_000))


# --- values only the finance imports know (each raises only Veldfout) -----------------------


def parse_bsn(waarde) -> str:
    """Nine digits passing the elfproef; the message never repeats the value."""
    if isinstance(waarde, (int, float)) and not isinstance(waarde, bool):
        tekst = als_tekst(waarde)
        tekst = tekst.zfill(9) if tekst.isdigit() else tekst
    else:
        tekst = normaliseer_bsn(als_tekst(waarde))
    try:
        validate_bsn(tekst)
    except ValidationError as exc:
        raise Veldfout(exc.messages[0]) from None
    return tekst


def parse_agb(waarde) -> str:
    return parse_code(waarde, 8, "AGB-code")


def parse_bron(waarde) -> str:
    tekst = als_tekst(waarde).lower()
    if tekst in IMPORT_BRONNEN:
        return tekst
    if tekst == Kostenbron.DECLARATIE:
        raise Veldfout("Declaraties komen uit de declaratieberichten, niet uit een import.")
    if tekst == Kostenbron.TAAKGERICHT:
        raise Veldfout(
            "Taakgerichte kosten komen uit de taakgerichte toerekening, niet uit een import."
        )
    raise Veldfout(f"Onbekende bron “{tekst[:40]}”; gebruik pgb of handmatig.")


def tekst(max_lengte: int):
    """The parser of a text column of at most ``max_lengte`` characters."""

    def parse(waarde) -> str:
        gelezen = als_tekst(waarde)
        if len(gelezen) > max_lengte:
            raise Veldfout(f"Hoogstens {max_lengte} tekens (dit zijn er {len(gelezen)}).")
        return gelezen

    return parse


def parse_functiecode(waarde) -> str:
    return tekst(50)(waarde).lower()


# --- columns --------------------------------------------------------------------------------

VERPLICHT = "verplicht"  # column in the header and a value in every row
KOLOM = "kolom"  # column in the header, the value may be empty
OPTIONEEL = "optioneel"  # the column may be absent, the value may be empty


@dataclass(frozen=True)
class Kolom:
    naam: str
    soort: str
    uitleg: str
    parser: Callable  # raw cell -> value; raises Veldfout

    @property
    def kolom_nodig(self) -> bool:
        return self.soort in (VERPLICHT, KOLOM)


# --- the header and the rows ----------------------------------------------------------------


@dataclass
class Invoer:
    kolommen: list[str]
    rijen: list[tuple[int, dict]]  # (row number, {column: raw value})


def lees(bestand, bestandsnaam: str, kolommen, fouten: Foutenlijst) -> Invoer | None:
    """The file as rows of {column: raw value}; None (with the errors added) when it cannot be
    read, its header is wrong or it has no rows."""
    try:
        tabel = lees_tabel(
            bestand, bestandsnaam or "", max_bytes=max_bytes(), max_rijen=max_regels(),
            kopregels=1, kolomnamen=[k.naam for k in kolommen],
        )  # fmt: skip
    except ImportGeweigerd as exc:
        for fout in exc.fouten:
            fouten.add(fout.rij, fout.kolom, fout.reden)
        return None

    (nummer, kop), *rijen = tabel.rijen
    namen = [kolomnaam(n) for n in kop] if nummer == 1 else []
    while namen and not namen[-1]:
        namen.pop()
    if not namen:
        eerste = "regel" if tabel.soort == "csv" else "rij"
        fouten.add(None, "", f"De eerste {eerste} moet de kolomnamen bevatten en is leeg.")
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

    invoer = Invoer(kolommen=namen, rijen=[])
    for nummer, cellen in rijen:
        if any(not leeg(c) for c in cellen[len(namen) :]):
            if tabel.soort == "csv":
                reden = (
                    f"Deze rij heeft {len(cellen)} velden, de kopregel {len(namen)}. Staat er "
                    "een komma in een bedrag? Zet het dan tussen aanhalingstekens."
                )
            else:
                reden = "Deze rij heeft waarden buiten de kolommen van de kopregel."
            fouten.add(nummer, "", reden)
            continue
        invoer.rijen.append((nummer, dict(zip(namen, cellen, strict=False))))
    if not invoer.rijen and not fouten:
        fouten.add(None, "", "Het bestand bevat geen regels onder de kopregel.")
        return None
    # A row with too many fields is reported and left out; the other rows are still checked
    # so that the user sees every error at once (the file is refused all the same).
    return invoer


def ontleed(invoer: Invoer, kolommen, fouten: Foutenlijst) -> list[tuple[int, dict]]:
    """Every row parsed: {column: value or None}; a missing value of a required column and
    each Veldfout is added to ``fouten`` (that column's value is then None)."""
    uit = []
    for nummer, ruw in invoer.rijen:
        waarden = {}
        for kolom in kolommen:
            waarde = ruw.get(kolom.naam)
            waarden[kolom.naam] = None
            if leeg(waarde):
                if kolom.soort == VERPLICHT:
                    fouten.add(nummer, kolom.naam, "Dit veld is verplicht.")
                continue
            try:
                waarden[kolom.naam] = kolom.parser(waarde)
            except Veldfout as exc:
                fouten.add(nummer, kolom.naam, str(exc))
        uit.append((nummer, waarden))
    return uit
