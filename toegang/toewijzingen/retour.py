"""The retour of a message an aanbieder sends, as iWmo builds it — once, for the three places
that give it: the JSON API (in the answer to each POST), ``GET /api/v1/berichten/{id}/`` later,
and ``manage.py iwmo import`` (printed as JSON).

Which retour answers which message (COD002): WMO305 → WMO306 (419), WMO307 → WMO308 (421),
WMO315 → WMO316 (445), WMO317 → WMO318 (481), WMO323 → the declaratie-antwoord WMO325 (485).
The retour XSDs are not in our copy of the standard, so the retour is JSON in the structure of
those messages, with the element names in camelCase:

- ``header``: the heen message's header (IV028: taken over unchanged, so ``afzender`` stays the
  aanbieder and ``ontvanger`` the gemeente) with the retour message's ``berichtCode``, its own
  ``identificatieRetour`` / ``dagtekeningRetour``, and ``retourCodes`` where they apply;
- ``client`` (305/307/315/317): the client's ``retourCodes`` and every class of the message below
  it (``startProducten``, ``stopProducten``, ``aangevraagdeProducten``, ``verzoeken``), each with
  its key and its ``retourCodes`` (and ``meldingen``, the Dutch reasons, where refused);
- ``declaratieAntwoord`` + ``prestaties`` (325), see below.

Plus two fields of our own: ``bericht`` (e.g. ``"WMO306"``) and ``status``: ``goedgekeurd`` (all
of it processed), ``afgekeurd`` (nothing processed) or ``deels`` (315/323: the classes with
``0200`` were processed, the others not). No BSN is in a retour: the aanbieder knows it from its
own message, and a retour is stored and printed.

How the codes are filled (IV028)
--------------------------------
- Wholly approved: only the header, without retourcodes (and ``status`` goedgekeurd).
- Refused by a check within the message (XSD, XSLT-like rules, the header: level 1 and 2):
  only the header, with ``0001``; ``fouten`` lists each error (line, element, message).
- Refused on a check against what the gemeente knows (level 3/4): the header and client with
  ``0200``, every class of the client with ``0200`` (no error in it) or its rule's WJ001 code.
  (IV028's ``0233``, not assessed, does not occur: every class is assessed, each in its own
  savepoint, in the order of the message.)

All or nothing (Processen WMO, "alleen een volledig goedgekeurd bericht wordt verwerkt"): a
WMO305, WMO307 or WMO317 is processed only when every class is approved; otherwise nothing of it
is, and the classes without an error still say ``0200`` (they are not the reason). A WMO315 is
assessed per requested product: each ``0200`` product is processed on its own.

The declaratie-antwoord (WMO325, TR342)
---------------------------------------
``declaratieAntwoord`` holds the ``declaratieNummer``, ``totaalIngediendBedrag`` and
``totaalToegekendBedrag`` (eurocents with ``debetCredit``, as in the message) and its
``retourCodes`` (``0200``, or the code that refused the declaratie whole, e.g. 9333; then the
toegekend total is 0 and no prestatie is listed). ``prestaties`` lists only the refused lines
(TR342), each with its codes, so that the sum of their IngediendBedragen is exactly
TotaalIngediendBedrag − TotaalToegekendBedrag.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

OK = "0200"
NIET_BEOORDEELD = "0233"
TECHNISCH = "0001"

# heen berichttype → (retour berichttype, its BerichtCode, COD002)
RETOURBERICHT = {
    "305": ("306", "419"),
    "307": ("308", "421"),
    "315": ("316", "445"),
    "317": ("318", "481"),
    "323": ("325", "485"),
}
HEENCODE = {"305": "418", "307": "420", "315": "444", "317": "480", "323": "484"}
# The classes under the client, per message.
KLASSE = {
    "305": "startProducten",
    "307": "stopProducten",
    "315": "aangevraagdeProducten",
    "317": "verzoeken",
}
# Processed only when wholly approved; the others per class.
GEHEEL = frozenset({"305", "307", "317"})

GOEDGEKEURD, DEELS, AFGEKEURD = "goedgekeurd", "deels", "afgekeurd"


@dataclass
class Kop:
    """The header of the heen message (for the API: what a POST stands for)."""

    berichttype: str
    afzender: str  # the aanbieder's AGB code
    ontvanger: str  # the gemeente's CBS code
    identificatie: str = ""
    dagtekening: datetime.date | None = None


def _header(kop: Kop, identificatie_retour: str, retourcodes: list[str] | None) -> dict:
    retour_type, retour_code = RETOURBERICHT[kop.berichttype]
    header = {
        "berichtCode": retour_code,
        "berichtVersie": "3",
        "berichtSubversie": "2",
        "afzender": kop.afzender,
        "ontvanger": kop.ontvanger,
        "berichtIdentificatie": {
            "berichtCode": HEENCODE[kop.berichttype],
            "identificatie": kop.identificatie,
            "dagtekening": kop.dagtekening.isoformat() if kop.dagtekening else None,
        },
        "identificatieRetour": identificatie_retour,
        "dagtekeningRetour": timezone.localdate().isoformat(),
    }
    if retourcodes:
        header["retourCodes"] = retourcodes
    return header


def _bericht(kop: Kop) -> str:
    return f"WMO{RETOURBERICHT[kop.berichttype][0]}"


def technisch_afgekeurd(kop: Kop, fouten: Iterable, identificatie_retour: str = "") -> dict:
    """A message refused whole by a check within the message (IV028 level 2): the header with
    0001, and every error (``schema.Fout``) as line, element and message."""
    return {
        "bericht": _bericht(kop),
        "status": AFGEKEURD,
        "header": _header(kop, identificatie_retour, [TECHNISCH]),
        "fouten": [f.als_dict() for f in fouten],
    }


def _klasse(record: dict) -> dict:
    """A record's result ``{"sleutel", "retourcodes", "meldingen"?}`` as a class of the retour:
    its key's fields, then ``retourCodes`` (and ``meldingen``)."""
    klasse = dict(record["sleutel"])
    klasse["retourCodes"] = list(record["retourcodes"])
    if record.get("meldingen"):
        klasse["meldingen"] = list(record["meldingen"])
    return klasse


def status_van(berichttype: str, records: list[dict]) -> str:
    goed = [r["retourcodes"] == [OK] for r in records]
    if all(goed):
        return GOEDGEKEURD
    if berichttype in GEHEEL or not any(goed):
        return AFGEKEURD
    return DEELS


def per_record(kop: Kop, records: list[dict], identificatie_retour: str = "") -> dict:
    """The retour (WMO306/308/316/318) of a 305/307/315/317 whose records were assessed: per
    record its key and ``retourcodes`` (``["0200"]`` when approved)."""
    status = status_van(kop.berichttype, records)
    retour = {"bericht": _bericht(kop), "status": status}
    if status == GOEDGEKEURD:
        retour["header"] = _header(kop, identificatie_retour, None)
        return retour
    retour["header"] = _header(kop, identificatie_retour, [OK])
    retour["client"] = {"retourCodes": [OK], KLASSE[kop.berichttype]: [_klasse(r) for r in records]}
    return retour


def _centen(bedrag: Decimal) -> int:
    return int((Decimal(bedrag) * 100).to_integral_value())


def _totaal(centen: int) -> dict:
    return {"bedrag": abs(centen), "debetCredit": "C" if centen < 0 else "D"}


def _getekend(regel) -> int:
    """A line's amount in cents, credit negative; ``regel`` a Declaratieregel or the input dict."""
    if isinstance(regel, dict):
        bedrag, dc = regel["bedrag"], regel["debet_credit"]
    else:
        bedrag, dc = regel.bedrag, regel.debet_credit
    centen = _centen(bedrag)
    return -centen if dc == "C" else centen


def _volume(volume: Decimal) -> int | str:
    return int(volume) if volume == int(volume) else str(volume)


def _prestatie(regel) -> dict:
    return {
        "referentieNummer": regel.referentie,
        "vorigReferentieNummer": regel.vorige_referentie,
        "toewijzingNummer": regel.toewijzingnummer,
        "productcategorie": regel.productcategorie,
        "productcode": regel.productcode,
        "productPeriode": {
            "begindatum": regel.periode_begin.isoformat(),
            "einddatum": regel.periode_einde.isoformat(),
        },
        "geleverdVolume": _volume(regel.volume),
        "eenheid": regel.eenheid,
        "ingediendBedrag": {"bedrag": _centen(regel.bedrag), "debetCredit": regel.debet_credit},
        "retourCodes": list(regel.retourcodes),
    }


def declaratie_antwoord(
    kop: Kop,
    nummer: str,
    ingediende_regels: list[dict],
    declaratie=None,
    *,
    retourcodes: list[str] | None = None,
    meldingen: list[str] | None = None,
    identificatie_retour: str = "",
) -> dict:
    """The declaratie-antwoord (WMO325) of a declaratie: ``declaratie`` as stored (its lines
    toegekend or afgewezen), or None with the ``retourcodes`` that refused it whole.
    ``ingediende_regels`` are the lines as submitted (for TotaalIngediendBedrag)."""
    ingediend = sum(_getekend(r) for r in ingediende_regels)
    if declaratie is None:
        afgewezen, toegekend = [], 0
        status = AFGEKEURD
    else:
        regels = list(declaratie.regels.order_by("pk"))
        afgewezen = [r for r in regels if r.retourcodes != [OK]]
        toegekend = sum(_getekend(r) for r in regels if r.retourcodes == [OK])
        status = DEELS if afgewezen else GOEDGEKEURD
        if afgewezen and len(afgewezen) == len(regels):
            status = AFGEKEURD
    antwoord = {
        "declaratieNummer": nummer,
        "totaalIngediendBedrag": _totaal(ingediend),
        "totaalToegekendBedrag": _totaal(toegekend),
        "retourCodes": retourcodes or [OK],
    }
    if meldingen:
        antwoord["meldingen"] = meldingen
    return {
        "bericht": _bericht(kop),
        "status": status,
        "header": _header(kop, identificatie_retour, None),
        "declaratieAntwoord": antwoord,
        "prestaties": [_prestatie(r) for r in afgewezen],  # TR342: only the refused ones
    }


def bewaar(kop: Kop, retour: dict, *, aanbieder, gemeente, bron: str, user):
    """Store the retour with the submitted message (``IngediendBericht``), giving it its
    IdentificatieRetour (``R`` + the row's id)."""
    from toegang.models import IngediendBericht

    bericht = IngediendBericht.objects.create(
        aanbieder=aanbieder, gemeente=gemeente, berichttype=kop.berichttype,
        identificatie=kop.identificatie[:20], bron=bron, ingediend_door=user,
        status=retour["status"], retour=retour,
    )  # fmt: skip
    retour["header"]["identificatieRetour"] = f"R{bericht.pk}"
    bericht.retour = retour
    bericht.save(update_fields=["retour"])
    return bericht


def kop_api(berichttype: str, aanbieder, gemeente) -> Kop:
    """What a POST of the API stands for: a message of ``berichttype`` from the aanbieder to the
    gemeente, sent today (it has no BerichtIdentificatie of its own)."""
    return Kop(berichttype, aanbieder.agb_code, gemeente.code, "", timezone.localdate())


def retour_api(berichttype: str, records: list[dict], *, aanbieder, gemeente, user):
    """The retour of an approved POST (305/307/315/317), stored; returns the IngediendBericht."""
    kop = kop_api(berichttype, aanbieder, gemeente)
    return bewaar(
        kop, per_record(kop, records), aanbieder=aanbieder, gemeente=gemeente, bron="api",
        user=user,
    )  # fmt: skip
