"""Kwaliteitssignalen (seed 000 §9, regie): the Centrale Toegang passes a signal about an
aanbieder's quality to RISB, who takes it up and closes it with a description of what was done.

A signal is about the care, never about a client: a text holding a BSN is refused.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inkoop.models import Kwaliteitssignaal
from regio import audit
from regio.query import scope_for, vereis
from regio.validators import is_valid_bsn

MELDEN = "inkoop.add_kwaliteitssignaal"
BEHANDELEN = "inkoop.change_kwaliteitssignaal"
AFHANDELEN = "inkoop.handel_kwaliteitssignaal_af"

BSN_FOUT = (
    "Noem geen BSN in een kwaliteitssignaal: het gaat over de zorg van de aanbieder, niet over "
    "een cliënt. Haal het nummer weg."
)

# Nine digits, possibly grouped with spaces, dots or hyphens (1234.56.782), not part of a longer
# number such as a phone number or an IBAN.
_NEGEN_CIJFERS = re.compile(r"(?<![\d])(?:\d[ .-]?){8}\d(?![\d])")


def bevat_bsn(tekst: str) -> bool:
    """True when ``tekst`` holds nine digits that pass the elfproef (a BSN)."""
    for gevonden in _NEGEN_CIJFERS.finditer(tekst or ""):
        if is_valid_bsn(re.sub(r"\D", "", gevonden.group())):
            return True
    return False


def _controleer_tekst(veld: str, tekst: str, verplicht: str) -> str:
    tekst = (tekst or "").strip()
    if not tekst:
        raise ValidationError({veld: verplicht})
    if bevat_bsn(tekst):
        raise ValidationError({veld: BSN_FOUT})
    return tekst


def mag_melden(user, regio) -> bool:
    """Only the regio's own roles pass signals (never an aanbieder's staff)."""
    return regio is not None and regio.pk in scope_for(user, MELDEN).regio_ids


@transaction.atomic
def melden(user, regio, aanbieder, onderwerp: str, omschrijving: str, locatie=None):
    vereis(
        user, MELDEN, regio, "U kunt in deze regio geen kwaliteitssignaal doorgeven.",
        openbaar=True,
    )  # fmt: skip
    fouten = {}
    if onderwerp not in Kwaliteitssignaal.Onderwerp.values:
        fouten["onderwerp"] = "Kies een onderwerp."
    try:
        omschrijving = _controleer_tekst(
            "omschrijving", omschrijving, "Beschrijf wat u heeft gezien of gehoord."
        )
    except ValidationError as exc:
        fouten.update(exc.message_dict)
    if locatie is not None and locatie.aanbieder_id != aanbieder.pk:
        fouten["locatie"] = "Deze locatie hoort niet bij de aanbieder."
    if fouten:
        raise ValidationError(fouten)
    signaal = Kwaliteitssignaal.objects.create(
        regio=regio,
        aanbieder=aanbieder,
        locatie=locatie,
        onderwerp=onderwerp,
        omschrijving=omschrijving,
        gemeld_door=user,
    )
    audit.record("create", objects=[signaal], actor=user)
    return signaal


def _vergrendel(signaal: Kwaliteitssignaal, user, capability: str) -> Kwaliteitssignaal:
    """The signal, locked, once ``user`` may do this to it (``regio.query.vereis``)."""
    vereis(user, capability, signaal)
    return Kwaliteitssignaal.objects.select_for_update().get(pk=signaal.pk)


@transaction.atomic
def in_behandeling_nemen(signaal: Kwaliteitssignaal, user) -> Kwaliteitssignaal:
    signaal = _vergrendel(signaal, user, BEHANDELEN)
    if signaal.status != Kwaliteitssignaal.Status.OPEN:
        raise ValidationError(
            f"Dit signaal is al {signaal.get_status_display().lower()}; dat kan niet meer."
        )
    signaal.status = Kwaliteitssignaal.Status.IN_BEHANDELING
    signaal.save(update_fields=["status"])
    audit.record("change", objects=[signaal], actor=user, toelichting={"status": signaal.status})
    return signaal


@transaction.atomic
def afhandelen(signaal: Kwaliteitssignaal, user, afhandeling: str) -> Kwaliteitssignaal:
    """Close the signal; how it was handled is required (the database insists too)."""
    signaal = _vergrendel(signaal, user, AFHANDELEN)
    if signaal.status == Kwaliteitssignaal.Status.AFGEHANDELD:
        raise ValidationError("Dit signaal is al afgehandeld.")
    signaal.afhandeling = _controleer_tekst(
        "afhandeling", afhandeling, "Beschrijf hoe het signaal is afgehandeld."
    )
    signaal.status = Kwaliteitssignaal.Status.AFGEHANDELD
    signaal.afgehandeld_door = user
    signaal.afgehandeld_op = timezone.now()
    signaal.save(update_fields=["afhandeling", "status", "afgehandeld_door", "afgehandeld_op"])
    audit.record("change", objects=[signaal], actor=user, toelichting={"status": signaal.status})
    return signaal
