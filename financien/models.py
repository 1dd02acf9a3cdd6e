"""The money side of beschermd wonen: the verdeelmodel, the parameters of the verevening per
regio per year (cut-over date, alpha, centrumgemeentebudget, strategy), voorschotten and budgets,
the realised costs per client (kostenregels) with each person's first BW start, and the stored
verevening runs (DOMAIN.md "The verevening (risk equalisation) model")."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from financien.query import (
    KostenregelQuerySet,
    PerJaarparametersQuerySet,
    RegioJaarQuerySet,
    VerdeelmodelAandeelQuerySet,
    VerdeelmodelQuerySet,
    VereveningsregelQuerySet,
)
from regio.models import Gemeente, Regio


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


# --- issue 7: parameters per regio per year, costs, and the verevening runs ----------------------

GELD = {"max_digits": 14, "decimal_places": 2}


class Jaarparameters(models.Model):
    """Every parameter of a regio's verevening for one year (DOMAIN.md: never hard-coded):
    the cut-over date for "new" clients, the solidariteitsfactor alpha, the
    centrumgemeentebudget, and which settlement rule (strategy) the regio uses, with that
    rule's own extra parameters."""

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="jaarparameters")
    jaar = models.PositiveSmallIntegerField(validators=[MinValueValidator(2015)])
    peildatum_nieuw = models.DateField(
        "peildatum nieuwe cliënten",
        help_text="Wie op of na deze datum voor het eerst beschermd wonen kreeg, is nieuw.",
    )
    alpha = models.DecimalField(
        "solidariteitsfactor (alpha)",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=(
            "1 = het restant volledig naar het verdeelmodel; "
            "0 = naar de kosten van nieuwe cliënten."
        ),
    )
    centrumgemeentebudget = models.DecimalField(
        **GELD, validators=[MinValueValidator(Decimal("0"))]
    )
    strategie = models.CharField(max_length=50, default="solidariteit")
    strategie_parameters = models.JSONField(default=dict, blank=True)

    objects = RegioJaarQuerySet.as_manager()

    class Meta:
        verbose_name = "vereveningsparameters"
        verbose_name_plural = "vereveningsparameters"
        ordering = ["regio__naam", "-jaar"]
        constraints = [
            models.UniqueConstraint(
                fields=["regio", "jaar"],
                name="jaarparameters_een_per_regio_per_jaar",
                violation_error_message="Deze regio heeft al parameters voor dit jaar.",
            ),
            models.CheckConstraint(
                condition=models.Q(alpha__gte=0, alpha__lte=1), name="jaarparameters_alpha_0_1"
            ),
            models.CheckConstraint(
                condition=models.Q(centrumgemeentebudget__gte=0),
                name="jaarparameters_budget_niet_negatief",
            ),
        ]

    def __str__(self):
        return f"Parameters {self.regio.naam} {self.jaar}"


class Voorschot(models.Model):
    """What a gemeente paid in advance for the year (V_g)."""

    parameters = models.ForeignKey(
        Jaarparameters, on_delete=models.PROTECT, related_name="voorschotten"
    )
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    bedrag = models.DecimalField(**GELD, validators=[MinValueValidator(Decimal("0"))])

    objects = PerJaarparametersQuerySet.as_manager()

    class Meta:
        verbose_name = "voorschot"
        verbose_name_plural = "voorschotten"
        ordering = ["gemeente__naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameters", "gemeente"],
                name="voorschot_een_per_gemeente",
                violation_error_message="Deze gemeente heeft voor dit jaar al een voorschot.",
            ),
            models.CheckConstraint(
                condition=models.Q(bedrag__gte=0), name="voorschot_niet_negatief"
            ),
        ]

    def __str__(self):
        return f"Voorschot {self.gemeente}: {self.bedrag}"


class Budget(models.Model):
    """A gemeente's budget for one functie in a year (the dashboard compares it with what was
    realised)."""

    parameters = models.ForeignKey(
        Jaarparameters, on_delete=models.PROTECT, related_name="budgetten"
    )
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    functie = models.ForeignKey("inkoop.Product", on_delete=models.PROTECT, related_name="+")
    bedrag = models.DecimalField(**GELD, validators=[MinValueValidator(Decimal("0"))])

    objects = PerJaarparametersQuerySet.as_manager()

    class Meta:
        verbose_name = "budget"
        verbose_name_plural = "budgetten"
        ordering = ["gemeente__naam", "functie__naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameters", "gemeente", "functie"],
                name="budget_een_per_gemeente_functie",
                violation_error_message="Deze gemeente heeft al een budget voor deze functie.",
            ),
            models.CheckConstraint(condition=models.Q(bedrag__gte=0), name="budget_niet_negatief"),
        ]

    def __str__(self):
        return f"Budget {self.gemeente} {self.functie}: {self.bedrag}"


class Functiegewicht(models.Model):
    """Under taakgerichte bekostiging: the weight of a functie when a contract's budget is
    allocated to clients by client-days in care (DOMAIN.md). A functie without a weight
    counts with weight 1."""

    parameters = models.ForeignKey(
        Jaarparameters, on_delete=models.PROTECT, related_name="functiegewichten"
    )
    functie = models.ForeignKey("inkoop.Product", on_delete=models.PROTECT, related_name="+")
    gewicht = models.DecimalField(
        max_digits=7, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )

    objects = PerJaarparametersQuerySet.as_manager()

    class Meta:
        verbose_name = "functiegewicht"
        verbose_name_plural = "functiegewichten"
        ordering = ["functie__naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameters", "functie"],
                name="functiegewicht_een_per_functie",
                violation_error_message="Deze functie heeft dit jaar al een gewicht.",
            ),
            models.CheckConstraint(
                condition=models.Q(gewicht__gt=0), name="functiegewicht_positief"
            ),
        ]

    def __str__(self):
        return f"{self.functie}: {self.gewicht}"


class Kostenbron(models.TextChoices):
    DECLARATIE = "declaratie", "Declaratie (P×Q)"
    PGB = "pgb", "Pgb-betaling"
    TAAKGERICHT = "taakgericht", "Taakgerichte toerekening"
    HANDMATIG = "handmatig", "Handmatig / import"


class Kostenregel(models.Model):
    """A realised cost of beschermd wonen for one client over a period within one year, with
    the client's gemeente van herkomst. ``referentie`` is unique per regio and source, so an
    import or a job that runs twice adds nothing twice. Credit lines are negative."""

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="+")
    jaar = models.PositiveSmallIntegerField()
    client = models.ForeignKey("toegang.Client", on_delete=models.PROTECT, related_name="+")
    gemeente_herkomst = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    functie = models.ForeignKey(
        "inkoop.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bron = models.CharField(max_length=12, choices=Kostenbron.choices)
    referentie = models.CharField(max_length=100)
    periode_begin = models.DateField()
    periode_einde = models.DateField()
    bedrag = models.DecimalField(max_digits=12, decimal_places=2)
    vastgelegd_op = models.DateTimeField(auto_now_add=True)
    # The contract the cost is spent under: the toewijzing's contract of a declaratie, the
    # contract whose budget a taakgerichte toerekening allocates; none for pgb or handmatig
    # (pgb is not spent under a provider's contract). The contract's budget use sums these.
    contract = models.ForeignKey(
        "inkoop.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Bron taakgericht: the client-days it was allocated by (the contract's
    # toerekeningsbasis then: zorgperioden or toewijzingen); empty otherwise.
    toerekeningsbasis = models.CharField(max_length=12, blank=True)
    # The accepted line of a declaratie this cost comes from (bron declaratie).
    declaratieregel = models.OneToOneField(
        "toegang.Declaratieregel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kostenregel",
    )

    objects = KostenregelQuerySet.as_manager()

    class Meta:
        verbose_name = "kostenregel"
        verbose_name_plural = "kostenregels"
        ordering = ["periode_begin", "pk"]
        indexes = [
            # Covering: a regio's verevening aggregates its year's costs from the index alone
            # (an index-only scan), however the rows of all regions interleave in the table.
            models.Index(
                fields=["regio", "jaar", "gemeente_herkomst"],
                include=["client", "functie", "bedrag", "periode_begin"],
                name="kostenregel_regio_jaar_dekkend",
            ),
            models.Index(fields=["client"]),
            models.Index(
                fields=["contract", "jaar"],
                include=["bedrag"],
                condition=models.Q(contract__isnull=False),
                name="kostenregel_contract_jaar",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["regio", "bron", "referentie"],
                name="kostenregel_referentie_uniek",
                violation_error_message="Deze kostenregel is al vastgelegd (zelfde referentie).",
            ),
            models.CheckConstraint(
                condition=models.Q(periode_einde__gte=models.F("periode_begin")),
                name="kostenregel_einde_na_begin",
                violation_error_message="De periode eindigt vóór ze begint.",
            ),
            models.CheckConstraint(
                condition=models.Q(periode_begin__year=models.F("jaar"))
                & models.Q(periode_einde__year=models.F("jaar")),
                name="kostenregel_binnen_een_jaar",
                violation_error_message="Een kostenregel valt binnen één kalenderjaar.",
            ),
        ]

    def __str__(self):
        return f"{self.get_bron_display()} {self.periode_begin:%m-%Y}: {self.bedrag}"


class EersteBWStart(models.Model):
    """The first start of beschermd wonen of a person (across gemeenten and regio's): decides
    whether the client is "new" in a verevening. From the conversie of the existing caseload
    at the cut-over, or from the first BW care recorded by regiozorg since (the earliest
    wins)."""

    class Bron(models.TextChoices):
        CONVERSIE = "conversie", "Conversie bestaand cliëntenbestand"
        REGIOZORG = "regiozorg", "Eerste zorg in regiozorg"

    client = models.OneToOneField(
        "toegang.Client", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="+")
    gemeente_herkomst = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    datum = models.DateField()
    bron = models.CharField(max_length=10, choices=Bron.choices)

    objects = KostenregelQuerySet.as_manager()

    class Meta:
        verbose_name = "eerste start beschermd wonen"
        verbose_name_plural = "eerste starts beschermd wonen"

    def __str__(self):
        return f"Eerste start beschermd wonen {self.datum:%d-%m-%Y}"


class Vereveningsrun(models.Model):
    """One computed verevening of a regio for a year: a snapshot of every input, the lines per
    gemeente and who started it. Concept → vastgesteld (by someone else than who started it);
    a vastgestelde run never changes (database-enforced) and a new vastgestelde run for the
    same regio and year supersedes it (status vervangen)."""

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        VASTGESTELD = "vastgesteld", "Vastgesteld"
        VERVANGEN = "vervangen", "Vervangen"

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="vereveningsruns")
    jaar = models.PositiveSmallIntegerField()
    strategie = models.CharField(max_length=50)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONCEPT)
    invoer = models.JSONField(help_text="Momentopname van alle invoer (bedragen als tekst).")
    invoer_hash = models.CharField(max_length=64)
    totale_kosten = models.DecimalField(**GELD)
    centrumgemeente_deel = models.DecimalField(**GELD)
    restant = models.DecimalField(**GELD)
    opmerkingen = models.JSONField(default=list, blank=True)
    # How many clients' taakgericht BW costs of the year were allocated on which basis
    # ({"zorgperioden": n, "toewijzingen": m}), as the kostenregels stood when it was computed.
    toerekening = models.JSONField(default=dict, blank=True)
    # False for runs computed before clients without a first BW start were counted (issue 17):
    # their count is unknown, so they are computed again before they can be vastgesteld.
    zonder_start_geteld = models.BooleanField(default=True)
    job = models.OneToOneField(
        "regio.JobRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gestart_door = models.ForeignKey(
        "regio.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gestart_op = models.DateTimeField(auto_now_add=True)
    vastgesteld_door = models.ForeignKey(
        "regio.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vastgesteld_op = models.DateTimeField(null=True, blank=True)
    # Why it was vastgesteld before its year ended (required then, ``runs.vaststellen``).
    reden_voor_jaareinde = models.TextField(
        "reden vaststellen voor het einde van het jaar", blank=True, default=""
    )
    vervangen_door = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RegioJaarQuerySet.as_manager()

    class Meta:
        verbose_name = "vereveningsrun"
        verbose_name_plural = "vereveningsruns"
        ordering = ["regio__naam", "-jaar", "-gestart_op", "-pk"]
        permissions = [("stel_verevening_vast", "Kan een verevening vaststellen (vier ogen)")]
        constraints = [
            models.UniqueConstraint(
                fields=["regio", "jaar"],
                condition=models.Q(status="vastgesteld"),
                name="vereveningsrun_een_vastgestelde",
                violation_error_message="Er is al een vastgestelde verevening voor dit jaar.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="vastgesteld")
                | models.Q(vastgesteld_door__isnull=False, vastgesteld_op__isnull=False),
                name="vereveningsrun_vastgesteld_door",
            ),
            models.CheckConstraint(
                condition=models.Q(vastgesteld_door__isnull=True)
                | models.Q(gestart_door__isnull=True)
                | ~models.Q(vastgesteld_door=models.F("gestart_door")),
                name="vereveningsrun_vier_ogen",
                violation_error_message="Een ander dan wie de run startte stelt haar vast.",
            ),
        ]

    def __str__(self):
        return f"Verevening {self.regio.naam} {self.jaar} ({self.get_status_display()})"


class Vereveningsregel(models.Model):
    """One gemeente's line of a run, with DOMAIN.md's names: s_g, N_g, u_g, A_g, V_g, D_g."""

    run = models.ForeignKey(Vereveningsrun, on_delete=models.PROTECT, related_name="regels")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    aandeel_verdeelmodel = models.DecimalField("s_g", max_digits=16, decimal_places=12)
    kosten_nieuw = models.DecimalField("N_g", **GELD)
    aandeel_nieuw = models.DecimalField("u_g", max_digits=16, decimal_places=12)
    toegerekend = models.DecimalField("A_g", **GELD)
    voorschot = models.DecimalField("V_g", **GELD)
    verrekening = models.DecimalField("D_g", **GELD)
    # Clients of this gemeente with BW costs in the year but no EersteBWStart: the run counts
    # them as new by their first cost line (they are in N_g), and is not vastgesteld while any
    # remain; the conversie of first BW starts resolves them.
    zonder_start_aantal = models.PositiveIntegerField("cliënten zonder eerste start", default=0)
    zonder_start_kosten = models.DecimalField(
        "kosten van cliënten zonder eerste start", **GELD, default=Decimal("0.00")
    )

    objects = VereveningsregelQuerySet.as_manager()

    class Meta:
        verbose_name = "vereveningsregel"
        verbose_name_plural = "vereveningsregels"
        ordering = ["run", "gemeente__naam"]
        constraints = [
            models.UniqueConstraint(fields=["run", "gemeente"], name="vereveningsregel_uniek")
        ]

    def __str__(self):
        return f"{self.gemeente}: {self.verrekening}"
