"""The aanbieders' locations with their capacity per period and the free places they report."""

from django.db import models
from django.db.models import F, Q

from inkoop.contracten.models import Aanbieder, Product
from inkoop.query import (
    CapaciteitQuerySet,
    PerAanbiederQuerySet,
    VrijePlaatsenQuerySet,
)
from inkoop.validators import (
    postcode_validator,
)
from regio.models import Gemeente, geen_overlap, period_constraints


class Locatie(models.Model):
    """A location of an aanbieder where functies are delivered (beschermd wonen, time-out)."""

    class Gender(models.TextChoices):
        GEMENGD = "gemengd", "Gemengd"
        MANNEN = "mannen", "Alleen mannen"
        VROUWEN = "vrouwen", "Alleen vrouwen"

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="locaties")
    naam = models.CharField(max_length=200)
    straat = models.CharField(max_length=200)
    huisnummer = models.CharField(max_length=20)
    postcode = models.CharField(max_length=7, validators=[postcode_validator])
    plaats = models.CharField(max_length=100)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="locaties")
    functies = models.ManyToManyField(Product, related_name="locaties", blank=True)
    doelgroep = models.CharField(max_length=200, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.GEMENGD)
    huisdieren = models.BooleanField("huisdieren toegestaan", default=False)
    rolstoeltoegankelijk = models.BooleanField(default=False)
    # The ages (in years, inclusive) the location takes; empty: no limit on that side. Matching
    # on the waiting list leaves a client outside them out (toegang.wachtlijst.services).
    leeftijd_min = models.PositiveSmallIntegerField("minimumleeftijd", null=True, blank=True)
    leeftijd_max = models.PositiveSmallIntegerField("maximumleeftijd", null=True, blank=True)
    actief = models.BooleanField(default=True)

    objects = PerAanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "locatie"
        verbose_name_plural = "locaties"
        ordering = ["aanbieder__naam", "naam"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leeftijd_min__isnull=True)
                | Q(leeftijd_max__isnull=True)
                | Q(leeftijd_max__gte=F("leeftijd_min")),
                name="locatie_leeftijd_min_tot_max",
                violation_error_message="De maximumleeftijd ligt onder de minimumleeftijd.",
            ),
        ]

    def __str__(self):
        return f"{self.naam} ({self.aanbieder})"

    @property
    def leeftijden(self) -> str:
        """The age limits in words ('18–23 jaar', 'vanaf 18 jaar'); empty without limits."""
        laag, hoog = self.leeftijd_min, self.leeftijd_max
        if laag is not None and hoog is not None:
            return f"{laag}–{hoog} jaar"
        if laag is not None:
            return f"vanaf {laag} jaar"
        if hoog is not None:
            return f"tot en met {hoog} jaar"
        return ""


class Capaciteit(models.Model):
    """The number of places of a location over a period; periods never overlap."""

    locatie = models.ForeignKey(Locatie, on_delete=models.CASCADE, related_name="capaciteit")
    begin = models.DateField()
    einde = models.DateField(null=True, blank=True)
    plaatsen = models.PositiveSmallIntegerField()

    objects = CapaciteitQuerySet.as_manager()

    class Meta:
        verbose_name = "capaciteit"
        verbose_name_plural = "capaciteit"
        ordering = ["locatie", "begin"]
        constraints = [
            geen_overlap(
                "capaciteit_geen_overlap",
                ("locatie",),
                "Deze locatie heeft in die periode al een capaciteit.",
            ),
            *period_constraints("capaciteit"),
        ]

    def __str__(self):
        return f"{self.locatie}: {self.plaatsen} plaatsen vanaf {self.begin:%d-%m-%Y}"


class VrijePlaatsenMelding(models.Model):
    """The aanbieder's report of free places at a location; the newest one counts."""

    locatie = models.ForeignKey(Locatie, on_delete=models.CASCADE, related_name="vrije_plaatsen")
    gemeld_op = models.DateTimeField(auto_now_add=True, db_index=True)
    vrije_plaatsen = models.PositiveSmallIntegerField()
    gemeld_door = models.ForeignKey(
        "regio.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VrijePlaatsenQuerySet.as_manager()

    class Meta:
        verbose_name = "melding vrije plaatsen"
        verbose_name_plural = "meldingen vrije plaatsen"
        ordering = ["-gemeld_op", "-id"]

    def __str__(self):
        return f"{self.locatie}: {self.vrije_plaatsen} vrij"
