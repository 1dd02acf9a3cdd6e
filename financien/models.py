"""The money side of beschermd wonen. For now: the verdeelmodel per regio per year (issue 7
adds budgets, voorschotten, kostenregels and the verevening on top of it)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from regio.models import Gemeente, Regio

from .query import VerdeelmodelAandeelQuerySet, VerdeelmodelQuerySet


class Verdeelmodel(models.Model):
    """The objective distribution key of a regio's BW money in one year (DOMAIN.md)."""

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="verdeelmodellen")
    jaar = models.PositiveSmallIntegerField(validators=[MinValueValidator(2015)])
    bron = models.CharField(max_length=200, blank=True, help_text="Besluit of document.")

    objects = VerdeelmodelQuerySet.as_manager()

    class Meta:
        verbose_name = "verdeelmodel"
        verbose_name_plural = "verdeelmodellen"
        ordering = ["regio__naam", "-jaar"]
        constraints = [
            models.UniqueConstraint(
                fields=["regio", "jaar"],
                name="verdeelmodel_een_per_regio_per_jaar",
                violation_error_message="Deze regio heeft al een verdeelmodel voor dit jaar.",
            )
        ]

    def __str__(self):
        return f"Verdeelmodel {self.regio.naam} {self.jaar}"


class VerdeelmodelAandeel(models.Model):
    """One gemeente's share (percentage as entered; see financien.services.normaliseer)."""

    verdeelmodel = models.ForeignKey(
        Verdeelmodel, on_delete=models.CASCADE, related_name="aandelen"
    )
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    percentage = models.DecimalField(
        max_digits=7, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )

    objects = VerdeelmodelAandeelQuerySet.as_manager()

    class Meta:
        verbose_name = "aandeel"
        verbose_name_plural = "aandelen"
        ordering = ["gemeente__naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["verdeelmodel", "gemeente"],
                name="verdeelmodel_aandeel_uniek",
                violation_error_message="Deze gemeente heeft in dit verdeelmodel al een aandeel.",
            )
        ]

    def __str__(self):
        return f"{self.gemeente.naam}: {self.percentage}%"
