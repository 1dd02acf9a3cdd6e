"""The bezwaar against a bekendgemaakte beschikking: its term (Awb 6:7, six weeks from the day
after bekendmaking), the decision term (Awb 7:10), registration and outcome."""

from __future__ import annotations

import datetime

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
)

BEZWAAR_WEKEN = 6  # Awb 6:7


BESLISTERMIJN_BEZWAAR_WEKEN = 6  # Awb 7:10 lid 1 (without an advisory committee)


def bezwaartermijn_einde(bekendgemaakt_op: datetime.date) -> datetime.date:
    """Six weeks, starting the day after the bekendmaking (Awb 6:7, 6:8), moved off a weekend or
    holiday (Algemene termijnenwet)."""
    return termijnen.termijn_einde(bekendgemaakt_op, weeks=BEZWAAR_WEKEN)


def beslistermijn_bezwaar(bekendgemaakt_op: datetime.date) -> datetime.date:
    """Six weeks after the bezwaartermijn ended (Awb 7:10 lid 1), moved off a weekend or holiday."""
    return termijnen.termijn_einde(
        bezwaartermijn_einde(bekendgemaakt_op), weeks=BESLISTERMIJN_BEZWAAR_WEKEN
    )


def _bezwaar_termijnen(bezwaar: Bezwaar, beschikking: Beschikking):
    bezwaar.tijdig = bezwaar.ontvangen_op <= bezwaartermijn_einde(beschikking.bekendgemaakt_op)
    bezwaar.beslistermijn_einde = beslistermijn_bezwaar(beschikking.bekendgemaakt_op)


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
    beschikking: Beschikking, user, *, ontvangen_op: datetime.date, toelichting: str = ""
) -> Bezwaar:
    """A bezwaar received against a bekendgemaakte beschikking; whether it came in time and the
    decision term are computed."""
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
        )
        _bezwaar_termijnen(bezwaar, locked)
        bezwaar.save()
        audit.record(
            "create", objects=[bezwaar], actor=user, toelichting={"tijdig": bezwaar.tijdig}
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
) -> Bezwaar:
    """Correct the date received, or record the outcome (beslissing op bezwaar)."""
    if uitkomst and uitkomst not in Bezwaar.Uitkomst.values:
        raise ValidationError({"uitkomst": "Kies een uitkomst uit de lijst."})
    with transaction.atomic():
        locked = Bezwaar.objects.select_for_update().get(pk=bezwaar.pk)
        eis(user, locked, CHANGE_BEZWAAR)
        beschikking = locked.beschikking
        _controleer_bezwaar(beschikking, ontvangen_op, uitkomst, besloten_op)
        locked.ontvangen_op = ontvangen_op
        locked.uitkomst = uitkomst
        locked.besloten_op = besloten_op
        locked.toelichting = (toelichting or "").strip()
        _bezwaar_termijnen(locked, beschikking)
        locked.save()
        audit.record(
            "change", objects=[locked], actor=user, toelichting={"uitkomst": uitkomst or None}
        )
    return locked
