"""The beschikking (the formal decision), the products it grants and the bezwaar against it."""

from django.conf import settings
from django.db import models

from regio.iwmo import choices
from regio.models import INGANG_EINDE, Gemeente, geen_overlap, period_constraints
from toegang.dossiers.models import Client, Dossier
from toegang.meldingen.models import Aanvraag, Document
from toegang.query import (
    BeschiktProductQuerySet,
    GemeenteEigenQuerySet,
    PerDossierQuerySet,
)


class Beschikking(models.Model):
    """The formal decision (Awb besluit) on an aanvraag, per perceel. A vastgestelde beschikking
    is never edited: a change is a new version referring to the old one (``vorige``); the
    database refuses updates of its content."""

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        TER_ACCORDERING = "ter_accordering", "Ter accordering"
        VASTGESTELD = "vastgesteld", "Vastgesteld"
        BEKENDGEMAAKT = "bekendgemaakt", "Bekendgemaakt"
        GEWIJZIGD = "gewijzigd", "Gewijzigd (vervangen)"
        INGETROKKEN = "ingetrokken", "Ingetrokken"
        VERLOPEN = "verlopen", "Verlopen"

    class Besluit(models.TextChoices):
        TOEKENNING = "toekenning", "Toekenning"
        GEDEELTELIJK = "gedeeltelijk", "Gedeeltelijke toekenning"
        AFWIJZING = "afwijzing", "Afwijzing"
        INTREKKING = "intrekking", "Intrekking"

    class Grond(models.TextChoices):
        """Why a beschikking is changed or withdrawn: Wmo 2015 art. 2.3.10 (to the client's
        disadvantage), or at the client's own request or a new need."""

        ONJUISTE_GEGEVENS = "2310-1a", "Onjuiste of onvolledige gegevens (art. 2.3.10 lid 1 a)"
        NIET_AANGEWEZEN = "2310-1b", "Niet langer aangewezen (art. 2.3.10 lid 1 b)"
        VOORWAARDEN = "2310-1c", "Voorwaarden niet nagekomen (art. 2.3.10 lid 1 c)"
        ANDER_DOEL = "2310-1d", "Niet of voor een ander doel gebruikt (art. 2.3.10 lid 1 d)"
        VERZOEK = "verzoek", "Op verzoek van de cliënt"
        NIEUWE_SITUATIE = "nieuw", "Gewijzigde situatie, ten gunste van de cliënt"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="beschikkingen")
    aanvraag = models.ForeignKey(
        Aanvraag, on_delete=models.PROTECT, null=True, blank=True, related_name="beschikkingen"
    )
    perceel = models.ForeignKey("inkoop.Perceel", on_delete=models.PROTECT, related_name="+")
    vorige = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="volgende"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONCEPT)
    besluit = models.CharField(max_length=12, choices=Besluit.choices)
    motivering = models.TextField()
    ingangsdatum = models.DateField()
    einddatum = models.DateField(null=True, blank=True)
    opgesteld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    geaccordeerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vastgesteld_op = models.DateTimeField(null=True, blank=True)
    bekendgemaakt_op = models.DateField(null=True, blank=True)
    ingetrokken_op = models.DateField(null=True, blank=True)
    intrekkingsreden = models.TextField(blank=True)
    # A wijziging or intrekking (``vorige`` set) is a besluit of its own: its ground, whether it
    # is to the client's disadvantage (then the client is heard first, Awb 4:8), the date it may
    # take effect before bekendmaking (only with a recorded reason, Awb 3:40) and the
    # RedenWijziging (WMO002) its toewijzingen get.
    grond = models.CharField(max_length=8, choices=Grond.choices, blank=True)
    ten_nadele = models.BooleanField(default=False)
    gehoord_op = models.DateField(null=True, blank=True)
    hoorverslag = models.TextField(blank=True)
    niet_gehoord_reden = models.TextField(blank=True)
    terugwerkende_kracht = models.TextField(blank=True)
    reden_wijziging = models.CharField(
        max_length=2, blank=True, choices=choices("WMO002_Reden_wijziging_toewijzing")
    )
    in_werking_op = models.DateField(null=True, blank=True)
    # Four eyes: everyone who wrote or changed the concept, and who offered it for approval.
    bewerkers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    ingediend_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    brief = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="beschikking"
    )
    # The versions of the gemeente's letter texts the stored letter was made with (set once, at
    # bekendmaking; a later version never changes a letter already made).
    brieftekstversies = models.ManyToManyField(
        "Brieftekst", blank=True, related_name="beschikkingen"
    )
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = PerDossierQuerySet.as_manager()
    audit_reads = True

    VASTGELEGD = ("vastgesteld", "bekendgemaakt", "gewijzigd", "ingetrokken", "verlopen")

    class Meta:
        verbose_name = "beschikking"
        verbose_name_plural = "beschikkingen"
        ordering = ["-ingangsdatum", "-pk"]
        permissions = [("accordeer_beschikking", "Kan beschikkingen accorderen (vier ogen)")]
        indexes = [
            # The few beschikkingen still being written or waiting for accordering, among
            # millions decided: the werkvoorraad's "Ter accordering" tab counts them per visit.
            models.Index(
                fields=["status", "dossier"],
                condition=models.Q(status__in=["concept", "ter_accordering"]),
                name="beschikking_in_bewerking",
            ),
        ]
        constraints = [
            *period_constraints("beschikking", **INGANG_EINDE),
            models.CheckConstraint(
                condition=~models.Q(status__in=["vastgesteld", "bekendgemaakt"])
                | models.Q(vastgesteld_op__isnull=False),
                name="beschikking_vastgesteld_heeft_datum",
            ),
        ]

    def __str__(self):
        return f"Beschikking {self.pk} ({self.get_status_display()})"

    @property
    def is_intrekking(self) -> bool:
        return self.besluit == self.Besluit.INTREKKING

    @property
    def soort_label(self) -> str:
        if self.is_intrekking:
            return "Intrekkingsbesluit"
        return "Wijzigingsbesluit" if self.vorige_id else "Beschikking"


class BeschiktProduct(models.Model):
    """What a beschikking grants (or refuses): a functie, interventieniveau, arrangement or a
    P×Q product with omvang, for a period. ``client``, ``productcategorie`` and ``actief`` are
    copied from the beschikking and product so that PostgreSQL can refuse overlapping grants
    for one client and productcategorie by different beschikkingen (the service names the other
    beschikking first); within one beschikking several functies of a categorie may run together.
    """

    beschikking = models.ForeignKey(Beschikking, on_delete=models.CASCADE, related_name="producten")
    product = models.ForeignKey("inkoop.Product", on_delete=models.PROTECT, related_name="+")
    toegekend = models.BooleanField(default=True)
    ingangsdatum = models.DateField()
    einddatum = models.DateField(null=True, blank=True)
    volume = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    eenheid = models.CharField(max_length=2, blank=True, choices=choices("WJ756_Eenheid"))
    frequentie = models.CharField(max_length=1, blank=True, choices=choices("WMO757_Frequentie"))
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", editable=False)
    productcategorie = models.CharField(max_length=2, editable=False)
    actief = models.BooleanField(default=False, editable=False)

    objects = BeschiktProductQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "beschikt product"
        verbose_name_plural = "beschikte producten"
        ordering = ["ingangsdatum", "pk"]
        constraints = [
            *period_constraints("beschiktproduct", **INGANG_EINDE),
            geen_overlap(
                "beschiktproduct_geen_overlap",
                ("client", "productcategorie"),
                "Deze cliënt heeft in die periode al een beschikt product in deze "
                "productcategorie.",
                ongelijk=("beschikking",),
                begin="ingangsdatum",
                einde="einddatum",
                condition=models.Q(actief=True, toegekend=True),
            ),
        ]

    def __str__(self):
        return f"{self.product} ({'toegekend' if self.toegekend else 'afgewezen'})"


class Bezwaar(models.Model):
    """An objection against a bekendgemaakte beschikking (Awb 6:7: within 6 weeks after
    bekendmaking); the decision on it is due by ``beslistermijn_einde`` (Awb 7:10, computed by
    toegang.beschikkingen.bezwaar from the bekendmaking, the adviescommissie, the verzuimherstel
    suspensions, the verdaging and the uitstel with consent)."""

    class Uitkomst(models.TextChoices):
        GEGROND = "gegrond", "Gegrond"
        DEELS_GEGROND = "deels_gegrond", "Deels gegrond"
        ONGEGROND = "ongegrond", "Ongegrond"
        NIET_ONTVANKELIJK = "niet_ontvankelijk", "Niet-ontvankelijk"
        INGETROKKEN = "ingetrokken", "Ingetrokken"

    beschikking = models.ForeignKey(Beschikking, on_delete=models.PROTECT, related_name="bezwaren")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    ontvangen_op = models.DateField()
    tijdig = models.BooleanField(editable=False, default=True)
    beslistermijn_einde = models.DateField(editable=False, null=True)
    adviescommissie = models.BooleanField(
        default=False, help_text="Een adviescommissie (Awb 7:13) hoort het bezwaar: 12 weken."
    )
    behandelaar = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="Krijgt de notificaties over de beslistermijn.",
    )  # fmt: skip
    # Awb 7:10 lid 3: the one verdaging, at most six weeks.
    verdaagd_op = models.DateField(null=True, blank=True)
    verdaging_weken = models.PositiveSmallIntegerField(null=True, blank=True)
    verdaging_reden = models.TextField(blank=True)
    verdaagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )  # fmt: skip
    uitkomst = models.CharField(max_length=20, choices=Uitkomst.choices, blank=True)
    besloten_op = models.DateField(null=True, blank=True)
    toelichting = models.TextField(blank=True)

    objects = PerDossierQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "bezwaar"
        verbose_name_plural = "bezwaren"
        ordering = ["-ontvangen_op"]

    def __str__(self):
        return f"Bezwaar van {self.ontvangen_op:%d-%m-%Y}"


class Verzuimherstel(models.Model):
    """A request to the indiener to repair a defect in the bezwaarschrift (Awb 6:6); the decision
    term is suspended from the day after ``verzocht_op`` until it is repaired or the term set for
    it (``hersteltermijn_tot``) has passed unused (Awb 7:10 lid 2)."""

    bezwaar = models.ForeignKey(Bezwaar, on_delete=models.CASCADE, related_name="verzuimherstellen")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    verzocht_op = models.DateField()
    hersteltermijn_tot = models.DateField()
    hersteld_op = models.DateField(null=True, blank=True)
    verzuim = models.CharField(max_length=300)
    verzocht_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PerDossierQuerySet.as_manager()

    class Meta:
        verbose_name = "herstel van een verzuim"
        verbose_name_plural = "herstel van verzuimen"
        ordering = ["verzocht_op", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hersteltermijn_tot__gt=models.F("verzocht_op")),
                name="verzuimherstel_termijn_na_verzoek",
            ),
            models.CheckConstraint(
                condition=models.Q(hersteld_op__isnull=True)
                | models.Q(hersteld_op__gte=models.F("verzocht_op")),
                name="verzuimherstel_hersteld_na_verzoek",
            ),
        ]

    def __str__(self):
        return f"Herstel verzuim gevraagd op {self.verzocht_op:%d-%m-%Y}"

    @property
    def van(self):
        return self.verzocht_op

    @property
    def tot(self):
        """The day the suspension ends: the repair, or the repair term passing unused, whichever
        comes first (a repair after that term no longer suspends)."""
        if self.hersteld_op is None:
            return self.hersteltermijn_tot
        return min(self.hersteld_op, self.hersteltermijn_tot)


class Bezwaaruitstel(models.Model):
    """Further postponement of the decision on bezwaar to ``uitgesteld_tot``, with the indiener's
    consent given on ``instemming_op`` (Awb 7:10 lid 4)."""

    bezwaar = models.ForeignKey(Bezwaar, on_delete=models.CASCADE, related_name="uitstellen")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    instemming_op = models.DateField()
    uitgesteld_tot = models.DateField()
    toelichting = models.TextField(blank=True)
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PerDossierQuerySet.as_manager()

    class Meta:
        verbose_name = "uitstel met instemming"
        verbose_name_plural = "uitstel met instemming"
        ordering = ["uitgesteld_tot", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uitgesteld_tot__gt=models.F("instemming_op")),
                name="bezwaaruitstel_na_instemming",
            )
        ]

    def __str__(self):
        return f"Uitgesteld tot {self.uitgesteld_tot:%d-%m-%Y}"


class Brieftekst(models.Model):
    """One version of one block of a gemeente's letter texts (``toegang.beschikkingen.brieftekst``
    holds the blocks, their placeholders and the standard wording). Editing makes a new
    version; a version is never changed, and a letter keeps the versions it was made with."""

    class Soort(models.TextChoices):
        TOEKENNING = "toekenning", "Toekenning"
        GEDEELTELIJK = "gedeeltelijk", "Gedeeltelijke toekenning"
        AFWIJZING = "afwijzing", "Afwijzing"
        WIJZIGING = "wijziging", "Wijzigingsbesluit"
        INTREKKING = "intrekking", "Intrekkingsbesluit"
        ALGEMEEN = "algemeen", "Alle brieven"

    class Blok(models.TextChoices):
        INLEIDING = "inleiding", "Inleiding"
        BESLUIT = "besluit", "Ons besluit"
        SLOT = "slot", "Slot (vragen)"
        ONDERTEKENING = "ondertekening", "Ondertekening (mandaat)"
        RECHTSMIDDELEN = "rechtsmiddelen", "Bezwaar en voorlopige voorziening"

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    soort = models.CharField(max_length=12, choices=Soort.choices)
    blok = models.CharField(max_length=16, choices=Blok.choices)
    versie = models.PositiveIntegerField()
    tekst = models.TextField()
    gemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text="Leeg: de standaardtekst.",
    )  # fmt: skip
    gemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = GemeenteEigenQuerySet.as_manager()

    class Meta:
        verbose_name = "brieftekst"
        verbose_name_plural = "briefteksten"
        ordering = ["gemeente", "soort", "blok", "-versie"]
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente", "soort", "blok", "versie"], name="brieftekst_versie_uniek"
            )
        ]

    def __str__(self):
        blok = self.get_blok_display().lower()
        return f"{self.get_soort_display()}, {blok} (versie {self.versie})"
