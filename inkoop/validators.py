import csv
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

CODELIJSTEN = Path(__file__).resolve().parent / "codelijsten"

agb_validator = RegexValidator(r"^\d{8}$", "Een AGB-code bestaat uit precies 8 cijfers.")
kvk_validator = RegexValidator(r"^\d{8}$", "Een KvK-nummer bestaat uit precies 8 cijfers.")
postcode_validator = RegexValidator(
    r"^[1-9]\d{3} ?[A-Z]{2}$", "Vul een postcode in als 1234 AB (hoofdletters)."
)
productcode_validator = RegexValidator(
    r"^[0-9A-Z]{5}$", "Een iWmo-productcode bestaat uit 5 cijfers of hoofdletters."
)


@cache
def codelijst(naam: str) -> dict[str, str]:
    """An iWmo code list (code → omschrijving) shipped in inkoop/codelijsten/."""
    with open(CODELIJSTEN / f"{naam}.csv", newline="", encoding="utf-8") as handle:
        return {row["code"]: row["omschrijving"] for row in csv.DictReader(handle)}


def choices(naam: str) -> list[tuple[str, str]]:
    return [(code, f"{code} {omschrijving}") for code, omschrijving in codelijst(naam).items()]


def validate_productcategorie(value: str):
    if value not in codelijst("WMO020_Productcategorie"):
        raise ValidationError(
            "%(value)s is geen iWmo-productcategorie (codelijst WMO020).", params={"value": value}
        )
