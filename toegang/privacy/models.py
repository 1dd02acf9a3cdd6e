"""Privacy: erasure requests (AVG art. 17) and the destruction lists of dossiers past their
retention period."""

from django.conf import settings
from django.db import models

from regio.models import Gemeente
from toegang.dossiers.models import Client, Dossier
from toegang.query import (
    GemeenteEigenQuerySet,
    PerDossierQuerySet,
)


class Verwijderverzoek(models.Model):
    """A client's request to erase their personal data (AVG art. 17), registered by the gemeente
    that received it and answered within a month: carried out, or refused where a legal duty to
    keep applies (the Archiefwet's retention of a Wmo dossier)."""

    class Status(models.TextChoices):
        ONTVANGEN = "ontvangen", "Ontvangen"
        UITGEVOERD = "uitgevoerd", "Uitgevoerd"
        AFGEWEZEN = "afgewezen", "Afgewezen (bewaarplicht)"

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="verwijderverzoeken")
    ontvangen_op = models.DateField()
    antwoord_uiterlijk = models.DateField(help_text="Een maand na ontvangst (AVG art. 12 lid 3).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ONTVANGEN)
    toelichting = models.TextField(
        blank=True, help_text="Het antwoord: wat is verwijderd, of welke bewaarplicht geldt."
    )
    geregistreerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    besloten_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    besloten_op = models.DateTimeField(null=True, blank=True)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = GemeenteEigenQuerySet.as_manager()

    class Meta:
        verbose_name = "verwijderverzoek"
        verbose_name_plural = "verwijderverzoeken"
        ordering = ["antwoord_uiterlijk", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="ontvangen", besloten_op__isnull=True)
                | (~models.Q(status="ontvangen") & models.Q(besloten_op__isnull=False)),
                name="verwijderverzoek_besluit_bij_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="afgewezen") | ~models.Q(toelichting=""),
                name="verwijderverzoek_afwijzing_gemotiveerd",
                violation_error_message="Een afwijzing noemt de bewaarplicht die geldt.",
            ),
        ]

    def __str__(self):
        return f"Verwijderverzoek {self.pk} ({self.get_status_display()})"


class Vernietigingslijst(models.Model):
    """The dossiers of one gemeente past their retention period on ``peildatum``, proposed for
    destruction by the scheduled job; nothing is destroyed until a person approves the list."""

    class Status(models.TextChoices):
        TER_GOEDKEURING = "concept", "Ter goedkeuring"
        GOEDGEKEURD = "goedgekeurd", "Goedgekeurd"
        UITGEVOERD = "uitgevoerd", "Uitgevoerd"
        AFGEWEZEN = "afgewezen", "Afgewezen"

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    peildatum = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TER_GOEDKEURING)
    opgesteld_op = models.DateTimeField(auto_now_add=True)
    beoordeeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    beoordeeld_op = models.DateTimeField(null=True, blank=True)
    uitgevoerd_op = models.DateTimeField(null=True, blank=True)
    toelichting = models.TextField(blank=True)

    objects = GemeenteEigenQuerySet.as_manager()

    class Meta:
        verbose_name = "vernietigingslijst"
        verbose_name_plural = "vernietigingslijsten"
        ordering = ["-peildatum", "-pk"]
        permissions = [("keur_vernietiging_goed", "Vernietigingslijst goedkeuren of afwijzen")]
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente"],
                condition=models.Q(status__in=["concept", "goedgekeurd"]),
                name="vernietigingslijst_een_open_per_gemeente",
            )
        ]

    def __str__(self):
        return f"Vernietigingslijst {self.gemeente} {self.peildatum:%d-%m-%Y}"


class Vernietigingsregel(models.Model):
    """One dossier on a vernietigingslijst, with the rule that put it there."""

    class Grondslag(models.TextChoices):
        ONDERSTEUNING = "ondersteuning", "Jaren na het einde van de ondersteuning"
        NIETS_TOEGEKEND = "niets", "Jaren na afsluiten, niets toegekend"

    lijst = models.ForeignKey(Vernietigingslijst, on_delete=models.CASCADE, related_name="regels")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    grondslag = models.CharField(max_length=14, choices=Grondslag.choices)
    einde = models.DateField(help_text="Einde van de ondersteuning, of afsluiten van het dossier.")
    bewaren_tot = models.DateField()
    uitgezonderd = models.BooleanField(default=False)
    uitzondering_reden = models.TextField(blank=True)
    vernietigd_op = models.DateTimeField(null=True, blank=True)

    objects = PerDossierQuerySet.as_manager()

    class Meta:
        verbose_name = "vernietigingsregel"
        verbose_name_plural = "vernietigingsregels"
        ordering = ["lijst", "bewaren_tot", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lijst", "dossier"], name="vernietigingsregel_uniek"),
            models.CheckConstraint(
                condition=models.Q(uitgezonderd=False) | ~models.Q(uitzondering_reden=""),
                name="vernietigingsregel_uitzondering_gemotiveerd",
                violation_error_message="Geef de reden om dit dossier te bewaren.",
            ),
        ]

    def __str__(self):
        return f"{self.dossier} tot {self.bewaren_tot:%d-%m-%Y}"
