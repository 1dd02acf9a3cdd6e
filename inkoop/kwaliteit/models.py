"""Quality of the contracted care: subcontractors, certificates, calamiteiten and incidenten the
contractpartner reports, and the quality signals of consulenten and the Centrale Toegang."""

from django.db import models
from django.db.models import Q

from inkoop.contracten.models import Aanbieder, Contract
from inkoop.query import (
    PerAanbiederQuerySet,
    PerContractQuerySet,
    RegioScopedQuerySet,
)
from inkoop.validators import (
    agb_validator,
    kvk_validator,
)
from regio.models import Regio, period_constraints


class Onderaanneming(models.Model):
    """A subcontractor the contractpartner engages under one contract (seed 004)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="onderaannemers")
    naam = models.CharField(max_length=200)
    agb_code = models.CharField("AGB-code", max_length=8, blank=True, validators=[agb_validator])
    kvk_nummer = models.CharField(
        "KvK-nummer", max_length=8, blank=True, validators=[kvk_validator]
    )
    begin = models.DateField()
    einde = models.DateField(null=True, blank=True)

    objects = PerContractQuerySet.as_manager()

    class Meta:
        verbose_name = "onderaannemer"
        verbose_name_plural = "onderaannemers"
        ordering = ["contract", "naam"]
        constraints = [*period_constraints("onderaanneming")]

    def __str__(self):
        return self.naam


class Certificaat(models.Model):
    """A quality certificate of an aanbieder (e.g. HKZ) with its expiry date."""

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.CASCADE, related_name="certificaten")
    soort = models.CharField(max_length=100, help_text="Bijvoorbeeld HKZ of ISO 9001.")
    nummer = models.CharField(max_length=100, blank=True)
    geldig_tot = models.DateField()

    objects = PerAanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "certificaat"
        verbose_name_plural = "certificaten"
        ordering = ["geldig_tot"]

    def __str__(self):
        return f"{self.soort} tot {self.geldig_tot:%d-%m-%Y}"


class Melding(models.Model):
    """A calamiteit or incident reported by the aanbieder, with its follow-up. Never a client's
    name or BSN: the description is about what happened."""

    class Soort(models.TextChoices):
        CALAMITEIT = "calamiteit", "Calamiteit"
        INCIDENT = "incident", "Incident"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        AFGEHANDELD = "afgehandeld", "Afgehandeld"

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="meldingen")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="meldingen"
    )
    soort = models.CharField(max_length=12, choices=Soort.choices)
    datum = models.DateField()
    omschrijving = models.TextField()
    opvolging = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    afgehandeld_op = models.DateField(null=True, blank=True)

    objects = PerAanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "calamiteit of incident"
        verbose_name_plural = "calamiteiten en incidenten"
        ordering = ["-datum", "-id"]
        permissions = [
            ("handel_melding_af", "Kan de opvolging van calamiteiten en incidenten afhandelen")
        ]

    def __str__(self):
        return f"{self.get_soort_display()} {self.datum:%d-%m-%Y}"


class Kwaliteitssignaal(models.Model):
    """A signal about an aanbieder's quality passed by the Centrale Toegang (regie, seed 000
    §9) to RISB, who follows it up. Never a client's name or BSN: it is about the care."""

    class Onderwerp(models.TextChoices):
        ZORGINHOUD = "zorginhoud", "Inhoud van de ondersteuning"
        VEILIGHEID = "veiligheid", "Veiligheid"
        BEJEGENING = "bejegening", "Bejegening"
        WOONOMGEVING = "woonomgeving", "Woonomgeving en locatie"
        SAMENWERKING = "samenwerking", "Samenwerking en bereikbaarheid"
        ADMINISTRATIE = "administratie", "Administratie"
        ANDERS = "anders", "Anders"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_BEHANDELING = "in_behandeling", "In behandeling bij RISB"
        AFGEHANDELD = "afgehandeld", "Afgehandeld"

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="kwaliteitssignalen")
    aanbieder = models.ForeignKey(
        Aanbieder, on_delete=models.PROTECT, related_name="kwaliteitssignalen"
    )
    locatie = models.ForeignKey(
        "Locatie", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    onderwerp = models.CharField(max_length=14, choices=Onderwerp.choices)
    omschrijving = models.TextField(help_text="Zonder naam of BSN van een cliënt.")
    gemeld_door = models.ForeignKey("regio.User", on_delete=models.PROTECT, related_name="+")
    gemeld_op = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    afhandeling = models.TextField(blank=True)
    afgehandeld_door = models.ForeignKey(
        "regio.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    afgehandeld_op = models.DateTimeField(null=True, blank=True)

    objects = RegioScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "kwaliteitssignaal"
        verbose_name_plural = "kwaliteitssignalen"
        ordering = ["-gemeld_op", "-id"]
        permissions = [("handel_kwaliteitssignaal_af", "Kan kwaliteitssignalen afhandelen")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="afgehandeld") | ~Q(afhandeling=""),
                name="kwaliteitssignaal_afgehandeld_met_toelichting",
                violation_error_message="Beschrijf hoe het signaal is afgehandeld.",
            )
        ]

    def __str__(self):
        return f"Kwaliteitssignaal {self.get_onderwerp_display().lower()} ({self.aanbieder})"
