from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from regio.iwmo import codelijst

agb_validator = RegexValidator(r"^\d{8}$", "Een AGB-code bestaat uit precies 8 cijfers.")
kvk_validator = RegexValidator(r"^\d{8}$", "Een KvK-nummer bestaat uit precies 8 cijfers.")
postcode_validator = RegexValidator(
    r"^[1-9]\d{3} ?[A-Z]{2}$", "Vul een postcode in als 1234 AB (hoofdletters)."
)
productcode_validator = RegexValidator(
    r"^[0-9A-Z]{5}$", "Een iWmo-productcode bestaat uit 5 cijfers of hoofdletters."
)


def validate_productcategorie(value: str):
    if value not in codelijst("WMO020_Productcategorie"):
        raise ValidationError(
            "%(value)s is geen iWmo-productcategorie (codelijst WMO020).", params={"value": value}
        )
