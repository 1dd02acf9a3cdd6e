"""In-, door- and uitstroom of care (seed 000: monitoring), direct placements that never pass the
waiting list, and the approval of a buitenregionale plaatsing.

Every client starting, moving on or leaving care writes a ``Zorgbeweging`` (append-only, a
trigger refuses updates): an instroom when placed — via the list (``services.plaatsen``)
or directly (``direct_plaatsen``) — and a doorstroom or uitstroom when the plaatsing ends. The
waiting list's own history (``Wachtlijstgebeurtenis``) is not touched by a direct placement: the
client never was on the list, so the waiting-list report stays as it was (seed 000 §5 notes that
such placements are invisible today; the monitoring makes them visible instead).

A buitenregionale plaatsing (seed 000 §9) needs a recorded reason and the approval of another
CT member with ``toegang.keur_buitenregionaal_goed`` than the one who asked; the database checks
both as well (constraints on Aanmelding), this module says it in Dutch first.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inkoop.models import Locatie
from regio import audit
from regio.models import Notificatie
from regio.query import vereis
from toegang.models import (
    Aanmelding,
    BuitenregionaalStatus,
    Plaatsing,
    Toewijzing,
    Uitstroomreden,
    Zorgbeweging,
)
from toegang.wachtlijst import notificaties
from toegang.wachtlijst import services as ws

GOEDKEUREN = "toegang.keur_buitenregionaal_goed"

Bestemming = Zorgbeweging.Bestemming
BESTEMMINGEN = {
    # Seed 000: from stabilisatie en observatie a client moves on to beschermd thuis, begeleid
    # wonen or beschermd wonen (herstel en groei).
    Zorgbeweging.Soort.DOORSTROOM: (
        Bestemming.BESCHERMD_THUIS,
        Bestemming.BEGELEID_WONEN,
        Bestemming.BESCHERMD_WONEN,
    ),
    Zorgbeweging.Soort.UITSTROOM: (
        Bestemming.ZELFSTANDIG,
        Bestemming.WLZ,
        Bestemming.ANDERE_REGIO,
        Bestemming.OVERLEDEN,
        Bestemming.ANDERS,
    ),
}

# iWmo WMO002 RedenWijziging when a toewijzing is shortened because care ended.
REDEN_TOEWIJZING = {
    Bestemming.OVERLEDEN: "02",  # Client overleden
    Bestemming.WLZ: "06",  # Uitstroom naar ander domein
    Bestemming.ANDERE_REGIO: "07",  # Verhuizing naar een andere gemeente
}
REDEN_TOEWIJZING_ANDERS = "05"  # Herbeoordeling: verkorting toewijzing


def vandaag() -> datetime.date:
    return datetime.date.today()


# --- zorgbewegingen ------------------------------------------------------------------------------


def instroom(plaatsing: Plaatsing, user, datum: datetime.date, *, via_wachtlijst: bool):
    """Record that the client of ``plaatsing`` started care at its location on ``datum``."""
    vereis(user, "toegang.add_zorgbeweging", plaatsing)
    aanmelding, locatie = plaatsing.aanmelding, plaatsing.locatie
    beweging = Zorgbeweging.objects.create(
        aanmelding=aanmelding,
        plaatsing=plaatsing,
        regio_id=aanmelding.regio_id,
        client_id=aanmelding.client_id,
        soort=Zorgbeweging.Soort.INSTROOM,
        datum=datum,
        functie_id=aanmelding.functie_id,
        gemeente_herkomst_id=aanmelding.gemeente_herkomst_id,
        aanbieder_id=locatie.aanbieder_id,
        via_wachtlijst=via_wachtlijst,
        buitenregionaal=ws.buiten_regio(locatie, aanmelding.regio, datum),
        door=user,
    )
    audit.record(
        "create", objects=[beweging], actor=user,
        toelichting={"soort": "instroom", "via_wachtlijst": via_wachtlijst},
    )  # fmt: skip
    notificaties.lokaal_team(
        aanmelding, user, Notificatie.Soort.PLAATSING,
        f"geplaatst per {datum:%d-%m-%Y} bij {locatie.aanbieder.naam}",
    )  # fmt: skip
    return beweging


# --- direct placement ----------------------------------------------------------------------------


def direct_plaatsbaar(aanmelding: Aanmelding) -> bool:
    """Assessed (functie set) and not on the list: the client can be recorded as placed
    directly."""
    return aanmelding.status == Aanmelding.Status.AANGEMELD and aanmelding.functie_id is not None


@transaction.atomic
def direct_plaatsen(
    aanmelding: Aanmelding, locatie: Locatie, user, datum: datetime.date, *,
    crisis_reden: str = "",
) -> tuple[Plaatsing, str]:  # fmt: skip
    """Record a placement that did not pass the waiting list (placed directly by a gemeente or
    aanbieder, or an acute crisis placement): a Plaatsing straight to ``geplaatst`` — it takes a
    place, so under the same location lock and capacity check as ``reserveren`` — with the
    toewijzing as ``plaatsen`` makes it, and a Zorgbeweging instroom not via the list. No
    Wachtlijstgebeurtenis: the client was never on the list.

    Like ``plaatsen`` it rests on a covering beschikking or is a crisis placement with
    ``crisis_reden`` (``services.grondslag``). The route becomes ``direct``, except a crisis
    aanmelding, which keeps its route: the beschikking must still follow within the crisis term.
    Returns the plaatsing and a note (why no toewijzing was made, or empty)."""
    vereis(user, ws.PLAATS, aanmelding)  # before the location is locked
    locatie = ws.vergrendel_locatie(locatie)
    aanmelding = ws._slot(aanmelding)
    if not direct_plaatsbaar(aanmelding):
        if aanmelding.status != Aanmelding.Status.AANGEMELD:
            raise ValidationError(
                "Alleen een aangemelde cliënt die niet op de wachtlijst staat kan direct worden "
                "geplaatst; plaats een wachtende cliënt via de wachtlijst."
            )
        raise ValidationError({"functie": "Leg eerst de functie vast (beoordeling)."})
    if datum > vandaag():
        raise ValidationError({"datum": "Een plaatsing in de toekomst kan niet worden vastgelegd."})
    # The client or gemeente already chose this location: the matching preferences do not apply,
    # the contract, the regio rule and the capacity do.
    ws.controleer_locatie(aanmelding, locatie, datum, voorkeuren=False)
    plaatsing = Plaatsing(
        aanmelding=aanmelding,
        locatie=locatie,
        door=user,
        status=Plaatsing.Status.GEPLAATST,
        geplaatst_op=datum,
    )
    bp = ws.grondslag(plaatsing, aanmelding, datum, crisis_reden)
    plaatsing.save()
    notitie = ws.toewijzen(plaatsing, aanmelding, datum, bp) if bp else (
        "Crisisplaatsing: de beschikking moet volgen uiterlijk "
        f"{plaatsing.beschikken_uiterlijk:%d-%m-%Y}; daarna wordt de toewijzing gemaakt."
    )  # fmt: skip
    if plaatsing.toewijzing_id:
        plaatsing.save(update_fields=["toewijzing"])
    route_oud = aanmelding.route
    if aanmelding.route != Aanmelding.Route.CRISIS:
        aanmelding.route = Aanmelding.Route.DIRECT
        aanmelding.save(update_fields=["route"])
    # Not on the list, so van_de_lijst closes the aanmelding without a waiting-list event.
    ws.van_de_lijst(aanmelding, user, Uitstroomreden.GEPLAATST, datum)
    instroom(plaatsing, user, datum, via_wachtlijst=False)
    audit.record(
        "create", objects=[plaatsing], actor=user,
        toelichting={"status": "geplaatst", "direct": True, "locatie": locatie.pk,
                     "route": [route_oud, aanmelding.route]},
    )  # fmt: skip
    return plaatsing, notitie


# --- doorstroom and uitstroom ------------------------------------------------------------------


def _toewijzing_beeindigen(plaatsing: Plaatsing, datum: datetime.date, bestemming: str) -> str:
    """Shorten the plaatsing's toewijzing to ``datum`` (iWmo: an end is a new einddatum with a
    RedenWijziging, the number stays). Returns a note for the user."""
    from toegang.toewijzingen.services import wijzig_einddatum

    t = plaatsing.toewijzing
    if t is None:
        return ""
    if t.status != Toewijzing.Status.ACTIEF:
        return f"Toewijzing {t.nummer} was al {t.get_status_display().lower()}."
    if t.einddatum is not None and t.einddatum <= datum:
        return f"Toewijzing {t.nummer} eindigt al op {t.einddatum:%d-%m-%Y}."
    reden = REDEN_TOEWIJZING.get(bestemming, REDEN_TOEWIJZING_ANDERS)
    try:
        with transaction.atomic():
            # A system caller (like plaatsen): the CT ends what its placement made.
            wijzig_einddatum(None, t, datum, reden)
    except ValidationError as fout:
        return f"Toewijzing {t.nummer} is niet beëindigd: " + " ".join(fout.messages)
    return f"Toewijzing {t.nummer} eindigt op {datum:%d-%m-%Y}."


def controleer_beeindiging(
    plaatsing: Plaatsing, soort: str, datum: datetime.date, bestemming: str, naar_functie=None
) -> None:
    """The checks of ``beeindigen`` without writing anything (for the confirmation page)."""
    fouten = {}
    if plaatsing.status != Plaatsing.Status.GEPLAATST:
        raise ValidationError("Alleen een lopende plaatsing kan worden beëindigd.")
    if soort not in BESTEMMINGEN:
        fouten["soort"] = "Kies doorstroom of uitstroom."
    elif bestemming not in BESTEMMINGEN[soort]:
        fouten["bestemming"] = (
            "Kies beschermd thuis, begeleid wonen of beschermd wonen."
            if soort == Zorgbeweging.Soort.DOORSTROOM
            else "Kies waar de cliënt naartoe gaat."
        )
    if datum is None:
        fouten["datum"] = "Vul een datum in."
    elif plaatsing.geplaatst_op and datum < plaatsing.geplaatst_op:
        fouten["datum"] = f"De datum ligt vóór de plaatsing ({plaatsing.geplaatst_op:%d-%m-%Y})."
    elif datum > vandaag():
        fouten["datum"] = "De datum ligt in de toekomst."
    regio_id = plaatsing.aanmelding.regio_id
    if naar_functie is not None and naar_functie.perceel.regio_id != regio_id:
        fouten["naar_functie"] = "Deze functie hoort niet bij de inkoop van deze regio."
    elif naar_functie is not None and naar_functie.pk == plaatsing.aanmelding.functie_id:
        fouten["naar_functie"] = "Bij doorstroom gaat de cliënt naar een andere functie."
    if fouten:
        raise ValidationError(fouten)


@transaction.atomic
def beeindigen(
    plaatsing: Plaatsing, user, soort: str, datum: datetime.date, bestemming: str,
    naar_functie=None, toelichting: str = "",
) -> tuple[Zorgbeweging, str]:  # fmt: skip
    """Doorstroom (to beschermd thuis, begeleid wonen or — from stabilisatie en observatie —
    beschermd wonen) or uitstroom from care: the plaatsing
    ends on ``datum`` (the place frees up), its toewijzing is shortened to that date, and the
    Zorgbeweging is recorded. Returns it and a note about the toewijzing."""
    plaatsing = ws._vergrendel_plaatsing(plaatsing, user)
    controleer_beeindiging(plaatsing, soort, datum, bestemming, naar_functie)
    aanmelding, locatie = plaatsing.aanmelding, plaatsing.locatie
    plaatsing.status = Plaatsing.Status.BEEINDIGD
    plaatsing.beeindigd_op = datum
    plaatsing.save(update_fields=["status", "beeindigd_op"])
    notitie = _toewijzing_beeindigen(plaatsing, datum, bestemming)
    begin = plaatsing.bewegingen.filter(soort=Zorgbeweging.Soort.INSTROOM).first()
    beweging = Zorgbeweging.objects.create(
        aanmelding=aanmelding,
        plaatsing=plaatsing,
        regio_id=aanmelding.regio_id,
        client_id=aanmelding.client_id,
        soort=soort,
        datum=datum,
        functie_id=begin.functie_id if begin else aanmelding.functie_id,
        bestemming=bestemming,
        naar_functie=naar_functie,
        gemeente_herkomst_id=aanmelding.gemeente_herkomst_id,
        aanbieder_id=locatie.aanbieder_id,
        via_wachtlijst=begin.via_wachtlijst if begin else True,
        buitenregionaal=begin.buitenregionaal
        if begin
        else ws.buiten_regio(locatie, aanmelding.regio, datum),
        toelichting=toelichting or "",
        door=user,
    )
    audit.record(
        "change", objects=[plaatsing], actor=user,
        toelichting={"status": "beeindigd", "soort": soort, "bestemming": bestemming},
    )  # fmt: skip
    audit.record("create", objects=[beweging], actor=user, toelichting={"soort": soort})
    notificaties.lokaal_team(
        aanmelding, user, Notificatie.Soort.UITSTROOM,
        f"{beweging.get_soort_display().lower()} per {datum:%d-%m-%Y}",
    )  # fmt: skip
    return beweging, notitie


# --- buitenregionale plaatsing --------------------------------------------------------------------


def buitenregionaal_aanvraagbaar(aanmelding: Aanmelding) -> bool:
    return aanmelding.status in ws.OPEN and aanmelding.buitenregionaal_status in (
        "",
        BuitenregionaalStatus.AFGEWEZEN,
    )


@transaction.atomic
def buitenregionaal_aanvragen(aanmelding: Aanmelding, user, reden: str) -> Aanmelding:
    """Ask approval for a placement outside the regio, with the reason."""
    aanmelding = ws._vergrendel(aanmelding, user)
    if aanmelding.status not in ws.OPEN:
        raise ValidationError("Deze aanmelding staat niet meer open.")
    if aanmelding.buitenregionaal_status == BuitenregionaalStatus.AANGEVRAAGD:
        raise ValidationError("De goedkeuring is al gevraagd.")
    if aanmelding.buitenregionaal_status == BuitenregionaalStatus.GOEDGEKEURD:
        raise ValidationError("De buitenregionale plaatsing is al goedgekeurd.")
    reden = (reden or "").strip()
    if not reden:
        raise ValidationError({"reden": "Geef de reden van de buitenregionale plaatsing."})
    aanmelding.buitenregionaal_reden = reden
    aanmelding.buitenregionaal_status = BuitenregionaalStatus.AANGEVRAAGD
    aanmelding.buitenregionaal_aangevraagd_door = user
    aanmelding.buitenregionaal_beoordeeld_door = None
    aanmelding.buitenregionaal_beoordeeld_op = None
    aanmelding.buitenregionaal_toelichting = ""
    aanmelding.buitenregionaal = False
    aanmelding.save(
        update_fields=[
            "buitenregionaal_reden", "buitenregionaal_status", "buitenregionaal_aangevraagd_door",
            "buitenregionaal_beoordeeld_door", "buitenregionaal_beoordeeld_op",
            "buitenregionaal_toelichting", "buitenregionaal",
        ]
    )  # fmt: skip
    audit.record(
        "change", objects=[aanmelding], actor=user, toelichting={"buitenregionaal": "aangevraagd"}
    )
    return aanmelding


def mag_beoordelen(aanmelding: Aanmelding, user) -> bool:
    """``user`` holds the approval capability for this aanmelding and did not ask."""
    return (
        aanmelding.buitenregionaal_status == BuitenregionaalStatus.AANGEVRAAGD
        and aanmelding.buitenregionaal_aangevraagd_door_id != user.pk
        and Aanmelding.objects.visible_to(user, GOEDKEUREN).filter(pk=aanmelding.pk).exists()
    )


@transaction.atomic
def buitenregionaal_beoordelen(
    aanmelding: Aanmelding, user, goedkeuren: bool, toelichting: str
) -> Aanmelding:
    """Approve or reject the request (four eyes: not the one who asked). Approval sets
    ``buitenregionaal``, so matching and reserveren admit locations outside the regio."""
    aanmelding = ws._vergrendel(aanmelding, user, GOEDKEUREN)
    if aanmelding.buitenregionaal_status != BuitenregionaalStatus.AANGEVRAAGD:
        raise ValidationError("Er is geen openstaande aanvraag voor een buitenregionale plaatsing.")
    if aanmelding.buitenregionaal_aangevraagd_door_id == user.pk:
        raise ValidationError(
            "U heeft de buitenregionale plaatsing zelf aangevraagd; een collega beoordeelt haar "
            "(vier ogen)."
        )
    toelichting = (toelichting or "").strip()
    if not toelichting:
        raise ValidationError({"toelichting": "Geef een toelichting bij uw beoordeling."})
    aanmelding.buitenregionaal_status = (
        BuitenregionaalStatus.GOEDGEKEURD if goedkeuren else BuitenregionaalStatus.AFGEWEZEN
    )
    aanmelding.buitenregionaal = bool(goedkeuren)
    aanmelding.buitenregionaal_beoordeeld_door = user
    aanmelding.buitenregionaal_beoordeeld_op = timezone.now()
    aanmelding.buitenregionaal_toelichting = toelichting
    aanmelding.save(
        update_fields=[
            "buitenregionaal_status", "buitenregionaal", "buitenregionaal_beoordeeld_door",
            "buitenregionaal_beoordeeld_op", "buitenregionaal_toelichting",
        ]
    )  # fmt: skip
    audit.record(
        "change", objects=[aanmelding], actor=user,
        toelichting={"buitenregionaal": aanmelding.buitenregionaal_status},
    )  # fmt: skip
    return aanmelding
