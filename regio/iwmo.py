"""iWmo 3.2 code lists (regio/codelijsten/): lookups, form choices and validators."""

import csv
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

CODELIJSTEN = Path(__file__).resolve().parent / "codelijsten"


@cache
def codelijst(naam: str) -> dict[str, str]:
    """An iWmo code list (code → omschrijving), e.g. ``codelijst("COD472_Soort_relatie")``."""
    with open(CODELIJSTEN / f"{naam}.csv", newline="", encoding="utf-8") as handle:
        return {row["code"]: row["omschrijving"] for row in csv.DictReader(handle)}


@cache
def _lijst_naam(prefix: str) -> str:
    """``"WMO020"`` → ``"WMO020_Productcategorie"`` (the file of that code list)."""
    for pad in CODELIJSTEN.glob(f"{prefix}_*.csv"):
        return pad.stem
    raise LookupError(f"Geen iWmo-codelijst {prefix}.")


def omschrijving(prefix: str, code: str | None) -> str:
    """What a code means, as people read it: ``omschrijving("WMO002", "04")`` → "Verlenging";
    an unknown code stays itself, empty stays empty."""
    if not code:
        return ""
    return codelijst(_lijst_naam(prefix)).get(code, code)


def choices(naam: str) -> list[tuple[str, str]]:
    return [(code, f"{code} {omschrijving}") for code, omschrijving in codelijst(naam).items()]


def validator(naam: str, label: str):
    """A field validator that accepts only codes of the list ``naam``."""

    def validate(value):
        if value not in codelijst(naam):
            raise ValidationError(
                f"%(value)s is geen geldige {label} (iWmo-codelijst {naam.split('_')[0]}).",
                params={"value": value},
            )

    validate.__name__ = f"validate_{naam.lower()}"
    return validate
