"""Scheduled jobs of the toegang workplace.

``termijnen_signaleren`` runs daily (celery beat, the PeriodicTask made by migration
toegang 0004): every consulent gets an in-app Notificatie for each open case assigned to them
whose next deadline falls within ``SIGNAAL_WERKDAGEN`` working days (or has already passed).
Cases are read through the scoping layer with the consulent's own capability, so a consulent
is only told about cases of their own gemeenten, even if assigned to one elsewhere. The
Notificatie's ``sleutel`` (melding and deadline) makes a rerun, or a redelivered task, create
nothing twice; a deadline that moves (an aanvraag, a suspension) is notified again.

Verzoeken of aanbieders still unanswered are notified to the consulenten of their gemeente one
workday before their answer term (5 workdays, OP274/OP346) ends, and when it has passed.

Undecided bezwaren are notified the same way to their behandelaar, by the decision term on
bezwaar (Awb 7:10, ``Bezwaar.beslistermijn_einde``), read with ``toegang.view_bezwaar``.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from regio import notificaties
from regio.models import Notificatie, User
from regio.roles import CONSULENT
from toegang import termijnen
from toegang.meldingen.services import OPEN
from toegang.models import Bezwaar, Melding

CAPABILITY = "toegang.view_melding"
CAPABILITY_BEZWAAR = "toegang.view_bezwaar"
TASK_NAME = "toegang.termijnen_signaleren"
VERZOEK_SIGNAAL_WERKDAGEN = 1  # a verzoek's answer term (5 workdays) is warned the day before


def _tekst(melding: Melding, peildatum: datetime.date) -> str:
    soort = "onderzoekstermijn" if melding.status == Melding.Status.ONDERZOEK else "beslistermijn"
    einde = date_format(melding.volgende_termijn, "j F Y")
    gemeente = melding.dossier.verantwoordelijke_gemeente.naam
    # No client name: a notification outlives an erasure of the person's data.
    if melding.volgende_termijn < peildatum:
        return f"Melding {melding.pk} ({gemeente}): de {soort} is verlopen op {einde}."
    return f"Melding {melding.pk} ({gemeente}): de {soort} verloopt op {einde}."


def _tekst_bezwaar(bezwaar: Bezwaar, peildatum: datetime.date) -> str:
    einde = date_format(bezwaar.beslistermijn_einde, "j F Y")
    gemeente = bezwaar.dossier.verantwoordelijke_gemeente.naam
    wat = "is verlopen" if bezwaar.beslistermijn_einde < peildatum else "verloopt"
    return f"Bezwaar {bezwaar.pk} ({gemeente}): de beslistermijn op bezwaar {wat} op {einde}."


def _meldingen(consulent, bijna, peildatum) -> list[Notificatie]:
    meldingen = (
        Melding.objects.visible_to(consulent, CAPABILITY)
        .filter(**bijna, consulent=consulent)
        .select_related("dossier__verantwoordelijke_gemeente")
    )
    return [
        Notificatie(
            soort=Notificatie.Soort.TERMIJN,
            user=consulent,
            tekst=_tekst(melding, peildatum)[:300],
            url=reverse("toegang:melding-detail", args=[melding.pk]),
            sleutel=f"termijn:melding:{melding.pk}:{melding.volgende_termijn.isoformat()}",
        )
        for melding in meldingen
    ]


def _bezwaren(behandelaar, bijna, peildatum) -> list[Notificatie]:
    bezwaren = (
        Bezwaar.objects.visible_to(behandelaar, CAPABILITY_BEZWAAR)
        .filter(**bijna, behandelaar=behandelaar)
        .select_related("dossier__verantwoordelijke_gemeente")
    )
    return [
        Notificatie(
            soort=Notificatie.Soort.TERMIJN,
            user=behandelaar,
            tekst=_tekst_bezwaar(bezwaar, peildatum)[:300],
            url=reverse("toegang:bezwaar-update", args=[bezwaar.pk]),
            sleutel=f"termijn:bezwaar:{bezwaar.pk}:{bezwaar.beslistermijn_einde.isoformat()}",
        )
        for bezwaar in bezwaren
    ]


def signaleer_termijnen(peildatum: datetime.date | None = None) -> dict:
    """Create the deadline notifications for ``peildatum`` (default today); returns counts."""
    peildatum = peildatum or timezone.localdate()
    grens = termijnen.plus_werkdagen(peildatum, termijnen.SIGNAAL_WERKDAGEN)
    bijna = {"status__in": OPEN, "volgende_termijn__lte": grens}
    bezwaar_bijna = {"uitkomst": "", "beslistermijn_einde__lte": grens}
    user_ids = set(
        Melding.objects.filter(**bijna, consulent__isnull=False).values_list(
            "consulent_id", flat=True
        )
    ) | set(
        Bezwaar.objects.filter(**bezwaar_bijna, behandelaar__isnull=False).values_list(
            "behandelaar_id", flat=True
        )
    )
    aangemaakt = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        nieuw = _meldingen(user, bijna, peildatum) + _bezwaren(user, bezwaar_bijna, peildatum)
        if not nieuw:
            continue
        bestaand = set(
            Notificatie.objects.filter(
                user=user, sleutel__in=[n.sleutel for n in nieuw]
            ).values_list("sleutel", flat=True)
        )
        # Through the one notification service (e-mail "direct" too); each sleutel once per
        # user, so two runs at the same time still make each notice once.
        notificaties.meld_rijen([n for n in nieuw if n.sleutel not in bestaand])
        aangemaakt += sum(1 for n in nieuw if n.sleutel not in bestaand)
    aangemaakt += _verzoeken(peildatum)
    return {"peildatum": peildatum.isoformat(), "notificaties": aangemaakt}


def _verzoeken(peildatum: datetime.date) -> int:
    """OP274/OP346: the consulenten of the gemeente hear of a verzoek of an aanbieder whose
    5-workday answer term ends within ``VERZOEK_SIGNAAL_WERKDAGEN`` working days (or has passed)
    and that has no answer yet (not even "in onderzoek"); once per verzoek and term."""
    from toegang.models import Verzoek
    from toegang.toewijzingen.verzoeken import CHANGE, wacht_op_antwoord

    grens = termijnen.plus_werkdagen(peildatum, VERZOEK_SIGNAAL_WERKDAGEN)
    aantal = 0
    for verzoek in wacht_op_antwoord(Verzoek.objects.all()).filter(
        antwoord_uiterlijk__lte=grens
    ).select_related("aanbieder", "gemeente").order_by("pk"):  # fmt: skip
        einde = date_format(verzoek.antwoord_uiterlijk, "j F Y")
        wat = "is verlopen" if verzoek.antwoord_uiterlijk < peildatum else "verloopt"
        aantal += len(
            notificaties.meld(
                notificaties.wie_mag(
                    CHANGE, verzoek, rollen=[CONSULENT], gemeente=verzoek.gemeente_id
                ),
                soort=Notificatie.Soort.TERMIJN,
                tekst=(
                    f"{verzoek.get_soort_display()} van {verzoek.aanbieder.naam} "
                    f"({verzoek.gemeente.naam}, referentie {verzoek.referentie}): de termijn voor "
                    f"het antwoord {wat} op {einde}."
                )[:300],
                url=reverse("toegang:verzoek-detail", args=[verzoek.pk]),
                sleutel=f"termijn:verzoek:{verzoek.pk}:{verzoek.antwoord_uiterlijk.isoformat()}",
            )
        )
    return aantal


@shared_task(name=TASK_NAME, acks_late=True)
def termijnen_signaleren(peildatum: str | None = None) -> dict:
    """Celery beat entry point; ``peildatum`` (ISO date) only for reruns and tests."""
    return signaleer_termijnen(datetime.date.fromisoformat(peildatum) if peildatum else None)
