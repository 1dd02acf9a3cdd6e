"""What rests on a granted product with an aanbieder: the toewijzing (WMO301), the care periods
the aanbieder reports (WMO305/307), its verzoeken (WMO315/317), its declaraties (WMO323) and the
iWmo messages sent out."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from regio.iwmo import choices
from regio.models import INGANG_EINDE, Gemeente, geen_overlap, period_constraints
from toegang.beschikkingen.models import BeschiktProduct
from toegang.dossiers.models import Client, Dossier
from toegang.query import (
    DeclaratieQuerySet,
    DeclaratieregelQuerySet,
    ToewijzingDeelQuerySet,
    ToewijzingQuerySet,
    VerzoekQuerySet,
)

# RedenBeeindiging (WMO588) of a temporary stop: "Levering is tijdelijk beeindigd".
TIJDELIJKE_STOP = "20"


class Toewijzingnummerreeks(models.Model):
    """The last ToewijzingNummer used per gemeente: numbers are taken under a row lock and never
    reused."""

    gemeente = models.OneToOneField(Gemeente, on_delete=models.PROTECT, primary_key=True)
    laatste = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "toewijzingnummerreeks"
        verbose_name_plural = "toewijzingnummerreeksen"

    def __str__(self):
        return f"{self.gemeente}: {self.laatste}"


class Toewijzing(models.Model):
    """The assignment of a beschikt product to an aanbieder (iWmo WMO301). Only a change of the
    einddatum keeps the number; any other change ends it and makes a new one (``vorige``)."""

    class Status(models.TextChoices):
        ACTIEF = "actief", "Actief"
        BEEINDIGD = "beeindigd", "Beëindigd"
        INGETROKKEN = "ingetrokken", "Ingetrokken (ten onrechte verstuurd)"

    beschikt_product = models.ForeignKey(
        BeschiktProduct, on_delete=models.PROTECT, related_name="toewijzingen"
    )
    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, related_name="toewijzingen"
    )
    contract = models.ForeignKey(
        "inkoop.Contract", on_delete=models.PROTECT, related_name="toewijzingen"
    )
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    nummer = models.PositiveBigIntegerField("ToewijzingNummer")
    ingangsdatum = models.DateField()
    einddatum = models.DateField(null=True, blank=True)
    volume = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    eenheid = models.CharField(max_length=2, blank=True, choices=choices("WJ756_Eenheid"))
    frequentie = models.CharField(max_length=1, blank=True, choices=choices("WMO757_Frequentie"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIEF)
    reden_wijziging = models.CharField(
        max_length=2, blank=True, choices=choices("WMO002_Reden_wijziging_toewijzing")
    )
    vorige = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="opvolgers"
    )
    contract_begrensd = models.BooleanField(
        "begrensd door het contracteinde",
        default=False,
        help_text=(
            "De einddatum is het einde van het contract, vóór het einde van het beschikte "
            "product; bij een verlenging van het contract loopt de toewijzing mee."
        ),
    )
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    gewijzigd_op = models.DateTimeField(auto_now=True, db_index=True)

    objects = ToewijzingQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "toewijzing"
        verbose_name_plural = "toewijzingen"
        ordering = ["-aangemaakt_op", "-pk"]
        indexes = [
            # A provider system polls its own toewijzingen changed since a moment, in the API's
            # cursor order: the scope (aanbieder) first, then that order.
            models.Index(
                fields=["aanbieder", "gewijzigd_op", "id"], name="toewijzing_aanbieder_gewijzigd"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente", "nummer"],
                name="toewijzingnummer_uniek_per_gemeente",
                violation_error_message="Dit ToewijzingNummer is in deze gemeente al gebruikt.",
            ),
            *period_constraints("toewijzing", **INGANG_EINDE),
        ]

    def __str__(self):
        return f"Toewijzing {self.nummer} ({self.aanbieder})"


class Zorgperiode(models.Model):
    """A period of delivered care on a toewijzing: started by the aanbieder (iWmo WMO305) and
    possibly stopped (WMO307, with a RedenBeeindiging). Several periods per toewijzing are legal,
    overlapping ones are not (database-enforced). iWmo corrects by deleting and delivering anew
    (StatusAanlevering 3): a deleted period keeps its row with ``verwijderd_op`` and no longer
    counts; nothing is changed in place except its stop.

    ``einddatum`` and ``reden_beeindiging`` are the last stop reported. A temporary stop
    (reden 20) may be followed by the definitive stop without a new start (OP377/OP378); the
    temporary stop's einddatum is then kept in ``einddatum_tijdelijke_stop``: the care was
    delivered up to that day only (``levering_tot``)."""

    toewijzing = models.ForeignKey(
        Toewijzing, on_delete=models.PROTECT, related_name="zorgperioden"
    )
    begindatum = models.DateField()
    einddatum = models.DateField(null=True, blank=True)
    reden_beeindiging = models.CharField(
        max_length=2, blank=True, choices=choices("WMO588_Reden_beeindiging")
    )
    gestart_op = models.DateTimeField(auto_now_add=True)
    gestopt_op = models.DateTimeField(null=True, blank=True)
    verwijderd_op = models.DateTimeField(null=True, blank=True)
    bron = models.CharField(max_length=4, choices=[("api", "REST API"), ("xml", "iWmo-bericht")])
    # A report accepted but worth a look: a stop after the einddatum the gemeente set when it
    # shortened the toewijzing (a withdrawal or change of the beschikking).
    signaal = models.CharField(max_length=300, blank=True)
    # The einddatum of a temporary stop (reden 20) that a definitive stop followed (TR414: not
    # after the definitive einddatum); empty otherwise.
    einddatum_tijdelijke_stop = models.DateField(null=True, blank=True)

    objects = ToewijzingDeelQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "zorgperiode"
        verbose_name_plural = "zorgperioden"
        ordering = ["toewijzing", "begindatum", "pk"]
        constraints = [
            *period_constraints(
                "zorgperiode", begin="begindatum", einde="einddatum",
                melding="De stopdatum ligt vóór de startdatum.",
            ),
            geen_overlap(
                "zorgperiode_geen_overlap", ("toewijzing",),
                "Deze periode overlapt een andere zorgperiode van deze toewijzing.",
                begin="begindatum", einde="einddatum",
                condition=models.Q(verwijderd_op__isnull=True),
            ),
            models.CheckConstraint(
                condition=models.Q(einddatum__isnull=True, reden_beeindiging="")
                | models.Q(einddatum__isnull=False) & ~models.Q(reden_beeindiging=""),
                name="zorgperiode_stop_met_reden",
                violation_error_message="Een stop heeft een reden beëindiging.",
            ),
            models.CheckConstraint(
                condition=models.Q(einddatum_tijdelijke_stop__isnull=True)
                | models.Q(einddatum__gte=models.F("einddatum_tijdelijke_stop"),
                           einddatum_tijdelijke_stop__gte=models.F("begindatum"))
                & ~models.Q(reden_beeindiging=TIJDELIJKE_STOP),
                name="zorgperiode_tijdelijke_stop_voor_definitieve",
                violation_error_message="Een definitieve stop na een tijdelijke stop ligt niet "
                "vóór die tijdelijke stop (TR414).",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"Zorg {self.begindatum:%d-%m-%Y}–{self.einddatum or '…'}"

    @property
    def levering_tot(self):
        """The last day care was delivered: the temporary stop's einddatum when the definitive
        stop followed it, else the einddatum (None while the care runs)."""
        return self.einddatum_tijdelijke_stop or self.einddatum


class Verzoek(models.Model):
    """A request by an aanbieder: a new toewijzing (iWmo WMO315, verzoek om toewijzing) or a
    change of one (WMO317, verzoek om wijziging), answered by the gemeente (WMO319): honoured,
    which makes the new toewijzing, or refused with a reason."""

    class Soort(models.TextChoices):
        TOEWIJZING = "toewijzing", "Verzoek om toewijzing (WMO315)"
        WIJZIGING = "wijziging", "Verzoek om wijziging (WMO317)"

    class Status(models.TextChoices):
        INGEDIEND = "ingediend", "Ingediend"
        GEHONOREERD = "gehonoreerd", "Gehonoreerd"
        AFGEWEZEN = "afgewezen", "Afgewezen"

    soort = models.CharField(max_length=10, choices=Soort.choices)
    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, related_name="verzoeken"
    )
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, null=True, blank=True, related_name="verzoeken",
        help_text="Leeg zolang een verzoek om toewijzing niet aan een dossier is gekoppeld: het "
        "maakt geen dossier (een recht volgt pas op melding, onderzoek en beschikking).",
    )  # fmt: skip
    # The client as the aanbieder sent it (WMO315 Client): kept while the verzoek waits, unlinked,
    # for a consulent, who links it by this BSN to a dossier after a melding.
    bsn = models.CharField("BSN zoals gestuurd", max_length=9, blank=True)
    naam = models.CharField("naam zoals gestuurd", max_length=250, blank=True)
    geboortedatum = models.DateField("geboortedatum zoals gestuurd", null=True, blank=True)
    zonder_dossier_ontvangen = models.BooleanField(
        default=False,
        help_text="Bij ontvangst had de gemeente geen dossier met dit BSN (telt voor het "
        "overzicht per aanbieder, ook na koppelen).",
    )
    gekoppeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gekoppeld_op = models.DateTimeField(null=True, blank=True)
    toewijzing = models.ForeignKey(
        Toewijzing, on_delete=models.PROTECT, null=True, blank=True, related_name="verzoeken",
        help_text="De toewijzing waarop een verzoek om wijziging betrekking heeft.",
    )  # fmt: skip
    referentie = models.CharField(
        max_length=36, help_text="ReferentieAanbieder: uniek per aanbieder."
    )
    reden = models.CharField(
        max_length=2, blank=True, choices=choices("WJ758_Reden_verzoek"),
        help_text="RedenVerzoek (bij een verzoek om wijziging).",
    )  # fmt: skip
    producten = models.JSONField(
        help_text="De gevraagde producten: categorie, code, volume, eenheid, frequentie, "
        "ingangsdatum, einddatum (zoals in het bericht)."
    )
    ontvangen_op = models.DateTimeField(auto_now_add=True)
    antwoord_uiterlijk = models.DateField(
        null=True, blank=True,
        help_text="Binnen 5 werkdagen na ontvangst een toewijzing of een antwoordbericht "
        "(OP274, OP346).",
    )  # fmt: skip
    bron = models.CharField(max_length=4, choices=[("api", "REST API"), ("xml", "iWmo-bericht")])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INGEDIEND)
    reden_afwijzing = models.CharField(
        max_length=2, blank=True, choices=choices("WJ759_Reden_afwijzing_verzoek")
    )
    toelichting_antwoord = models.TextField(blank=True)
    verantwoordelijke_gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Bij een afwijzing wegens woonplaatsbeginsel (WJ759 8): de gemeente die wel "
        "verantwoordelijk is (OP359).",
    )  # fmt: skip
    beantwoord_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    beantwoord_op = models.DateTimeField(null=True, blank=True)
    # A first answer "aanvraag in onderzoek" (WMO319 VerzoekAntwoord 2, at most once, TR360);
    # the verzoek stays open until honoured or refused.
    in_onderzoek_op = models.DateTimeField("in onderzoek sinds", null=True, blank=True)
    in_onderzoek_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    nieuwe_toewijzingen = models.ManyToManyField(Toewijzing, blank=True, related_name="+")

    objects = VerzoekQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "verzoek van een aanbieder"
        verbose_name_plural = "verzoeken van aanbieders"
        ordering = ["-ontvangen_op", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "referentie"],
                name="verzoek_referentie_uniek_per_aanbieder",
                violation_error_message="Deze aanbieder gebruikte deze referentie al.",
            ),
            models.CheckConstraint(
                condition=~models.Q(soort="wijziging") | models.Q(toewijzing__isnull=False),
                name="verzoek_wijziging_heeft_toewijzing",
            ),
            models.CheckConstraint(
                condition=models.Q(dossier__isnull=False)
                | (models.Q(soort="toewijzing") & ~models.Q(bsn="")),
                name="verzoek_zonder_dossier_met_bsn",
                violation_error_message="Een verzoek zonder dossier is een verzoek om toewijzing "
                "met een BSN.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="gehonoreerd") | models.Q(dossier__isnull=False),
                name="verzoek_gehonoreerd_met_dossier",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="afgewezen") | ~models.Q(reden_afwijzing=""),
                name="verzoek_afwijzing_met_reden",
                violation_error_message="Een afwijzing heeft een reden.",
            ),
        ]

    def __str__(self):
        return f"{self.get_soort_display()} {self.referentie}"


class Declaratie(models.Model):
    """A declaratie of an aanbieder (iWmo WMO323 semantics, P×Q only): its lines are checked one
    by one; accepted lines become kostenregels for the verevening."""

    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, related_name="declaraties"
    )
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    nummer = models.CharField("DeclaratieNummer", max_length=12)
    ontvangen_op = models.DateTimeField(auto_now_add=True)
    bron = models.CharField(max_length=4, choices=[("api", "REST API"), ("xml", "iWmo-bericht")])

    objects = DeclaratieQuerySet.as_manager()

    class Meta:
        verbose_name = "declaratie"
        verbose_name_plural = "declaraties"
        ordering = ["-ontvangen_op", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "nummer"],
                name="declaratie_nummer_uniek_per_aanbieder",
                violation_error_message="Deze aanbieder gebruikte dit declaratienummer al.",
            )
        ]

    def __str__(self):
        return f"Declaratie {self.nummer}"


class Declaratieregel(models.Model):
    """One prestatie of a declaratie: a toewijzing, one calendar month, volume and amount; debet
    or credit (a credit refers to the earlier debit line). Refused lines keep their WJ001
    retourcodes; an accepted line has code 0200 and is booked by financien
    (``Kostenregel.declaratieregel``, reverse ``kostenregel``)."""

    class Status(models.TextChoices):
        TOEGEKEND = "toegekend", "Toegekend"
        AFGEWEZEN = "afgewezen", "Afgewezen"

    declaratie = models.ForeignKey(Declaratie, on_delete=models.PROTECT, related_name="regels")
    aanbieder = models.ForeignKey("inkoop.Aanbieder", on_delete=models.PROTECT, related_name="+")
    referentie = models.CharField("ReferentieNummer", max_length=36)
    vorige_referentie = models.CharField(
        "VorigReferentieNummer", max_length=36, blank=True,
        help_text="Bij een creditregel: de debetregel die zij (deels) terugdraait.",
    )  # fmt: skip
    toewijzing = models.ForeignKey(
        Toewijzing, on_delete=models.PROTECT, null=True, blank=True, related_name="declaratieregels"
    )
    toewijzingnummer = models.PositiveBigIntegerField()
    productcategorie = models.CharField(max_length=2)
    productcode = models.CharField(max_length=5, blank=True)
    periode_begin = models.DateField()
    periode_einde = models.DateField()
    volume = models.DecimalField(max_digits=10, decimal_places=2)
    eenheid = models.CharField(max_length=2, choices=choices("WJ756_Eenheid"))
    tarief = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    bedrag = models.DecimalField(max_digits=12, decimal_places=2)
    debet_credit = models.CharField(max_length=1, choices=choices("COD043_Indicatie_debet_credit"))
    status = models.CharField(max_length=10, choices=Status.choices)
    retourcodes = ArrayField(models.CharField(max_length=4), default=list, blank=True)

    objects = DeclaratieregelQuerySet.as_manager()

    class Meta:
        verbose_name = "declaratieregel"
        verbose_name_plural = "declaratieregels"
        ordering = ["declaratie", "pk"]
        indexes = [models.Index(fields=["toewijzing", "periode_begin"])]
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "referentie"],
                name="declaratieregel_referentie_uniek_per_aanbieder",
                violation_error_message="Dit ReferentieNummer is al gedeclareerd.",
                condition=models.Q(status="toegekend"),
            ),
            models.CheckConstraint(
                condition=models.Q(status="afgewezen") | models.Q(retourcodes=["0200"]),
                name="declaratieregel_toegekend_0200",
            ),
        ]

    def __str__(self):
        return f"Declaratieregel {self.referentie}"


class UitgaandBericht(models.Model):
    """An iWmo message the gemeente sent (WMO301 toewijzing, WMO319 antwoord): its
    BerichtIdentificatie is unique per sender (the gemeente), and the file is kept."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    berichtcode = models.CharField(max_length=3, choices=choices("COD002_Berichtcode"))
    identificatie = models.CharField("BerichtIdentificatie", max_length=20)
    aanbieder = models.ForeignKey("inkoop.Aanbieder", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Leeg bij een WMO319 op een verzoek dat aan geen dossier is gekoppeld.",
    )  # fmt: skip
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    inhoud = models.TextField(help_text="Het XML-bericht zoals verzonden.")

    class Meta:
        verbose_name = "uitgaand iWmo-bericht"
        verbose_name_plural = "uitgaande iWmo-berichten"
        ordering = ["-aangemaakt_op", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente", "identificatie"],
                name="uitgaand_bericht_identificatie_uniek",
            )
        ]

    def __str__(self):
        return f"{self.get_berichtcode_display()} {self.identificatie}"


class IngediendBericht(models.Model):
    """A message an aanbieder submitted — an iWmo XML message (WMO305/307/315/317/323) or a POST
    of the API with the same meaning — and the retour the gemeente gave on it
    (``toegang.toewijzingen.retour``: WMO306/308/316/318 or the declaratie-antwoord WMO325).
    Kept so that the aanbieder can read the retour again later (``GET /api/v1/berichten/{id}/``).
    The retour holds no BSN."""

    class Status(models.TextChoices):
        GOEDGEKEURD = "goedgekeurd", "Volledig goedgekeurd en verwerkt"
        DEELS = "deels", "Deels verwerkt (per product of prestatie)"
        AFGEKEURD = "afgekeurd", "Afgekeurd, niets verwerkt"

    aanbieder = models.ForeignKey("inkoop.Aanbieder", on_delete=models.PROTECT, related_name="+")
    gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Leeg wanneer het bericht een onbekende gemeente noemde.",
    )  # fmt: skip
    berichttype = models.CharField(
        max_length=3,
        choices=[
            ("305", "WMO305 Start"),
            ("307", "WMO307 Stop"),
            ("315", "WMO315 Verzoek om toewijzing"),
            ("317", "WMO317 Verzoek om wijziging"),
            ("323", "WMO323 Declaratie"),
        ],
    )
    identificatie = models.CharField(
        "BerichtIdentificatie", max_length=20, blank=True,
        help_text="De identificatie die de aanbieder het bericht gaf (leeg bij de API).",
    )  # fmt: skip
    bron = models.CharField(max_length=4, choices=[("api", "REST API"), ("xml", "iWmo-bericht")])
    ingediend_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ontvangen_op = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    retour = models.JSONField(help_text="Het retourbericht als JSON (zie toewijzingen.retour).")

    objects = VerzoekQuerySet.as_manager()

    class Meta:
        verbose_name = "ingediend iWmo-bericht"
        verbose_name_plural = "ingediende iWmo-berichten"
        ordering = ["-ontvangen_op", "-pk"]

    def __str__(self):
        return f"{self.get_berichttype_display()} {self.identificatie or self.pk}"
