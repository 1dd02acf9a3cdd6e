from django.core.exceptions import ValidationError


def is_valid_bsn(value: str) -> bool:
    """Nine digits passing the elfproef: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11)."""
    if not isinstance(value, str) or len(value) != 9 or not value.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(int(digit) * weight for digit, weight in zip(value, weights, strict=True))
    return total % 11 == 0 and value != "000000000"


def validate_bsn(value: str):
    if not (isinstance(value, str) and len(value) == 9 and value.isdigit()):
        raise ValidationError("Een BSN bestaat uit precies 9 cijfers.", code="bsn_formaat")
    if not is_valid_bsn(value):
        raise ValidationError(
            "Dit is geen geldig BSN: het voldoet niet aan de elfproef.", code="bsn_elfproef"
        )
