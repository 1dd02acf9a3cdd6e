"""Query-parameter parsing shared by the toegang API endpoints: Dutch 400s at the parameter."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError


def gewijzigd_sinds(request, param: str = "gewijzigdSinds"):
    """The aware datetime of ``?gewijzigdSinds=`` (ISO 8601), or None when absent."""
    tekst = request.query_params.get(param)
    if tekst is None:
        return None
    tekst = tekst.strip()
    # An unencoded '+' of the UTC offset arrives as a space.
    if " " in tekst and "T" in tekst:
        tekst = tekst.replace(" ", "+")
    try:
        moment = parse_datetime(tekst)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {param: "Geef een datum en tijd volgens ISO 8601, bijv. 2026-01-31T12:00:00+01:00."}
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
        return moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValidationError({param: "Dit moment valt buiten het bereik van de API."}) from None


def gemeentecode(request, param: str = "gemeente") -> str | None:
    code = request.query_params.get(param)
    if code is None:
        return None
    if not (code.isdigit() and len(code) == 4):
        raise ValidationError({param: "Een gemeentecode (CBS) bestaat uit precies 4 cijfers."})
    return code


def keuze(request, param: str, waarden) -> str | None:
    waarde = request.query_params.get(param)
    if waarde is None:
        return None
    if waarde not in waarden:
        raise ValidationError({param: f"Kies uit: {', '.join(waarden)}."})
    return waarde
