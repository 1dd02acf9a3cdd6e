"""Aanbieders, the regional catalogue (percelen, products, tariffs) and contracts.

The catalogue is effective-dated: products and tariffs have validity periods, so old
beschikkingen keep their old products (DOMAIN.md "Eras"). Both bekostiging models are
first-class: a taakgericht perceel's products are functies without tariffs; a P×Q perceel's
products carry eenheid and tariffs per period.
"""

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from inkoop.query import (
    AanbiederQuerySet,
    CatalogusQuerySet,
    ContractQuerySet,
    PerAanbiederQuerySet,
    PerceelQuerySet,
    PerContractQuerySet,
    TariefQuerySet,
)
from inkoop.validators import (
    agb_validator,
    kvk_validator,
    postcode_validator,
    productcode_validator,
    validate_productcategorie,
)
from regio.iwmo import choices
from regio.models import Domein, Gemeente, Regio, geen_overlap, period_constraints


class Bekostiging(models.TextChoices):
    TAAKGERICHT = "taakgericht", "Taakgericht (budget per jaar)"
    PXQ = "pxq", "P×Q (tarief per eenheid)"


class Toerekeningsbasis(models.TextChoices):
    """What client-days a taakgericht contract's budget is allocated by (financien.taakgericht)."""

    ZORGPERIODEN = "zorgperioden", "Zorgperioden zoals gemeld (start en stop zorg)"
    TOEWIJZINGEN = "toewijzingen", "Toewijzingsperioden"


class Aanbieder(models.Model):
    """A care provider (zorgaanbieder), identified by AGB code; may contract in several regio's."""

    naam = models.CharField(max_length=200)
    agb_code = models.CharField("AGB-code", max_length=8, unique=True, validators=[agb_validator])
    kvk_nummer = models.CharField(
        "KvK-nummer", max_length=8, blank=True, validators=[kvk_validator]
    )
    straat = models.CharField(max_length=200, blank=True)
    huisnummer = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=7, blank=True, validators=[postcode_validator])
    plaats = models.CharField(max_length=100, blank=True)

    objects = AanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "aanbieder"
        verbose_name_plural = "aanbieders"
        ordering = ["naam"]

    def __str__(self):
        return self.naam


class Contactpersoon(models.Model):
    """A contact person at an aanbieder (contract, kwaliteit, administratie)."""

    objects = PerAanbiederQuerySet.as_manager()

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.CASCADE, related_name="contacten")
    naam = models.CharField(max_length=200)
    functie = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    telefoon = models.CharField(max_length=30, blank=True)

    class Meta:
        verbose_name = "contactpersoon"
        verbose_name_plural = "contactpersonen"
        ordering = ["naam"]

    def __str__(self):
        return f"{self.naam} ({self.aanbieder})"


class Perceel(models.Model):
    """A lot of the regio's tender, with its bekostiging and validity."""

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="percelen")
    code = models.SlugField(max_length=50)
    naam = models.CharField(max_length=200)
    bekostiging = models.CharField(max_length=12, choices=Bekostiging.choices)
    begin = models.DateField()
    einde = models.DateField(null=True, blank=True)

    objects = PerceelQuerySet.as_manager()

    class Meta:
        verbose_name = "perceel"
        verbose_name_plural = "percelen"
        ordering = ["regio__naam", "begin", "naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["regio", "code"],
                name="perceel_code_uniek_per_regio",
                violation_error_message="Deze regio heeft al een perceel met deze code.",
            ),
            *period_constraints("perceel"),
        ]

    def __str__(self):
        return f"{self.naam} ({self.regio})"


class Product(models.Model):
    """What a beschikking grants within a perceel: a functie (taakgericht), a product (P×Q),
    an interventieniveau or an arrangement; with its iWmo codes and validity."""

    class Soort(models.TextChoices):
        FUNCTIE = "functie", "Functie"
        PRODUCT = "product", "Product"
        INTERVENTIENIVEAU = "interventieniveau", "Interventieniveau"
        ARRANGEMENT = "arrangement", "Arrangement"

    perceel = models.ForeignKey(Perceel, on_delete=models.PROTECT, related_name="producten")
    code = models.SlugField(max_length=50)
    naam = models.CharField(max_length=200)
    soort = models.CharField(max_length=20, choices=Soort.choices)
    domein = models.CharField(
        max_length=20,
        choices=Domein.choices,
        help_text="Welke lidmaatschappen van de regio dit product kunnen afnemen.",
    )
    productcategorie = models.CharField(
        "iWmo-productcategorie", max_length=2, validators=[validate_productcategorie]
    )
    productcode = models.CharField(
        "iWmo-productcode", max_length=5, blank=True, validators=[productcode_validator]
    )
    eenheid = models.CharField(
        "iWmo-eenheid", max_length=2, blank=True, choices=choices("WJ756_Eenheid")
    )
    jaarplafond = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Maximaal bedrag per cliënt per jaar (interventieniveaus).",
    )  # fmt: skip
    max_duur_maanden = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Maximale inzetduur (bijvoorbeeld begeleiding plus)."
    )
    begin = models.DateField()
    einde = models.DateField(null=True, blank=True)

    objects = CatalogusQuerySet.as_manager()

    class Meta:
        verbose_name = "product"
        verbose_name_plural = "producten"
        ordering = ["perceel__naam", "naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["perceel", "code"],
                name="product_code_uniek_per_perceel",
                violation_error_message="Dit perceel heeft al een product met deze code.",
            ),
            *period_constraints("product"),
        ]

    def __str__(self):
        return self.naam

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.perceel_id and self.perceel.bekostiging == Bekostiging.PXQ and not self.eenheid:
            raise ValidationError({"eenheid": "Een P×Q-product heeft een eenheid nodig."})


class Tarief(models.Model):
    """The price of one eenheid of a P×Q product over a period; periods never overlap."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tarieven")
    begin = models.DateField()
    einde = models.DateField(null=True, blank=True)
    bedrag = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )

    objects = TariefQuerySet.as_manager()

    class Meta:
        verbose_name = "tarief"
        verbose_name_plural = "tarieven"
        ordering = ["product", "begin"]
        constraints = [
            geen_overlap(
                "tarief_geen_overlap",
                ("product",),
                "Dit product heeft in die periode al een tarief.",
            ),
            *period_constraints("tarief"),
        ]

    def __str__(self):
        return f"{self.product}: € {self.bedrag} vanaf {self.begin:%d-%m-%Y}"


class Contract(models.Model):
    """A raamovereenkomst or deelovereenkomst of an aanbieder in a regio for one or more
    percelen and gemeenten, or a BDVO for one client. ``looptijd_einde`` is the end including
    the extensions used.

    A BDVO (beperkte dienstverleningsovereenkomst, DOMAIN.md "Buiten de regio") buys one place
    for one client from a provider outside the regio's contracts, with its own tariff and
    period, and counts only once a second person approved it (four eyes). It names the client
    by the pseudonymous key (``toegang.Client.id``) without a relation: inkoop sits below
    toegang (docs/ARCHITECTURE.md)."""

    class Soort(models.TextChoices):
        RAAMOVEREENKOMST = "raamovereenkomst", "Raamovereenkomst"
        DEELOVEREENKOMST = "deelovereenkomst", "Deelovereenkomst"
        BDVO = "bdvo", "Beperkte dienstverleningsovereenkomst (BDVO)"

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="contracten")
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="contracten")
    kenmerk = models.CharField(max_length=50)
    soort = models.CharField(max_length=20, choices=Soort.choices)
    hoofdcontract = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="deelovereenkomsten"
    )
    percelen = models.ManyToManyField(Perceel, related_name="contracten")
    gemeenten = models.ManyToManyField(Gemeente, related_name="contracten")
    bekostiging = models.CharField(max_length=12, choices=Bekostiging.choices)
    begin = models.DateField()
    einde = models.DateField(help_text="Einde van de eerste looptijd, zonder verlengingen.")
    looptijd_einde = models.DateField(editable=False)
    wachtlijstbeheer = models.BooleanField(
        "contractpartner houdt de wachtlijst bij",
        default=False,
        help_text=(
            "Alleen waar de regio de wachtlijst door de contractpartner laat bijhouden: diens "
            "medewerkers werken dan met de wachtlijst van de percelen van dit contract."
        ),
    )
    signaaldrempel = models.PositiveSmallIntegerField(
        "signaaldrempel bestedingsruimte (%)",
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    # BDVO only: the one client, its own tariff, who drafted and who approved it.
    bdvo_client = models.UUIDField(
        "cliënt (pseudonieme sleutel)", null=True, blank=True, db_index=True
    )
    bdvo_tarief = models.DecimalField(
        "tarief", max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )  # fmt: skip
    bdvo_eenheid = models.CharField(
        "eenheid van het tarief", max_length=2, blank=True, choices=choices("WJ756_Eenheid")
    )
    opgesteld_door = models.ForeignKey(
        "regio.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goedgekeurd_door = models.ForeignKey(
        "regio.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goedgekeurd_op = models.DateTimeField(null=True, blank=True)
    toerekeningsbasis = models.CharField(
        "basis taakgerichte toerekening",
        max_length=12,
        choices=Toerekeningsbasis.choices,
        default=Toerekeningsbasis.ZORGPERIODEN,
        help_text=(
            "Alleen bij taakgerichte bekostiging: over welke dagen het budget aan cliënten wordt "
            "toegerekend. Zorgperioden volgen de gemelde start en stop zorg (een aanbieder die "
            "geen start meldt, krijgt dan niets toegerekend); toewijzingsperioden tellen de "
            "hele toewijzing."
        ),
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contract"
        verbose_name_plural = "contracten"
        ordering = ["regio__naam", "aanbieder__naam", "begin"]
        constraints = [
            models.UniqueConstraint(
                fields=["regio", "kenmerk"],
                name="contract_kenmerk_uniek_per_regio",
                violation_error_message="Deze regio heeft al een contract met dit kenmerk.",
            ),
            models.CheckConstraint(
                condition=Q(einde__gte=models.F("begin")),
                name="contract_einde_na_begin",
                violation_error_message="De einddatum ligt vóór de begindatum.",
            ),
            models.CheckConstraint(
                condition=Q(looptijd_einde__gte=models.F("einde")),
                name="contract_looptijd_na_einde",
            ),
            models.CheckConstraint(
                condition=(
                    Q(soort="bdvo", bdvo_client__isnull=False, bdvo_tarief__isnull=False)
                    | (~Q(soort="bdvo") & Q(bdvo_client__isnull=True))
                ),
                name="contract_bdvo_voor_een_client",
                violation_error_message="Een BDVO geldt voor één cliënt en heeft een tarief.",
            ),
            models.CheckConstraint(
                condition=~Q(goedgekeurd_door=models.F("opgesteld_door")),
                name="contract_goedkeuring_vier_ogen",
                violation_error_message="Wie de BDVO opstelde, keurt haar niet zelf goed.",
            ),
        ]
        indexes = [models.Index(fields=["regio", "begin", "looptijd_einde"])]
        permissions = [("keur_bdvo_goed", "BDVO goedkeuren (vier ogen)")]

    def __str__(self):
        return f"{self.kenmerk} — {self.aanbieder}"

    @property
    def is_bdvo(self) -> bool:
        return self.soort == self.Soort.BDVO

    def bereken_looptijd_einde(self):
        """Einde plus the extensions that were used (in order)."""
        maanden = sum(
            optie.duur_maanden for optie in self.verlengingsopties.all() if optie.benut is True
        )
        return self.einde + relativedelta(months=maanden)

    def save(self, *args, **kwargs):
        if self.pk is None or not self.looptijd_einde:
            self.looptijd_einde = self.einde
        else:
            self.looptijd_einde = self.bereken_looptijd_einde()
        super().save(*args, **kwargs)


class Verlengingsoptie(models.Model):
    """One extension option of a contract (e.g. 2 × 2 years) and whether it was used. Options
    are decided in order; declining one closes the later ones (``vervallen``); a decision after
    ``besluit_uiterlijk`` records why (``toelichting``)."""

    objects = PerContractQuerySet.as_manager()

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="verlengingsopties"
    )
    volgnummer = models.PositiveSmallIntegerField()
    duur_maanden = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    besluit_uiterlijk = models.DateField(help_text="Uiterlijke datum van het verlengingsbesluit.")
    benut = models.BooleanField(null=True, blank=True, help_text="Leeg: nog niet besloten.")
    vervallen = models.BooleanField(
        default=False, help_text="Gesloten doordat een eerdere optie niet is benut."
    )
    besloten_op = models.DateField(null=True, blank=True)
    besloten_door = models.ForeignKey(
        "regio.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    toelichting = models.TextField(
        blank=True, help_text="Verplicht bij een besluit na de uiterlijke datum."
    )

    class Meta:
        verbose_name = "verlengingsoptie"
        verbose_name_plural = "verlengingsopties"
        ordering = ["contract", "volgnummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "volgnummer"], name="verlengingsoptie_volgnummer_uniek"
            ),
            models.CheckConstraint(
                condition=Q(vervallen=False) | Q(benut=False),
                name="verlengingsoptie_vervallen_is_niet_benut",
            ),
        ]

    def __str__(self):
        return f"Verlenging {self.volgnummer} ({self.duur_maanden} maanden)"


class Bestedingsruimte(models.Model):
    """The spending cap of a contract in one year (euros)."""

    objects = PerContractQuerySet.as_manager()

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="budgetten")
    jaar = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000)])
    bedrag = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )

    class Meta:
        verbose_name = "bestedingsruimte"
        verbose_name_plural = "bestedingsruimtes"
        ordering = ["contract", "jaar"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "jaar"],
                name="bestedingsruimte_een_per_jaar",
                violation_error_message="Dit contract heeft al een bestedingsruimte voor dit jaar.",
            )
        ]

    def __str__(self):
        return f"{self.contract.kenmerk} {self.jaar}: € {self.bedrag}"


def contract_document_path(instance, filename):
    return f"contracten/{instance.contract_id}/{filename}"


class ContractDocument(models.Model):
    """A signed document of a contract (PDF)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documenten")
    naam = models.CharField(max_length=200)
    bestand = models.FileField(upload_to=contract_document_path)
    geupload_op = models.DateTimeField(auto_now_add=True)
    geupload_door = models.ForeignKey(
        "regio.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PerContractQuerySet.as_manager()

    class Meta:
        verbose_name = "contractdocument"
        verbose_name_plural = "contractdocumenten"
        ordering = ["-geupload_op"]

    def __str__(self):
        return self.naam
