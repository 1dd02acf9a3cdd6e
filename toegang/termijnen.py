"""Legal deadlines of a case, computed, never typed (DOMAIN.md "Lifecycle of a case").

Pure functions without database access:

- the Algemene termijnenwet (Atw): which days are not working days, and how a term that ends on
  one of them moves on;
- the onderzoekstermijn (Wmo 2015 art. 2.3.2: six weeks after the melding);
- the beslistermijn (Wmo 2015 art. 2.3.5: two weeks after the aanvraag), suspended while the
  client is asked for information (Awb 4:15) and extended once (Awb 4:14);
- what the consulent must see once the beslistermijn has passed (Awb 4:17, dwangsom);
- the terms of a bezwaar: six weeks to object (Awb 6:7, 6:8) and the decision on bezwaar (Awb
  7:10: six weeks, twelve with an advisory committee, from the day after the bezwaartermijn
  ended; suspended while a verzuim is repaired, lid 2; extended once, lid 3, and further with the
  indiener's consent, lid 4).

Sources checked (Atw text as quoted by wetten.overheid.nl-based pages and Wikipedia):

- Atw art. 1: a term set by law that ends on a Saturday, Sunday or algemeen erkende feestdag is
  extended up to and including the next day that is none of these.
- Atw art. 2: a term of at least three days is extended, if need be, so that it contains at
  least two days that are not a Saturday, Sunday or feestdag (the first day, the day the term
  starts from, does not count). For a term of two weeks or more this cannot bite with today's
  calendar, but it is applied, so short terms computed here are right too.
- Atw art. 3 lid 1: Nieuwjaarsdag, tweede Paas- en Pinksterdag, both Kerstdagen,
  Hemelvaartsdag, the day the King's birthday is celebrated, *and 5 May* — 5 May is in the law
  itself, every year (not only every fifth year, which is a matter of collective labour
  agreements, not of the Atw).
- Atw art. 3 lid 2: *Goede Vrijdag* is put on a par with these days by the law itself, so it is
  a non-working day for deadlines.
- Atw art. 3 lid 3: further days are put on a par by a besluit (published in the Staatscourant,
  usually for three years at a time: the Friday after Hemelvaartsdag, and a bridge day next to a
  feestdag on a Tuesday or Thursday). Those in force are listed in ``GELIJKGESTELDE_DAGEN``; a
  new besluit must be added there.
- Koningsdag (Wet van 2013): 27 April, or 26 April when the 27th is a Sunday; before 2014
  Koninginnedag on 30 April (29 April when the 30th was a Sunday).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

Date = datetime.date
DAG = datetime.timedelta(days=1)

ONDERZOEK_WEKEN = 6  # Wmo 2015 art. 2.3.2 lid 1
BESLIS_WEKEN = 2  # Wmo 2015 art. 2.3.5 lid 1
BEZWAAR_WEKEN = 6  # Awb 6:7
BESLIS_BEZWAAR_WEKEN = 6  # Awb 7:10 lid 1
BESLIS_BEZWAAR_COMMISSIE_WEKEN = 12  # Awb 7:10 lid 1, an advisory committee (Awb 7:13)
VERDAGING_BEZWAAR_WEKEN = 6  # Awb 7:10 lid 3: "ten hoogste zes weken"
SIGNAAL_WERKDAGEN = 5  # a deadline this close is "bijna" and is notified
DWANGSOM_WACHTTIJD = datetime.timedelta(weeks=2)  # Awb 4:17 lid 3
DWANGSOM_MAX_DAGEN = 42  # Awb 4:17 lid 1
# Awb 4:17 lid 2: euro per day for days 1-14, 15-28 and 29-42.
DWANGSOM_TARIEVEN = (Decimal("23"), Decimal("35"), Decimal("45"))

# Atw art. 3 lid 3: days put on a par with a feestdag by besluit.
GELIJKGESTELDE_DAGEN: dict[Date, str] = {
    # Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en
    # 30 mei 2025 met een algemeen erkende feestdag.
    Date(2023, 4, 28): "dag na Koningsdag (gelijkgesteld)",
    Date(2023, 5, 19): "dag na Hemelvaartsdag (gelijkgesteld)",
    Date(2024, 5, 10): "dag na Hemelvaartsdag (gelijkgesteld)",
    Date(2024, 12, 27): "dag na tweede Kerstdag (gelijkgesteld)",
    Date(2025, 5, 30): "dag na Hemelvaartsdag (gelijkgesteld)",
    # Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en
    # 26 mei 2028 met een algemeen erkende feestdag.
    Date(2026, 1, 2): "dag na Nieuwjaarsdag (gelijkgesteld)",
    Date(2026, 5, 15): "dag na Hemelvaartsdag (gelijkgesteld)",
    Date(2027, 5, 7): "dag na Hemelvaartsdag (gelijkgesteld)",
    Date(2028, 4, 28): "dag na Koningsdag (gelijkgesteld)",
    Date(2028, 5, 26): "dag na Hemelvaartsdag (gelijkgesteld)",
}


# --- the calendar ----------------------------------------------------------------------------


def pasen(jaar: int) -> Date:
    """Easter Sunday of ``jaar`` (Gregorian computus, the anonymous 'Meeus/Jones/Butcher')."""
    a = jaar % 19
    b, c = divmod(jaar, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekdag = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekdag) // 451
    maand, dag = divmod(h + weekdag - 7 * m + 114, 31)
    return Date(jaar, maand, dag + 1)


def koningsdag(jaar: int) -> Date:
    if jaar >= 2014:
        dag = Date(jaar, 4, 27)
    else:
        dag = Date(jaar, 4, 30)
    return dag - DAG if dag.weekday() == 6 else dag


@cache
def feestdagen(jaar: int) -> dict[Date, str]:
    """The algemeen erkende feestdagen of ``jaar`` and the days put on a par with them (Atw
    art. 3), with their names."""
    paaszondag = pasen(jaar)
    dagen = {
        Date(jaar, 1, 1): "Nieuwjaarsdag",
        paaszondag - 2 * DAG: "Goede Vrijdag",
        paaszondag + DAG: "tweede Paasdag",
        koningsdag(jaar): "Koningsdag",
        Date(jaar, 5, 5): "Bevrijdingsdag (5 mei)",
        paaszondag + 39 * DAG: "Hemelvaartsdag",
        paaszondag + 50 * DAG: "tweede Pinksterdag",
        Date(jaar, 12, 25): "eerste Kerstdag",
        Date(jaar, 12, 26): "tweede Kerstdag",
    }
    for dag, naam in GELIJKGESTELDE_DAGEN.items():
        if dag.year == jaar:
            dagen.setdefault(dag, naam)
    return dagen


def is_feestdag(dag: Date) -> bool:
    return dag in feestdagen(dag.year)


def is_werkdag(dag: Date) -> bool:
    """Not a Saturday, Sunday or (equal to an) algemeen erkende feestdag (Atw)."""
    return dag.weekday() < 5 and not is_feestdag(dag)


def volgende_werkdag(dag: Date) -> Date:
    """``dag`` itself when it is a working day, else the first working day after it (Atw art. 1:
    'verlengd tot en met de eerstvolgende dag die niet ... is')."""
    while not is_werkdag(dag):
        dag += DAG
    return dag


def plus_werkdagen(dag: Date, aantal: int) -> Date:
    """The ``aantal``-th working day after ``dag`` (``dag`` itself does not count)."""
    while aantal > 0:
        dag += DAG
        if is_werkdag(dag):
            aantal -= 1
    return dag


def werkdagen_tussen(van: Date, tot_en_met: Date) -> int:
    """Working days after ``van`` up to and including ``tot_en_met``."""
    aantal, dag = 0, van
    while dag < tot_en_met:
        dag += DAG
        aantal += is_werkdag(dag)
    return aantal


# --- terms -----------------------------------------------------------------------------------


def termijn_einde(start: Date, *, weeks: int = 0, days: int = 0) -> Date:
    """The last day of a statutory term of ``weeks`` weeks and ``days`` days that starts
    running the day after ``start`` (the melding, the aanvraag), with the Atw applied:

    - art. 2: a term of three days or more holds at least two working days, else it is
      extended to the second one;
    - art. 1: an end on a Saturday, Sunday or feestdag moves to the next working day.
    """
    lengte = weeks * 7 + days
    if lengte < 0:
        raise ValueError("Een termijn kan niet negatief zijn.")
    einde = start + datetime.timedelta(days=lengte)
    if lengte >= 3 and werkdagen_tussen(start, einde) < 2:
        einde = plus_werkdagen(start, 2)
    return volgende_werkdag(einde)


def onderzoekstermijn(melding_datum: Date) -> Date:
    """Last day of the onderzoek: six weeks after the melding (Wmo 2015 art. 2.3.2)."""
    return termijn_einde(melding_datum, weeks=ONDERZOEK_WEKEN)


def _periode(opschorting) -> tuple[Date, Date | None]:
    if isinstance(opschorting, tuple):
        return opschorting
    return opschorting.van, opschorting.tot


def opgeschorte_dagen(opschortingen: Iterable) -> int | None:
    """Days the beslistermijn is suspended (Awb 4:15 lid 1: 'met ingang van de dag na' the
    request for information 'tot de dag waarop de aanvraag is aangevuld'): the days strictly
    between ``van`` and ``tot``; overlapping suspensions count once. None while one is open
    (the information has not arrived, so the term has no end yet).

    ``opschortingen`` are objects with ``van``/``tot`` (the model) or (van, tot) tuples.
    """
    dagen: set[Date] = set()
    for opschorting in opschortingen:
        van, tot = _periode(opschorting)
        if tot is None:
            return None
        dag = van + DAG
        while dag < tot:
            dagen.add(dag)
            dag += DAG
    return len(dagen)


def beslistermijn(
    aanvraag_datum: Date, opschortingen: Iterable = (), verdaging_weken: int | None = None
) -> Date | None:
    """Last day to decide on the aanvraag: two weeks after it (Wmo 2015 art. 2.3.5), plus the
    suspended days (Awb 4:15), plus the one extension (Awb 4:14) counted from the end of the
    original term; the Atw moves each end to a working day. None while a suspension is open."""
    opgeschort = opgeschorte_dagen(opschortingen)
    if opgeschort is None:
        return None
    einde = termijn_einde(aanvraag_datum, weeks=BESLIS_WEKEN, days=opgeschort)
    if verdaging_weken:
        einde = termijn_einde(einde, weeks=verdaging_weken)
    return einde


def bezwaartermijn_einde(bekendgemaakt_op: Date) -> Date:
    """Last day to object: six weeks from the day after the bekendmaking (Awb 6:7, 6:8)."""
    return termijn_einde(bekendgemaakt_op, weeks=BEZWAAR_WEKEN)


def beslistermijn_bezwaar(
    bekendgemaakt_op: Date,
    *,
    adviescommissie: bool = False,
    opschortingen: Iterable = (),
    verdaging_weken: int | None = None,
    uitgesteld_tot: Date | None = None,
) -> Date:
    """Last day to decide on a bezwaar (Awb 7:10).

    - lid 1: six weeks, twelve when an advisory committee (Awb 7:13) hears it, "gerekend vanaf de
      dag na die waarop de termijn voor het indienen van het bezwaarschrift is verstreken": the
      bezwaartermijn's own end (itself moved off a weekend or holiday) is the start day;
    - lid 2: plus the days suspended while a verzuim is repaired, counted as for Awb 4:15 (the
      days after the request up to the day it was repaired or the repair term passed unused;
      ``opschortingen`` are (van, tot) pairs or objects with ``van``/``tot``, ``tot`` known);
    - lid 3: plus the one verdaging of at most six weeks, from the end so far;
    - lid 4: further postponement with the indiener's consent to an agreed date
      (``uitgesteld_tot``, the latest agreed); it never shortens the statutory term.

    The Atw moves each statutory end to a working day."""
    weken = BESLIS_BEZWAAR_COMMISSIE_WEKEN if adviescommissie else BESLIS_BEZWAAR_WEKEN
    opgeschort = opgeschorte_dagen(opschortingen)
    if opgeschort is None:
        raise ValueError("Een opschorting van de beslistermijn op bezwaar heeft altijd een einde.")
    einde = termijn_einde(bezwaartermijn_einde(bekendgemaakt_op), weeks=weken, days=opgeschort)
    if verdaging_weken:
        einde = termijn_einde(einde, weeks=verdaging_weken)
    if uitgesteld_tot is not None and uitgesteld_tot > einde:
        einde = uitgesteld_tot
    return einde


# --- what the consulent sees -----------------------------------------------------------------

OP_TIJD = "op_tijd"
BIJNA = "bijna"
VERLOPEN = "verlopen"
OPGESCHORT = "opgeschort"
GEEN = "geen"

CSS_KLASSEN = {BIJNA: "signaal-oranje", VERLOPEN: "signaal-rood"}
LABELS = {
    OP_TIJD: "Op tijd",
    BIJNA: "Verloopt binnenkort",
    VERLOPEN: "Verlopen",
    OPGESCHORT: "Opgeschort",
    GEEN: "Geen termijn",
}


@dataclass(frozen=True)
class Termijnstand:
    """Where a deadline stands on ``peildatum``: before it, near it (within
    ``SIGNAAL_WERKDAGEN`` working days) or after it."""

    einde: Date | None
    toestand: str
    werkdagen_over: int | None = None

    @property
    def css(self) -> str:
        return CSS_KLASSEN.get(self.toestand, "")

    @property
    def label(self) -> str:
        return LABELS[self.toestand]

    @property
    def verlopen_sinds(self) -> Date | None:
        """The first day the term is exceeded."""
        return self.einde + DAG if self.toestand == VERLOPEN else None


def termijnstand(einde: Date | None, peildatum: Date, *, opgeschort: bool = False) -> Termijnstand:
    if einde is None:
        return Termijnstand(None, OPGESCHORT if opgeschort else GEEN)
    if peildatum > einde:
        return Termijnstand(einde, VERLOPEN, 0)
    over = werkdagen_tussen(peildatum, einde)
    if einde <= plus_werkdagen(peildatum, SIGNAAL_WERKDAGEN):
        return Termijnstand(einde, BIJNA, over)
    return Termijnstand(einde, OP_TIJD, over)


def dwangsom_bedrag(dagen: int) -> Decimal:
    """The penalty for ``dagen`` days in default (Awb 4:17 lid 2), at most 42 days."""
    dagen = max(0, min(dagen, DWANGSOM_MAX_DAGEN))
    totaal = Decimal("0")
    for blok, tarief in enumerate(DWANGSOM_TARIEVEN):
        in_blok = max(0, min(dagen - blok * 14, 14))
        totaal += in_blok * tarief
    return totaal


DWANGSOM_MAXIMUM = dwangsom_bedrag(DWANGSOM_MAX_DAGEN)


@dataclass(frozen=True)
class Dwangsomstatus:
    """Awb 4:17 for a beslistermijn on ``peildatum``.

    After the term has passed the gemeente is in default: ``dwangsom_mogelijk`` — the client may
    send a written ingebrekestelling, and two weeks after the gemeente received it a penalty is
    due for every day until the decision (at most 42 days). With the date the ingebrekestelling
    was received, the first penalty day and the penalty so far are known. An ingebrekestelling
    received before the term passed does not count (``ingebrekestelling_te_vroeg``).
    """

    einde: Date | None
    verlopen: bool
    verlopen_sinds: Date | None = None
    dwangsom_mogelijk: bool = False
    ingebrekestelling_te_vroeg: bool = False
    eerste_dwangsomdag: Date | None = None
    verbeurde_dagen: int = 0
    verbeurd: Decimal = Decimal("0")
    maximum: Decimal = DWANGSOM_MAXIMUM


def dwangsom_status(
    einde: Date | None,
    peildatum: Date,
    ingebrekestelling_ontvangen_op: Date | None = None,
    besloten_op: Date | None = None,
) -> Dwangsomstatus:
    """What the consulent needs to see about Awb 4:17 for a beslistermijn ending on ``einde``.
    ``besloten_op`` stops the count (the decision was given)."""
    tot = min(peildatum, besloten_op) if besloten_op else peildatum
    if einde is None or tot <= einde:
        return Dwangsomstatus(einde, verlopen=False)
    sinds = einde + DAG
    if ingebrekestelling_ontvangen_op is None:
        return Dwangsomstatus(einde, True, sinds, dwangsom_mogelijk=True)
    if ingebrekestelling_ontvangen_op <= einde:
        return Dwangsomstatus(
            einde, True, sinds, dwangsom_mogelijk=True, ingebrekestelling_te_vroeg=True
        )
    eerste = ingebrekestelling_ontvangen_op + DWANGSOM_WACHTTIJD
    dagen = max(0, (tot - eerste).days + 1) if tot >= eerste else 0
    dagen = min(dagen, DWANGSOM_MAX_DAGEN)
    return Dwangsomstatus(
        einde,
        True,
        sinds,
        dwangsom_mogelijk=True,
        eerste_dwangsomdag=eerste,
        verbeurde_dagen=dagen,
        verbeurd=dwangsom_bedrag(dagen),
    )
