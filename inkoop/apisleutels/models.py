"""The credentials with which an aanbieder's system calls the API."""

from django.db import models

from inkoop.contracten.models import Aanbieder
from inkoop.query import (
    PerAanbiederQuerySet,
)


class ApiSleutel(models.Model):
    """An API credential of an aanbieder's system, managed by the functioneel beheerder: shown
    once when made, stored as a hash, revocable, with its last use. It acts as its own technical
    user holding the role "Aanbiedersysteem (API)" for the aanbieder, so the API goes through the
    same scoping layer as the web UI."""

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="api_sleutels")
    naam = models.CharField(max_length=100, help_text="Bijvoorbeeld het systeem dat haar gebruikt.")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    sleutel_hash = models.CharField(max_length=64, editable=False)
    user = models.OneToOneField(
        "regio.User", on_delete=models.PROTECT, related_name="api_sleutel", editable=False
    )
    aangemaakt_door = models.ForeignKey(
        "regio.User", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    ingetrokken_op = models.DateTimeField(null=True, blank=True)
    laatst_gebruikt_op = models.DateTimeField(null=True, blank=True)

    objects = PerAanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "API-sleutel"
        verbose_name_plural = "API-sleutels"
        ordering = ["aanbieder__naam", "-aangemaakt_op"]

    def __str__(self):
        return f"{self.naam} ({self.prefix}…)"
