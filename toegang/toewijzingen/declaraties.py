"""Declaraties of aanbieders (iWmo WMO323 semantics, P×Q only), shared by the REST API and the
iWmo XML import.

``indienen`` first checks the structure of the whole declaratie; a malformed one is refused
whole (``ValidationError``, nothing stored). Then every line is checked on its own and stored
either *toegekend* (retourcodes ``["0200"]``, booked as a cost by financien) or *afgewezen*
(with its WJ001 retourcodes), all in one transaction.

Structure errors (the whole declaratie is refused)
---------------------------------------------------
Keys of the ``ValidationError`` dict are the *input* names of this function: ``gemeente``,
``nummer``, ``regels`` and ``regels.<i>.<key>`` with ``i`` the 0-based position of the line and
``key`` one of the line dict keys (``regels.3.periode_einde``). The API translates them to its
JSON names (``regels.3.periodeEinde``). Refused: an unknown gemeente, an empty or too long
nummer, a nummer this aanbieder used before (also iWmo 9333), no lines, a missing field or one of
the wrong type/format (codes from the iWmo lists: productcategorie WMO020, eenheid WJ756,
debet_credit COD043), a volume ≤ 0 or an amount < 0 or with more than two decimals, a period
that ends before it begins, spans more than one calendar month (iWmo 9319) or ends after today
(care not yet delivered cannot be declared; iWmo TR137), a credit line without
``vorige_referentie``, and two lines with the same ``referentie`` in one declaratie.

The iWmo XSLT rules and constraints among them carry WJ001 retourcode 0001 as the error's
``code`` (so the API's invalidParams and the XML retour name it): a period that ended more than
5 years before the DeclaratieDagtekening (TR335; the API's dagtekening is the day it receives
the declaratie), eenheid 83 (euro's) with a ``tarief`` (CD087) or a bedrag other than the volume
(CS339), a credit line of € 0 (CS325: a zero amount is debet), a ``vorige_referentie`` twice
(TR315) or naming a line of the same declaratie (TR316), and two debet lines for the same
prestatie — ToewijzingNummer, ProductPeriode, ProductCategorie and ProductCode — (TR416).

Line checks and their WJ001 retourcodes
---------------------------------------
====  =============================================================================================
code  when
====  =============================================================================================
9338  no toewijzing with this ToewijzingNummer of *this* aanbieder in the declaratie's gemeente
      (unknown, another aanbieder's — indistinguishable on purpose: an aanbieder never learns of
      another's toewijzing —, or another gemeente's); also a taakgerichte toewijzing (or one
      without omvang): it has no toegewezen P×Q product a prestatie can be related to. Nothing
      else is checked then.
9384  the toewijzing was ingetrokken (iWmo RedenWijziging 13, sent in error: TR384). Nothing else
      is checked then.
9339  productcategorie differs from the toegewezen product's
9340  productcode differs from the toegewezen product's
9341  eenheid differs from the toewijzing's
9307  periode_begin is not within the toewijzing's ingangsdatum..einddatum
9308  periode_einde is not within the toewijzing's ingangsdatum..einddatum
9387  periode_begin is not the 1st of the month although the toewijzing started before or on it
9388  periode_einde is not the month's last day although the toewijzing runs past it
9389  debet: an accepted debet line for the same prestatie (ToewijzingNummer, ProductPeriode,
      ProductCategorie, ProductCode) exists that accepted credits have not taken back in full,
      volume and bedrag (iWmo TR389, OP366: credit it in full, then declare it anew). No
      volume check (9321/9322) then.
8021  this aanbieder already has an accepted line with this ReferentieNummer (a refused line's
      number may be used again: the database keeps ReferentieNummer unique among accepted lines)
0611  the contract tariff (``inkoop.contracten.services.tarief_voor`` the toewijzing's contract:
      a BDVO's own tariff, else the catalogue's for the product on periode_begin) is missing, or
      differs from the ``tarief`` the line carries, or — when the line carries no ``tarief`` —
      bedrag ≠ volume × contract tariff (rounded to cents, half up); also a line on a BDVO in
      another eenheid than the one its tariff is for
9346  the line carries a ``tarief`` (iWmo ProductTarief) equal to the contract's but
      bedrag ≠ volume × tarief (rounded to cents, half up)
      (no tariff check at all when the eenheid is 83, euro's: the volume is the amount)
9321  debet: the line's own volume exceeds what the toewijzing allows for the month
9322  debet: the line's volume plus the month's earlier accepted volume (debet minus credit) on
      the toewijzing exceeds it (for frequentie "totaal", over the whole toewijzing)
8017  credit: ``vorige_referentie`` names no accepted debet line of this aanbieder on the same
      toewijzing and the same period, or the credit exceeds that debet's volume or bedrag
9390  credit: earlier credits on the same debet leave less than this credit's volume or bedrag
====  =============================================================================================

Allowed volume per month (the toewijzing's volume V, WMO757 frequentie, d = days of the month
within the toewijzing, m = days in the month), exact (fractions, no rounding):
``1`` per dag: V × d; ``2`` per week: V × d ÷ 7; ``4`` per maand: V × d ÷ m (pro rata for a
partial month); ``6`` totaal binnen geldigheidsduur (and a missing frequentie): V minus
everything accepted on the toewijzing so far.

The accepted lines are handed, in the same transaction, to ``declaratieregels_toegekend``: a hook
(``regio.haken``) that financien provides, since toegang does not import it. It books each line
as a ``Kostenregel`` and records a BW client's first start (``financien.kosten``).

Concurrency: the aanbieder's row is locked first (its declaraties take turns: DeclaratieNummer
and ReferentieNummer stay unique), then the toewijzingen named, in id order, so two declaraties
can never both use the same room of a toewijzing and an einddatum change waits.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from inkoop.contracten.services import tarief_voor
from inkoop.models import Aanbieder, Bekostiging
from regio import audit
from regio.haken import Haak
from regio.iwmo import codelijst
from regio.models import Gemeente
from regio.query import vereis_namens
from toegang.models import Declaratie, Declaratieregel, Toewijzing

ADD = "toegang.add_declaratie"
CENT = Decimal("0.01")
EURO = "83"
DEBET, CREDIT = "D", "C"
TECHNISCH = "0001"  # WJ001 "Bericht is afgekeurd om technische redenen."
TOEGEKEND = Declaratieregel.Status.TOEGEKEND
AFGEWEZEN = Declaratieregel.Status.AFGEWEZEN

REGEL_VELDEN = (
    "referentie", "vorige_referentie", "toewijzingnummer", "productcategorie", "productcode",
    "periode_begin", "periode_einde", "volume", "eenheid", "bedrag", "debet_credit", "tarief",
)  # fmt: skip
VERPLICHT = (
    "referentie", "toewijzingnummer", "productcategorie", "productcode", "periode_begin",
    "periode_einde", "volume", "eenheid", "bedrag", "debet_credit",
)  # fmt: skip
_REFERENTIE = re.compile(r"^\S(.*\S)?$")

# (accepted Declaratieregels, with their toewijzing loaded) -> None, inside indienen's transaction.
# Provided by financien (FinancienConfig.ready): the money of every accepted line is booked there.
declaratieregels_toegekend = Haak("toegang.declaratieregels_toegekend", verplicht=True)


@dataclass
class Regel:
    """One line after the structure check, with its values typed."""

    referentie: str
    vorige_referentie: str
    toewijzingnummer: int
    productcategorie: str
    productcode: str
    periode_begin: datetime.date
    periode_einde: datetime.date
    volume: Decimal
    eenheid: str
    bedrag: Decimal
    debet_credit: str
    tarief: Decimal | None


class _Ongeldig(ValueError):
    """A Dutch message for one field."""


# --- the structure check -----------------------------------------------------------------------


def _tekst(waarde, lengte: int, *, leeg_mag: bool = False) -> str:
    if waarde is None:
        waarde = ""
    if not isinstance(waarde, str):
        raise _Ongeldig("Moet tekst zijn.")
    waarde = waarde.strip()
    if not waarde and not leeg_mag:
        raise _Ongeldig("Dit veld is verplicht.")
    if len(waarde) > lengte:
        raise _Ongeldig(f"Hoogstens {lengte} tekens.")
    return waarde


def _code(waarde, lijst: str, label: str) -> str:
    waarde = _tekst(waarde, 4)
    if waarde not in codelijst(lijst):
        raise _Ongeldig(f"{waarde} is geen geldige {label} (iWmo-codelijst {lijst.split('_')[0]}).")
    return waarde


def _datum(waarde) -> datetime.date:
    if isinstance(waarde, datetime.datetime):
        raise _Ongeldig("Een datum zonder tijd (JJJJ-MM-DD).")
    if isinstance(waarde, datetime.date):
        return waarde
    if isinstance(waarde, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", waarde.strip()):
        try:
            return datetime.date.fromisoformat(waarde.strip())
        except ValueError:
            pass
    raise _Ongeldig("Geen geldige datum (JJJJ-MM-DD).")


def _getal(waarde, *, positief: bool, max_cijfers: int) -> Decimal:
    if isinstance(waarde, bool) or waarde is None or waarde == "":
        raise _Ongeldig(
            "Dit veld is verplicht." if waarde in (None, "") else "Moet een getal zijn."
        )
    try:
        getal = Decimal(str(waarde).strip()) if not isinstance(waarde, Decimal) else waarde
    except InvalidOperation:
        raise _Ongeldig("Moet een getal zijn.") from None
    if not getal.is_finite():
        raise _Ongeldig("Moet een getal zijn.")
    if getal != getal.quantize(CENT, rounding=ROUND_HALF_UP):
        raise _Ongeldig("Hoogstens twee decimalen.")
    getal = getal.quantize(CENT)
    if positief and getal <= 0:
        raise _Ongeldig("Moet groter zijn dan 0.")
    if getal < 0:
        raise _Ongeldig("Mag niet negatief zijn (een creditregel heeft debetCredit C).")
    if len(getal.as_tuple().digits) > max_cijfers:
        raise _Ongeldig("Het getal is te groot.")
    return getal


def _nummer(waarde) -> int:
    if isinstance(waarde, bool):
        raise _Ongeldig("Moet een geheel getal zijn.")
    if isinstance(waarde, str) and waarde.strip().isdigit():
        waarde = int(waarde.strip())
    if not isinstance(waarde, int):
        raise _Ongeldig("Moet een geheel getal zijn.")
    if not 0 <= waarde <= 999_999_999:
        raise _Ongeldig("Een ToewijzingNummer ligt tussen 0 en 999999999.")
    return waarde


def _technisch(melding: str) -> ValidationError:
    """A structure error with its WJ001 retourcode 0001 (an iWmo XSLT rule or constraint: the
    message is refused as a whole)."""
    return ValidationError(melding, code=TECHNISCH)


def vijf_jaar_voor(dag: datetime.date) -> datetime.date:
    try:
        return dag.replace(year=dag.year - 5)
    except ValueError:  # 29 February
        return dag.replace(year=dag.year - 5, day=28)


def _regel(
    invoer: dict, vandaag: datetime.date, dagtekening: datetime.date
) -> tuple[Regel | None, dict[str, str | ValidationError]]:
    fouten: dict[str, str | ValidationError] = {}
    waarden: dict = {}

    def lees(veld, functie, *args, **kwargs):
        try:
            waarden[veld] = functie(invoer.get(veld), *args, **kwargs)
        except _Ongeldig as exc:
            fouten[veld] = str(exc)

    lees("referentie", _tekst, 36)
    lees("vorige_referentie", _tekst, 36, leeg_mag=True)
    lees("toewijzingnummer", _nummer)
    lees("productcategorie", _code, "WMO020_Productcategorie", "productcategorie")
    lees("productcode", _tekst, 5)
    lees("periode_begin", _datum)
    lees("periode_einde", _datum)
    lees("volume", _getal, positief=True, max_cijfers=10)
    lees("eenheid", _code, "WJ756_Eenheid", "eenheid")
    lees("bedrag", _getal, positief=False, max_cijfers=12)
    lees("debet_credit", _code, "COD043_Indicatie_debet_credit", "debet/credit-indicatie")
    if invoer.get("tarief") not in (None, ""):
        lees("tarief", _getal, positief=False, max_cijfers=10)
    else:
        waarden["tarief"] = None
    for veld in VERPLICHT:  # the "required" message wins over a format message
        if invoer.get(veld) in (None, ""):
            fouten[veld] = "Dit veld is verplicht."

    begin, einde = waarden.get("periode_begin"), waarden.get("periode_einde")
    if begin and einde and "periode_einde" not in fouten:
        if einde < begin:
            fouten["periode_einde"] = "De periode eindigt vóór ze begint."
        elif (begin.year, begin.month) != (einde.year, einde.month):
            fouten["periode_einde"] = "Een regel betreft één kalendermaand (iWmo 9319)."
        elif einde > vandaag:
            fouten["periode_einde"] = "Zorg die nog niet geleverd is kan niet worden gedeclareerd."
    if waarden.get("debet_credit") == CREDIT and not waarden.get("vorige_referentie"):
        fouten.setdefault(
            "vorige_referentie", "Een creditregel noemt het ReferentieNummer van de debetregel."
        )
    if einde and "periode_einde" not in fouten and einde < vijf_jaar_voor(dagtekening):
        fouten["periode_einde"] = _technisch(
            "De periode eindigde meer dan 5 jaar vóór de dagtekening van de declaratie en kan"
            " niet meer worden gedeclareerd (iWmo TR335)."
        )
    if waarden.get("eenheid") == EURO:
        if waarden.get("tarief") is not None:
            fouten.setdefault("tarief", _technisch(
                "Bij eenheid 83 (euro's) blijft het ProductTarief leeg (iWmo CD087)."
            ))  # fmt: skip
        volume, bedrag = waarden.get("volume"), waarden.get("bedrag")
        if volume is not None and bedrag is not None and volume != bedrag:
            fouten.setdefault("bedrag", _technisch(
                "Bij eenheid 83 (euro's) is het bedrag gelijk aan het volume (iWmo CS339)."
            ))  # fmt: skip
    if waarden.get("bedrag") == 0 and waarden.get("debet_credit") == CREDIT:
        fouten.setdefault("debet_credit", _technisch(
            "Een bedrag van 0 is een debetregel: vul D in (iWmo CS325)."
        ))  # fmt: skip
    if fouten:
        return None, fouten
    return Regel(**{veld: waarden[veld] for veld in REGEL_VELDEN}), {}


def controleer_structuur(
    aanbieder: Aanbieder, gemeente, nummer, regels, dagtekening: datetime.date | None = None
) -> tuple[Gemeente, str, list[Regel]]:
    """The whole declaratie's structure; ValidationError keyed by input name (module doc).
    ``dagtekening`` is the DeclaratieDagtekening (today when not given: the API)."""
    fouten: dict[str, list] = {}
    vandaag = datetime.date.today()
    dagtekening = dagtekening or vandaag

    if isinstance(gemeente, Gemeente):
        gemeente_obj = gemeente
    else:
        code = gemeente.strip() if isinstance(gemeente, str) else ""
        gemeente_obj = Gemeente.objects.filter(code=code).first() if code else None
        if gemeente_obj is None:
            fouten["gemeente"] = [
                "Geef de CBS-gemeentecode (4 cijfers) van een bekende gemeente (iWmo S300)."
            ]
    try:
        nummer = _tekst(nummer, 12)
    except _Ongeldig as exc:
        fouten["nummer"] = [str(exc)]
    else:
        if Declaratie.objects.filter(aanbieder=aanbieder, nummer=nummer).exists():
            fouten["nummer"] = [_NUMMER_GEBRUIKT]

    gelezen: list[Regel] = []
    posities: list[int] = []  # the input position of each line read
    if not isinstance(regels, list | tuple) or not regels:
        fouten["regels"] = ["Een declaratie heeft ten minste één regel."]
    else:
        eerste: dict[str, int] = {}
        for index, invoer in enumerate(regels):
            if not isinstance(invoer, dict):
                fouten[f"regels.{index}"] = ["Een regel is een object met velden."]
                continue
            regel, regelfouten = _regel(invoer, vandaag, dagtekening)
            for veld, tekst in regelfouten.items():
                fouten[f"regels.{index}.{veld}"] = [tekst]
            if regel is None:
                continue
            gelezen.append(regel)
            posities.append(index)
            if regel.referentie in eerste:
                fouten[f"regels.{index}.referentie"] = [
                    f"Dit ReferentieNummer staat ook in regel {eerste[regel.referentie]}; het is"
                    " uniek per aanbieder."
                ]
            else:
                eerste[regel.referentie] = index
        for veld, tekst in _tussen_regels(gelezen, posities, eerste).items():
            fouten.setdefault(veld, [tekst])
    if fouten:
        raise ValidationError(fouten)
    return gemeente_obj, nummer, gelezen


def debetsleutel(r) -> tuple:
    """What makes two debet lines the same prestatie (iWmo TR389/TR416): ToewijzingNummer,
    ProductPeriode, ProductCategorie and ProductCode."""
    return (
        r.toewijzingnummer, r.periode_begin, r.periode_einde, r.productcategorie, r.productcode
    )  # fmt: skip


def _tussen_regels(
    gelezen: list[Regel], posities: list[int], referenties: dict[str, int]
) -> dict[str, ValidationError]:
    """The iWmo XSLT rules between the lines of one declaratie (retourcode 0001)."""
    fouten: dict[str, ValidationError] = {}
    vorige: dict[str, int] = {}
    debet: dict[tuple, int] = {}
    for index, r in zip(posities, gelezen, strict=True):
        if r.vorige_referentie:
            if r.vorige_referentie in vorige:
                fouten[f"regels.{index}.vorige_referentie"] = _technisch(
                    f"Dit VorigReferentieNummer staat ook in regel {vorige[r.vorige_referentie]};"
                    " het is uniek in een declaratie (iWmo TR315)."
                )
            else:
                vorige[r.vorige_referentie] = index
            if r.vorige_referentie in referenties:
                fouten.setdefault(f"regels.{index}.vorige_referentie", _technisch(
                    f"Regel {referenties[r.vorige_referentie]} staat in dezelfde declaratie:"
                    " een debetregel wordt in een latere declaratie gecrediteerd (iWmo TR316)."
                ))  # fmt: skip
        if r.debet_credit == DEBET:
            sleutel = debetsleutel(r)
            if sleutel in debet:
                fouten[f"regels.{index}.periode_begin"] = _technisch(
                    f"Regel {debet[sleutel]} declareert al dezelfde periode, hetzelfde product"
                    " en dezelfde toewijzing; tel het volume op in één debetregel (iWmo TR416)."
                )
            else:
                debet[sleutel] = index
    return fouten


_NUMMER_GEBRUIKT = "Deze aanbieder gebruikte dit declaratienummer al (iWmo 9333)."


# --- the line checks ---------------------------------------------------------------------------


def maandgrenzen(dag: datetime.date) -> tuple[datetime.date, datetime.date]:
    laatste = calendar.monthrange(dag.year, dag.month)[1]
    return dag.replace(day=1), dag.replace(day=laatste)


def dagen_in_toewijzing(t: Toewijzing, begin: datetime.date, einde: datetime.date) -> int:
    """Days of [begin, einde] (inclusive) within the toewijzing's period."""
    van = max(begin, t.ingangsdatum)
    tot = min(einde, t.einddatum) if t.einddatum else einde
    return max(0, (tot - van).days + 1)


def netto_volume(queryset) -> Decimal:
    """Accepted debet minus accepted credit volume of the lines in ``queryset``."""
    sommen = queryset.filter(status=TOEGEKEND).aggregate(
        debet=Sum("volume", filter=Q(debet_credit=DEBET)),
        credit=Sum("volume", filter=Q(debet_credit=CREDIT)),
    )
    return (sommen["debet"] or Decimal(0)) - (sommen["credit"] or Decimal(0))


def toegestaan_volume(t: Toewijzing, dag: datetime.date) -> tuple[Fraction, Decimal]:
    """(what the toewijzing allows, what accepted lines already use) for the month of ``dag``;
    for frequentie "totaal" both over the toewijzing's whole period (module doc)."""
    begin, einde = maandgrenzen(dag)
    volume = Fraction(t.volume)
    regels = Declaratieregel.objects.filter(toewijzing=t)
    d = dagen_in_toewijzing(t, begin, einde)
    if t.frequentie == "1":
        return volume * d, netto_volume(regels.filter(periode_begin__range=(begin, einde)))
    if t.frequentie == "2":
        return volume * d / 7, netto_volume(regels.filter(periode_begin__range=(begin, einde)))
    if t.frequentie == "4":
        return (
            volume * d / einde.day,
            netto_volume(regels.filter(periode_begin__range=(begin, einde))),
        )
    return volume, netto_volume(regels)


def declarabel(t: Toewijzing) -> bool:
    """P×Q with an omvang: a taakgerichte toewijzing carries none and is not declared."""
    return (
        t.volume is not None
        and t.contract.bekostiging == Bekostiging.PXQ
        and t.beschikt_product.product.perceel.bekostiging == Bekostiging.PXQ
    )


def ander_eenheid(t: Toewijzing, r: Regel) -> bool:
    """A BDVO's own tariff holds per its own eenheid: a line in another eenheid has none."""
    return bool(t.contract.is_bdvo and t.contract.bdvo_eenheid) and (
        r.eenheid != t.contract.bdvo_eenheid
    )


def bedrag_van(volume: Decimal, tarief: Decimal) -> Decimal:
    return (volume * tarief).quantize(CENT, rounding=ROUND_HALF_UP)


def beoordeel(aanbieder, r: Regel, t: Toewijzing | None) -> tuple[list[str], Decimal | None]:
    """The WJ001 retourcodes of one line (empty: accepted) and the contract tariff."""
    if t is None or not declarabel(t):
        return ["9338"], None
    if t.status == Toewijzing.Status.INGETROKKEN:
        return ["9384"], None
    codes: list[str] = []
    product = t.beschikt_product.product
    if r.productcategorie != product.productcategorie:
        codes.append("9339")
    if r.productcode != product.productcode:
        codes.append("9340")
    if r.eenheid != t.eenheid:
        codes.append("9341")

    def binnen(dag):
        return t.ingangsdatum <= dag and (t.einddatum is None or dag <= t.einddatum)

    if not binnen(r.periode_begin):
        codes.append("9307")
    if not binnen(r.periode_einde):
        codes.append("9308")
    maand_begin, maand_einde = maandgrenzen(r.periode_begin)
    if r.periode_begin != maand_begin and not (maand_begin < t.ingangsdatum <= maand_einde):
        codes.append("9387")
    if r.periode_einde != maand_einde and not (
        t.einddatum is not None and maand_begin <= t.einddatum < maand_einde
    ):
        codes.append("9388")

    geaccepteerd = Declaratieregel.objects.filter(aanbieder=aanbieder, status=TOEGEKEND)
    if geaccepteerd.filter(referentie=r.referentie).exists():
        codes.append("8021")

    tarief = None
    if t.eenheid != EURO:
        tarief = tarief_voor(t.contract, product, r.periode_begin)
        if tarief is None or (r.tarief is not None and r.tarief != tarief) or ander_eenheid(t, r):
            codes.append("0611")
        elif r.tarief is not None and r.bedrag != bedrag_van(r.volume, r.tarief):
            codes.append("9346")
        elif r.bedrag != bedrag_van(r.volume, tarief):
            codes.append("0611")

    if r.debet_credit == DEBET:
        ruimte, gebruikt = toegestaan_volume(t, r.periode_begin)
        zelfde = Declaratieregel.objects.filter(
            toewijzing=t, periode_begin=r.periode_begin, periode_einde=r.periode_einde,
            productcategorie=r.productcategorie, productcode=r.productcode,
        )  # fmt: skip
        if niet_gecrediteerd(zelfde):
            codes.append("9389")  # no volume check: this prestatie was declared already
        elif Fraction(r.volume) > ruimte:
            codes.append("9321")
        elif Fraction(r.volume + gebruikt) > ruimte:
            codes.append("9322")
    else:
        codes.extend(_creditcodes(geaccepteerd, r, t))
    return list(dict.fromkeys(codes)), tarief


def niet_gecrediteerd(regels) -> list[Declaratieregel]:
    """The accepted debet lines among ``regels`` that accepted credits (VorigReferentieNummer
    = their ReferentieNummer, same aanbieder) have not taken back in full, volume and bedrag
    (iWmo OP366: a prestatie is credited completely before it is declared again)."""
    debet = list(regels.filter(status=TOEGEKEND, debet_credit=DEBET))
    if not debet:
        return []
    gecrediteerd = {
        (c["aanbieder_id"], c["vorige_referentie"]): (c["volume"], c["bedrag"])
        for c in Declaratieregel.objects.filter(
            status=TOEGEKEND, debet_credit=CREDIT,
            aanbieder_id__in={d.aanbieder_id for d in debet},
            vorige_referentie__in={d.referentie for d in debet},
        )
        .values("aanbieder_id", "vorige_referentie")
        .annotate(volume=Sum("volume"), bedrag=Sum("bedrag"))
    }  # fmt: skip
    open_ = []
    for d in debet:
        volume, bedrag = gecrediteerd.get((d.aanbieder_id, d.referentie), (0, 0))
        if volume < d.volume or bedrag < d.bedrag:
            open_.append(d)
    return open_


def _creditcodes(geaccepteerd, r: Regel, t: Toewijzing) -> list[str]:
    debet = geaccepteerd.filter(referentie=r.vorige_referentie, debet_credit=DEBET).first()
    if (
        debet is None
        or debet.toewijzing_id != t.pk
        or (debet.periode_begin, debet.periode_einde) != (r.periode_begin, r.periode_einde)
    ):
        return ["8017"]
    eerder = geaccepteerd.filter(vorige_referentie=debet.referentie, debet_credit=CREDIT).aggregate(
        volume=Sum("volume"), bedrag=Sum("bedrag")
    )
    if eerder["volume"] is None:
        return ["8017"] if r.volume > debet.volume or r.bedrag > debet.bedrag else []
    if r.volume > debet.volume - eerder["volume"] or r.bedrag > debet.bedrag - eerder["bedrag"]:
        return ["9390"]
    return []


# --- the service -------------------------------------------------------------------------------


def _vergrendel_toewijzingen(aanbieder, gemeente, nummers, user) -> dict[int, Toewijzing]:
    """This aanbieder's toewijzingen with these numbers in the gemeente, row-locked in id
    order (through the scoping layer when a user calls)."""
    queryset = (
        Toewijzing.objects.visible_to(user, "toegang.view_toewijzing")
        if user is not None
        else Toewijzing.objects.all()
    )
    pks = list(
        queryset.filter(aanbieder=aanbieder, gemeente=gemeente, nummer__in=sorted(nummers))
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    gevonden = Toewijzing.objects.select_related(
        "contract", "gemeente", "beschikt_product__product__perceel"
    ).in_bulk(pks)
    return {t.nummer: t for t in gevonden.values()}


def indienen(
    aanbieder: Aanbieder,
    *,
    gemeente,
    nummer: str,
    regels: list[dict],
    user,
    bron: str = "api",
    dagtekening: datetime.date | None = None,
) -> Declaratie:
    """Receive a declaratie of ``aanbieder`` for ``gemeente`` (a Gemeente or its CBS code):
    refused whole when malformed (ValidationError), else every line stored toegekend or
    afgewezen with its retourcodes (module doc). ``user`` None is a system caller (the XML
    import) that vouches for the aanbieder itself; a user must hold add_declaratie for it.
    ``dagtekening``: the message's DeclaratieDagtekening (XML); the API's is the day received."""
    vereis_namens(user, ADD, aanbieder)
    gemeente, nummer, gelezen = controleer_structuur(
        aanbieder, gemeente, nummer, regels, dagtekening
    )
    with transaction.atomic():
        list(Aanbieder.objects.select_for_update().filter(pk=aanbieder.pk).values_list("pk"))
        if Declaratie.objects.filter(aanbieder=aanbieder, nummer=nummer).exists():
            raise ValidationError({"nummer": [_NUMMER_GEBRUIKT]})  # a concurrent one won
        toewijzingen = _vergrendel_toewijzingen(
            aanbieder, gemeente, {r.toewijzingnummer for r in gelezen}, user
        )
        declaratie = Declaratie.objects.create(
            aanbieder=aanbieder, gemeente=gemeente, nummer=nummer, bron=bron
        )
        toegekend = []
        for r in gelezen:
            t = toewijzingen.get(r.toewijzingnummer)
            codes, tarief = beoordeel(aanbieder, r, t)
            regel = Declaratieregel(
                declaratie=declaratie,
                aanbieder=aanbieder,
                referentie=r.referentie,
                vorige_referentie=r.vorige_referentie,
                toewijzing=t,
                toewijzingnummer=r.toewijzingnummer,
                productcategorie=r.productcategorie,
                productcode=r.productcode,
                periode_begin=r.periode_begin,
                periode_einde=r.periode_einde,
                volume=r.volume,
                eenheid=r.eenheid,
                tarief=tarief,
                bedrag=r.bedrag,
                debet_credit=r.debet_credit,
                status=AFGEWEZEN if codes else TOEGEKEND,
                retourcodes=codes or ["0200"],
            )
            regel.save()
            if not codes:
                toegekend.append(regel)
        if toegekend:
            declaratieregels_toegekend(toegekend)
        audit.record(
            "create",
            objects=[declaratie],
            actor=user,
            toelichting={
                "declaratienummer": nummer,
                "bron": bron,
                "regels": len(gelezen),
                "toegekend": len(toegekend),
                "afgewezen": len(gelezen) - len(toegekend),
            },
        )
    return declaratie
