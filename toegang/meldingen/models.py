"""A case from melding to aanvraag: the melding and its onderzoek, the aanvraag, suspensions of
the beslistermijn and the documents kept in the dossier."""

import uuid

from django.conf import settings
from django.db import models

from regio.models import Gemeente, period_constraints
from toegang.dossiers.models import Dossier
from toegang.query import (
    MeldingQuerySet,
    PerDossierQuerySet,
)


class Melding(models.Model):
    """A request for support (hulpvraag) registered on a dossier; the onderzoek must end within
    6 weeks of it (Wmo 2015 art. 2.3.2). Deadlines are computed (toegang.termijnen), and the
    next one is stored for the werkvoorraad."""

    class Status(models.TextChoices):
        ONDERZOEK = "onderzoek", "Onderzoek"
        AANVRAAG = "aanvraag", "Aanvraag"
        BESLOTEN = "besloten", "Besloten"
        INGETROKKEN = "ingetrokken", "Ingetrokken"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="meldingen")
    # A copy of the dossier's verantwoordelijke gemeente, kept by database triggers (migration
    # toegang 0017), so the werkvoorraad's scoped query is one index range per gemeente.
    gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", db_index=False,
    )  # fmt: skip
    ontvangen_op = models.DateField()
    hulpvraag = models.TextField()
    consulent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ONDERZOEK)
    urgent = models.BooleanField(
        default=False, help_text="Spoed: tijdelijke voorziening (art. 2.3.3)."
    )
    tijdelijke_voorziening = models.TextField(blank=True)
    # Onderzoek (art. 2.3.2): gespreksverslag and the verslag sent to the client.
    gesprek_op = models.DateField(null=True, blank=True)
    gespreksverslag = models.TextField(blank=True)
    verslag_verstuurd_op = models.DateField(null=True, blank=True)
    persoonlijk_plan_ontvangen_op = models.DateField(null=True, blank=True)
    onderzoek_afgerond_op = models.DateField(null=True, blank=True)
    # The deadline the werkvoorraad sorts on (kept by toegang.termijnen on every change).
    volgende_termijn = models.DateField(null=True, blank=True, db_index=True)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = MeldingQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "melding"
        verbose_name_plural = "meldingen"
        ordering = ["volgende_termijn", "pk"]
        indexes = [
            # The werkvoorraad: a gemeente's open meldingen by their next deadline.
            models.Index(
                fields=["gemeente", "volgende_termijn"],
                condition=models.Q(status__in=["onderzoek", "aanvraag"]),
                name="melding_open_per_gemeente",
            ),
            # The werkvoorraad's consulent filter and "mijn werk" count: the open meldingen of
            # a gemeente per consulent, read from the index alone.
            models.Index(
                fields=["gemeente", "consulent"],
                condition=models.Q(status__in=["onderzoek", "aanvraag"]),
                name="melding_open_per_consulent",
            ),
        ]

    def __str__(self):
        return f"Melding {self.pk} van {self.ontvangen_op:%d-%m-%Y}"


class Aanvraag(models.Model):
    """The formal application after the onderzoek; the decision follows within 2 weeks (art.
    2.3.5), suspended while information is asked (Awb 4:15), extended once (Awb 4:14)."""

    melding = models.OneToOneField(Melding, on_delete=models.PROTECT, related_name="aanvraag")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="aanvragen")
    ontvangen_op = models.DateField()
    omschrijving = models.TextField(blank=True)
    functies = models.ManyToManyField(
        "inkoop.Product", blank=True, related_name="+", verbose_name="aangevraagde functies"
    )
    verdaagd_op = models.DateField(null=True, blank=True, help_text="Verdagingsbericht verstuurd.")
    verdaging_weken = models.PositiveSmallIntegerField(null=True, blank=True)
    verdaging_reden = models.TextField(blank=True)

    objects = PerDossierQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "aanvraag"
        verbose_name_plural = "aanvragen"

    def __str__(self):
        return f"Aanvraag van {self.ontvangen_op:%d-%m-%Y}"


class Opschorting(models.Model):
    """The decision term is suspended from ``van`` until the information arrives (Awb 4:15)."""

    aanvraag = models.ForeignKey(Aanvraag, on_delete=models.CASCADE, related_name="opschortingen")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    van = models.DateField()
    tot = models.DateField(null=True, blank=True, help_text="Leeg: informatie nog niet ontvangen.")
    reden = models.CharField(max_length=300)

    objects = PerDossierQuerySet.as_manager()

    class Meta:
        verbose_name = "opschorting"
        verbose_name_plural = "opschortingen"
        ordering = ["van"]
        constraints = [
            *period_constraints("opschorting", begin="van", einde="tot", suffix="tot_na_van")
        ]

    def __str__(self):
        return f"Opgeschort vanaf {self.van:%d-%m-%Y}"


def dossier_document_path(instance, filename):
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}-{filename}"


class Document(models.Model):
    """A document on a dossier: an upload, or a letter the application produced."""

    class Soort(models.TextChoices):
        UPLOAD = "upload", "Upload"
        VERSLAG = "verslag", "Verslag van het onderzoek"
        PERSOONLIJK_PLAN = "persoonlijk_plan", "Persoonlijk plan"
        BESCHIKKING = "beschikking", "Beschikking"
        BRIEF = "brief", "Brief"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documenten")
    soort = models.CharField(max_length=20, choices=Soort.choices, default=Soort.UPLOAD)
    naam = models.CharField(max_length=200)
    bestand = models.FileField(upload_to=dossier_document_path)
    sha256 = models.CharField(max_length=64, blank=True)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    aangemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PerDossierQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documenten"
        ordering = ["-aangemaakt_op"]

    def __str__(self):
        return self.naam
