from django.core.validators import RegexValidator
from django.db import models

from .query import AanbiederQuerySet


class Aanbieder(models.Model):
    """A care provider (zorgaanbieder) identified by its AGB code."""

    naam = models.CharField(max_length=200)
    agb_code = models.CharField(
        "AGB-code",
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", "Een AGB-code bestaat uit precies 8 cijfers.")],
    )

    objects = AanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "aanbieder"
        verbose_name_plural = "aanbieders"
        ordering = ["naam"]

    def __str__(self):
        return self.naam
