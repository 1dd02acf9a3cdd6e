"""Erasure requests (AVG art. 17): registered by the privacy officer of the gemeente that
received it, answered within a month (art. 12 lid 3), carried out unless a legal duty to keep
applies.

**The rule.** The legal duty to keep a Wmo dossier is the Archiefwet's retention period of the
Selectielijst gemeenten (DOMAIN.md "Law"; AVG art. 17 lid 3 sub b). So, per dossier of the
client in the officer's scope (not yet destroyed), the request is carried out when either

1. the dossier is past its retention period (``bewaren.bewaartermijn``), or
2. the dossier holds no decision at all — no vastgelegde beschikking (not even an afwijzing), no
   toewijzing, no plaatsing — and nothing runs in it (no melding in onderzoek or aanvraag, no
   aanmelding on the list). There is then no besluit whose record the Archiefwet keeps: a
   melding that was withdrawn, or a registration that led nowhere, is erased on request.

Every other dossier is kept, and the answer names that duty (the officer's text is required when
anything is kept). A dossier whose support still runs is never erased: it is also needed to give
the support (art. 17 lid 3 sub b, the gemeente's task under the Wmo).

The person's data (``Persoon``) itself goes with the last dossier of the client, at any gemeente
(see ``bewaren.vernietig_dossier``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from regio import audit
from regio.query import vereis
from regio.validators import is_valid_bsn
from toegang.dossiers.services import normaliseer_bsn
from toegang.meldingen.services import OPEN as OPEN_MELDING
from toegang.models import (
    Aanmelding,
    Beschikking,
    Dossier,
    Melding,
    Persoon,
    Plaatsing,
    Toewijzing,
    Verwijderverzoek,
)
from toegang.privacy import bewaren
from toegang.wachtlijst.services import OPEN as OPEN_AANMELDING

ADD = "toegang.add_verwijderverzoek"
CHANGE = "toegang.change_verwijderverzoek"
BIJNA_DAGEN = 7  # a request this close to its deadline is flagged in the list


def antwoord_uiterlijk(ontvangen_op: datetime.date) -> datetime.date:
    return ontvangen_op + relativedelta(months=1)


def registreren(
    *, user, gemeente, bsn: str, ontvangen_op: datetime.date, dossiers
) -> Verwijderverzoek:
    """Register a request for the client with ``bsn`` who has a dossier at ``gemeente`` among
    ``dossiers`` (the dossiers the officer's scope covers). The BSN is only looked up (by its
    keyed hash), never stored here nor logged."""
    vereis(
        user, "toegang.add_verwijderverzoek", gemeente,
        "U registreert geen verwijderverzoeken voor deze gemeente.",
        openbaar=True,
    )  # fmt: skip
    fouten = {}
    bsn = normaliseer_bsn(bsn or "")
    if not is_valid_bsn(bsn):
        fouten["bsn"] = "Dit is geen geldig BSN (elfproef)."
    if ontvangen_op > timezone.localdate():
        fouten["ontvangen_op"] = "De datum van ontvangst ligt in de toekomst."
    if fouten:
        raise ValidationError(fouten)
    persoon = Persoon.objects.find_by_bsn(bsn)
    dossier = (
        dossiers.filter(client=persoon.client, verantwoordelijke_gemeente=gemeente).first()
        if persoon is not None
        else None
    )
    if dossier is None:
        # The same answer whether the person is unknown or known only elsewhere.
        raise ValidationError(
            {"bsn": f"Er is geen cliënt met dit BSN met een dossier bij {gemeente.naam}."}
        )
    with transaction.atomic():
        verzoek = Verwijderverzoek.objects.create(
            gemeente=gemeente,
            client=persoon.client,
            ontvangen_op=ontvangen_op,
            antwoord_uiterlijk=antwoord_uiterlijk(ontvangen_op),
            geregistreerd_door=user,
        )
        audit.record("create", objects=[verzoek], actor=user)
    return verzoek


@dataclass
class Beoordeling:
    """One dossier of the client and what an erasure would do with it."""

    dossier: Dossier
    termijn: bewaren.Bewaartermijn | None
    wissen: bool
    reden: str


def _met_besluit(queryset):
    return queryset.annotate(
        _besluit=Exists(
            Beschikking.objects.filter(dossier=OuterRef("pk"), status__in=Beschikking.VASTGELEGD)
        )
        | Exists(Toewijzing.objects.filter(beschikt_product__beschikking__dossier=OuterRef("pk")))
        | Exists(Plaatsing.objects.filter(aanmelding__dossier=OuterRef("pk"))),
        _zaak_loopt=Exists(Melding.objects.filter(dossier=OuterRef("pk"), status__in=OPEN_MELDING))
        | Exists(Aanmelding.objects.filter(dossier=OuterRef("pk"), status__in=OPEN_AANMELDING)),
    )


def beoordelen(verzoek: Verwijderverzoek, dossiers, peildatum=None) -> list[Beoordeling]:
    """Per dossier of the client among ``dossiers`` (the officer's scope): erase or keep, and
    why (the rule of the module docstring)."""
    peildatum = peildatum or timezone.localdate()
    rijen = _met_besluit(
        bewaren.met_bewaartermijn(
            dossiers.filter(client=verzoek.client, vernietigd_op__isnull=True)
        ).select_related("verantwoordelijke_gemeente")
    ).order_by("verantwoordelijke_gemeente__naam", "pk")
    uitkomst = []
    for d in rijen:
        termijn = bewaren._uit_annotaties(d)
        if termijn is not None and termijn.voorbij(peildatum):
            uitkomst.append(Beoordeling(d, termijn, True, "De bewaartermijn is verstreken."))
        elif not d._besluit and not d._zaak_loopt:
            uitkomst.append(
                Beoordeling(
                    d,
                    termijn,
                    True,
                    "Geen besluit in dit dossier: er geldt geen bewaarplicht.",
                )  # fmt: skip
            )
        elif termijn is None:
            uitkomst.append(
                Beoordeling(
                    d,
                    None,
                    False,
                    "De ondersteuning of de behandeling loopt nog: de gegevens zijn nodig.",
                )  # fmt: skip
            )
        else:
            uitkomst.append(
                Beoordeling(
                    d,
                    termijn,
                    False,
                    f"Bewaarplicht (Archiefwet, Selectielijst gemeenten) tot "
                    f"{termijn.bewaren_tot:%d-%m-%Y}.",
                )  # fmt: skip
            )
    return uitkomst


def _vergrendel(verzoek: Verwijderverzoek, user) -> Verwijderverzoek:
    vereis(user, "toegang.change_verwijderverzoek", verzoek)
    verzoek = Verwijderverzoek.objects.select_for_update().get(pk=verzoek.pk)
    if verzoek.status != Verwijderverzoek.Status.ONTVANGEN:
        raise ValidationError("Over dit verzoek is al besloten.")
    return verzoek


def uitvoeren(verzoek: Verwijderverzoek, *, user, dossiers, toelichting: str = "") -> dict:
    """Carry out the request: destroy every dossier the rule allows (see the module docstring).
    Where a dossier must be kept, ``toelichting`` names the duty (required); where none may be
    erased, the request is refused instead (``afwijzen``)."""
    toelichting = (toelichting or "").strip()
    with transaction.atomic():
        verzoek = _vergrendel(verzoek, user)
        beoordelingen = beoordelen(verzoek, dossiers)
        wissen = [b for b in beoordelingen if b.wissen]
        bewaren_ = [b for b in beoordelingen if not b.wissen]
        if not beoordelingen:
            # Everything already destroyed (a destruction list, an earlier request).
            wissen, toelichting = [], toelichting or "Er waren geen gegevens meer te verwijderen."
        elif not wissen:
            raise ValidationError(
                "Voor geen enkel dossier van deze cliënt vervalt de bewaarplicht: wijs het "
                "verzoek af en noem de bewaarplicht."
            )
        if bewaren_ and not toelichting:
            raise ValidationError(
                {
                    "toelichting": "Niet alle dossiers mogen weg: noem de bewaarplicht voor de "
                    "dossiers die blijven."
                }
            )
        for b in wissen:
            bewaren.vernietig_dossier(b.dossier, user=user, reden="verwijderverzoek")
        samenvatting = (
            f"{len(wissen)} dossier(s) vernietigd"
            + (f", {len(bewaren_)} bewaard" if bewaren_ else "")
            + "."
            if beoordelingen
            else ""
        )
        verzoek.status = Verwijderverzoek.Status.UITGEVOERD
        verzoek.toelichting = f"{samenvatting} {toelichting}".strip()
        verzoek.besloten_door, verzoek.besloten_op = user, timezone.now()
        verzoek.save(update_fields=["status", "toelichting", "besloten_door", "besloten_op"])
        audit.record(
            "change", objects=[verzoek], actor=user,
            toelichting={"besluit": "uitgevoerd", "vernietigd": len(wissen),
                         "bewaard": len(bewaren_)},
        )  # fmt: skip
    return {"vernietigd": len(wissen), "bewaard": len(bewaren_)}


def afwijzen(verzoek: Verwijderverzoek, *, user, toelichting: str) -> Verwijderverzoek:
    """Refuse the request, naming the legal duty to keep (required)."""
    toelichting = (toelichting or "").strip()
    if not toelichting:
        raise ValidationError({"toelichting": "Noem de bewaarplicht die de verwijdering belet."})
    with transaction.atomic():
        verzoek = _vergrendel(verzoek, user)
        verzoek.status = Verwijderverzoek.Status.AFGEWEZEN
        verzoek.toelichting = toelichting
        verzoek.besloten_door, verzoek.besloten_op = user, timezone.now()
        verzoek.save(update_fields=["status", "toelichting", "besloten_door", "besloten_op"])
        audit.record(
            "change", objects=[verzoek], actor=user,
            toelichting={"besluit": "afgewezen"},
        )  # fmt: skip
    return verzoek


def termijnstatus(verzoek: Verwijderverzoek, peildatum: datetime.date) -> str:
    """'te_laat', 'bijna' or '' for a request still open."""
    if verzoek.status != Verwijderverzoek.Status.ONTVANGEN:
        return ""
    if verzoek.antwoord_uiterlijk < peildatum:
        return "te_laat"
    if verzoek.antwoord_uiterlijk <= peildatum + datetime.timedelta(days=BIJNA_DAGEN):
        return "bijna"
    return ""
