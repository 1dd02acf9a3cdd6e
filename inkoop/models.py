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
    CapaciteitQuerySet,
    CatalogusQuerySet,
    ContractQuerySet,
    PerAanbiederQuerySet,
    PerceelQuerySet,
    PerContractQuerySet,
    RapportageDeelQuerySet,
    RegioScopedQuerySet,
    TariefQuerySet,
    VrijePlaatsenQuerySet,
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
    percelen and gemeenten. ``looptijd_einde`` is the end including the extensions used."""

    class Soort(models.TextChoices):
        RAAMOVEREENKOMST = "raamovereenkomst", "Raamovereenkomst"
        DEELOVEREENKOMST = "deelovereenkomst", "Deelovereenkomst"

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
        ]
        indexes = [models.Index(fields=["regio", "begin", "looptijd_einde"])]

    def __str__(self):
        return f"{self.kenmerk} — {self.aanbieder}"

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
    """One extension option of a contract (e.g. 2 × 2 years) and whether it was used."""

    objects = PerContractQuerySet.as_manager()

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="verlengingsopties"
    )
    volgnummer = models.PositiveSmallIntegerField()
    duur_maanden = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    besluit_uiterlijk = models.DateField(help_text="Uiterlijke datum van het verlengingsbesluit.")
    benut = models.BooleanField(null=True, blank=True, help_text="Leeg: nog niet besloten.")

    class Meta:
        verbose_name = "verlengingsoptie"
        verbose_name_plural = "verlengingsopties"
        ordering = ["contract", "volgnummer"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "volgnummer"], name="verlengingsoptie_volgnummer_uniek"
            )
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
    actief = models.BooleanField(default=True)

    objects = PerAanbiederQuerySet.as_manager()

    class Meta:
        verbose_name = "locatie"
        verbose_name_plural = "locaties"
        ordering = ["aanbieder__naam", "naam"]

    def __str__(self):
        return f"{self.naam} ({self.aanbieder})"


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
