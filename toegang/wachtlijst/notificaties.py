"""Who hears of a step on the waiting list, at once and in the step's own transaction
(``regio.notificaties.meld``):

- an aanmelding → the Centrale Toegang of the regio, or, where the regio lets the contractpartner
  keep the list (``Regio.wachtlijstbeheer``), the contractpartner's staff;
- a placement and an uitstroom or doorstroom from care → the lokaal team that follows the
  client (its registrant and the case's consulent). A change of the wachtstatus (on or off the
  list, another functie) reaches them through ``wachtstatus.bijwerken`` with its letter.

Only who may open the aanmelding is told (the scoping layer), never the one who took the step.
The texts name the aanmelding and gemeente, never the client: a notice outlives an erasure.
"""

from __future__ import annotations

from django.urls import reverse

from regio.models import Notificatie
from regio.notificaties import meld, wie_mag
from regio.query import mag
from regio.roles import CENTRALE_TOEGANG, WACHTLIJST_CONTRACTPARTNER
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
    """Tell the lokaal team that follows the client (who registered it and the consulent of the
    case, ``wachtstatus.ontvangers_lokaal_team``) if they may still open the aanmelding."""
    from toegang.wachtlijst.wachtstatus import ontvangers_lokaal_team

    ontvangers = [
        u
        for u in ontvangers_lokaal_team(aanmelding)
        if u.pk != getattr(user, "pk", None) and mag(u, BEKIJK, aanmelding)
    ]
    _meld(aanmelding, ontvangers, soort, wat)
