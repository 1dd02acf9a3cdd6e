"""Clients: find a person by BSN (POST only, never in a URL, log or audit row), register a new
person with a dossier, open a dossier for a person already known (possibly at another gemeente),
and keep the person's iWmo details, addresses and relaties.

One person across gemeenten: ``Persoon.bsn_hash`` recognises them, and a dossier is opened per
verantwoordelijke gemeente. What belongs to another gemeente's dossier is never shown; that the
person is *known* is all a search tells a consulent without a dossier of their own.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from regio import audit
from regio.models import Gemeente
from regio.query import vereis
from regio.validators import validate_bsn
from toegang.models import Adres, Client, Dossier, Persoon, Relatie

VIEW_DOSSIER = "toegang.view_dossier"
ADD_DOSSIER = "toegang.add_dossier"
ADD_PERSOON = "toegang.add_persoon"

_SCHEIDING = re.compile(r"[\s.\-]")
_BSN_VORM = re.compile(r"^\s*\d[\d\s.\-]{7,12}\d\s*$")


def normaliseer_bsn(value: str) -> str:
    """A BSN as typed ("1234.56.782", "123 456 782") as 9 digits; leading zeros are kept."""
    return _SCHEIDING.sub("", value or "")


def lijkt_op_bsn(value: str) -> bool:
    """True when a free-text query looks like a BSN (9 digits, maybe with separators): a GET
    search does nothing with it, since a GET query ends up in URLs, history and proxy logs."""
    return bool(value and _BSN_VORM.match(value) and len(normaliseer_bsn(value)) == 9)


def gemeenten_voor_nieuw_dossier(user):
    """The gemeenten where ``user`` may open a dossier (the verantwoordelijke gemeente)."""
    return Gemeente.objects.visible_to(user, ADD_DOSSIER).order_by("naam")


@dataclass
class BsnZoekresultaat:
    """What a BSN search may tell ``user``: the person and dossiers they can see, or only that
    the person is known elsewhere, or nothing."""

    persoon: Persoon | None = None
    dossiers: list[Dossier] = field(default_factory=list)
    # Gemeenten of the user where this person has no dossier yet (a dossier can be opened).
    open_in: list[Gemeente] = field(default_factory=list)

    @property
    def gevonden(self) -> bool:
        return self.persoon is not None

    @property
    def elders_bekend(self) -> bool:
        """Known in regiozorg, but not in a dossier this user may see."""
        return self.persoon is not None and not self.dossiers


def zoek_op_bsn(user, bsn: str) -> BsnZoekresultaat:
    """Find a person by BSN for ``user``. The search is audited with the person's pseudonymous
    key (never the BSN). Raises ValidationError for a BSN that fails the elfproef."""
    bsn = normaliseer_bsn(bsn)
    validate_bsn(bsn)
    persoon = Persoon.objects.find_by_bsn(bsn)
    if persoon is None:
        audit.record(
            "view", object_type="toegang.persoon", actor=user,
            toelichting={"zoeken": "bsn", "uitkomst": "niet gevonden"},
        )  # fmt: skip
        return BsnZoekresultaat()
    dossiers = list(
        Dossier.objects.visible_to(user, VIEW_DOSSIER)
        .filter(client_id=persoon.client_id)
        .select_related("verantwoordelijke_gemeente")
    )
    al = set(
        Dossier.objects.filter(client_id=persoon.client_id).values_list(
            "verantwoordelijke_gemeente_id", flat=True
        )
    )
    open_in = [g for g in gemeenten_voor_nieuw_dossier(user) if g.pk not in al]
    audit.record(
        "view", object_type="toegang.persoon", object_ids=[persoon.pk], actor=user,
        toelichting={"zoeken": "bsn", "uitkomst": "gevonden" if dossiers else "elders bekend"},
    )  # fmt: skip
    if not dossiers:
        # Known elsewhere: the caller learns that, and nothing of the person's details.
        return BsnZoekresultaat(persoon=persoon, dossiers=[], open_in=open_in)
    return BsnZoekresultaat(persoon=persoon, dossiers=dossiers, open_in=open_in)


def _controleer_gemeente(user, gemeente: Gemeente):
    vereis(
        user, ADD_DOSSIER, gemeente, "U kunt bij deze gemeente geen dossier openen.",
        openbaar=True,
    )  # fmt: skip


@dataclass
class Registratie:
    dossier: Dossier
    nieuwe_persoon: bool
    bestaand_dossier: bool = False


def open_dossier(
    user, persoon: Persoon, gemeente: Gemeente, *, gemeente_herkomst: Gemeente | None = None,
    geopend_op: datetime.date | None = None,
) -> Registratie:  # fmt: skip
    """Open a dossier at ``gemeente`` for a person already known. When this gemeente has one
    already, that one is returned (``bestaand_dossier``): a person has one dossier per gemeente."""
    _controleer_gemeente(user, gemeente)
    with transaction.atomic():
        bestaand = Dossier.objects.filter(
            client_id=persoon.client_id, verantwoordelijke_gemeente=gemeente
        ).first()
        if bestaand is not None:
            return Registratie(bestaand, nieuwe_persoon=False, bestaand_dossier=True)
        try:
            with transaction.atomic():
                dossier = Dossier.objects.create(
                    client_id=persoon.client_id,
                    verantwoordelijke_gemeente=gemeente,
                    gemeente_herkomst=gemeente_herkomst,
                    geopend_op=geopend_op or datetime.date.today(),
                )
        except IntegrityError:
            # Someone opened it at the same moment (dossier_een_per_gemeente).
            dossier = Dossier.objects.get(
                client_id=persoon.client_id, verantwoordelijke_gemeente=gemeente
            )
            return Registratie(dossier, nieuwe_persoon=False, bestaand_dossier=True)
        audit.record("create", objects=[dossier], actor=user, toelichting={"persoon": "bestaand"})
    return Registratie(dossier, nieuwe_persoon=False)


def registreer_client(
    user, *, bsn: str, gemeente: Gemeente, persoon_gegevens: dict,
    gemeente_herkomst: Gemeente | None = None, adres: dict | None = None,
    geopend_op: datetime.date | None = None,
) -> Registratie:  # fmt: skip
    """Register a client at ``gemeente``: a new Client, Persoon (and BRP address) and Dossier in
    one transaction. When the BSN turns out to be known (also when another consulent registered
    it a moment ago), the person is reused and only a dossier is opened; the details typed here
    are then not applied to the existing person."""
    bsn = normaliseer_bsn(bsn)
    validate_bsn(bsn)
    _controleer_gemeente(user, gemeente)
    vereis(
        user, ADD_PERSOON, gemeente, "U mag bij deze gemeente geen nieuwe personen registreren.",
        openbaar=True,
    )  # fmt: skip
    bestaand = Persoon.objects.find_by_bsn(bsn)
    if bestaand is not None:
        return open_dossier(
            user, bestaand, gemeente, gemeente_herkomst=gemeente_herkomst, geopend_op=geopend_op
        )
    try:
        with transaction.atomic():
            client = Client.objects.create()
            persoon = Persoon(client=client, bsn=bsn, **persoon_gegevens)
            persoon.full_clean(exclude=["client", "bsn_hash"])
            persoon.save()
            if adres:
                nieuw_adres = Adres(persoon=persoon, **adres)
                nieuw_adres.full_clean(exclude=["persoon"])
                nieuw_adres.save()
            dossier = Dossier.objects.create(
                client=client,
                verantwoordelijke_gemeente=gemeente,
                gemeente_herkomst=gemeente_herkomst,
                geopend_op=geopend_op or datetime.date.today(),
            )
            audit.record("create", objects=[client], actor=user)
            audit.record("create", objects=[persoon], actor=user)
            audit.record("create", objects=[dossier], actor=user, toelichting={"persoon": "nieuw"})
    except IntegrityError:
        # The same BSN was registered concurrently (bsn_hash is unique): use that person.
        bestaand = Persoon.objects.find_by_bsn(bsn)
        if bestaand is None:
            raise
        return open_dossier(
            user, bestaand, gemeente, gemeente_herkomst=gemeente_herkomst, geopend_op=geopend_op
        )
    return Registratie(dossier, nieuwe_persoon=True)


# --- the person's details --------------------------------------------------------------------


def wijzig_persoon(user, persoon: Persoon, gegevens: dict) -> Persoon:
    """Save the iWmo details of ``persoon``."""
    vereis(user, "toegang.change_persoon", persoon)
    with transaction.atomic():
        for naam, waarde in gegevens.items():
            setattr(persoon, naam, waarde)
        persoon.full_clean(exclude=["client", "bsn_hash"])
        persoon.save()
        audit.record("change", objects=[persoon], actor=user)
    return persoon


def wijzig_herkomst(user, dossier: Dossier, gemeente_herkomst: Gemeente | None) -> Dossier:
    vereis(user, "toegang.change_dossier", dossier)
    with transaction.atomic():
        dossier.gemeente_herkomst = gemeente_herkomst
        dossier.save(update_fields=["gemeente_herkomst"])
        audit.record("change", objects=[dossier], actor=user, toelichting={"veld": "herkomst"})
    return dossier


def sla_adressen_op(user, persoon: Persoon, formset) -> None:
    """Save an address formset of ``persoon`` (validated by the caller)."""
    vereis(user, "toegang.change_adres", persoon)
    with transaction.atomic():
        opgeslagen = formset.save(commit=False)
        verwijderd = list(formset.deleted_objects)
        for adres in verwijderd:
            adres.delete()
        for adres in opgeslagen:
            adres.persoon = persoon
            adres.save()
        if opgeslagen or verwijderd:
            audit.record("change", objects=[*opgeslagen, *verwijderd], actor=user)


def sla_relaties_op(user, persoon: Persoon, formset) -> None:
    """Save a relatie formset of ``persoon``. At most one relatie receives the letters; when that
    moves from one relatie to another in one go, the one that stops is saved first (the database
    allows one postontvanger per person at any moment)."""
    vereis(user, "toegang.change_relatie", persoon)
    try:
        with transaction.atomic():
            opgeslagen = formset.save(commit=False)
            verwijderd = list(formset.deleted_objects)
            for relatie in verwijderd:
                relatie.delete()
            for relatie in sorted(opgeslagen, key=lambda r: r.ontvangt_post):
                relatie.persoon = persoon
                relatie.save()
            if opgeslagen or verwijderd:
                audit.record("change", objects=[*opgeslagen, *verwijderd], actor=user)
    except IntegrityError as exc:
        # Someone else marked another relatie as postontvanger meanwhile.
        raise ValidationError("Er is al een relatie die de post ontvangt.") from exc


def postontvanger(persoon: Persoon) -> Relatie | None:
    """Who receives the letters of this client (a beschikking, the verslag): the relatie marked
    ``ontvangt_post``, else None (the client at the correspondence or BRP address)."""
    return persoon.relaties.filter(ontvangt_post=True).first()


def postadres(persoon: Persoon) -> Adres | None:
    """The client's own address for letters: the correspondentie-adres (COD757 02) before the
    BRP-adres (01), then any other."""
    adressen = {a.soort: a for a in persoon.adressen.all()}
    for soort in ("02", "01", "03", "04"):
        if soort in adressen:
            return adressen[soort]
    return None
