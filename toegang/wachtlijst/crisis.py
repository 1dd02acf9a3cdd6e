"""Crisis placements whose beschikking must still follow (issue 17 item 9).

A placement rests on a vastgestelde beschikking (``services.grondslag``), except on the crisis
route: then the client is placed first, with a recorded reason, and whoever beschikt for the
dossier — the lokaal team of its gemeente, or the Centrale Toegang where the regio lets it
beschikken (``Regio.ct_beschikt``) — must beschikken by ``Plaatsing.beschikken_uiterlijk``
(``Regio.crisis_beschikking_dagen`` working days after the placement).

That is a task on their werkvoorraad (``open_taken``, read through the scoping layer with the
``toegang.add_beschikking`` capability, so it reaches exactly who may beschikken), flagged once
overdue. The task closes as soon as a vastgestelde beschikking for the functie that runs on or
after the placement exists on the dossier: the list leaves it out at once, and ``afsluiten``
(one click on the aanmelding, or the daily ``signaleren``) links the beschikking to the
plaatsing and makes the toewijzing to the location's aanbieder from it. ``signaleren`` also
gives each who may beschikken a ``regio.Notificatie`` when a task becomes overdue (once per
task: the ``sleutel`` makes a rerun create nothing twice).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from regio import audit
from regio.models import Notificatie, Roltoekenning, User
from regio.notificaties import meld
from toegang.models import BeschiktProduct, Plaatsing
from toegang.wachtlijst import services as ws

BESCHIKKEN = "toegang.add_beschikking"
TASK_NAME = "toegang.crisisplaatsingen_signaleren"


def _gevolgd(plaatsing_pad: str = ""):
    """Beschikte producten that close the task of the plaatsing at ``plaatsing_pad`` (an
    OuterRef prefix): toegekend and active for its functie, vastgesteld, on its dossier, running
    on or after the placement."""
    p = plaatsing_pad
    return BeschiktProduct.objects.filter(
        beschikking__dossier=OuterRef(f"{p}aanmelding__dossier"),
        beschikking__status__in=ws.GELDIG,
        product=OuterRef(f"{p}aanmelding__functie"),
        toegekend=True,
        actief=True,
    ).filter(Q(einddatum__isnull=True) | Q(einddatum__gte=OuterRef(f"{p}geplaatst_op")))


def open_taken(plaatsingen):
    """The crisis placements (from the caller's scoped queryset) whose beschikking has not
    followed yet, the first due on top; each with ``te_laat`` for ``vandaag`` in the view."""
    return (
        plaatsingen.filter(beschikking__isnull=True, geplaatst_op__isnull=False)
        .exclude(crisis_reden="")
        .exclude(status=Plaatsing.Status.VERVALLEN)
        .annotate(gevolgd=Exists(_gevolgd()))
        .filter(gevolgd=False)
        .select_related(
            "aanmelding__regio",
            "aanmelding__functie",
            "aanmelding__dossier__verantwoordelijke_gemeente",
            "aanmelding__dossier__client__persoon",
            "locatie__aanbieder",
        )
        .order_by("beschikken_uiterlijk", "pk")
    )


def gevolgd_product(plaatsing: Plaatsing) -> BeschiktProduct | None:
    """The beschikt product that followed the crisis placement (or None)."""
    a = plaatsing.aanmelding
    return (
        BeschiktProduct.objects.filter(
            beschikking__dossier=a.dossier_id,
            beschikking__status__in=ws.GELDIG,
            product=a.functie_id,
            toegekend=True,
            actief=True,
        )
        .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=plaatsing.geplaatst_op))
        .select_related("beschikking__dossier__verantwoordelijke_gemeente", "product")
        .order_by("ingangsdatum", "pk")
        .first()
    )


@transaction.atomic
def afsluiten(plaatsing: Plaatsing, user) -> str:
    """The beschikking followed: link it to the crisis placement (the task closes) and, while
    the client is still placed, make the toewijzing to the location's aanbieder from it. Returns
    a note for the user (empty when all went well). ``user`` None: the daily run."""
    plaatsing = ws._vergrendel_plaatsing(plaatsing, user)
    if plaatsing.beschikking_id is not None:
        return "De beschikking is al verwerkt."
    bp = gevolgd_product(plaatsing)
    if bp is None:
        return "Er is nog geen vastgestelde beschikking voor deze functie."
    plaatsing.beschikking = bp.beschikking
    notitie = ""
    if plaatsing.status == Plaatsing.Status.GEPLAATST and plaatsing.toewijzing_id is None:
        datum = max(plaatsing.geplaatst_op, bp.ingangsdatum)
        notitie = ws.toewijzen(plaatsing, plaatsing.aanmelding, datum, bp)
    plaatsing.save(update_fields=["beschikking", "toewijzing"])
    audit.record(
        "change", objects=[plaatsing], actor=user,
        toelichting={"crisisplaatsing": "beschikking gevolgd", "beschikking": bp.beschikking_id,
                     "toewijzing": plaatsing.toewijzing_id},
    )  # fmt: skip
    return notitie


def _wie_beschikt(plaatsing: Plaatsing, peildatum: datetime.date) -> list[User]:
    """The active users who may beschikken on the placement's dossier (scoping layer): the
    role holders of its gemeente and of its regio, checked with ``toegang.add_beschikking``."""
    a = plaatsing.aanmelding
    kandidaten = (
        Roltoekenning.objects.active_on(peildatum)
        .filter(Q(gemeente=a.dossier.verantwoordelijke_gemeente_id) | Q(regio=a.regio_id))
        .values_list("user_id", flat=True)
    )
    return [
        u
        for u in User.objects.filter(pk__in=kandidaten, is_active=True).order_by("pk")
        if Plaatsing.objects.visible_to(u, BESCHIKKEN).filter(pk=plaatsing.pk).exists()
    ]


def _tekst(plaatsing: Plaatsing) -> str:
    a = plaatsing.aanmelding
    # No client name: a notification outlives an erasure of the person's data.
    return (
        f"Crisisplaatsing {plaatsing.pk} ({a.dossier.verantwoordelijke_gemeente.naam}, "
        f"{a.functie.naam}): de beschikking had er uiterlijk "
        f"{plaatsing.beschikken_uiterlijk:%d-%m-%Y} moeten zijn."
    )[:300]


def signaleren(peildatum: datetime.date | None = None) -> dict:
    """The daily run: close the tasks whose beschikking followed (``afsluiten``), and notify
    who may beschikken of each task that is overdue on ``peildatum`` (once per task)."""
    peildatum = peildatum or timezone.localdate()
    crisis = Plaatsing.objects.filter(beschikking__isnull=True, geplaatst_op__isnull=False).exclude(
        crisis_reden=""
    )
    gesloten = 0
    for p in crisis.annotate(gevolgd=Exists(_gevolgd())).filter(gevolgd=True).order_by("pk"):
        afsluiten(p, None)
        gesloten += 1
    sleutels = Notificatie.objects.filter(sleutel__startswith="crisisplaatsing:")
    voor = sleutels.count()
    for p in open_taken(crisis).filter(beschikken_uiterlijk__lt=peildatum):
        # The key makes it once per task however often the job runs.
        meld(
            _wie_beschikt(p, peildatum),
            soort=Notificatie.Soort.CRISIS_TE_LAAT,
            tekst=_tekst(p),
            url=reverse("toegang:aanmelding_detail", args=[p.aanmelding_id]),
            sleutel=f"crisisplaatsing:{p.pk}:te-laat",
        )
    nieuw = sleutels.count() - voor
    return {"peildatum": peildatum.isoformat(), "gesloten": gesloten, "notificaties": nieuw}
