"""The API's errors in Dutch a person can act on, instead of DRF's English defaults (or its
partial Dutch catalogue: "Aanvraag was verstikt", "Must be a valid boolean").

- ``veldfout(bericht, waarde)``: a field error DRF wrote from one of its defaults (any field
  class's ``default_error_messages``, in English or DRF's Dutch) becomes ours, with the same
  parameters; a wrong date says what is wrong with it ("30 februari bestaat niet"). A service's
  own (Dutch) message is left alone.
- ``PROBLEMEN``: per kind of error (the problem ``code``) its Dutch title, and the Dutch detail
  that replaces DRF's default detail.
"""

from __future__ import annotations

import datetime
import functools
import re

from django.utils import translation

# DRF's default field messages (English) → ours. Parameters in braces are carried over.
VELDFOUTEN = {
    "This field is required.": "Dit veld is verplicht.",
    "This field may not be null.": "Dit veld mag niet null zijn; geef een waarde.",
    "This field may not be blank.": "Dit veld mag niet leeg zijn.",
    "Not a valid string.": "Geef een tekst.",
    "Ensure this field has no more than {max_length} characters.": (
        "Gebruik ten hoogste {max_length} tekens."
    ),
    "Ensure this field has at least {min_length} characters.": (
        "Gebruik ten minste {min_length} tekens."
    ),
    "Null characters are not allowed.": "Een nul-teken (\\u0000) is niet toegestaan.",
    "Surrogate characters are not allowed: {code_point}.": (
        "Dit teken is niet toegestaan: {code_point}."
    ),
    "A valid integer is required.": "Geef een geheel getal.",
    "A valid number is required.": "Geef een getal, met een punt als decimaalteken.",
    "String value too large.": "Dit getal is te lang.",
    "Ensure this value is less than or equal to {max_value}.": (
        "De waarde is ten hoogste {max_value}."
    ),
    "Ensure this value is greater than or equal to {min_value}.": (
        "De waarde is ten minste {min_value}."
    ),
    "Ensure that there are no more than {max_digits} digits in total.": (
        "Gebruik ten hoogste {max_digits} cijfers."
    ),
    "Ensure that there are no more than {max_decimal_places} decimal places.": (
        "Gebruik ten hoogste {max_decimal_places} cijfers achter de punt."
    ),
    "Ensure that there are no more than {max_whole_digits} digits before the decimal point.": (
        "Gebruik ten hoogste {max_whole_digits} cijfers vóór de punt."
    ),
    "Must be a valid boolean.": "Geef true of false.",
    "Must be a valid UUID.": "Geef een geldige UUID.",
    "Enter a valid email address.": "Geef een geldig e-mailadres.",
    "Enter a valid URL.": "Geef een geldige URL.",
    "Date has wrong format. Use one of these formats instead: {format}.": (
        "Geef een datum als JJJJ-MM-DD, bijvoorbeeld 2025-03-01."
    ),
    "Expected a date but got a datetime.": "Geef een datum zonder tijd (JJJJ-MM-DD).",
    "Datetime has wrong format. Use one of these formats instead: {format}.": (
        "Geef een moment als JJJJ-MM-DDTuu:mm:ss met tijdzone, bijvoorbeeld "
        "2025-03-01T09:00:00+01:00."
    ),
    "Expected a datetime but got a date.": (
        "Geef een moment met tijd en tijdzone, bijvoorbeeld 2025-03-01T09:00:00+01:00."
    ),
    'Invalid datetime for the timezone "{timezone}".': (
        'Dit moment bestaat niet in tijdzone "{timezone}".'
    ),
    "Datetime value out of range.": "Dit moment ligt buiten het bereik.",
    "Time has wrong format. Use one of these formats instead: {format}.": (
        "Geef een tijd als uu:mm:ss."
    ),
    '"{input}" is not a valid choice.': '"{input}" is geen geldige keuze.',
    'Expected a list of items but got type "{input_type}".': "Geef een lijst (JSON-array).",
    "This list may not be empty.": "Deze lijst mag niet leeg zijn.",
    "Ensure this field has at least {min_length} elements.": (
        "Geef ten minste {min_length} elementen."
    ),
    "Ensure this field has no more than {max_length} elements.": (
        "Geef ten hoogste {max_length} elementen."
    ),
    'Expected a dictionary of items but got type "{input_type}".': "Geef een JSON-object.",
    "This dictionary may not be empty.": "Dit object mag niet leeg zijn.",
    "Value must be valid JSON.": "Geef geldige JSON.",
    "Invalid data. Expected a dictionary, but got {datatype}.": "Geef een JSON-object.",
    'Invalid pk "{pk_value}" - object does not exist.': '"{pk_value}" bestaat niet.',
    "Incorrect type. Expected pk value, received {data_type}.": "Geef een id (een getal).",
    "Object with {slug_name}={value} does not exist.": "{value} bestaat niet.",
    "Invalid value.": "Ongeldige waarde.",
    "Invalid input.": "Ongeldige invoer.",
    "Invalid hyperlink - No URL match.": "Deze URL verwijst naar niets.",
    "Invalid hyperlink - Object does not exist.": "Deze URL verwijst naar niets.",
}

MAANDEN = [
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
]  # fmt: skip
_DATUM = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?\s*")


def datumfout(waarde) -> str | None:
    """What is wrong with a date written as JJJJ-MM-DD that is no date ("30 februari bestaat
    niet"); None when it is not written so."""
    m = _DATUM.fullmatch(str(waarde)) if isinstance(waarde, str) else None
    if m is None:
        return None
    jaar, maand, dag = (int(deel) for deel in m.groups())
    if not 1 <= maand <= 12:
        return f"Maand {maand} bestaat niet; geef een datum als JJJJ-MM-DD."
    try:
        datetime.date(jaar, maand, dag)
    except ValueError:
        return f"{dag} {MAANDEN[maand - 1]} {jaar} bestaat niet; geef een bestaande datum."
    return None


_PARAMETER = re.compile(r"\{(\w+)\}")


def _regex(sjabloon: str) -> re.Pattern:
    delen = re.split(r"\{(\w+)\}", sjabloon)
    patroon = "".join(
        f"(?P<{deel}>.*?)" if i % 2 else re.escape(deel) for i, deel in enumerate(delen)
    )
    return re.compile(patroon + r"\Z", re.S)


@functools.cache
def _patronen() -> list[tuple[re.Pattern, str, str]]:
    """(regex of DRF's message in English or in DRF's Dutch, English template, ours)."""
    patronen = []
    for engels, ons in VELDFOUTEN.items():
        with translation.override("nl"):
            vertaald = translation.gettext(engels)
        for sjabloon in dict.fromkeys([engels, vertaald]):
            # A translation that lost a parameter cannot fill ours: only English then.
            if set(_PARAMETER.findall(sjabloon)) >= set(_PARAMETER.findall(ons)):
                patronen.append((_regex(sjabloon), engels, ons))
    return patronen


_ONBEKEND = object()


def veldfout(bericht: str, waarde=_ONBEKEND) -> str:
    """``bericht`` in our Dutch when it is one of DRF's defaults; ``waarde`` is what was sent
    for the field, when known (a wrong date then says what is wrong with it)."""
    for patroon, engels, ons in _patronen():
        m = patroon.match(bericht)
        if m is None:
            continue
        if engels.startswith(("Date has wrong format", "Datetime has wrong format")):
            precies = datumfout(waarde) if waarde is not _ONBEKEND else None
            if precies:
                return precies
        return ons.format(**m.groupdict())
    return bericht


# Per kind of error (the problem's ``code``): its title, and the detail that replaces DRF's
# default one (None: keep the exception's own, already Dutch, detail).
PROBLEMEN = {
    "invalid": ("De invoer is ongeldig.", None),
    "parse_error": ("De body is geen geldige JSON.", None),
    "not_authenticated": (
        "Niet aangemeld.",
        "Stuur een API-sleutel mee: Authorization: Bearer <sleutel>.",
    ),
    "authentication_failed": ("Aanmelden mislukt.", None),
    "permission_denied": ("Geen toegang.", "U mag dit niet."),
    "not_found": (
        "Niet gevonden.",
        "Dit bestaat niet, of u hebt er geen toegang toe.",
    ),
    "method_not_allowed": ("Deze methode is hier niet toegestaan.", None),
    "not_acceptable": (
        "Dit antwoordformaat kan niet worden geleverd.",
        "De API antwoordt in JSON: vraag Accept: application/json (of laat Accept weg).",
    ),
    "unsupported_media_type": ("Dit mediatype wordt niet ondersteund.", None),
    "request_too_large": ("Het verzoek is te groot.", None),
    "throttled": ("Te veel verzoeken.", None),
}


def parsefout(detail: str) -> str:
    """DRF's "JSON parse error - Expecting value: line 1 column 1 (char 0)" in Dutch."""
    m = re.search(r"line (\d+) column (\d+)", detail)
    plek = f" (regel {m.group(1)}, kolom {m.group(2)})" if m else ""
    return f"De body is geen geldige JSON{plek}; controleer aanhalingstekens, komma's en haken."
