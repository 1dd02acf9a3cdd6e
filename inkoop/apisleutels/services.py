"""API credentials of aanbieders (inkoop.ApiSleutel): made and revoked by the functioneel beheerder.

A credential is a token ``rz_<prefix>_<geheim>``: the prefix finds the row, the secret is stored
only as its SHA-256 and compared in constant time. The token is returned once, by ``maak``; it is
never stored, logged or audited. Each credential is its own technical user holding the role
``aanbiedersysteem`` for the aanbieder, so the API is scoped by ``visible_to`` like the web UI.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inkoop.models import Aanbieder, ApiSleutel
from regio import audit
from regio.models import Rol, Roltoekenning, User
from regio.query import vereis
from regio.roles import AANBIEDERSYSTEEM

TOKEN_PREFIX = "rz"
PREFIX_BYTES = 4  # 8 hex characters: finds the row, not secret
GEHEIM_BYTES = 32  # 256 bits of entropy

BEKIJK = "inkoop.view_apisleutel"
MAAK = "inkoop.add_apisleutel"
TREK_IN = "inkoop.change_apisleutel"


def hash_geheim(geheim: str) -> str:
    return hashlib.sha256(geheim.encode()).hexdigest()


def ontleed(token: str) -> tuple[str, str] | None:
    """(prefix, geheim) of a well-formed token, else None."""
    deel = token.strip().split("_", 2)
    if len(deel) != 3 or deel[0] != TOKEN_PREFIX or not deel[1] or not deel[2]:
        return None
    return deel[1], deel[2]


def klopt(sleutel: ApiSleutel, geheim: str) -> bool:
    """Constant-time comparison of the presented secret with the stored hash."""
    return hmac.compare_digest(sleutel.sleutel_hash, hash_geheim(geheim))


def zoek(token: str) -> ApiSleutel | None:
    """The credential this token belongs to when the secret matches (revoked ones included: the
    caller decides what a revoked credential answers)."""
    delen = ontleed(token)
    if delen is None:
        return None
    prefix, geheim = delen
    sleutel = ApiSleutel.objects.select_related("user", "aanbieder").filter(prefix=prefix).first()
    if sleutel is None:
        hash_geheim(geheim)  # same work whether or not the prefix exists
        return None
    return sleutel if klopt(sleutel, geheim) else None


def _nieuw_prefix() -> str:
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiSleutel.objects.filter(prefix=prefix).exists():
            return prefix


def maak(aanbieder: Aanbieder, naam: str, user) -> tuple[ApiSleutel, str]:
    """Make a credential for ``aanbieder`` on behalf of beheerder ``user``.

    Returns the credential and the token (shown to the beheerder once, never stored). Raises
    PermissionDenied when ``user`` may not make credentials for this aanbieder, ValidationError
    (keyed by field, Dutch) on a bad name.
    """
    naam = (naam or "").strip()
    if not naam:
        raise ValidationError({"naam": "Geef de sleutel een naam, bijvoorbeeld het systeem."})
    if len(naam) > ApiSleutel._meta.get_field("naam").max_length:
        raise ValidationError({"naam": "De naam is te lang (ten hoogste 100 tekens)."})
    vereis(user, MAAK, aanbieder, "U mag voor deze aanbieder geen API-sleutels maken.")
    geheim = secrets.token_urlsafe(GEHEIM_BYTES)
    with transaction.atomic():
        prefix = _nieuw_prefix()
        technisch = User(
            username=f"api-{prefix}",
            first_name="API",
            last_name=f"{aanbieder.naam}"[:150],
            is_staff=False,
            is_superuser=False,
        )
        technisch.set_unusable_password()
        technisch.save()
        Roltoekenning.objects.create(
            user=technisch,
            rol=Rol.objects.get(code=AANBIEDERSYSTEEM),
            aanbieder=aanbieder,
            begin=timezone.localdate(),
        )
        sleutel = ApiSleutel.objects.create(
            aanbieder=aanbieder,
            naam=naam,
            prefix=prefix,
            sleutel_hash=hash_geheim(geheim),
            user=technisch,
            aangemaakt_door=user,
        )
        audit.record(
            "create",
            objects=[sleutel],
            actor=user,
            toelichting={"aanbieder": aanbieder.pk, "prefix": prefix},
        )
    return sleutel, f"{TOKEN_PREFIX}_{prefix}_{geheim}"


def intrekken(sleutel: ApiSleutel, user) -> ApiSleutel:
    """Revoke ``sleutel`` now: it no longer authenticates, its technical user is deactivated and
    its Roltoekenning ends. Revoking twice is refused (ValidationError)."""
    vereis(user, TREK_IN, sleutel, "U mag deze API-sleutel niet intrekken.")
    with transaction.atomic():
        locked = ApiSleutel.objects.select_for_update().get(pk=sleutel.pk)
        if locked.ingetrokken_op is not None:
            raise ValidationError("Deze API-sleutel is al ingetrokken.", code="ingetrokken")
        locked.ingetrokken_op = timezone.now()
        locked.save(update_fields=["ingetrokken_op"])
        User.objects.filter(pk=locked.user_id).update(is_active=False)
        vandaag = timezone.localdate()
        gisteren = vandaag - datetime.timedelta(days=1)
        for toekenning in Roltoekenning.objects.filter(user_id=locked.user_id).active_on(vandaag):
            # A role that began today cannot end before it began; the user is inactive anyway.
            toekenning.einde = max(toekenning.begin, gisteren)
            toekenning.save(update_fields=["einde"])
        audit.record(
            "change",
            objects=[locked],
            actor=user,
            toelichting={"ingetrokken": True, "prefix": locked.prefix},
        )
    sleutel.ingetrokken_op = locked.ingetrokken_op
    return locked


def markeer_gebruik(sleutel: ApiSleutel, nu=None) -> None:
    """Record the last use, at most once a minute (one UPDATE, no lock)."""
    nu = nu or timezone.now()
    vorige = sleutel.laatst_gebruikt_op
    if vorige is not None and nu - vorige < datetime.timedelta(minutes=1):
        return
    ApiSleutel.objects.filter(pk=sleutel.pk).update(laatst_gebruikt_op=nu)
    sleutel.laatst_gebruikt_op = nu
