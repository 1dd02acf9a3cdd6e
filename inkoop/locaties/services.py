"""Places at the aanbieders' locations: capacity on a date, the free places the aanbieder reports,
the places occupied according to the placements (``bezet_volgens_plaatsingen``, from toegang),
and the spread of places over the gemeenten (contract dashboard, waiting-list matching)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone

from inkoop.models import Capaciteit, Locatie, VrijePlaatsenMelding
from regio import audit
from regio.haken import Haak
from regio.models import Gemeente
from regio.query import vereis


def capaciteit_op(locatie: Locatie, datum: datetime.date) -> int:
    """The places of ``locatie`` on ``datum`` (inclusive periods); 0 when no period covers it."""
    plaatsen = (
        Capaciteit.objects.filter(locatie=locatie)
        .active_on(datum)
        .values_list("plaatsen", flat=True)
        .first()
    )
    return plaatsen or 0


def capaciteit_per_maand(perioden, maanden: list[datetime.date]) -> list[int]:
    """Places on each of ``maanden`` from already loaded periods (no extra queries)."""
    uitkomst = []
    for dag in maanden:
        uitkomst.append(
            next(
                (
                    p.plaatsen
                    for p in perioden
                    if p.begin <= dag and (p.einde is None or p.einde >= dag)
                ),
                0,
            )
        )
    return uitkomst


# (locatie ids) -> {locatie id: places in use}: the places reserved, confirmed or taken according
# to the waiting list's placements (issue 17 item 12). Provided by toegang, which inkoop does not
# import (regio.haken); it answers numbers per location only, never who holds them, so RISB sees
# the places without seeing clients. Without a provider nothing is known (None) and the screens
# show the aanbieder's report alone.
bezet_volgens_plaatsingen = Haak("inkoop.bezet_volgens_plaatsingen")


@dataclass(frozen=True)
class Bezetting:
    """The places of one location today, counted two ways: from the placements (occupied and
    free) and as the aanbieder reported them; ``wijkt_af`` when the two free counts differ."""

    capaciteit: int
    bezet: int
    gemeld: int | None  # the aanbieder's latest report; None: never reported

    @property
    def vrij(self) -> int:
        return max(self.capaciteit - self.bezet, 0)

    @property
    def wijkt_af(self) -> bool:
        return self.gemeld is not None and self.gemeld != self.vrij


def met_plaatsen(locaties_qs, user, datum: datetime.date):
    """``locaties_qs`` (the caller's scoped locations) annotated with ``plaatsen`` (capacity on
    ``datum``, None without a period) and ``vrij`` / ``vrij_gemeld_op`` (the aanbieder's latest
    report), each read in the user's scope for capacity and reports."""
    capaciteit = (
        Capaciteit.objects.visible_to(user, "inkoop.view_capaciteit")
        .filter(locatie=OuterRef("pk"))
        .active_on(datum)
    )
    vrij = (
        VrijePlaatsenMelding.objects.visible_to(user, "inkoop.view_vrijeplaatsenmelding")
        .filter(locatie=OuterRef("pk"))
        .order_by("-gemeld_op", "-id")
    )
    return locaties_qs.annotate(
        plaatsen=Subquery(capaciteit.values("plaatsen")[:1]),
        vrij=Subquery(vrij.values("vrije_plaatsen")[:1]),
        vrij_gemeld_op=Subquery(vrij.values("gemeld_op")[:1]),
    )


def met_bezetting(locaties, datum: datetime.date) -> list:
    """Set ``bezetting`` (a ``Bezetting``, or None when no placements are known) on each of
    ``locaties``: rows the caller read in its scope through ``met_plaatsen``. One query for all
    of them; returns the rows."""
    locaties = list(locaties)
    bezet = bezet_volgens_plaatsingen([loc.pk for loc in locaties]) if locaties else None
    for loc in locaties:
        loc.bezetting = (
            None if bezet is None else Bezetting(loc.plaatsen or 0, bezet.get(loc.pk, 0), loc.vrij)
        )
    return locaties


def vrije_plaatsen(locatie: Locatie) -> VrijePlaatsenMelding | None:
    """The newest report of free places at ``locatie`` (it is the one that counts), or None."""
    return (
        VrijePlaatsenMelding.objects.filter(locatie=locatie).order_by("-gemeld_op", "-id").first()
    )


@transaction.atomic
def meld_vrije_plaatsen(locatie: Locatie, aantal: int, user) -> VrijePlaatsenMelding:
    """Record the aanbieder's report of ``aantal`` free places at ``locatie`` now.

    The number must lie between 0 and the location's capacity today: more free places than
    places is a typing error, and the waiting list would match clients to places that do not
    exist. Raises ValidationError (keyed by field) with a Dutch message.
    """
    vereis(user, "inkoop.add_vrijeplaatsenmelding", locatie)
    # Lock the location so a capacity change and a report cannot cross each other.
    locatie = Locatie.objects.select_for_update().get(pk=locatie.pk)
    if not locatie.actief:
        raise ValidationError(
            {"vrije_plaatsen": "Deze locatie is niet actief; u kunt geen vrije plaatsen melden."}
        )
    if aantal is None or aantal < 0:
        raise ValidationError(
            {"vrije_plaatsen": "Het aantal vrije plaatsen kan niet negatief zijn."}
        )
    capaciteit = capaciteit_op(locatie, timezone.localdate())
    if aantal > capaciteit:
        raise ValidationError(
            {
                "vrije_plaatsen": (
                    f"Het aantal vrije plaatsen ({aantal}) is groter dan de capaciteit van "
                    f"deze locatie vandaag ({capaciteit})."
                )
            }
        )
    melding = VrijePlaatsenMelding.objects.create(
        locatie=locatie, vrije_plaatsen=aantal, gemeld_door=user
    )
    audit.record(
        "create",
        objects=[melding],
        actor=user,
        toelichting={"locatie": locatie.pk, "vrije_plaatsen": aantal, "capaciteit": capaciteit},
    )
    return melding


def plaatsen_per_gemeente(
    locaties_qs, datum: datetime.date, functie=None
) -> list[tuple[Gemeente, int]]:
    """Places on ``datum`` summed per gemeente over the active locations in ``locaties_qs``
    (the caller passes its scoped locations), optionally only those offering ``functie``.

    Every gemeente with an active location appears, with 0 when no period covers ``datum``;
    ordered by gemeente name.
    """
    locaties = locaties_qs.filter(actief=True)
    if functie is not None:
        locaties = locaties.filter(functies=functie)
    # One pass over the (scoped) locations: grouped per gemeente, the places of the periods that
    # cover ``datum`` (Capaciteit.objects.active_on), NULL where none does.
    dekt_datum = (Q(capaciteit__begin__isnull=True) | Q(capaciteit__begin__lte=datum)) & (
        Q(capaciteit__einde__isnull=True) | Q(capaciteit__einde__gte=datum)
    )
    sommen = dict(
        locaties.order_by()
        .values("gemeente")
        .annotate(plaatsen=Sum("capaciteit__plaatsen", filter=dekt_datum))
        .values_list("gemeente", "plaatsen")
    )
    gemeenten = Gemeente.objects.filter(pk__in=list(sommen)).order_by("naam")
    return [(gemeente, sommen[gemeente.pk] or 0) for gemeente in gemeenten]
