"""What each werkvoorraad tab holds for a user, and the counts shown on the tabs: the beschikkingen
waiting for this user's accordering, the crisis placements whose beschikking must still follow,
and the verzoeken of aanbieders still to be answered. Each is one scoped query (``visible_to``)."""

from __future__ import annotations

from django.db.models import Q

from regio.query import scope_for
from toegang.beschikkingen.services import zelf_betrokken
from toegang.models import Beschikking, Plaatsing, Verzoek
from toegang.wachtlijst import crisis

ACCORDEER = "toegang.accordeer_beschikking"
BESCHIKKEN = "toegang.add_beschikking"
VOLG_PLAATSING = "toegang.view_plaatsing"
VERZOEK = "toegang.view_verzoek"


def ter_accordering(user):
    """Beschikkingen ter accordering that ``user`` may accord: in scope, and (where four eyes
    apply) none that the user wrote, changed or submitted."""
    return (
        Beschikking.objects.visible_to(user, ACCORDEER)
        .filter(status=Beschikking.Status.TER_ACCORDERING)
        .exclude(Q(perceel__regio__vier_ogen_beschikking=True) & zelf_betrokken(user))
    )


def crisis_capability(user) -> str | None:
    """Who may beschikken sees the crisis tasks to act on; the Centrale Toegang (which places
    and may not beschikken in its regio) follows them up through the placements it sees."""
    for capability in (BESCHIKKEN, VOLG_PLAATSING):
        if not scope_for(user, capability).empty:
            return capability
    return None


def crisistaken(user):
    capability = crisis_capability(user)
    if capability is None:
        return Plaatsing.objects.none()
    return crisis.open_taken(Plaatsing.objects.visible_to(user, capability))


def open_verzoeken(user):
    """Verzoeken of aanbieders still to be answered."""
    return Verzoek.objects.visible_to(user, VERZOEK).filter(status=Verzoek.Status.INGEDIEND)


def aantallen(user) -> dict[str, int | None]:
    """The count per tab; None for a tab the user has no business with (not shown)."""
    return {
        "ter_accordering": (
            ter_accordering(user).count() if not scope_for(user, ACCORDEER).empty else None
        ),
        "crisisplaatsingen": (
            crisistaken(user).count() if crisis_capability(user) is not None else None
        ),
        "verzoeken": open_verzoeken(user).count() if not scope_for(user, VERZOEK).empty else None,
    }
