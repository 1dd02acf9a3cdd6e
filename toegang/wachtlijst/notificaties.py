"""Who hears of a step on the waiting list, at once and in the step's own transaction
(``regio.notificaties.meld``):

- an aanmelding → the Centrale Toegang of the regio, or, where the regio lets the contractpartner
  keep the list (``Regio.wachtlijstbeheer``), the contractpartner's staff;
- a placement, a change of the wachtstatus (on or off the list, another functie) and an uitstroom
  or doorstroom from care → the lokaal team (consulenten) of the client's gemeente.

Only who may open the aanmelding is told (the scoping layer), never the one who took the step.
The texts name the aanmelding and gemeente, never the client: a notice outlives an erasure.
"""

from __future__ import annotations

from django.urls import reverse

from regio.models import Notificatie
from regio.notificaties import meld, wie_mag
from regio.roles import CENTRALE_TOEGANG, CONSULENT, WACHTLIJST_CONTRACTPARTNER
from toegang.models import Aanmelding

Soort = Notificatie.Soort
BEKIJK = "toegang.view_aanmelding"
WIJZIG = "toegang.change_aanmelding"


def _meld(aanmelding: Aanmelding, ontvangers, soort: str, wat: str) -> None:
    gemeente = aanmelding.dossier.verantwoordelijke_gemeente.naam
    meld(
        ontvangers,
        soort=soort,
        tekst=f"Aanmelding {aanmelding.pk} ({gemeente}): {wat}.",
        url=reverse("toegang:aanmelding_detail", args=[aanmelding.pk]),
    )


def aangemeld(aanmelding: Aanmelding, user) -> None:
    """Tell whoever keeps the regio's waiting list of a new aanmelding."""
    rol = (
        WACHTLIJST_CONTRACTPARTNER
        if aanmelding.regio.wachtlijstbeheer == "contractpartner"
        else CENTRALE_TOEGANG
    )
    ontvangers = wie_mag(
        WIJZIG, aanmelding, rollen=[rol], behalve=[user], regio=aanmelding.regio_id
    )
    _meld(aanmelding, ontvangers, Soort.AANMELDING, "nieuwe aanmelding, te beoordelen")


def lokaal_team(aanmelding: Aanmelding, user, soort: str, wat: str) -> None:
    """Tell the lokaal team of the client's gemeente."""
    ontvangers = wie_mag(
        BEKIJK, aanmelding, rollen=[CONSULENT], behalve=[user],
        gemeente=aanmelding.dossier.verantwoordelijke_gemeente_id,
    )  # fmt: skip
    _meld(aanmelding, ontvangers, soort, wat)


def wachtstatus_gewijzigd(aanmelding: Aanmelding, user) -> None:
    """After a move on or off the list (a placement is told by ``plaatsen`` itself)."""
    Status = Aanmelding.Status
    if aanmelding.status == Status.GEPLAATST:
        return
    if aanmelding.status == Status.UITGESTROOMD:
        wat = f"van de wachtlijst af ({aanmelding.get_uitstroomreden_display().lower()})"
        lokaal_team(aanmelding, user, Soort.UITSTROOM, wat)
    else:
        wat = f"wachtstatus nu ‘{aanmelding.get_status_display().lower()}’"
        lokaal_team(aanmelding, user, Soort.WACHTSTATUS, wat)
