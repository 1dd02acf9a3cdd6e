"""Kwaliteit of a contractpartner (seed 004 §3.3): certificates that lapse, and the follow-up of
calamiteiten and incidenten the aanbieder reports."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from inkoop.models import Certificaat, Melding
from regio import audit
from regio.query import vereis

VERLOPEN = "verlopen"
VERLOOPT_BINNENKORT = "verloopt binnenkort"
GELDIG = "geldig"
SIGNAALDAGEN = 90

AFHANDELEN = "inkoop.handel_melding_af"  # follow up and close a calamiteit or incident


def certificaat_signaal(
    certificaat: Certificaat, peildatum: datetime.date, dagen: int = SIGNAALDAGEN
) -> str | None:
    """ "verlopen", "verloopt binnenkort" or None on ``peildatum``.

    ``geldig_tot`` is the last day the certificate is valid: it has lapsed from the day after.
    It "verloopt binnenkort" when that last day lies within ``dagen`` days of the peildatum
    (the peildatum itself and peildatum + ``dagen`` included).
    """
    if certificaat.geldig_tot < peildatum:
        return VERLOPEN
    if certificaat.geldig_tot <= peildatum + datetime.timedelta(days=dagen):
        return VERLOOPT_BINNENKORT
    return None


def met_signaal(qs, signaal: str, peildatum: datetime.date, dagen: int = SIGNAALDAGEN):
    """Certificates in ``qs`` whose signal on ``peildatum`` is ``signaal`` (VERLOPEN,
    VERLOOPT_BINNENKORT or GELDIG): the same boundaries as ``certificaat_signaal``."""
    grens = peildatum + datetime.timedelta(days=dagen)
    if signaal == VERLOPEN:
        return qs.filter(geldig_tot__lt=peildatum)
    if signaal == VERLOOPT_BINNENKORT:
        return qs.filter(geldig_tot__gte=peildatum, geldig_tot__lte=grens)
    if signaal == GELDIG:
        return qs.filter(geldig_tot__gt=grens)
    raise ValueError(f"Onbekend signaal {signaal!r}")


def met_vervangen(qs):
    """Annotate ``vervangen``: the aanbieder holds a certificate of the same soort that runs
    longer (a renewed HKZ certificate silences the old one's signal)."""
    nieuwer = Certificaat.objects.filter(
        aanbieder=OuterRef("aanbieder"),
        soort__iexact=OuterRef("soort"),
        geldig_tot__gt=OuterRef("geldig_tot"),
    )
    return qs.annotate(vervangen=Exists(nieuwer))


def certificaten_die_verlopen(qs, peildatum: datetime.date, dagen: int = SIGNAALDAGEN):
    """The certificates in ``qs`` that have lapsed or lapse within ``dagen`` days of
    ``peildatum`` and have not been replaced by a newer one of the same soort; soonest first."""
    grens = peildatum + datetime.timedelta(days=dagen)
    return (
        met_vervangen(qs.filter(geldig_tot__lte=grens))
        .filter(vervangen=False)
        .order_by("geldig_tot", "aanbieder__naam", "pk")
    )


@transaction.atomic
def melding_opvolging_vastleggen(melding: Melding, opvolging: str, user) -> Melding:
    """Record the follow-up of an open melding without closing it."""
    vereis(user, AFHANDELEN, melding)
    melding = Melding.objects.select_for_update().get(pk=melding.pk)
    if melding.status != Melding.Status.OPEN:
        raise ValidationError("Deze melding is al afgehandeld en kan niet meer worden gewijzigd.")
    melding.opvolging = (opvolging or "").strip()
    melding.save(update_fields=["opvolging"])
    audit.record("change", objects=[melding], actor=user, toelichting={"opvolging": True})
    return melding


@transaction.atomic
def melding_afhandelen(melding: Melding, opvolging: str, user, datum: datetime.date) -> Melding:
    """Close a calamiteit or incident with its follow-up on ``datum``.

    The follow-up is required (what was done about it is the point of the review); the date
    lies between the date of the melding and today. Raises ValidationError keyed by field.
    """
    vereis(user, AFHANDELEN, melding)
    melding = Melding.objects.select_for_update().get(pk=melding.pk)
    if melding.status != Melding.Status.OPEN:
        raise ValidationError("Deze melding is al afgehandeld.")
    opvolging = (opvolging or "").strip()
    errors = {}
    if not opvolging:
        errors["opvolging"] = "Beschrijf de opvolging voordat u de melding afhandelt."
    if datum is None:
        errors["afgehandeld_op"] = "Vul de datum van afhandeling in."
    elif datum < melding.datum:
        errors["afgehandeld_op"] = (
            f"De datum van afhandeling ligt vóór de datum van de melding "
            f"({melding.datum:%d-%m-%Y})."
        )
    elif datum > timezone.localdate():
        errors["afgehandeld_op"] = "De datum van afhandeling ligt in de toekomst."
    if errors:
        raise ValidationError(errors)
    melding.opvolging = opvolging
    melding.status = Melding.Status.AFGEHANDELD
    melding.afgehandeld_op = datum
    melding.save(update_fields=["opvolging", "status", "afgehandeld_op"])
    audit.record(
        "change",
        objects=[melding],
        actor=user,
        toelichting={"status": Melding.Status.AFGEHANDELD, "afgehandeld_op": datum.isoformat()},
    )
    return melding
