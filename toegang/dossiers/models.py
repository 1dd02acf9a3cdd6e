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
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from inkoop.validators import postcode_validator
from regio.iwmo import choices
from regio.models import Gemeente
from regio.validators import validate_bsn
from toegang.query import (
    DossierQuerySet,
    PersoonQuerySet,
    PersoonsgegevenQuerySet,
)


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
    voorletters = models.CharField(max_length=20, blank=True)
    voorvoegsel = models.CharField(max_length=10, blank=True)
    geslachtsnaam = models.CharField(max_length=200)
    naamgebruik = models.CharField(max_length=1, default="1", choices=choices("COD700_Naamgebruik"))
    # The partner's name, for naamgebruik 2, 3 and 4 (letters address the person by it).
    partner_voorvoegsel = models.CharField("tussenvoegsel partner", max_length=10, blank=True)
    partner_geslachtsnaam = models.CharField(
        "achternaam partner", max_length=200, blank=True,
        help_text="Nodig bij naamgebruik 2, 3 of 4 (naam partner).",
    )  # fmt: skip
    geboortedatum = models.DateField(null=True, blank=True)
    datumgebruik = models.CharField(
        max_length=1, blank=True, choices=choices("COD170_Datumgebruik"),
        help_text="Leeg: de geboortedatum is volledig bekend.",
    )  # fmt: skip
    geslacht = models.CharField(max_length=1, default="0", choices=choices("COD046_Geslacht"))
    communicatievorm = models.CharField(
        max_length=1, blank=True, choices=choices("COD747_Communicatievorm")
    )
    communicatietaal = models.CharField(
        "taal (tolk)", max_length=25, blank=True,
        help_text="Bij een tolk (taal): de taal waarin met de cliënt wordt gecommuniceerd.",
    )  # fmt: skip
    gemeente_woonplaats = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Waar de cliënt nu woont (kan verschillen van de verantwoordelijke gemeente).",
    )  # fmt: skip
    telefoon = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)

    objects = PersoonManager.from_queryset(PersoonQuerySet)()
    audit_reads = True

    class Meta:
        verbose_name = "persoon"
        verbose_name_plural = "personen"
        indexes = [
            # Searching by (part of) a name: icontains is UPPER(...) LIKE '%...%' (pg_trgm).
            GinIndex(
                OpClass(Upper("geslachtsnaam"), name="gin_trgm_ops"),
                name="persoon_geslachtsnaam_trgm",
            ),
            GinIndex(
                OpClass(Upper("voornamen"), name="gin_trgm_ops"), name="persoon_voornamen_trgm"
            ),
        ]

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
    gemeente_herkomst = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Woonplaats vóór beschermd wonen; leeg: onbekend (mag buiten de regio).",
    )  # fmt: skip
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    vernietigd_op = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="De persoonsgegevens van dit dossier zijn vernietigd (bewaartermijn of AVG).",
    )  # fmt: skip

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


class Adres(models.Model):
    """An address of a person by iWmo soort (COD757): BRP, correspondentie, verblijf."""

    persoon = models.ForeignKey(Persoon, on_delete=models.CASCADE, related_name="adressen")
    soort = models.CharField(max_length=2, choices=choices("COD757_Soort_adres"))
    straat = models.CharField(max_length=200)
    huisnummer = models.CharField(max_length=10)
    huisletter = models.CharField(max_length=2, blank=True)
    toevoeging = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=7, validators=[postcode_validator])
    plaats = models.CharField(max_length=100)
    land = models.CharField(max_length=2, default="NL", choices=choices("COD032_Land"))

    objects = PersoonsgegevenQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "adres"
        verbose_name_plural = "adressen"
        ordering = ["soort"]

    def __str__(self):
        return f"{self.straat} {self.huisnummer}{self.huisletter}, {self.postcode} {self.plaats}"


class Relatie(models.Model):
    """A relation of the client (iWmo COD472): wettelijk vertegenwoordiger, contactpersoon...
    Letters go to the relatie marked ``ontvangt_post`` where there is one."""

    persoon = models.ForeignKey(Persoon, on_delete=models.CASCADE, related_name="relaties")
    soort = models.CharField(max_length=2, choices=choices("COD472_Soort_relatie"))
    vertegenwoordiging = models.CharField(
        "wettelijke vertegenwoordiging", max_length=2, blank=True,
        choices=choices("WJ003_Wettelijke_vertegenwoordiging"),
    )  # fmt: skip
    voornamen = models.CharField(max_length=200, blank=True)
    voorvoegsel = models.CharField(max_length=10, blank=True)
    geslachtsnaam = models.CharField(max_length=200)
    organisatie = models.CharField(max_length=200, blank=True)
    straat = models.CharField(max_length=200, blank=True)
    huisnummer = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=7, blank=True, validators=[postcode_validator])
    plaats = models.CharField(max_length=100, blank=True)
    telefoon = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    ontvangt_post = models.BooleanField(
        default=False, help_text="Brieven (zoals de beschikking) gaan naar deze relatie."
    )

    objects = PersoonsgegevenQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "relatie"
        verbose_name_plural = "relaties"
        ordering = ["soort", "geslachtsnaam"]
        constraints = [
            models.UniqueConstraint(
                fields=["persoon"],
                condition=models.Q(ontvangt_post=True),
                name="relatie_een_postontvanger",
                violation_error_message="Er is al een relatie die de post ontvangt.",
            )
        ]

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornamen, self.voorvoegsel, self.geslachtsnaam) if p)

    def __str__(self):
        return f"{self.naam} ({self.get_soort_display()})"
