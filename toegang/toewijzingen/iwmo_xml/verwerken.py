"""The message-level flow of an iWmo message an aanbieder sends, as iWmo processes it
(Processen WMO, IV028): read and checked whole by ``importeren.lees_bericht``, then every record
applied in its own savepoint by the record-level functions of ``importeren``, so that each gets
its WJ001 retourcodes. A WMO305, WMO307 or WMO317 is processed only when wholly approved (one
refused record rolls the whole message back); a WMO315 is answered per requested product; a
WMO323 per prestatie (the declaratie service), answered by the declaratie-antwoord WMO325. The
retour (``toegang.toewijzingen.retour``) is stored with the message as an ``IngediendBericht``
when the message names an aanbieder the user acts for."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from regio.query import scope_for
from toegang.toewijzingen import retour
from toegang.toewijzingen.iwmo_xml.importeren import (
    CAPABILITY,
    OK,
    Bericht,
    Record,
    _kop,
    _pas_declaratie_toe,
    _pas_verzoek_toe,
    _pas_zorg_toe,
    lees_bericht,
)
from toegang.toewijzingen.iwmo_xml.schema import Fout, OngeldigBericht


class _Afgekeurd(Exception):
    """Rolls back a savepoint: a refused record, or a message refused as a whole."""


@dataclass
class Verwerking:
    """The outcome of a message: per record its key and codes (``records``), the retour in the
    structure of the retour message (``retour``), the stored ``IngediendBericht`` (None when the
    message could not be tied to an aanbieder the user acts for) and, when it was refused whole
    by its own content, the errors (``fouten``)."""

    records: list[dict]
    retour: dict | None
    bericht: object = None
    fouten: list[Fout] = field(default_factory=list)


def _pas_record_toe(b: Bericht, r: Record, user) -> list[dict]:
    """Apply one record in its own savepoint; a refused one leaves nothing behind."""
    resultaat = []
    try:
        with transaction.atomic():
            try:
                if b.berichttype in ("305", "307"):
                    codes, meldingen = _pas_zorg_toe(b, r, user)
                elif b.berichttype in ("315", "317"):
                    codes, meldingen = _pas_verzoek_toe(b, r, user)
                else:
                    resultaat.extend(_pas_declaratie_toe(b, r, user))
                    return resultaat
            except PermissionDenied:
                codes, meldingen = ["9019"], ["Geen toegang tot deze toewijzing."]
            regel = {"sleutel": r.sleutel, "retourcodes": codes}
            if meldingen:
                regel["meldingen"] = meldingen
            resultaat.append(regel)
            if codes != [OK]:
                raise _Afgekeurd
    except _Afgekeurd:
        pass
    return resultaat


def _retour_declaratie(b: Bericht, records: list[dict]) -> dict:
    [r] = b.records
    kop = _kop(b.berichttype, b.doc)
    nummer = r.sleutel["declaratieNummer"]
    regels = r.gegevens["regels"]
    declaratie = b.declaratie
    if declaratie is None:
        [geweigerd] = records
        return retour.declaratie_antwoord(
            kop, nummer, regels, retourcodes=geweigerd["retourcodes"],
            meldingen=geweigerd.get("meldingen"),
        )  # fmt: skip
    return retour.declaratie_antwoord(kop, nummer, regels, declaratie)


def _bewaar(kop: retour.Kop, antwoord: dict, b: Bericht | None, user):
    """Store the retour when the message names an aanbieder the user acts for."""
    if b is None or b.aanbieder is None:
        return None
    if b.aanbieder.pk not in scope_for(user, CAPABILITY[b.berichttype]).aanbieder_ids:
        return None
    return retour.bewaar(
        kop, antwoord, aanbieder=b.aanbieder, gemeente=b.gemeente, bron="xml", user=user
    )


def verwerk(bestand_bytes: bytes, *, user) -> Verwerking:
    """Validate and process an iWmo message of an aanbieder as ``user`` (who must hold the
    message's capability for the Afzender's aanbieder), and give its retour
    (``toegang.toewijzingen.retour``), stored with the message as an ``IngediendBericht``.

    A WMO305, WMO307 or WMO317 is processed only when it is wholly approved: every record is
    tried in a savepoint (in the message's order, so a deletion and a new delivery in one
    message work), every record's codes are collected, and when any is refused the whole
    message is rolled back. A WMO315 is answered per requested product (each approved product is
    processed); a WMO323 per prestatie (the declaratie service), answered by WMO325."""
    try:
        b = lees_bericht(bestand_bytes, user=user)
    except OngeldigBericht as exc:
        kop = getattr(exc, "kop", None)
        if kop is None:
            return Verwerking([], None, fouten=exc.fouten)
        antwoord = retour.technisch_afgekeurd(kop, exc.fouten)
        bericht = _bewaar(kop, antwoord, getattr(exc, "bericht", None), user)
        return Verwerking([], antwoord, bericht, exc.fouten)
    try:
        with transaction.atomic():
            records = []
            for r in b.records:
                records.extend(_pas_record_toe(b, r, user))
            if b.berichttype in retour.GEHEEL and any(x["retourcodes"] != [OK] for x in records):
                raise _Afgekeurd
    except _Afgekeurd:
        pass  # nothing of the message is applied; the records keep their codes
    kop = _kop(b.berichttype, b.doc)
    if b.berichttype == "323":
        antwoord = _retour_declaratie(b, records)
    else:
        antwoord = retour.per_record(kop, records)
    return Verwerking(records, antwoord, _bewaar(kop, antwoord, b, user))
