"""What a location's own features exclude for a client, from the client's data (issue 17 item
12), for matching: gender (``Persoon.geslacht``) and age (``Persoon.geboortedatum``).

The age follows from ``Persoon.geboortedatum`` on the matching date. A birth date is not always
fully known (iWmo COD170 ``datumgebruik``: 1 the day unknown, 2 day and month unknown, 3 all of
it unknown); then the client's age is a range, and a location is left out only when every age
in that range lies outside its limits. An unknown birth date never leaves a location out: it
is flagged, so the consulent checks the age before reserving.
"""

from __future__ import annotations

import calendar
import datetime

from inkoop.models import Locatie


def persoon_bezwaren(persoon, locatie, datum: datetime.date) -> list[str]:
    """Why ``locatie``'s own features rule out the client ``persoon`` (None: erased) on
    ``datum``; empty when they do not."""
    bezwaren = []
    geslacht = getattr(persoon, "geslacht", "0")  # COD046: 1 man, 2 vrouw
    if locatie.gender == Locatie.Gender.VROUWEN and geslacht == "1":
        bezwaren.append("Deze locatie is alleen voor vrouwen.")
    if locatie.gender == Locatie.Gender.MANNEN and geslacht == "2":
        bezwaren.append("Deze locatie is alleen voor mannen.")
    if leeftijd := leeftijd_bezwaar(persoon, locatie, datum):
        bezwaren.append(leeftijd)
    return bezwaren


def _jaren(geboren: datetime.date, datum: datetime.date) -> int:
    return datum.year - geboren.year - ((datum.month, datum.day) < (geboren.month, geboren.day))


def leeftijden(persoon, datum: datetime.date) -> tuple[int, int] | None:
    """The youngest and oldest age ``persoon`` can have on ``datum`` (equal when the birth date
    is fully known); None when the birth date is unknown (or the person's data was erased)."""
    geboren = getattr(persoon, "geboortedatum", None)
    gebruik = getattr(persoon, "datumgebruik", "")
    if geboren is None or gebruik == "3":
        return None
    if gebruik == "2":  # only the year is known
        vroegst, laatst = geboren.replace(month=1, day=1), geboren.replace(month=12, day=31)
    elif gebruik == "1":  # the year and month are known
        dagen = calendar.monthrange(geboren.year, geboren.month)[1]
        vroegst, laatst = geboren.replace(day=1), geboren.replace(day=dagen)
    else:
        vroegst = laatst = geboren
    return _jaren(laatst, datum), _jaren(vroegst, datum)


def _tekst(jong: int, oud: int) -> str:
    return f"{jong} jaar" if jong == oud else f"{jong} of {oud} jaar"


def leeftijd_bezwaar(persoon, locatie, datum: datetime.date) -> str:
    """Why the client's age on ``datum`` rules ``locatie`` out (empty: it does not)."""
    laag, hoog = locatie.leeftijd_min, locatie.leeftijd_max
    if laag is None and hoog is None:
        return ""
    bereik = leeftijden(persoon, datum)
    if bereik is None:
        return ""
    jong, oud = bereik
    if (laag is not None and oud < laag) or (hoog is not None and jong > hoog):
        return f"De cliënt is {_tekst(jong, oud)}; deze locatie is voor {locatie.leeftijden}."
    return ""


def leeftijd_opmerking(persoon, locatie, datum: datetime.date) -> str:
    """A flag for a location with age limits that the client may or may not meet: the birth
    date is unknown, or only partly known and the age could lie on either side of a limit."""
    laag, hoog = locatie.leeftijd_min, locatie.leeftijd_max
    if laag is None and hoog is None:
        return ""
    bereik = leeftijden(persoon, datum)
    if bereik is None:
        return f"leeftijd onbekend (de locatie is voor {locatie.leeftijden})"
    jong, oud = bereik
    if (laag is not None and jong < laag) or (hoog is not None and oud > hoog):
        return f"leeftijd onzeker: {_tekst(jong, oud)} (de locatie is voor {locatie.leeftijden})"
    return ""
