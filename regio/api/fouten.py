"""A service's Django ValidationError as the API's 400 (problem+json with invalidParams)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


def als_api_fout(
    exc: DjangoValidationError, namen: dict[str, str] | None = None
) -> ValidationError:
    """``raise als_api_fout(exc, {"vrije_plaatsen": "vrijePlaatsen"}) from None``: field errors
    keep their field (renamed to the API's camelCase), others become nonFieldErrors."""
    namen = namen or {}
    if hasattr(exc, "error_dict"):
        detail = {}
        for veld, fouten in exc.error_dict.items():
            naam = "nonFieldErrors" if veld == "__all__" else namen.get(veld, veld)
            detail.setdefault(naam, []).extend(
                ValidationError(msg, code=f.code or "invalid").detail[0]
                for f in fouten
                for msg in f.messages
            )
        return ValidationError(detail)
    return ValidationError({"nonFieldErrors": exc.messages})
