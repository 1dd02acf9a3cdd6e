"""Reading the messages an aanbieder sends — WMO305 (start zorg), WMO307 (stop zorg), WMO315
(verzoek om toewijzing), WMO317 (verzoek om wijziging), WMO323 (declaratie) — and applying them
through the same services as the REST API (``zorg_services``, ``verzoek_services``,
``declaratie_services``).

A message is checked whole first; when anything below fails it is refused whole, nothing is
applied, and ``importeer`` raises ``OngeldigBericht`` with the errors (line, element, message):

- well-formed XML without DOCTYPE/entities (hardened parser), valid against its XSD;
- the Afzender is an aanbieder known by its AGB code, and ``user`` holds the message's capability
  for that aanbieder (an aanbieder's technical user, role "Aanbiedersysteem (API)");
- the Ontvanger is a known gemeente (S300) under contract with that aanbieder;
- Dagtekening not after today (8848); every Bsn passes the elfproef (CS002); a Geboortedatum not
  after the Dagtekening nor more than 120 years before it (TR002);
- 305/307: StatusAanlevering 1 or 3 only (2 is not allowed, OP033x2; 9 makes no sense here), a
  ToewijzingNummer on every product (regiozorg matches on it), a Begindatum (305) / Einddatum
  (307) not after the Dagtekening (TR134/TR137), Einddatum ≥ Begindatum (TR018), each key once
  (a stop's key includes its RedenBeeindiging); deletions are applied before deliveries, so a
  correction (deletion and new delivery) may come in one message in either order;
- 315: ReferentieAanbieder unique within the message (TR383), ToewijzingEinddatum ≥
  ToewijzingIngangsdatum;
- 317: exactly one TeWijzigenProduct and no NieuweProducten (a Verzoek holds one toewijzing and
  one ReferentieAanbieder — see below), Einddatum ≥ GewensteIngangsdatum;
- 323: DeclaratiePeriode and every ProductPeriode with Einddatum ≥ Begindatum and a Begindatum
  not before 01-01-2021 (CS100), a ProductPeriode
  within one calendar month (TR387/TR388) and within the DeclaratiePeriode (9319), ReferentieNummer
  unique within the message, IngediendBedrag = GeleverdVolume × ProductTarief unless Eenheid is
  83 (TR346, when a ProductTarief is sent), TotaalIngediendBedrag = the sum of the prestaties with
  their debet/credit, and a prestatie's toewijzing (when the aanbieder has it) belongs to the
  client whose Bsn it is filed under (8187).

Then the records are applied as iWmo processes a message (Processen WMO, IV028), in
``verwerken.verwerk``:
every record in its own savepoint, so that each gets its WJ001 retourcodes (``["0200"]`` when
approved) plus the service's Dutch messages when refused. A WMO305, WMO307 or WMO317 is processed
only when wholly approved: one refused record rolls back the whole message. A WMO315 is answered
per requested product, a WMO323 per prestatie. The retour (``toegang.toewijzingen.retour``:
WMO306/308/316/318, the declaratie-antwoord WMO325) is stored with the message as an
``IngediendBericht`` for the aanbieder. No BSN appears in the result or the retour (they are
printed and may be logged).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from inkoop.models import Aanbieder
from regio.iwmo import codelijst
from regio.models import Gemeente
from regio.query import scope_for
from regio.validators import is_valid_bsn
from toegang.models import Toewijzing
from toegang.toewijzingen import retour
from toegang.toewijzingen.iwmo_xml.schema import Fout, OngeldigBericht, lees, valideer_schema

CAPABILITY = {
    "305": "toegang.add_zorgperiode",
    "307": "toegang.add_zorgperiode",
    "315": "toegang.add_verzoek",
    "317": "toegang.add_verzoek",
    "323": "toegang.add_declaratie",
}
IMPORTEERBAAR = tuple(CAPABILITY)
OK = "0200"
TECHNISCH = "0001"


def _el(parent, pad: str):
    return parent.find("/".join(f"{{*}}{deel}" for deel in pad.split("/")))


def _tekst(parent, pad: str) -> str | None:
    el = _el(parent, pad)
    return el.text.strip() if el is not None and el.text is not None else None


def _alle(parent, pad: str) -> list:
    return parent.findall("/".join(f"{{*}}{deel}" for deel in pad.split("/")))


def _datum(parent, pad: str) -> datetime.date | None:
    waarde = _tekst(parent, pad)
    return datetime.date.fromisoformat(waarde) if waarde else None  # the XSD checked the form


def _regel(parent, pad: str | None = None) -> int | None:
    el = _el(parent, pad) if pad else parent
    return el.sourceline if el is not None else None


@dataclass
class Record:
    """One record of a message to apply: its key (for the result) and what to do."""

    sleutel: dict
    actie: str
    gegevens: dict = field(default_factory=dict)


@dataclass
class Bericht:
    berichttype: str
    doc: etree._ElementTree
    aanbieder: Aanbieder | None = None
    gemeente: Gemeente | None = None
    dagtekening: datetime.date | None = None
    records: list[Record] = field(default_factory=list)
    fouten: list[Fout] = field(default_factory=list)
    declaratie: object = None  # a WMO323's Declaratie, once applied
    verzoeken: list[int] = field(default_factory=list)  # a WMO315's verzoeken made so far

    def fout(self, el, element: str, melding: str):
        self.fouten.append(Fout(el.sourceline if el is not None else None, element, melding))


# --- the whole-message checks --------------------------------------------------------------------


def _header(b: Bericht, user) -> None:
    root = b.doc.getroot()
    agb = _tekst(root, "Header/Afzender")
    cbs = _tekst(root, "Header/Ontvanger")
    b.dagtekening = _datum(root, "Header/BerichtIdentificatie/Dagtekening")
    b.aanbieder = Aanbieder.objects.filter(agb_code=agb).first()
    if b.aanbieder is None:
        b.fout(_el(root, "Header/Afzender"), "Afzender", f"Onbekende aanbieder (AGB-code {agb}).")
    elif b.aanbieder.pk not in scope_for(user, CAPABILITY[b.berichttype]).aanbieder_ids:
        b.fout(
            _el(root, "Header/Afzender"), "Afzender",
            "De gebruiker mag geen berichten van deze aanbieder verwerken.",
        )  # fmt: skip
    b.gemeente = Gemeente.objects.filter(code=cbs).first()
    if b.gemeente is None:
        b.fout(_el(root, "Header/Ontvanger"), "Ontvanger", f"Onbekende gemeentecode {cbs} (S300).")
    elif (
        b.aanbieder is not None and not b.aanbieder.contracten.filter(gemeenten=b.gemeente).exists()
    ):
        b.fout(
            _el(root, "Header/Ontvanger"), "Ontvanger",
            f"Gemeente {cbs} heeft geen contract met deze aanbieder.",
        )  # fmt: skip
    vandaag = timezone.localdate()
    if b.dagtekening and b.dagtekening > vandaag:
        b.fout(
            _el(root, "Header/BerichtIdentificatie/Dagtekening"), "Dagtekening",
            "De dagtekening ligt na vandaag (8848).",
        )  # fmt: skip


def _bsns(b: Bericht) -> None:
    for el in b.doc.getroot().iter("{*}Bsn"):
        if not is_valid_bsn((el.text or "").strip()):
            b.fout(el, "Bsn", "Het BSN voldoet niet aan de elfproef (CS002).")


def _geboortedatum(b: Bericht) -> None:
    client = _el(b.doc.getroot(), "Client")
    datum = _datum(client, "Geboortedatum/Datum") if client is not None else None
    if datum is None or b.dagtekening is None:
        return
    el = _el(client, "Geboortedatum/Datum")
    if datum > b.dagtekening:
        b.fout(el, "Geboortedatum", "De geboortedatum ligt na de dagtekening.")
    try:
        grens = b.dagtekening.replace(year=b.dagtekening.year - 120)
    except ValueError:  # 29 February
        grens = b.dagtekening.replace(year=b.dagtekening.year - 120, day=28)
    if datum < grens:
        b.fout(el, "Geboortedatum", "De geboortedatum ligt meer dan 120 jaar vóór de dagtekening.")


def _na_dagtekening(b: Bericht, el, naam: str, datum: datetime.date | None, regel: str) -> None:
    if datum and b.dagtekening and datum > b.dagtekening:
        b.fout(el, naam, f"De {naam.lower()} ligt na de dagtekening ({regel}).")


def _start_stop(b: Bericht, producten: str, stop: bool) -> None:
    root = b.doc.getroot()
    gezien = set()
    for p in _alle(root, f"Client/{producten}"):
        nummer = _tekst(p, "ToewijzingNummer")
        begin = _datum(p, "Begindatum")
        eind = _datum(p, "Einddatum") if stop else None
        status = _tekst(p, "StatusAanlevering")
        reden = _tekst(p, "RedenBeeindiging") if stop else None
        if nummer is None:
            b.fout(p, "ToewijzingNummer", "Noem het ToewijzingNummer van de toewijzing.")
        if status not in ("1", "3"):
            b.fout(
                _el(p, "StatusAanlevering"), "StatusAanlevering",
                f"StatusAanlevering {status} is niet toegestaan: lever aan (1) of verwijder (3); "
                "een correctie is verwijderen en opnieuw aanleveren (OP033x2).",
            )  # fmt: skip
        if stop:
            _na_dagtekening(b, _el(p, "Einddatum"), "Einddatum", eind, "TR137")
            if eind and begin and eind < begin:
                b.fout(
                    _el(p, "Einddatum"),
                    "Einddatum",
                    "De einddatum ligt vóór de begindatum (TR018).",
                )
        else:
            _na_dagtekening(b, _el(p, "Begindatum"), "Begindatum", begin, "TR134")
        sleutel = (nummer, begin, reden, status)  # a stop's key includes its reden (iWmo 3.2)
        if sleutel in gezien:
            b.fout(p, producten[:-2], "Dit product komt twee keer voor in het bericht.")
        gezien.add(sleutel)
        if nummer is None:
            continue
        record = {"toewijzingNummer": int(nummer), "begindatum": begin.isoformat(),
                  "statusAanlevering": status}  # fmt: skip
        if stop:
            record["einddatum"] = eind.isoformat()
            record["redenBeeindiging"] = reden
        actie = ("stop" if stop else "start") if status == "1" else (
            "verwijder_stop" if stop else "verwijder_start"
        )  # fmt: skip
        b.records.append(Record(record, actie, {"regel": p.sourceline}))
    # A correction in one message (a deletion and its new delivery, OP033): deletions first.
    b.records.sort(key=lambda r: r.sleutel.get("statusAanlevering") != "3")


def _product(p) -> dict:
    return {
        "productcategorie": _tekst(p, "Product/Categorie") or "",
        "productcode": _tekst(p, "Product/Code") or "",
        "volume": int(_tekst(p, "Omvang/Volume")) if _tekst(p, "Omvang/Volume") else None,
        "eenheid": _tekst(p, "Omvang/Eenheid") or "",
        "frequentie": _tekst(p, "Omvang/Frequentie") or "",
    }


def _wmo315(b: Bericht) -> None:
    from toegang.toewijzingen.verzoeken import dubbel_aangevraagd

    root = b.doc.getroot()
    gezien = set()
    for p in _alle(root, "Client/AangevraagdeProducten/AangevraagdProduct"):
        referentie = _tekst(p, "ReferentieAanbieder")
        if referentie in gezien:
            b.fout(
                _el(p, "ReferentieAanbieder"), "ReferentieAanbieder",
                "Deze ReferentieAanbieder komt meer dan eens voor in het bericht (TR383).",
            )  # fmt: skip
        gezien.add(referentie)
        ingang = _datum(p, "ToewijzingIngangsdatum")
        eind = _datum(p, "ToewijzingEinddatum")
        if eind and eind < ingang:
            b.fout(
                _el(p, "ToewijzingEinddatum"), "ToewijzingEinddatum",
                "De einddatum ligt vóór de ingangsdatum (TR018).",
            )  # fmt: skip
        product = _product(p)
        product["ingangsdatum"] = ingang.isoformat()
        product["einddatum"] = eind.isoformat() if eind else None
        b.records.append(
            Record({"referentieAanbieder": referentie}, "verzoek_toewijzing", {"product": product})
        )
        b.records[-1].gegevens["el"] = p
    # TR386: a product more than once only in periods that do not overlap (categories 11-14 may).
    for _, j in dubbel_aangevraagd([r.gegevens["product"] for r in b.records]):
        el = b.records[j].gegevens["el"]
        b.fout(
            _el(el, "ToewijzingIngangsdatum"), "ToewijzingIngangsdatum",
            "Dit product is al eerder in het bericht aangevraagd in een periode die hiermee "
            "overlapt (TR386).",
        )  # fmt: skip
    for r in b.records:
        del r.gegevens["el"]


def _wmo317(b: Bericht) -> None:
    root = b.doc.getroot()
    verzoek = _el(root, "Client/Verzoek")
    referentie = _tekst(verzoek, "ReferentieAanbieder")
    te_wijzigen = _alle(verzoek, "TeWijzigenProducten/TeWijzigenProduct")
    if _alle(verzoek, "NieuweProducten/NieuwProduct"):
        b.fout(
            _el(verzoek, "NieuweProducten"), "NieuweProducten",
            "Een nieuw product vraagt u aan met een verzoek om toewijzing (WMO315); een verzoek "
            "om wijziging wijzigt hier één toewijzing.",
        )  # fmt: skip
    if len(te_wijzigen) != 1:
        b.fout(
            verzoek, "TeWijzigenProducten",
            "Een verzoek om wijziging noemt precies één te wijzigen product.",
        )  # fmt: skip
        return
    ongewijzigd = [
        int(_tekst(o, "ToewijzingNummer"))
        for o in _alle(verzoek, "OngewijzigdeProducten/OngewijzigdProduct")
    ]
    p = te_wijzigen[0]
    ingang = _datum(p, "GewensteIngangsdatum")
    eind = _datum(p, "Einddatum")
    if eind and eind < ingang:
        b.fout(_el(p, "Einddatum"), "Einddatum", "De einddatum ligt vóór de ingangsdatum (TR018).")
    b.records.append(
        Record(
            {"referentieAanbieder": referentie},
            "verzoek_wijziging",
            {
                "toewijzingnummer": int(_tekst(p, "ToewijzingNummer")),
                "reden": _tekst(verzoek, "RedenVerzoek"),
                "product": _product(p)
                | {
                    "ingangsdatum": ingang.isoformat(),
                    "einddatum": eind.isoformat() if eind else None,
                },
                "omvang_gegeven": _el(p, "Omvang") is not None,
                "ongewijzigd": ongewijzigd,
            },
        )  # fmt: skip
    )


def _euro(centen: str) -> Decimal:
    return (Decimal(int(centen)) / 100).quantize(Decimal("0.01"))


# CS100: a WMO323 declares from 01-01-2021 (iWmo 3.x); earlier periods go by the old standard.
EERSTE_DECLARATIEDAG = datetime.date(2021, 1, 1)
VOOR_2021 = (
    "De begindatum ligt vóór 1 januari 2021; declareer die periode niet in iWmo 3.2 (CS100)."
)


def _wmo323(b: Bericht) -> None:
    root = b.doc.getroot()
    declaratie = _el(root, "Declaratie")
    periode_begin = _datum(declaratie, "DeclaratiePeriode/Begindatum")
    periode_eind = _datum(declaratie, "DeclaratiePeriode/Einddatum")
    if periode_eind < periode_begin:
        b.fout(
            _el(declaratie, "DeclaratiePeriode/Einddatum"), "DeclaratiePeriode",
            "De einddatum ligt vóór de begindatum (TR018).",
        )  # fmt: skip
    if periode_begin < EERSTE_DECLARATIEDAG:
        b.fout(_el(declaratie, "DeclaratiePeriode/Begindatum"), "DeclaratiePeriode", VOOR_2021)
    dagtekening = _datum(declaratie, "DeclaratieDagtekening")
    _na_dagtekening(
        b, _el(declaratie, "DeclaratieDagtekening"), "DeclaratieDagtekening", dagtekening, "8848",
    )  # fmt: skip
    totaal = 0
    gezien = set()
    regels = []
    for client in _alle(declaratie, "Clienten/Client"):
        bsn = _tekst(client, "Bsn")
        for p in _alle(client, "Prestaties/Prestatie"):
            referentie = _tekst(p, "ProductReferentie/ReferentieNummer")
            begin = _datum(p, "ProductPeriode/Begindatum")
            eind = _datum(p, "ProductPeriode/Einddatum")
            volume = int(_tekst(p, "GeleverdVolume"))
            eenheid = _tekst(p, "Eenheid")
            tarief = _tekst(p, "ProductTarief")
            bedrag = int(_tekst(p, "IngediendBedrag/Bedrag"))
            dc = _tekst(p, "IngediendBedrag/DebetCredit")
            totaal += bedrag if dc == "D" else -bedrag
            periode_el = _el(p, "ProductPeriode")
            if referentie in gezien:
                b.fout(
                    _el(p, "ProductReferentie"), "ReferentieNummer",
                    "Dit ReferentieNummer komt meer dan eens voor in het bericht.",
                )  # fmt: skip
            gezien.add(referentie)
            if begin < EERSTE_DECLARATIEDAG:
                b.fout(_el(p, "ProductPeriode/Begindatum"), "ProductPeriode", VOOR_2021)
            if eind < begin:
                b.fout(
                    periode_el, "ProductPeriode", "De einddatum ligt vóór de begindatum (TR018)."
                )
            elif (begin.year, begin.month) != (eind.year, eind.month):
                b.fout(
                    periode_el, "ProductPeriode",
                    "Een ProductPeriode betreft één kalendermaand (TR387/TR388).",
                )  # fmt: skip
            if begin < periode_begin or eind > periode_eind:
                b.fout(
                    periode_el, "ProductPeriode",
                    "De ProductPeriode valt niet binnen de DeclaratiePeriode (9319).",
                )  # fmt: skip
            if tarief is None and eenheid != "83":
                b.fout(
                    _el(p, "Eenheid"), "ProductTarief",
                    "Vul het ProductTarief in: de eenheid is geen 83 (euro's) (CD087).",
                )  # fmt: skip
            if tarief is not None and eenheid != "83" and bedrag != volume * int(tarief):
                b.fout(
                    _el(p, "IngediendBedrag"), "IngediendBedrag",
                    "IngediendBedrag is niet GeleverdVolume × ProductTarief (TR346, 9346).",
                )  # fmt: skip
            regels.append(
                {
                    "referentie": referentie,
                    "vorige_referentie": _tekst(p, "ProductReferentie/VorigReferentieNummer") or "",
                    "toewijzingnummer": int(_tekst(p, "ToewijzingNummer")),
                    "productcategorie": _tekst(p, "ProductCategorie"),
                    "productcode": _tekst(p, "ProductCode"),
                    "periode_begin": begin.isoformat(),
                    "periode_einde": eind.isoformat(),
                    "volume": Decimal(volume),
                    "eenheid": eenheid,
                    "tarief": _euro(tarief) if tarief is not None else None,
                    "bedrag": _euro(bedrag),
                    "debet_credit": dc,
                    "_bsn": bsn,
                    "_el": p,
                }
            )
    totaal_el = _el(declaratie, "TotaalIngediendBedrag")
    opgegeven = int(_tekst(totaal_el, "TotaalBedrag"))
    if _tekst(totaal_el, "DebetCredit") == "C":
        if opgegeven == 0:
            b.fout(
                totaal_el, "TotaalIngediendBedrag",
                "Een TotaalBedrag van 0 heeft DebetCredit D (CS325).",
            )  # fmt: skip
        opgegeven = -opgegeven
    if opgegeven != totaal:
        b.fout(
            totaal_el, "TotaalIngediendBedrag",
            "TotaalIngediendBedrag is niet de som van de IngediendBedragen.",
        )  # fmt: skip
    _prestaties_bij_client(b, regels)
    for regel in regels:
        regel.pop("_bsn")
        regel.pop("_el")
    b.records.append(
        Record(
            {"declaratieNummer": _tekst(declaratie, "DeclaratieNummer")},
            "declaratie",
            {"regels": regels, "dagtekening": dagtekening},
        )  # fmt: skip
    )


def _prestaties_bij_client(b: Bericht, regels: list[dict]) -> None:
    """8187: a prestatie's toewijzing belongs to the client it is filed under (checked only on
    the aanbieder's own toewijzingen; the others get 9338 from the declaratie service)."""
    if b.aanbieder is None or b.gemeente is None:
        return
    nummers = {r["toewijzingnummer"] for r in regels}
    eigen = {
        t.nummer: t
        for t in Toewijzing.objects.filter(
            aanbieder=b.aanbieder, gemeente=b.gemeente, nummer__in=nummers
        ).select_related("beschikt_product__client__persoon")
    }
    for r in regels:
        t = eigen.get(r["toewijzingnummer"])
        if t is not None and _bsn_van(t) != r["_bsn"]:
            b.fout(
                _el(r["_el"], "ToewijzingNummer"), "ToewijzingNummer",
                f"Toewijzing {t.nummer} hoort niet bij deze cliënt (8187).",
            )  # fmt: skip


def _bsn_van(t: Toewijzing) -> str | None:
    persoon = getattr(t.beschikt_product.client, "persoon", None)
    return persoon.bsn if persoon is not None else None


LEZERS = {
    "305": lambda b: _start_stop(b, "StartProducten/StartProduct", stop=False),
    "307": lambda b: _start_stop(b, "StopProducten/StopProduct", stop=True),
    "315": _wmo315,
    "317": _wmo317,
    "323": _wmo323,
}


def lees_bericht(inhoud: bytes, *, user) -> Bericht:
    """Parse, validate (XSD and business rules) and read a message into records; raises
    ``OngeldigBericht`` when it is refused whole."""
    doc = lees(inhoud)
    soort, fouten = valideer_schema(doc)
    if fouten:
        exc = OngeldigBericht(fouten)
        if soort in IMPORTEERBAAR:
            exc.kop = _kop(soort, doc)
        raise exc
    if soort not in IMPORTEERBAAR:
        raise OngeldigBericht(
            [Fout(doc.getroot().sourceline, "Bericht",
                  f"WMO{soort} is geen bericht dat een aanbieder aan de gemeente stuurt.")]
        )  # fmt: skip
    b = Bericht(soort, doc)
    _header(b, user)
    _bsns(b)
    if soort in ("305", "307", "315"):
        _geboortedatum(b)
    LEZERS[soort](b)
    if b.fouten:
        raise _met_bericht(OngeldigBericht(b.fouten), b)
    return b


def _kop(berichttype: str, doc) -> retour.Kop:
    root = doc.getroot()
    dagtekening = _tekst(root, "Header/BerichtIdentificatie/Dagtekening")
    try:
        dagtekening = datetime.date.fromisoformat(dagtekening) if dagtekening else None
    except ValueError:
        dagtekening = None
    return retour.Kop(
        berichttype, _tekst(root, "Header/Afzender") or "", _tekst(root, "Header/Ontvanger") or "",
        _tekst(root, "Header/BerichtIdentificatie/Identificatie") or "", dagtekening,
    )  # fmt: skip


def _met_bericht(exc: OngeldigBericht, b: Bericht) -> OngeldigBericht:
    """Keep what the header told on a refused message: its retour can name it, and it is stored
    for the aanbieder when the user may act for that aanbieder."""
    exc.kop = _kop(b.berichttype, b.doc)
    exc.bericht = b
    return exc


# --- applying the records -----------------------------------------------------------------------


def _meldingen(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{veld}: {m}" for veld, fouten in exc.message_dict.items() for m in fouten]
    return list(exc.messages)


def _wj001_codes(exc: ValidationError) -> list[str]:
    """WJ001 codes a service put on its errors as ``code`` (if any)."""
    lijst = codelijst("WJ001_Retourcode")
    fouten = exc.error_list if not hasattr(exc, "error_dict") else [
        e for errors in exc.error_dict.values() for e in errors
    ]  # fmt: skip
    return sorted({e.code for e in fouten if e.code in lijst})


def _toewijzing(b: Bericht, user, nummer: int) -> Toewijzing | None:
    return (
        Toewijzing.objects.visible_to(user, CAPABILITY[b.berichttype])
        .filter(gemeente=b.gemeente, aanbieder=b.aanbieder, nummer=nummer)
        .select_related("beschikt_product__client__persoon")
        .first()
    )


def zorg_weigering(exc: ValidationError) -> tuple[list[str], list[str]]:
    """The WJ001 codes and Dutch messages of a start/stop the zorg service refused — the same
    for the API as for a record of a WMO305/307: the service's errors carry their code."""
    return _wj001_codes(exc) or [TECHNISCH], _meldingen(exc)


def _pas_zorg_toe(b: Bericht, r: Record, user) -> tuple[list[str], list[str]]:
    from toegang.toewijzingen import zorg as zorg_services

    t = _toewijzing(b, user, r.sleutel["toewijzingNummer"])
    client = b.doc.getroot().find("{*}Client")
    if t is None or _bsn_van(t) != _tekst(client, "Bsn"):
        return ["9019"], ["Het bericht hoort niet bij een toewijzing van deze cliënt."]
    s = r.sleutel
    try:
        if r.actie == "start":
            zorg_services.start_zorg(t, s["begindatum"], user=user, bron="xml")
        elif r.actie == "stop":
            zorg_services.stop_zorg(
                t, s["begindatum"], s["einddatum"], s["redenBeeindiging"], user=user, bron="xml"
            )
        elif r.actie == "verwijder_start":
            zorg_services.verwijder_start(t, s["begindatum"], user=user)
        else:
            zorg_services.verwijder_stop(t, s["begindatum"], s.get("redenBeeindiging"), user=user)
    except ValidationError as exc:  # the service's errors carry their WJ001 code
        return zorg_weigering(exc)
    return [OK], []


def _verzoek_code(exc: ValidationError, wijziging: bool) -> str:
    velden = set(getattr(exc, "error_dict", {}))
    if "referentie" in velden:
        return "9347"  # ReferentieAanbieder not unique for the aanbieder
    if wijziging and "toewijzing" in velden:
        return "9351"
    return TECHNISCH


def _naam(client) -> str:
    """The client's name as sent (Voorletters, Voorvoegsel, Achternaam)."""
    delen = (
        _tekst(client, "Naam/Voorletters"),
        _tekst(client, "Naam/Geslachtsnaam/Voorvoegsel"),
        _tekst(client, "Naam/Geslachtsnaam/Achternaam"),
    )
    return " ".join(d for d in delen if d)


def verzoek_weigering(exc: ValidationError, wijziging: bool) -> tuple[list[str], list[str]]:
    """The WJ001 codes and Dutch messages of a verzoek the service refused (API and XML)."""
    return _wj001_codes(exc) or [_verzoek_code(exc, wijziging)], _meldingen(exc)


def declaratie_weigering(exc: ValidationError) -> tuple[list[str], list[str]]:
    """The WJ001 codes and Dutch messages of a declaratie refused whole (API and XML)."""
    codes = _wj001_codes(exc) or (
        ["9333"] if "nummer" in getattr(exc, "error_dict", {}) else [TECHNISCH]
    )
    return codes, _meldingen(exc)


def _actuele_toewijzingen(b: Bericht, user, t: Toewijzing) -> dict[int, Toewijzing]:
    """The aanbieder's current toewijzingen of the client of ``t`` at the gemeente, by nummer:
    active and valid today or later (TR349)."""
    vandaag = timezone.localdate()
    dossier = t.beschikt_product.beschikking.dossier
    qs = (
        Toewijzing.objects.filter(
            aanbieder=b.aanbieder, status=Toewijzing.Status.ACTIEF,
            beschikt_product__beschikking__dossier__client_id=dossier.client_id,
            beschikt_product__beschikking__dossier__verantwoordelijke_gemeente=b.gemeente,
        )
        .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=vandaag))
    )  # fmt: skip
    return {x.nummer: x for x in qs}


def _alle_actuele(b: Bericht, user, t: Toewijzing, ongewijzigd: list[int]):
    """TR350: every OngewijzigdProduct names a current toewijzing of the client (9350); TR349: the
    TeWijzigenProduct and the OngewijzigdProducten together name all of them (9349). None when
    both hold, else the retourcode and message."""
    actueel = _actuele_toewijzingen(b, user, t)
    onbekend = [n for n in ongewijzigd if n not in actueel]
    if onbekend:
        return ["9350"], [
            "OngewijzigdProduct met ToewijzingNummer "
            + ", ".join(str(n) for n in onbekend)
            + " is geen actuele toewijzing van deze cliënt bij deze aanbieder (TR350)."
        ]
    ontbreekt = sorted(set(actueel) - set(ongewijzigd) - {t.nummer})
    if ontbreekt:
        return ["9349"], [
            "Het verzoek om wijziging noemt niet alle actuele toewijzingen van de cliënt; "
            "ontbrekend als OngewijzigdProduct: "
            + ", ".join(str(n) for n in ontbreekt)
            + " (TR349)."
        ]
    return None


def _pas_verzoek_toe(b: Bericht, r: Record, user) -> tuple[list[str], list[str]]:
    from toegang.toewijzingen import verzoeken as verzoek_services

    referentie = r.sleutel["referentieAanbieder"]
    client = b.doc.getroot().find("{*}Client")
    bsn = _tekst(client, "Bsn")
    try:
        if r.actie == "verzoek_toewijzing":
            # Accepted alike whether or not the gemeente knows the person (unlinked when not).
            # TR374: the other products of this message are no earlier verzoek.
            v = verzoek_services.indienen(
                b.aanbieder, soort="toewijzing", referentie=referentie,
                producten=[r.gegevens["product"]], user=user, bron="xml", bsn=bsn,
                gemeente=b.gemeente, naam=_naam(client),
                geboortedatum=_datum(client, "Geboortedatum/Datum"),
                zelfde_bericht=b.verzoeken,
            )  # fmt: skip
            b.verzoeken.append(v.pk)
        else:
            t = _toewijzing(b, user, r.gegevens["toewijzingnummer"])
            if t is None or _bsn_van(t) != bsn:
                return ["9351"], [
                    "Het te wijzigen product hoort niet bij een toewijzing van deze cliënt."
                ]
            fout = _alle_actuele(b, user, t, r.gegevens["ongewijzigd"])
            if fout:
                return fout
            product = dict(r.gegevens["product"])
            bp = t.beschikt_product
            product["productcategorie"] = bp.productcategorie
            product["productcode"] = bp.product.productcode
            if not r.gegevens["omvang_gegeven"]:  # unchanged omvang: the toewijzing's
                volume = t.volume
                product["volume"] = int(volume) if volume is not None else None
                product["eenheid"], product["frequentie"] = t.eenheid, t.frequentie
            verzoek_services.indienen(
                b.aanbieder, soort="wijziging", referentie=referentie, producten=[product],
                user=user, bron="xml", toewijzing=t, reden=r.gegevens["reden"],
                dagtekening=b.dagtekening,
            )  # fmt: skip
    except ValidationError as exc:
        codes = _wj001_codes(exc) or [_verzoek_code(exc, r.actie == "verzoek_wijziging")]
        return codes, _meldingen(exc)
    return [OK], []


def _pas_declaratie_toe(b: Bericht, r: Record, user) -> list[dict]:
    from toegang.toewijzingen import declaraties as declaratie_services

    nummer = r.sleutel["declaratieNummer"]
    try:
        declaratie = declaratie_services.indienen(
            b.aanbieder, gemeente=b.gemeente, nummer=nummer, regels=r.gegevens["regels"],
            user=user, bron="xml", dagtekening=r.gegevens.get("dagtekening"),
        )  # fmt: skip
    except ValidationError as exc:
        codes, meldingen = declaratie_weigering(exc)
        return [{"sleutel": r.sleutel, "retourcodes": codes, "meldingen": meldingen}]
    b.declaratie = declaratie
    return [
        {
            "sleutel": {"declaratieNummer": nummer, "referentieNummer": regel.referentie},
            "retourcodes": list(regel.retourcodes),
        }
        for regel in declaratie.regels.order_by("pk")
    ]


def importeer(bestand_bytes: bytes, *, user) -> list[dict]:
    """The records of ``verwerken.verwerk`` (the message-level flow and its retour): raises
    ``OngeldigBericht`` (nothing applied) when the message is refused whole by its own content;
    returns per record ``{"sleutel": {...}, "retourcodes": [...]}`` plus ``"meldingen"`` when
    refused. Of a refused WMO305, WMO307 or WMO317 nothing is applied, and its approved records
    keep ``["0200"]``."""
    from toegang.toewijzingen.iwmo_xml.verwerken import verwerk

    uitkomst = verwerk(bestand_bytes, user=user)
    if uitkomst.fouten:
        raise OngeldigBericht(uitkomst.fouten)
    return uitkomst.records
