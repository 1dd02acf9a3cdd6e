"""The periodic reports an aanbieder submits per contract and quarter, their lines, steps and
the contract manager's remarks."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from inkoop.contracten.models import Contract, Product
from inkoop.query import (
    PerContractQuerySet,
    RapportageDeelQuerySet,
)
from regio.models import Gemeente


class Rapportage(models.Model):
    """The quarterly report an aanbieder submits on a contract, reviewed by RISB."""

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        INGEDIEND = "ingediend", "Ingediend"
        IN_BEOORDELING = "in_beoordeling", "In beoordeling"
        TERUGGESTUURD = "teruggestuurd", "Teruggestuurd"
        AKKOORD = "akkoord", "Akkoord"
        DEFINITIEF = "definitief", "Definitief"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="rapportages")
    jaar = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000)])
    kwartaal = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONCEPT)
    clienten_in_zorg = models.PositiveIntegerField("cliënten in zorg", default=0)
    instroom = models.PositiveIntegerField(default=0)
    uitstroom = models.PositiveIntegerField(default=0)
    wachtenden = models.PositiveIntegerField(default=0)
    uitgaven_tot_nu = models.DecimalField(
        "uitgaven tot nu (dit jaar)", max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    clienttevredenheid = models.DecimalField(
        "cliënttevredenheid (0–10)", max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )  # fmt: skip
    doelrealisatie = models.DecimalField(
        "doelrealisatie (%)", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    incidenten = models.PositiveIntegerField(default=0)
    aandeel_hbo = models.DecimalField(
        "aandeel hbo-personeel (%)", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    aandeel_mbo = models.DecimalField(
        "aandeel mbo-personeel (%)", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )  # fmt: skip
    ingediend_op = models.DateTimeField(null=True, blank=True)
    gewijzigd_op = models.DateTimeField(auto_now=True)

    objects = PerContractQuerySet.as_manager()

    class Meta:
        verbose_name = "rapportage"
        verbose_name_plural = "rapportages"
        ordering = ["-jaar", "-kwartaal", "contract__aanbieder__naam"]
        permissions = [
            ("beoordeel_rapportage", "Kan rapportages van aanbieders beoordelen"),
            ("dien_rapportage_in", "Kan rapportages indienen namens de aanbieder"),
        ]
        indexes = [
            # The reports of a regio's contracts waiting for review (the contract dashboard).
            models.Index(fields=["contract", "status"], name="rapportage_contract_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "jaar", "kwartaal"],
                name="rapportage_een_per_kwartaal",
                violation_error_message="Voor dit contract en kwartaal is al een rapportage.",
            ),
            models.CheckConstraint(
                condition=Q(aandeel_hbo__isnull=True)
                | Q(aandeel_mbo__isnull=True)
                | Q(aandeel_hbo__lte=Decimal("100") - models.F("aandeel_mbo")),
                name="rapportage_hbo_mbo_max_100",
                violation_error_message="Het aandeel hbo en mbo samen is meer dan 100%%.",
            ),
        ]

    def __str__(self):
        return f"{self.contract.kenmerk} {self.jaar}-K{self.kwartaal}"


class Rapportageregel(models.Model):
    """Volume and clients per product/functie and gemeente in one rapportage."""

    rapportage = models.ForeignKey(Rapportage, on_delete=models.CASCADE, related_name="regels")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    volume = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    clienten = models.PositiveIntegerField("cliënten")

    objects = RapportageDeelQuerySet.as_manager()

    class Meta:
        verbose_name = "rapportageregel"
        verbose_name_plural = "rapportageregels"
        ordering = ["product__naam", "gemeente__naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["rapportage", "product", "gemeente"],
                name="rapportageregel_uniek",
                violation_error_message="Deze combinatie van product en gemeente staat er al.",
            )
        ]

    def __str__(self):
        return f"{self.product} — {self.gemeente.naam}: {self.volume}"


class Rapportagestap(models.Model):
    """One transition of a rapportage's review (who, when, from, to, why)."""

    rapportage = models.ForeignKey(Rapportage, on_delete=models.CASCADE, related_name="stappen")
    van = models.CharField(max_length=16, choices=Rapportage.Status.choices)
    naar = models.CharField(max_length=16, choices=Rapportage.Status.choices)
    door = models.ForeignKey("regio.User", on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField(auto_now_add=True)
    toelichting = models.TextField(blank=True)

    objects = RapportageDeelQuerySet.as_manager()

    class Meta:
        verbose_name = "beoordelingsstap"
        verbose_name_plural = "beoordelingsstappen"
        ordering = ["op", "id"]

    def __str__(self):
        return f"{self.rapportage}: {self.van} → {self.naar}"


class Rapportageopmerking(models.Model):
    """A reviewer's comment on one item of a rapportage (a field or a line)."""

    rapportage = models.ForeignKey(Rapportage, on_delete=models.CASCADE, related_name="opmerkingen")
    onderdeel = models.CharField(max_length=100, help_text="Veldnaam of 'regel-<id>'.")
    tekst = models.TextField()
    door = models.ForeignKey("regio.User", on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField(auto_now_add=True)
    opgelost = models.BooleanField(default=False)

    objects = RapportageDeelQuerySet.as_manager()

    class Meta:
        verbose_name = "opmerking"
        verbose_name_plural = "opmerkingen"
        ordering = ["op", "id"]

    def __str__(self):
        return f"{self.rapportage} {self.onderdeel}: {self.tekst[:40]}"
