"""Clients and their dossiers.

Personal data lives in few places: ``Client`` is a pseudonymous key with no personal data, to
which all history (events, letters' metadata, reports, verevening snapshots) refers; ``Persoon``
holds the BSN (stored once, recognised across gemeenten by a keyed hash) and the personal
details, and is what an erasure removes. A ``Dossier`` is the client's case at one
verantwoordelijke gemeente.
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from regio.models import Gemeente

from .query import DossierQuerySet
from .validators import validate_bsn


def bsn_hash(bsn: str) -> str:
    """Keyed hash (HMAC-SHA256) that recognises a person by BSN without comparing BSNs."""
    key = settings.BSN_HASH_KEY.encode()
    return hmac.new(key, bsn.encode(), hashlib.sha256).hexdigest()


class Client(models.Model):
    """The pseudonymous key of a person receiving support; history refers to this, never to BSN."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cliënt (pseudoniem)"
        verbose_name_plural = "cliënten (pseudoniem)"

    def __str__(self):
        return f"Cliënt {str(self.id)[:8]}"


class PersoonManager(models.Manager):
    def find_by_bsn(self, bsn: str):
        return self.filter(bsn_hash=bsn_hash(bsn)).select_related("client").first()


class Persoon(models.Model):
    """The personal data of a client: BSN and name. Erasure deletes this row, not the Client."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, primary_key=True, related_name="persoon"
    )
    bsn = models.CharField("BSN", max_length=9, validators=[validate_bsn])
    bsn_hash = models.CharField(max_length=64, unique=True, editable=False)
    voornamen = models.CharField(max_length=200, blank=True)
    voorvoegsel = models.CharField(max_length=10, blank=True)
    geslachtsnaam = models.CharField(max_length=200)
    geboortedatum = models.DateField(null=True, blank=True)

    objects = PersoonManager()

    class Meta:
        verbose_name = "persoon"
        verbose_name_plural = "personen"

    def save(self, *args, **kwargs):
        self.bsn_hash = bsn_hash(self.bsn)
        super().save(*args, **kwargs)

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornamen, self.voorvoegsel, self.geslachtsnaam) if p)

    def __str__(self):
        return self.naam


class Dossier(models.Model):
    """A client's case at its verantwoordelijke gemeente, the gemeente that scopes who sees it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        GESLOTEN = "gesloten", "Gesloten"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="dossiers")
    verantwoordelijke_gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, related_name="dossiers"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    geopend_op = models.DateField()
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = DossierQuerySet.as_manager()
    audit_reads = True  # every read is written to the audit log

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-geopend_op", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "verantwoordelijke_gemeente"],
                name="dossier_een_per_gemeente",
                violation_error_message="Deze cliënt heeft al een dossier bij deze gemeente.",
            )
        ]
        indexes = [models.Index(fields=["verantwoordelijke_gemeente", "-geopend_op"])]

    def __str__(self):
        return f"Dossier {self.pk} ({self.verantwoordelijke_gemeente.naam})"


class DossierUserObjectPermission(UserObjectPermissionBase):
    """A single dossier granted to a user (django-guardian, direct foreign key)."""

    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)


class DossierGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)
