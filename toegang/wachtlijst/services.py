"""The regional waiting list of the Centrale Toegang: aanmelding, beoordeling, the list itself,
matching clients to free places, and plaatsing.

Every move on or off the list writes a ``Wachtlijstgebeurtenis`` (the waiting-list report reads
only that table): an instroom when the client is registered on the list, an uitstroom with its
reason when they leave it. A functie change while waiting is an uitstroom 'anders' for the old
functie and an instroom for the new one; both keep the original ``wachtend_sinds`` — waiting
starts on the date the client was registered on the list (DOMAIN.md "The waiting-list report"),
and a new assessment does not send the client to the back of the queue.

Capacity is never overbooked: a reservation locks the Locatie row while counting the places in
use, so two CT staff reserving at the same moment are serialised by PostgreSQL.

A location outside the regio (its gemeente is no BW member of the aanmelding's regio on the
date) is matched and reserved only once a buitenregionale plaatsing is approved (seed 000 §9);
placing the client records a ``Zorgbeweging`` instroom (``doorstroom``) for monitoring.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import models, transaction

from inkoop.contracten.services import contracten_voor
from inkoop.locaties.services import capaciteit_op, vrije_plaatsen
from inkoop.models import Contract, Locatie
from regio import audit
from regio.models import Domein, Lidmaatschap
from regio.query import vereis
from toegang import termijnen
from toegang.models import (
    Aanmelding,
    Beschikking,
    BeschiktProduct,
    BuitenregionaalStatus,
    Plaatsing,
    Uitstroomreden,
    Wachtlijstgebeurtenis,
)
from toegang.wachtlijst import notificaties, tijdvak
from toegang.wachtlijst.kenmerken import leeftijd_opmerking, persoon_bezwaren

OP_DE_LIJST = (Aanmelding.Status.WACHTEND, Aanmelding.Status.GERESERVEERD)
# Still open: registered and not yet assessed, or on the list.
OPEN = (Aanmelding.Status.AANGEMELD, *OP_DE_LIJST)
URGENTIE_RANG = {
    Aanmelding.Urgentie.CRISIS: 0,
    Aanmelding.Urgentie.URGENT: 1,
    Aanmelding.Urgentie.REGULIER: 2,
}


# --- helpers ------------------------------------------------------------------------------------


WIJZIG = "toegang.change_aanmelding"
PLAATS = "toegang.add_plaatsing"
WIJZIG_PLAATSING = "toegang.change_plaatsing"


def _vergrendel(aanmelding: Aanmelding, user, capability: str = WIJZIG) -> Aanmelding:
    """The aanmelding, locked, once ``user`` may do this to it (``regio.query.vereis``)."""
    vereis(user, capability, aanmelding)
    return _slot(aanmelding)


def _slot(aanmelding: Aanmelding) -> Aanmelding:
    """The aanmelding under a row lock (the caller checked who asks)."""
    return Aanmelding.objects.select_for_update(of=("self",)).get(pk=aanmelding.pk)


def _gebeurtenis(aanmelding: Aanmelding, soort: str, datum, reden: str = "", functie=None):
    return Wachtlijstgebeurtenis.objects.create(
        aanmelding=aanmelding,
        regio_id=aanmelding.regio_id,
        client_id=aanmelding.client_id,
        functie=functie or aanmelding.functie,
        gemeente_herkomst_id=aanmelding.gemeente_herkomst_id,
        soort=soort,
        reden=reden,
        datum=datum,
        wachtend_sinds=aanmelding.wachtend_sinds,
    )


def wachtstatus_na_wijziging(aanmelding: Aanmelding, user) -> None:
    """Tell the client and the lokaal team about the change once it is committed
    (``wachtstatus.bijwerken``, idempotent); a failure there is logged and does not undo
    the change the user made."""
    from functools import partial

    from toegang.wachtlijst import wachtstatus as wachtstatus_services

    transaction.on_commit(
        partial(wachtstatus_services.bijwerken, aanmelding.pk, user=user), robust=True
    )


def wachtdagen(aanmelding: Aanmelding, peildatum: datetime.date) -> int | None:
    """Calendar days on the list up to ``peildatum`` (or up to leaving it)."""
    if aanmelding.wachtend_sinds is None:
        return None
    einde = aanmelding.uitstroom_op or peildatum
    return (einde - aanmelding.wachtend_sinds).days


def boven_norm(aanmelding: Aanmelding, peildatum: datetime.date) -> bool:
    """Registration date + the regio's norm (calendar months) lies before ``peildatum``."""
    if aanmelding.wachtend_sinds is None or aanmelding.status not in OP_DE_LIJST:
        return False
    norm = relativedelta(months=aanmelding.regio.wachtlijst_norm_maanden)
    return aanmelding.wachtend_sinds + norm < peildatum


def norm_grens(regio, peildatum: datetime.date) -> datetime.date:
    """Waiting since before this date is over the norm on ``peildatum`` (for SQL filters)."""
    return peildatum - relativedelta(months=regio.wachtlijst_norm_maanden)


# --- aanmelding and beoordeling -----------------------------------------------------------------


@transaction.atomic
def aanmelden(dossier, user, regio, route, aangemeld_op, aanvraag=None, beschikking=None):
    """Register the client of ``dossier`` with the CT of ``regio`` (by a lokaal team, or the
    crisis route: then the beschikking may follow within ``regio.crisis_beschikking_dagen``)."""
    vereis(user, "toegang.add_aanmelding", dossier)
    fouten = {}
    if route not in Aanmelding.Route.values:
        fouten["route"] = "Kies een route."
    if aanvraag is not None and aanvraag.dossier_id != dossier.pk:
        fouten["aanvraag"] = "Deze aanvraag hoort niet bij dit dossier."
    if beschikking is not None and beschikking.dossier_id != dossier.pk:
        fouten["beschikking"] = "Deze beschikking hoort niet bij dit dossier."
    if route == Aanmelding.Route.LOKAAL_TEAM and aanvraag is None and beschikking is None:
        fouten["aanvraag"] = (
            "Koppel een aanvraag of beschikking (alleen de crisisroute mag zonder)."
        )
    lopend = Aanmelding.objects.filter(dossier=dossier, regio=regio, status__in=OPEN)
    if lopend.exists():
        fouten["__all__"] = "Deze cliënt is al aangemeld bij de Centrale Toegang."
    if fouten:
        raise ValidationError(fouten)
    aanmelding = Aanmelding.objects.create(
        regio=regio,
        dossier=dossier,
        client_id=dossier.client_id,
        route=route,
        aangemeld_op=aangemeld_op,
        aangemeld_door=user,
        aanvraag=aanvraag,
        beschikking=beschikking,
        gemeente_herkomst_id=dossier.verantwoordelijke_gemeente_id,
        urgentie=Aanmelding.Urgentie.CRISIS
        if route == Aanmelding.Route.CRISIS
        else Aanmelding.Urgentie.REGULIER,
    )
    audit.record("create", objects=[aanmelding], actor=user, toelichting={"route": route})
    notificaties.aangemeld(aanmelding, user)
    return aanmelding


@transaction.atomic
def beschikking_koppelen(aanmelding: Aanmelding, user, beschikking) -> Aanmelding:
    aanmelding = _vergrendel(aanmelding, user)
    if beschikking.dossier_id != aanmelding.dossier_id:
        raise ValidationError({"beschikking": "Deze beschikking hoort niet bij dit dossier."})
    aanmelding.beschikking = beschikking
    aanmelding.save(update_fields=["beschikking"])
    audit.record("change", objects=[aanmelding], actor=user, toelichting={"beschikking": True})
    return aanmelding


def crisis_zonder_beschikking(aanmeldingen, peildatum: datetime.date) -> list[Aanmelding]:
    """Crisis aanmeldingen (from the caller's scoped queryset) whose beschikking did not follow
    within the regio's ``crisis_beschikking_dagen`` of the aanmelding or crisis placement —
    for a warning. Each gets ``termijn`` (the date it was due)."""
    uitkomst = []
    kandidaten = aanmeldingen.filter(
        route=Aanmelding.Route.CRISIS, beschikking__isnull=True
    ).select_related("regio")
    for a in kandidaten:
        geplaatst = (
            Plaatsing.objects.filter(aanmelding=a, geplaatst_op__isnull=False)
            .order_by("geplaatst_op")
            .values_list("geplaatst_op", flat=True)
            .first()
        )
        begin = min(d for d in (a.aangemeld_op, geplaatst) if d is not None)
        a.termijn = beschikken_uiterlijk(a.regio, begin)
        if a.termijn < peildatum:
            uitkomst.append(a)
    return uitkomst


def beschikken_uiterlijk(regio, begin: datetime.date) -> datetime.date:
    """The day a beschikking must follow a crisis aanmelding or placement of ``begin``: the
    regio's ``crisis_beschikking_dagen`` working days later (Atw, ``toegang.termijnen``)."""
    return termijnen.plus_werkdagen(begin, regio.crisis_beschikking_dagen)


def _controleer_functie(aanmelding, functie):
    if functie is not None and functie.perceel.regio_id != aanmelding.regio_id:
        raise ValidationError({"functie": "Deze functie hoort niet bij de inkoop van deze regio."})


@transaction.atomic
def beoordelen(
    aanmelding: Aanmelding, user, functie, arrangement, urgentie, reden="", herkomst=None, *,
    datum: datetime.date | None = None, **voorkeuren,
) -> Aanmelding:  # fmt: skip
    """The CT's assessment: functie, arrangement, urgentie with reason, gemeente van herkomst and
    the preferences (voorkeur_gemeente/aanbieder/locatie, gender, huisdieren,
    rolstoeltoegankelijk, uitsluitingen, bijzonderheden, overbruggingszorg). A functie change
    while waiting goes through ``functie_wijzigen`` (events); ``datum`` is its date."""
    aanmelding = _vergrendel(aanmelding, user)
    if aanmelding.status not in OPEN:
        raise ValidationError("Deze aanmelding staat niet meer open.")
    _controleer_functie(aanmelding, functie)
    if urgentie != Aanmelding.Urgentie.REGULIER and not (reden or "").strip():
        raise ValidationError({"urgentie_reden": "Geef de reden van de urgentie."})
    if aanmelding.status in OP_DE_LIJST and functie is None:
        raise ValidationError({"functie": "Een wachtende cliënt heeft een functie."})
    if aanmelding.status in OP_DE_LIJST and herkomst != aanmelding.gemeente_herkomst:
        raise ValidationError(
            {"gemeente_herkomst": "De gemeente van herkomst ligt vast zodra de cliënt wacht."}
        )
    # The catalogue of the aanmelding's own date (``tijdvak``); a functie change while waiting
    # is checked on the date of the change (``functie_wijzigen``).
    tijdvak.controleer_arrangement(aanmelding.regio_id, arrangement, aanmelding.aangemeld_op)
    if aanmelding.status == Aanmelding.Status.AANGEMELD and functie != aanmelding.functie:
        tijdvak.controleer_functie(aanmelding.regio_id, functie, aanmelding.aangemeld_op)
    uitsluitingen = voorkeuren.pop("uitsluitingen", None)
    functie_oud = aanmelding.functie
    aanmelding.arrangement = arrangement
    aanmelding.urgentie = urgentie
    aanmelding.urgentie_reden = reden or ""
    aanmelding.gemeente_herkomst = herkomst
    for naam, waarde in voorkeuren.items():
        if naam not in VOORKEUREN:
            raise TypeError(f"Onbekende voorkeur {naam}")
        setattr(aanmelding, naam, waarde)
    if aanmelding.status == Aanmelding.Status.AANGEMELD or functie_oud == functie:
        aanmelding.functie = functie
    aanmelding.save()
    if uitsluitingen is not None:
        aanmelding.uitsluitingen.set(uitsluitingen)
    audit.record("change", objects=[aanmelding], actor=user, toelichting={"beoordeling": True})
    if aanmelding.functie != functie:
        aanmelding = functie_wijzigen(aanmelding, user, functie, datum or datetime.date.today())
    return aanmelding


VOORKEUREN = (
    "voorkeur_gemeente", "voorkeur_aanbieder", "voorkeur_locatie", "gender", "huisdieren",
    "rolstoeltoegankelijk", "bijzonderheden", "overbruggingszorg",
)  # fmt: skip


@transaction.atomic
def op_wachtlijst(aanmelding: Aanmelding, user, datum: datetime.date) -> Aanmelding:
    """Register the assessed client on the list: waiting starts on ``datum``."""
    aanmelding = _vergrendel(aanmelding, user)
    if aanmelding.status != Aanmelding.Status.AANGEMELD:
        raise ValidationError("Alleen een aangemelde cliënt kan op de wachtlijst.")
    if aanmelding.functie_id is None:
        raise ValidationError({"functie": "Leg eerst de functie vast (beoordeling)."})
    if datum < aanmelding.aangemeld_op:
        raise ValidationError({"datum": "De datum ligt vóór de aanmelding."})
    aanmelding.status = Aanmelding.Status.WACHTEND
    aanmelding.wachtend_sinds = datum
    aanmelding.save(update_fields=["status", "wachtend_sinds"])
    _gebeurtenis(aanmelding, Wachtlijstgebeurtenis.Soort.INSTROOM, datum)
    audit.record("change", objects=[aanmelding], actor=user, toelichting={"wachtlijst": "in"})
    wachtstatus_na_wijziging(aanmelding, user)
    return aanmelding


@transaction.atomic
def functie_wijzigen(aanmelding: Aanmelding, user, functie, datum: datetime.date) -> Aanmelding:
    """Change the functie of a waiting client: uitstroom 'anders' for the old functie and
    instroom for the new one, on ``datum``; ``wachtend_sinds`` stays (see module docstring)."""
    aanmelding = _vergrendel(aanmelding, user)
    _controleer_functie(aanmelding, functie)
    if functie is None:
        raise ValidationError({"functie": "Kies een functie."})
    if aanmelding.functie_id == functie.pk:
        return aanmelding
    op_de_lijst = aanmelding.status in OP_DE_LIJST
    tijdvak.controleer_functie(
        aanmelding.regio_id, functie, datum if op_de_lijst else aanmelding.aangemeld_op
    )
    if not op_de_lijst:
        aanmelding.functie = functie
        aanmelding.save(update_fields=["functie"])
    else:
        if datum < aanmelding.wachtend_sinds:
            raise ValidationError({"datum": "De datum ligt vóór het begin van het wachten."})
        if aanmelding.plaatsingen.filter(status__in=Plaatsing.BEZET).exists():
            raise ValidationError(
                {"functie": "Laat eerst de gereserveerde plaats vervallen; die hoort bij de "
                 "oude functie."}
            )  # fmt: skip
        _gebeurtenis(
            aanmelding, Wachtlijstgebeurtenis.Soort.UITSTROOM, datum, Uitstroomreden.ANDERS
        )
        aanmelding.functie = functie
        aanmelding.save(update_fields=["functie"])
        _gebeurtenis(aanmelding, Wachtlijstgebeurtenis.Soort.INSTROOM, datum)
    audit.record("change", objects=[aanmelding], actor=user, toelichting={"functie": functie.pk})
    wachtstatus_na_wijziging(aanmelding, user)
    return aanmelding


@transaction.atomic
def van_de_lijst(aanmelding: Aanmelding, user, reden: str, datum: datetime.date) -> Aanmelding:
    """The client leaves the list (or, not yet on it, the aanmelding is closed) for ``reden``."""
    aanmelding = _vergrendel(aanmelding, user)
    if reden not in Uitstroomreden.values:
        raise ValidationError({"reden": "Kies een reden."})
    if aanmelding.status not in OPEN:
        raise ValidationError("Deze cliënt staat niet meer op de wachtlijst.")
    if aanmelding.wachtend_sinds and datum < aanmelding.wachtend_sinds:
        raise ValidationError({"datum": "De datum ligt vóór het begin van het wachten."})
    if reden != Uitstroomreden.GEPLAATST:
        # A place still held for the client is released.
        for p in aanmelding.plaatsingen.filter(
            status__in=(Plaatsing.Status.GERESERVEERD, Plaatsing.Status.BEVESTIGD)
        ):
            p.status = Plaatsing.Status.VERVALLEN
            p.beeindigd_op = datum
            p.save(update_fields=["status", "beeindigd_op"])
    op_de_lijst = aanmelding.status in OP_DE_LIJST
    aanmelding.status = (
        Aanmelding.Status.GEPLAATST
        if reden == Uitstroomreden.GEPLAATST
        else Aanmelding.Status.UITGESTROOMD
    )
    aanmelding.uitstroom_op = datum
    aanmelding.uitstroomreden = reden
    aanmelding.save(update_fields=["status", "uitstroom_op", "uitstroomreden"])
    if op_de_lijst:
        _gebeurtenis(aanmelding, Wachtlijstgebeurtenis.Soort.UITSTROOM, datum, reden)
    audit.record(
        "change",
        objects=[aanmelding],
        actor=user,
        toelichting={"wachtlijst": "uit", "reden": reden},
    )
    wachtstatus_na_wijziging(aanmelding, user)
    return aanmelding


# --- places and matching ------------------------------------------------------------------------


def bezet_op(locatie: Locatie) -> int:
    """Places in use at ``locatie``: reserved, confirmed or placed (issue 17 item 12: occupied
    places follow from the placements; leaving or lapsing frees them)."""
    return Plaatsing.objects.filter(locatie=locatie, status__in=Plaatsing.BEZET).count()


def bezet_per_locatie(locatie_ids) -> dict[int, int]:
    """``bezet_op`` for each of ``locatie_ids`` in one query (none: left out); numbers only, as
    ``inkoop.locaties.services.bezet_volgens_plaatsingen`` for screens that show no clients."""
    return dict(
        Plaatsing.objects.filter(locatie__in=list(locatie_ids), status__in=Plaatsing.BEZET)
        .order_by()
        .values("locatie")
        .annotate(bezet=models.Count("pk"))
        .values_list("locatie", "bezet")
    )


def vrij_op(locatie: Locatie, datum: datetime.date) -> int:
    """Free places at ``locatie``: capacity on ``datum`` minus the places in use. Reserving
    and placing lower it at once, leaving raises it. The aanbieder's own report of free places
    (``gemeld_vrij``) is shown beside it, with a signal when they differ; it does not count."""
    return max(capaciteit_op(locatie, datum) - bezet_op(locatie), 0)


def gemeld_vrij(locatie: Locatie) -> int | None:
    """The aanbieder's latest report of free places at ``locatie`` (None: never reported)."""
    melding = vrije_plaatsen(locatie)
    return None if melding is None else melding.vrije_plaatsen


def regio_gemeenten(regio, datum: datetime.date) -> set[int]:
    """The gemeenten (ids) that are members of ``regio`` for beschermd wonen on ``datum`` — the
    domein of the waiting list (the same membership that decides which regio keeps a dossier's
    list, ``views.wachtlijst.regio_voor``)."""
    return set(
        Lidmaatschap.objects.active_on(datum)
        .filter(regio=regio, domein=Domein.BESCHERMD_WONEN)
        .values_list("gemeente_id", flat=True)
    )


def buiten_regio(locatie: Locatie, regio, datum: datetime.date) -> bool:
    """The location's gemeente is not a BW member of ``regio`` on ``datum``."""
    return locatie.gemeente_id not in regio_gemeenten(regio, datum)


def buitenregionaal_goedgekeurd(aanmelding: Aanmelding) -> bool:
    return aanmelding.buitenregionaal_status == BuitenregionaalStatus.GOEDGEKEURD


def gecontracteerde_locaties(regio, functie, datum: datetime.date, client=None):
    """Active locations offering ``functie`` of aanbieders with a contract in ``regio`` for the
    functie's perceel running on ``datum``: a regio contract, or an approved BDVO for ``client``
    (a Client pk; a buitenregionale or crisis placement of that one client)."""
    contracten = (
        Contract.objects.lopend_op(datum)
        .geldig_voor(client)
        .filter(regio=regio, percelen=functie.perceel_id)
    )
    return Locatie.objects.filter(
        actief=True, functies=functie, aanbieder__in=contracten.values("aanbieder")
    ).distinct()


def _bezwaren(aanmelding: Aanmelding, locatie: Locatie, uitgesloten: set[int],
              datum: datetime.date) -> list[str]:  # fmt: skip
    """Why ``locatie`` does not fit the client's needs or, by its own features (``kenmerken``:
    gender, age on ``datum``), the client (empty: it fits)."""
    bezwaren = []
    if locatie.pk in uitgesloten:
        bezwaren.append("Deze locatie is voor deze cliënt uitgesloten.")
    if aanmelding.gender and locatie.gender != aanmelding.gender:
        bezwaren.append(f"De cliënt wil een locatie {aanmelding.get_gender_display().lower()}.")
    if aanmelding.huisdieren and not locatie.huisdieren:
        bezwaren.append("Op deze locatie zijn geen huisdieren toegestaan.")
    if aanmelding.rolstoeltoegankelijk and not locatie.rolstoeltoegankelijk:
        bezwaren.append("Deze locatie is niet rolstoeltoegankelijk.")
    return bezwaren + persoon_bezwaren(getattr(aanmelding.client, "persoon", None), locatie, datum)


def _waardering(aanmelding: Aanmelding, locatie: Locatie, datum) -> tuple[int, list[str]]:
    score, redenen = 0, [f"biedt {aanmelding.functie.naam}"]
    if aanmelding.voorkeur_locatie_id == locatie.pk:
        score += 4
        redenen.append("voorkeurslocatie")
    if aanmelding.voorkeur_aanbieder_id == locatie.aanbieder_id:
        score += 2
        redenen.append("voorkeursaanbieder")
    if aanmelding.voorkeur_gemeente_id == locatie.gemeente_id:
        score += 2
        redenen.append("in voorkeursgemeente")
    elif aanmelding.gemeente_herkomst_id == locatie.gemeente_id:
        score += 1
        redenen.append("in de gemeente van herkomst")
    if aanmelding.gender:
        redenen.append(locatie.get_gender_display().lower())
    if aanmelding.huisdieren:
        redenen.append("huisdieren toegestaan")
    if aanmelding.rolstoeltoegankelijk:
        redenen.append("rolstoeltoegankelijk")
    if opmerking := leeftijd_opmerking(getattr(aanmelding.client, "persoon", None), locatie, datum):
        redenen.append(opmerking)
    return score, redenen


@dataclass
class Match:
    locatie: Locatie
    vrij: int
    score: int
    redenen: list[str] = field(default_factory=list)
    gemeld: int | None = None

    @property
    def wijkt_af(self) -> bool:
        """The aanbieder's report of free places differs from the count of the placements."""
        return self.gemeld is not None and self.gemeld != self.vrij


@dataclass
class Uitgesloten:
    """A contracted location offering the functie that matching leaves out, and why."""

    locatie: Locatie
    redenen: list[str]


def uitgesloten_locaties(aanmelding: Aanmelding, datum: datetime.date) -> list[Uitgesloten]:
    """The contracted locations offering the client's functie that ``passende_locaties`` leaves
    out on ``datum``, each with the reasons (shown on the matching page)."""
    if aanmelding.functie_id is None:
        return []
    uitgesloten = set(aanmelding.uitsluitingen.values_list("pk", flat=True))
    leden = regio_gemeenten(aanmelding.regio, datum)
    goedgekeurd = buitenregionaal_goedgekeurd(aanmelding)
    uitkomst = []
    for locatie in gecontracteerde_locaties(
        aanmelding.regio, aanmelding.functie, datum
    ).select_related("aanbieder", "gemeente"):
        redenen = []
        if locatie.gemeente_id not in leden and not goedgekeurd:
            redenen.append("Buiten de regio (geen goedgekeurde buitenregionale plaatsing).")
        redenen += _bezwaren(aanmelding, locatie, uitgesloten, datum)
        capaciteit, bezet = capaciteit_op(locatie, datum), bezet_op(locatie)
        if capaciteit == 0:
            redenen.append("Geen capaciteit vastgelegd op deze datum.")
        elif capaciteit - bezet <= 0:
            redenen.append(f"Vol: {bezet} van {capaciteit} plaatsen bezet.")
        if redenen:
            gemeld = gemeld_vrij(locatie)
            if gemeld:
                redenen.append(f"De aanbieder meldt {gemeld} vrij.")
            uitkomst.append(Uitgesloten(locatie, redenen))
    return uitkomst


def passende_locaties(aanmelding: Aanmelding, datum: datetime.date) -> list[Match]:
    """Locations with a free place on ``datum`` that fit the client's functie and every
    preference, best first (preferences raise the rank), each with the reasons it fits."""
    if aanmelding.functie_id is None:
        return []
    aanmelding = Aanmelding.objects.select_related("client__persoon").get(pk=aanmelding.pk)
    uitgesloten = set(aanmelding.uitsluitingen.values_list("pk", flat=True))
    locaties = gecontracteerde_locaties(
        aanmelding.regio, aanmelding.functie, datum, aanmelding.client_id
    ).select_related("aanbieder", "gemeente")
    leden = regio_gemeenten(aanmelding.regio, datum)
    goedgekeurd = buitenregionaal_goedgekeurd(aanmelding)
    matches = []
    for locatie in locaties:
        buiten = locatie.gemeente_id not in leden
        if buiten and not goedgekeurd:
            continue
        if _bezwaren(aanmelding, locatie, uitgesloten, datum):
            continue
        vrij = vrij_op(locatie, datum)
        if vrij <= 0:
            continue
        score, redenen = _waardering(aanmelding, locatie, datum)
        if buiten:
            redenen.append("buiten de regio (goedgekeurd)")
        redenen.append(f"{vrij} vrije plaats{'en' if vrij != 1 else ''}")
        gemeld = gemeld_vrij(locatie)
        if gemeld is not None and gemeld != vrij:
            redenen.append(f"de aanbieder meldt {gemeld} vrij (wijkt af)")
        matches.append(Match(locatie, vrij, score, redenen, gemeld))
    matches.sort(key=lambda m: (-m.score, -m.vrij, m.locatie.naam, m.locatie.pk))
    return matches


def passende_aanmeldingen(locatie: Locatie, datum: datetime.date, aanmeldingen=None):
    """For a location with a free place: the waiting clients (from the caller's scoped
    ``aanmeldingen``) it fits, best first — urgency, then preference, then waiting longest."""
    if vrij_op(locatie, datum) <= 0:
        return []
    qs = Aanmelding.objects.all() if aanmeldingen is None else aanmeldingen
    qs = qs.filter(
        status=Aanmelding.Status.WACHTEND, functie__in=locatie.functies.all()
    ).select_related("regio", "functie", "dossier__client__persoon")
    contracten = Contract.objects.lopend_op(datum).filter(aanbieder=locatie.aanbieder_id)
    leden: dict[int, set[int]] = {}
    uitkomst = []
    for a in qs.prefetch_related("uitsluitingen"):
        voor_client = contracten.geldig_voor(a.client_id)
        if not voor_client.filter(regio=a.regio_id, percelen=a.functie.perceel_id).exists():
            continue
        if a.regio_id not in leden:
            leden[a.regio_id] = regio_gemeenten(a.regio, datum)
        if locatie.gemeente_id not in leden[a.regio_id] and not buitenregionaal_goedgekeurd(a):
            continue
        if _bezwaren(a, locatie, {u.pk for u in a.uitsluitingen.all()}, datum):
            continue
        score, redenen = _waardering(a, locatie, datum)
        uitkomst.append((a, score, redenen))
    uitkomst.sort(key=lambda r: (URGENTIE_RANG[r[0].urgentie], -r[1], r[0].wachtend_sinds, r[0].pk))
    return uitkomst


# --- plaatsing ----------------------------------------------------------------------------------


class GeenPlaats(ValidationError):
    """The location has no free place (any more)."""


def vergrendel_locatie(locatie: Locatie) -> Locatie:
    """Lock the location row: every step that takes a place (reserveren, a direct placement)
    counts the places in use under this lock, so two at once cannot overbook it."""
    return Locatie.objects.select_for_update().get(pk=locatie.pk)


def controleer_locatie(
    aanmelding: Aanmelding, locatie: Locatie, datum: datetime.date, *, voorkeuren: bool = True
) -> None:
    """Can the client take a place at ``locatie`` on ``datum``? Contracted for the functie,
    inside the regio or approved as buitenregionaal, fits the client's needs (``voorkeuren``)
    and a free place. Call with the location locked (``vergrendel_locatie``)."""
    if (
        not gecontracteerde_locaties(
            aanmelding.regio, aanmelding.functie, datum, aanmelding.client_id
        )
        .filter(pk=locatie.pk)
        .exists()
    ):
        raise ValidationError(
            {"locatie": "Deze locatie biedt de functie van de cliënt niet onder contract."}
        )
    if buiten_regio(locatie, aanmelding.regio, datum) and not buitenregionaal_goedgekeurd(
        aanmelding
    ):
        raise ValidationError(
            {
                "locatie": f"{locatie.naam} ligt buiten de regio {aanmelding.regio.naam}. Een "
                "buitenregionale plaatsing kan alleen met een vastgelegde reden en goedkeuring."
            }
        )
    if voorkeuren:
        bezwaren = _bezwaren(
            aanmelding, locatie, set(aanmelding.uitsluitingen.values_list("pk", flat=True)), datum
        )
        if bezwaren:
            raise ValidationError({"locatie": bezwaren})
    if vrij_op(locatie, datum) <= 0:
        raise GeenPlaats({"locatie": f"Er is geen vrije plaats meer op {locatie.naam}."})


@transaction.atomic
def reserveren(aanmelding: Aanmelding, locatie: Locatie, user, datum: datetime.date) -> Plaatsing:
    """Reserve a place at ``locatie`` for the waiting client. The Locatie row is locked while
    the places in use are counted, so concurrent reservations cannot overbook it."""
    vereis(user, PLAATS, aanmelding)  # before the location is locked
    locatie = vergrendel_locatie(locatie)
    aanmelding = _slot(aanmelding)
    if aanmelding.status != Aanmelding.Status.WACHTEND:
        raise ValidationError("Alleen voor een wachtende cliënt zonder plaats kunt u reserveren.")
    controleer_locatie(aanmelding, locatie, datum)
    plaatsing = Plaatsing.objects.create(aanmelding=aanmelding, locatie=locatie, door=user)
    aanmelding.status = Aanmelding.Status.GERESERVEERD
    aanmelding.save(update_fields=["status"])
    audit.record("create", objects=[plaatsing], actor=user, toelichting={"locatie": locatie.pk})
    wachtstatus_na_wijziging(aanmelding, user)
    return plaatsing


def _vergrendel_plaatsing(plaatsing: Plaatsing, user) -> Plaatsing:
    vereis(user, WIJZIG_PLAATSING, plaatsing)
    # Same lock order as reserveren: location, then the client's aanmelding.
    Locatie.objects.select_for_update().get(pk=plaatsing.locatie_id)
    Aanmelding.objects.select_for_update(of=("self",)).get(pk=plaatsing.aanmelding_id)
    return Plaatsing.objects.select_for_update(of=("self",)).get(pk=plaatsing.pk)


@transaction.atomic
def bevestigen(plaatsing: Plaatsing, user) -> Plaatsing:
    """The aanbieder confirmed the reserved place."""
    plaatsing = _vergrendel_plaatsing(plaatsing, user)
    if plaatsing.status != Plaatsing.Status.GERESERVEERD:
        raise ValidationError("Alleen een gereserveerde plaats kan worden bevestigd.")
    plaatsing.status = Plaatsing.Status.BEVESTIGD
    plaatsing.save(update_fields=["status"])
    audit.record("change", objects=[plaatsing], actor=user, toelichting={"status": "bevestigd"})
    return plaatsing


@transaction.atomic
def vervallen(plaatsing: Plaatsing, user, datum: datetime.date) -> Plaatsing:
    """Let a reserved or confirmed place lapse; the client waits again."""
    plaatsing = _vergrendel_plaatsing(plaatsing, user)
    if plaatsing.status not in (Plaatsing.Status.GERESERVEERD, Plaatsing.Status.BEVESTIGD):
        raise ValidationError("Alleen een gereserveerde of bevestigde plaats kan vervallen.")
    plaatsing.status = Plaatsing.Status.VERVALLEN
    plaatsing.beeindigd_op = datum
    plaatsing.save(update_fields=["status", "beeindigd_op"])
    aanmelding = plaatsing.aanmelding
    if aanmelding.status == Aanmelding.Status.GERESERVEERD:
        aanmelding.status = Aanmelding.Status.WACHTEND
        aanmelding.save(update_fields=["status"])
    audit.record("change", objects=[plaatsing], actor=user, toelichting={"status": "vervallen"})
    wachtstatus_na_wijziging(aanmelding, user)
    return plaatsing


GELDIG = (Beschikking.Status.VASTGESTELD, Beschikking.Status.BEKENDGEMAAKT)


def dekkend_product(aanmelding: Aanmelding, datum: datetime.date) -> BeschiktProduct | None:
    """The beschikt product a placement of ``aanmelding`` on ``datum`` rests on: toegekend and
    active for the aanmelding's functie, in a vastgestelde (or bekendgemaakte) beschikking on the
    client's dossier, running on ``datum``. The aanmelding's own beschikking comes first."""
    if aanmelding.functie_id is None:
        return None
    kandidaten = BeschiktProduct.objects.filter(
        beschikking__dossier=aanmelding.dossier_id,
        beschikking__status__in=GELDIG,
        product=aanmelding.functie_id,
        toegekend=True,
        actief=True,
        ingangsdatum__lte=datum,
    ).filter(models.Q(einddatum__isnull=True) | models.Q(einddatum__gte=datum))
    eigen = models.Case(
        models.When(beschikking=aanmelding.beschikking_id, then=0), default=1
    ) if aanmelding.beschikking_id else models.Value(1)  # fmt: skip
    return (
        kandidaten.select_related("beschikking__dossier__verantwoordelijke_gemeente", "product")
        .order_by(eigen, "-beschikking__ingangsdatum", "pk")
        .first()
    )


def toewijzen(plaatsing: Plaatsing, aanmelding: Aanmelding, datum: datetime.date, bp=None) -> str:
    """Make the toewijzing for a plaatsing that is being placed (not saved here) from the
    beschikt product it rests on (``dekkend_product``), when the aanbieder has a covering
    contract. Returns why none was made (or empty)."""
    bp = bp or dekkend_product(aanmelding, datum)
    aanbieder = plaatsing.locatie.aanbieder
    if bp is None:
        return (
            "Geen toewijzing gemaakt: er is (nog) geen vastgestelde beschikking voor deze functie."
        )
    gemeente = bp.beschikking.dossier.verantwoordelijke_gemeente
    contracten = contracten_voor(
        gemeente, bp.product, datum, client=bp.beschikking.dossier.client_id
    ).filter(aanbieder=aanbieder)
    if not contracten.exists():
        return "Geen toewijzing gemaakt: de aanbieder heeft geen dekkend contract."
    from toegang.toewijzingen.services import maak_toewijzing

    try:
        with transaction.atomic():
            plaatsing.toewijzing = maak_toewijzing(
                None, bp, aanbieder, max(datum, bp.ingangsdatum), contracten=contracten
            )
    except ValidationError as fout:
        return "Geen toewijzing gemaakt: " + " ".join(fout.messages)
    return ""


def grondslag(plaatsing: Plaatsing, aanmelding: Aanmelding, datum: datetime.date,
              crisis_reden: str) -> BeschiktProduct | None:  # fmt: skip
    """What a placement on ``datum`` rests on (issue 17 item 9), set on ``plaatsing`` (not
    saved): the covering beschikking, or — without one — the crisis route with a recorded
    reason, and then the beschikking must follow within the regio's term in werkdagen (a task
    on the werkvoorraad of whoever beschikt, ``toegang.wachtlijst.crisis``). Refuses a
    placement that has neither. Returns the beschikt product (None: a crisis placement)."""
    bp = dekkend_product(aanmelding, datum)
    if bp is not None:
        plaatsing.beschikking = bp.beschikking
        plaatsing.crisis_reden = ""
        plaatsing.beschikken_uiterlijk = None
        return bp
    reden = (crisis_reden or "").strip()
    functie = aanmelding.functie.naam if aanmelding.functie_id else "deze functie"
    if not reden:
        raise ValidationError(
            {"crisis_reden": f"Er is geen vastgestelde beschikking voor {functie} die "
             f"{datum:%d-%m-%Y} dekt. Plaats zonder beschikking alleen als crisisplaatsing, "
             "met de reden."}
        )  # fmt: skip
    plaatsing.beschikking = None
    plaatsing.crisis_reden = reden
    plaatsing.beschikken_uiterlijk = beschikken_uiterlijk(aanmelding.regio, datum)
    return None


GRONDSLAG = ["beschikking", "crisis_reden", "beschikken_uiterlijk"]


@transaction.atomic
def plaatsen(
    plaatsing: Plaatsing, user, datum: datetime.date, *, crisis_reden: str = ""
) -> tuple[Plaatsing, str]:
    """Place the client: the placement rests on a vastgestelde beschikking covering the functie
    on ``datum``, or is a crisis placement with ``crisis_reden`` (``grondslag``). The aanmelding
    leaves the list (reason geplaatst), the toewijzing to the location's aanbieder is made from
    the beschikking when the aanbieder has a covering contract, and a Zorgbeweging instroom (via
    the list) is recorded. Returns the plaatsing and a note for the user (why no toewijzing was
    made, or empty)."""
    from toegang.wachtlijst.doorstroom import instroom

    plaatsing = _vergrendel_plaatsing(plaatsing, user)
    if plaatsing.status not in (Plaatsing.Status.GERESERVEERD, Plaatsing.Status.BEVESTIGD):
        raise ValidationError("Alleen een gereserveerde of bevestigde plaats kan worden bezet.")
    aanmelding = plaatsing.aanmelding
    if datum < aanmelding.wachtend_sinds:
        raise ValidationError({"datum": "De datum ligt vóór het begin van het wachten."})
    bp = grondslag(plaatsing, aanmelding, datum, crisis_reden)
    plaatsing.status = Plaatsing.Status.GEPLAATST
    plaatsing.geplaatst_op = datum
    notitie = toewijzen(plaatsing, aanmelding, datum, bp) if bp else (
        "Crisisplaatsing: de beschikking moet volgen uiterlijk "
        f"{plaatsing.beschikken_uiterlijk:%d-%m-%Y}; daarna wordt de toewijzing gemaakt."
    )  # fmt: skip
    plaatsing.save(update_fields=["status", "geplaatst_op", "toewijzing", *GRONDSLAG])
    van_de_lijst(aanmelding, user, Uitstroomreden.GEPLAATST, datum)
    instroom(plaatsing, user, datum, via_wachtlijst=True)
    audit.record("change", objects=[plaatsing], actor=user, toelichting={"status": "geplaatst"})
    return plaatsing, notitie
