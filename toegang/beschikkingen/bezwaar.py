"""The bezwaar against a bekendgemaakte besluit: its terms, registration, the steps that move the
decision term, and the outcome.

Rules held here (the arithmetic is in toegang.termijnen, pure):

- Awb 6:7, 6:8: bezwaar within six weeks from the day after the bekendmaking (``tijdig``); the
  term rests on the beschikking's ``bekendgemaakt_op``, whatever kind of besluit it is.
- Awb 7:10 lid 1: the decision on bezwaar within six weeks, twelve when an advisory committee
  (Awb 7:13) hears it (``Bezwaar.adviescommissie``, set at registration or later), counted from
  the day after the bezwaartermijn ended.
- lid 2: suspended from the day after the indiener is asked to repair a verzuim until it is
  repaired or the term set for it passes unused (``Verzuimherstel``; until the repair is
  recorded, the term is computed as if the repair term passes unused: the latest end).
- lid 3: verdaging once, by at most six weeks, before the term expires, with a reason.
- lid 4: further uitstel with the indiener's consent (its date and the new date recorded), each
  before the current term expires and to a later date (``Bezwaaruitstel``).
- Every step needs ``toegang.change_bezwaar`` on the bezwaar, only while it is undecided; dates
  lie not in the future nor before the bezwaar was received. Every step recomputes and stores
  ``beslistermijn_einde`` (the werkvoorraad and the daily notifications read it) and is audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from regio import audit
from toegang import termijnen
from toegang.beschikkingen.producten import datum
from toegang.beschikkingen.services import (
    ADD_BEZWAAR,
    CHANGE_BEZWAAR,
    eis,
    vergrendel,
    weiger_status,
)
from toegang.models import (
    Beschikking,
    Bezwaar,
    Bezwaaruitstel,
    Verzuimherstel,
)

BEZWAAR_WEKEN = termijnen.BEZWAAR_WEKEN
BESLISTERMIJN_BEZWAAR_WEKEN = termijnen.BESLIS_BEZWAAR_WEKEN
MAX_VERDAGING_WEKEN = termijnen.VERDAGING_BEZWAAR_WEKEN


def bezwaartermijn_einde(bekendgemaakt_op: datetime.date) -> datetime.date:
    """Six weeks, starting the day after the bekendmaking (Awb 6:7, 6:8), moved off a weekend or
    holiday (Algemene termijnenwet)."""
    return termijnen.bezwaartermijn_einde(bekendgemaakt_op)


def beslistermijn_bezwaar(bekendgemaakt_op: datetime.date, **kwargs) -> datetime.date:
    """Awb 7:10 (see ``termijnen.beslistermijn_bezwaar`` for the keyword arguments)."""
    return termijnen.beslistermijn_bezwaar(bekendgemaakt_op, **kwargs)


def _uitgesteld_tot(uitstellen) -> datetime.date | None:
    return max((u.uitgesteld_tot for u in uitstellen), default=None)


def _bezwaar_termijnen(bezwaar: Bezwaar, beschikking: Beschikking):
    """Set ``tijdig`` and ``beslistermijn_einde`` from the bekendmaking and the recorded steps."""
    bezwaar.tijdig = bezwaar.ontvangen_op <= bezwaartermijn_einde(beschikking.bekendgemaakt_op)
    herstellen, uitstellen = (
        (list(bezwaar.verzuimherstellen.all()), list(bezwaar.uitstellen.all()))
        if bezwaar.pk
        else ([], [])
    )
    bezwaar.beslistermijn_einde = beslistermijn_bezwaar(
        beschikking.bekendgemaakt_op,
        adviescommissie=bezwaar.adviescommissie,
        opschortingen=herstellen,
        verdaging_weken=bezwaar.verdaging_weken,
        uitgesteld_tot=_uitgesteld_tot(uitstellen),
    )


@dataclass(frozen=True)
class Termijnuitleg:
    """How the decision term of a bezwaar was reached, for its page."""

    einde: datetime.date | None
    weken: int
    opgeschorte_dagen: int
    verdaging_weken: int | None
    uitgesteld_tot: datetime.date | None
    opgeschort_tot: datetime.date | None  # a repair term still running on the peildatum

    @property
    def regels(self) -> list[str]:
        commissie = self.weken == termijnen.BESLIS_BEZWAAR_COMMISSIE_WEKEN
        regels = [
            f"{self.weken} weken na afloop van de bezwaartermijn (Awb 7:10 lid 1"
            + (", adviescommissie)" if commissie else ")")
        ]
        if self.opgeschorte_dagen:
            regels.append(
                f"{self.opgeschorte_dagen} dag(en) opgeschort voor herstel van een verzuim (lid 2)"
            )
        if self.opgeschort_tot:
            regels.append(
                f"nu opgeschort: herstel gevraagd, uiterlijk {datum(self.opgeschort_tot)}; wordt "
                "het eerder hersteld, dan wordt de termijn korter"
            )
        if self.verdaging_weken:
            regels.append(f"verdaagd met {self.verdaging_weken} weken (lid 3)")
        if self.uitgesteld_tot:
            regels.append(f"uitgesteld met instemming tot {datum(self.uitgesteld_tot)} (lid 4)")
        return regels


def termijnuitleg(bezwaar: Bezwaar, peildatum: datetime.date | None = None) -> Termijnuitleg:
    peildatum = peildatum or timezone.localdate()
    herstellen = list(bezwaar.verzuimherstellen.all())
    open_herstel = [
        h for h in herstellen if h.hersteld_op is None and h.verzocht_op <= peildatum <= h.tot
    ]
    return Termijnuitleg(
        einde=bezwaar.beslistermijn_einde,
        weken=termijnen.BESLIS_BEZWAAR_COMMISSIE_WEKEN
        if bezwaar.adviescommissie
        else termijnen.BESLIS_BEZWAAR_WEKEN,
        opgeschorte_dagen=termijnen.opgeschorte_dagen(herstellen) or 0,
        verdaging_weken=bezwaar.verdaging_weken,
        uitgesteld_tot=_uitgesteld_tot(bezwaar.uitstellen.all()),
        opgeschort_tot=open_herstel[0].hersteltermijn_tot if open_herstel else None,
    )


def _controleer_bezwaar(beschikking, ontvangen_op, uitkomst, besloten_op):
    fouten = {}
    if ontvangen_op < beschikking.bekendgemaakt_op:
        fouten["ontvangen_op"] = (
            f"De beschikking is pas op {datum(beschikking.bekendgemaakt_op)} bekendgemaakt."
        )
    elif ontvangen_op > timezone.localdate():
        fouten["ontvangen_op"] = "Deze datum ligt in de toekomst."
    if uitkomst and not besloten_op:
        fouten["besloten_op"] = "Vul de datum van de beslissing op bezwaar in."
    if besloten_op and not uitkomst:
        fouten["uitkomst"] = "Kies de uitkomst van de beslissing op bezwaar."
    if besloten_op and besloten_op < ontvangen_op:
        fouten["besloten_op"] = "De beslissing ligt vóór de ontvangst van het bezwaar."
    if fouten:
        raise ValidationError(fouten)


def registreer_bezwaar(
    beschikking: Beschikking,
    user,
    *,
    ontvangen_op: datetime.date,
    toelichting: str = "",
    adviescommissie: bool = False,
) -> Bezwaar:
    """A bezwaar received against a bekendgemaakte beschikking; whether it came in time and the
    decision term are computed. Whoever registers it handles it (``behandelaar``)."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, ADD_BEZWAAR)
        if locked.bekendgemaakt_op is None:
            weiger_status(locked, "bezwaar is pas mogelijk na de bekendmaking.")
        _controleer_bezwaar(locked, ontvangen_op, "", None)
        bezwaar = Bezwaar(
            beschikking=locked,
            dossier_id=locked.dossier_id,
            ontvangen_op=ontvangen_op,
            toelichting=(toelichting or "").strip(),
            adviescommissie=bool(adviescommissie),
            behandelaar=user,
        )
        _bezwaar_termijnen(bezwaar, locked)
        bezwaar.save()
        audit.record(
            "create",
            objects=[bezwaar],
            actor=user,
            toelichting={
                "tijdig": bezwaar.tijdig,
                "adviescommissie": bezwaar.adviescommissie,
                "beslistermijn_einde": bezwaar.beslistermijn_einde.isoformat(),
            },
        )
    return bezwaar


def werk_bezwaar_bij(
    bezwaar: Bezwaar,
    user,
    *,
    ontvangen_op: datetime.date,
    uitkomst: str = "",
    besloten_op: datetime.date | None = None,
    toelichting: str = "",
    adviescommissie: bool | None = None,
) -> Bezwaar:
    """Correct the date received, say whether an adviescommissie hears it (None: unchanged), or
    record the outcome (beslissing op bezwaar); the decision term is recomputed."""
    if uitkomst and uitkomst not in Bezwaar.Uitkomst.values:
        raise ValidationError({"uitkomst": "Kies een uitkomst uit de lijst."})
    with transaction.atomic():
        locked = Bezwaar.objects.select_for_update().get(pk=bezwaar.pk)
        eis(user, locked, CHANGE_BEZWAAR)
        beschikking = locked.beschikking
        _controleer_bezwaar(beschikking, ontvangen_op, uitkomst, besloten_op)
        eerder = locked.beslistermijn_einde
        locked.ontvangen_op = ontvangen_op
        locked.uitkomst = uitkomst
        locked.besloten_op = besloten_op
        locked.toelichting = (toelichting or "").strip()
        if adviescommissie is not None:
            locked.adviescommissie = bool(adviescommissie)
        _bezwaar_termijnen(locked, beschikking)
        locked.save()
        audit.record(
            "change",
            objects=[locked],
            actor=user,
            toelichting={
                "uitkomst": uitkomst or None,
                "adviescommissie": locked.adviescommissie,
                **_termijn_toelichting(eerder, locked),
            },
        )
    return locked


# --- the steps that move the decision term (Awb 7:10 lid 2-4) --------------------------------


def _termijn_toelichting(eerder, bezwaar: Bezwaar) -> dict:
    if eerder == bezwaar.beslistermijn_einde:
        return {}
    return {
        "beslistermijn_einde": [
            eerder.isoformat() if eerder else None,
            bezwaar.beslistermijn_einde.isoformat(),
        ]
    }


def _open_bezwaar(bezwaar: Bezwaar, user) -> Bezwaar:
    """The bezwaar, locked, once ``user`` may change it and it is still undecided."""
    locked = Bezwaar.objects.select_for_update(of=("self",)).select_related("beschikking")
    locked = locked.get(pk=bezwaar.pk)
    eis(user, locked, CHANGE_BEZWAAR)
    if locked.uitkomst:
        raise ValidationError(
            f"Op dit bezwaar is al beslist ({locked.get_uitkomst_display().lower()}); de "
            "beslistermijn verandert niet meer."
        )
    return locked


def _datum_in_termijn(waarde, bezwaar: Bezwaar, veld: str, wat: str, fouten: dict):
    """``waarde`` not in the future, not before the bezwaar, not after the current term."""
    if waarde > timezone.localdate():
        fouten[veld] = "Deze datum ligt in de toekomst."
    elif waarde < bezwaar.ontvangen_op:
        fouten[veld] = (
            f"Deze datum ligt vóór de ontvangst van het bezwaar ({datum(bezwaar.ontvangen_op)})."
        )
    elif bezwaar.beslistermijn_einde and waarde > bezwaar.beslistermijn_einde:
        fouten[veld] = (
            f"De beslistermijn is op {datum(bezwaar.beslistermijn_einde)} verstreken; {wat} kan "
            "alleen vóór het einde van de termijn."
        )


def _herbereken_en_bewaar(bezwaar: Bezwaar, user, stap: str, **toelichting) -> Bezwaar:
    eerder = bezwaar.beslistermijn_einde
    _bezwaar_termijnen(bezwaar, bezwaar.beschikking)
    bezwaar.save()
    audit.record(
        "change",
        objects=[bezwaar],
        actor=user,
        toelichting={"stap": stap, **toelichting, **_termijn_toelichting(eerder, bezwaar)},
    )
    return bezwaar


def vraag_verzuimherstel(
    bezwaar: Bezwaar,
    user,
    *,
    verzocht_op: datetime.date,
    hersteltermijn_tot: datetime.date,
    verzuim: str,
) -> Verzuimherstel:
    """The indiener is asked to repair a verzuim (Awb 6:6) by ``hersteltermijn_tot``: the decision
    term is suspended from the day after ``verzocht_op`` (Awb 7:10 lid 2). One at a time."""
    verzuim = (verzuim or "").strip()
    with transaction.atomic():
        locked = _open_bezwaar(bezwaar, user)
        fouten: dict[str, str] = {}
        _datum_in_termijn(verzocht_op, locked, "verzocht_op", "opschorten", fouten)
        if hersteltermijn_tot <= verzocht_op:
            fouten["hersteltermijn_tot"] = (
                "De hersteltermijn moet na de datum van het verzoek eindigen."
            )
        if not verzuim:
            fouten["verzuim"] = "Noem het verzuim dat hersteld moet worden."
        if fouten:
            raise ValidationError(fouten)
        for eerder in locked.verzuimherstellen.all():
            if eerder.hersteld_op is None and eerder.hersteltermijn_tot >= verzocht_op:
                raise ValidationError(
                    f"Er loopt al een verzoek om herstel (hersteltermijn tot en met "
                    f"{datum(eerder.hersteltermijn_tot)}); leg eerst vast dat het verzuim is "
                    "hersteld."
                )
            if verzocht_op < eerder.tot:
                raise ValidationError(
                    {"verzocht_op": "Deze datum valt in een eerdere opschorting."}
                )
        herstel = Verzuimherstel.objects.create(
            bezwaar=locked,
            dossier_id=locked.dossier_id,
            verzocht_op=verzocht_op,
            hersteltermijn_tot=hersteltermijn_tot,
            verzuim=verzuim[:300],
            verzocht_door=user,
        )
        audit.record("create", objects=[herstel], actor=user)
        _herbereken_en_bewaar(locked, user, "verzuimherstel_gevraagd", verzuimherstel=herstel.pk)
    return herstel


def verzuim_hersteld(bezwaar: Bezwaar, user, *, hersteld_op: datetime.date) -> Verzuimherstel:
    """The verzuim was repaired on ``hersteld_op``: the suspension ends (Awb 7:10 lid 2). A repair
    after the repair term passed is recorded, but the suspension had already ended then."""
    with transaction.atomic():
        locked = _open_bezwaar(bezwaar, user)
        herstel = (
            locked.verzuimherstellen.select_for_update()
            .filter(hersteld_op__isnull=True)
            .order_by("-verzocht_op")
            .first()
        )
        if herstel is None:
            raise ValidationError("Er is geen verzoek om herstel van een verzuim open.")
        if hersteld_op > timezone.localdate():
            raise ValidationError({"hersteld_op": "Deze datum ligt in de toekomst."})
        if hersteld_op < herstel.verzocht_op:
            raise ValidationError(
                {"hersteld_op": f"Deze datum ligt vóór het verzoek om herstel "
                                f"({datum(herstel.verzocht_op)})."}
            )  # fmt: skip
        herstel.hersteld_op = hersteld_op
        herstel.save(update_fields=["hersteld_op"])
        audit.record("change", objects=[herstel], actor=user)
        _herbereken_en_bewaar(locked, user, "verzuim_hersteld", verzuimherstel=herstel.pk)
    return herstel


def verdaag_bezwaar(
    bezwaar: Bezwaar,
    user,
    *,
    verdaagd_op: datetime.date,
    reden: str,
    weken: int = MAX_VERDAGING_WEKEN,
) -> Bezwaar:
    """Verdaging of the decision on bezwaar by at most six weeks (Awb 7:10 lid 3): once, before
    the term expires, with the reason the indiener is told."""
    reden = (reden or "").strip()
    with transaction.atomic():
        locked = _open_bezwaar(bezwaar, user)
        if locked.verdaagd_op is not None:
            raise ValidationError(
                f"De beslissing op dit bezwaar is al op {datum(locked.verdaagd_op)} verdaagd; "
                "verdagen kan maar één keer (Awb 7:10 lid 3). Verder uitstel kan alleen met "
                "instemming van de indiener (lid 4)."
            )
        fouten: dict[str, str] = {}
        _datum_in_termijn(verdaagd_op, locked, "verdaagd_op", "verdagen", fouten)
        if not 1 <= weken <= MAX_VERDAGING_WEKEN:
            fouten["weken"] = f"Kies een verdaging van 1 tot en met {MAX_VERDAGING_WEKEN} weken."
        if not reden:
            fouten["reden"] = "Noem de reden van de verdaging; die staat in de brief."
        if fouten:
            raise ValidationError(fouten)
        locked.verdaagd_op = verdaagd_op
        locked.verdaging_weken = weken
        locked.verdaging_reden = reden
        locked.verdaagd_door = user
        _herbereken_en_bewaar(locked, user, "verdaagd", weken=weken)
    return locked


def stel_bezwaar_uit(
    bezwaar: Bezwaar,
    user,
    *,
    instemming_op: datetime.date,
    uitgesteld_tot: datetime.date,
    toelichting: str = "",
) -> Bezwaaruitstel:
    """Further uitstel with the indiener's consent (Awb 7:10 lid 4): the consent is given before
    the current term expires, and the new date lies after it."""
    with transaction.atomic():
        locked = _open_bezwaar(bezwaar, user)
        fouten: dict[str, str] = {}
        _datum_in_termijn(instemming_op, locked, "instemming_op", "uitstel afspreken", fouten)
        huidig = locked.beslistermijn_einde
        if huidig and uitgesteld_tot <= huidig:
            fouten["uitgesteld_tot"] = (
                f"De nieuwe datum moet na de huidige beslistermijn ({datum(huidig)}) liggen."
            )
        if fouten:
            raise ValidationError(fouten)
        uitstel = Bezwaaruitstel.objects.create(
            bezwaar=locked,
            dossier_id=locked.dossier_id,
            instemming_op=instemming_op,
            uitgesteld_tot=uitgesteld_tot,
            toelichting=(toelichting or "").strip(),
            vastgelegd_door=user,
        )
        audit.record("create", objects=[uitstel], actor=user)
        _herbereken_en_bewaar(locked, user, "uitgesteld", bezwaaruitstel=uitstel.pk)
    return uitstel
