"""Clients and their dossiers.

Personal data lives in few places: ``Client`` is a pseudonymous key with no personal data, to
which all history (events, letters' metadata, reports, verevening snapshots) refers; ``Persoon``
holds the BSN (stored once, recognised across gemeenten by a keyed hash) and the personal
details, and is what an erasure removes. A ``Dossier`` is the client's case at one
verantwoordelijke gemeente.
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from inkoop.validators import postcode_validator
from regio.iwmo import choices
from regio.models import INGANG_EINDE, Gemeente, Regio, geen_overlap, period_constraints
from regio.validators import validate_bsn
from toegang.query import (
    BeschiktProductQuerySet,
    DeclaratieQuerySet,
    DeclaratieregelQuerySet,
    DossierQuerySet,
    GemeenteEigenQuerySet,
    MeldingQuerySet,
    PerAanmeldingQuerySet,
    PerDossierQuerySet,
    PerPlaatsingQuerySet,
    PersoonQuerySet,
    PersoonsgegevenQuerySet,
    PerTrajectplanQuerySet,
    ToewijzingDeelQuerySet,
    ToewijzingQuerySet,
    VerzoekQuerySet,
    WachtlijstQuerySet,
)


def bsn_hash(bsn: str) -> str:
    """Keyed hash (HMAC-SHA256) that recognises a person by BSN without comparing BSNs."""
    key = settings.BSN_HASH_KEY.encode()
    return hmac.new(key, bsn.encode(), hashlib.sha256).hexdigest()


class Client(models.Model):
    """The pseudonymous key of a person receiving support; history refers to this, never to BSN."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "cliënt (pseudoniem)"
        verbose_name_plural = "cliënten (pseudoniem)"

    def __str__(self):
        return f"Cliënt {str(self.id)[:8]}"


class PersoonManager(models.Manager):
    def find_by_bsn(self, bsn: str):
        return self.filter(bsn_hash=bsn_hash(bsn)).select_related("client").first()


class Persoon(models.Model):
    """The personal data of a client: BSN and name. Erasure deletes this row, not the Client."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, primary_key=True, related_name="persoon"
    )
    bsn = models.CharField("BSN", max_length=9, validators=[validate_bsn])
    bsn_hash = models.CharField(max_length=64, unique=True, editable=False)
    voornamen = models.CharField(max_length=200, blank=True)
    voorletters = models.CharField(max_length=20, blank=True)
    voorvoegsel = models.CharField(max_length=10, blank=True)
    geslachtsnaam = models.CharField(max_length=200)
    naamgebruik = models.CharField(max_length=1, default="1", choices=choices("COD700_Naamgebruik"))
    geboortedatum = models.DateField(null=True, blank=True)
    datumgebruik = models.CharField(
        max_length=1, blank=True, choices=choices("COD170_Datumgebruik"),
        help_text="Leeg: de geboortedatum is volledig bekend.",
    )  # fmt: skip
    geslacht = models.CharField(max_length=1, default="0", choices=choices("COD046_Geslacht"))
    communicatievorm = models.CharField(
        max_length=1, blank=True, choices=choices("COD747_Communicatievorm")
    )
    gemeente_woonplaats = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Waar de cliënt nu woont (kan verschillen van de verantwoordelijke gemeente).",
    )  # fmt: skip
    telefoon = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)

    objects = PersoonManager.from_queryset(PersoonQuerySet)()
    audit_reads = True

    class Meta:
        verbose_name = "persoon"
        verbose_name_plural = "personen"
        indexes = [
            # Searching by (part of) a name: icontains is UPPER(...) LIKE '%...%' (pg_trgm).
            GinIndex(
                OpClass(Upper("geslachtsnaam"), name="gin_trgm_ops"),
                name="persoon_geslachtsnaam_trgm",
            ),
            GinIndex(
                OpClass(Upper("voornamen"), name="gin_trgm_ops"), name="persoon_voornamen_trgm"
            ),
        ]

    def save(self, *args, **kwargs):
        self.bsn_hash = bsn_hash(self.bsn)
        super().save(*args, **kwargs)

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornamen, self.voorvoegsel, self.geslachtsnaam) if p)

    def __str__(self):
        return self.naam


class Dossier(models.Model):
    """A client's case at its verantwoordelijke gemeente, the gemeente that scopes who sees it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        GESLOTEN = "gesloten", "Gesloten"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="dossiers")
    verantwoordelijke_gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, related_name="dossiers"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    geopend_op = models.DateField()
    gemeente_herkomst = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Woonplaats vóór beschermd wonen; leeg: onbekend (mag buiten de regio).",
    )  # fmt: skip
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    vernietigd_op = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="De persoonsgegevens van dit dossier zijn vernietigd (bewaartermijn of AVG).",
    )  # fmt: skip

    objects = DossierQuerySet.as_manager()
    audit_reads = True  # every read is written to the audit log

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-geopend_op", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "verantwoordelijke_gemeente"],
                name="dossier_een_per_gemeente",
                violation_error_message="Deze cliënt heeft al een dossier bij deze gemeente.",
            )
        ]
        indexes = [models.Index(fields=["verantwoordelijke_gemeente", "-geopend_op"])]

    def __str__(self):
        return f"Dossier {self.pk} ({self.verantwoordelijke_gemeente.naam})"


class DossierUserObjectPermission(UserObjectPermissionBase):
    """A single dossier granted to a user (django-guardian, direct foreign key)."""

    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)


class DossierGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Dossier, on_delete=models.CASCADE)


# --- the person's iWmo details ---------------------------------------------------------------


class Adres(models.Model):
    """An address of a person by iWmo soort (COD757): BRP, correspondentie, verblijf."""

    persoon = models.ForeignKey(Persoon, on_delete=models.CASCADE, related_name="adressen")
    soort = models.CharField(max_length=2, choices=choices("COD757_Soort_adres"))
    straat = models.CharField(max_length=200)
    huisnummer = models.CharField(max_length=10)
    huisletter = models.CharField(max_length=2, blank=True)
    toevoeging = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=7, validators=[postcode_validator])
    plaats = models.CharField(max_length=100)
    land = models.CharField(max_length=2, default="NL", choices=choices("COD032_Land"))

    objects = PersoonsgegevenQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "adres"
        verbose_name_plural = "adressen"
        ordering = ["soort"]

    def __str__(self):
        return f"{self.straat} {self.huisnummer}{self.huisletter}, {self.postcode} {self.plaats}"


class Relatie(models.Model):
    """A relation of the client (iWmo COD472): wettelijk vertegenwoordiger, contactpersoon...
    Letters go to the relatie marked ``ontvangt_post`` where there is one."""

    persoon = models.ForeignKey(Persoon, on_delete=models.CASCADE, related_name="relaties")
    soort = models.CharField(max_length=2, choices=choices("COD472_Soort_relatie"))
    vertegenwoordiging = models.CharField(
        "wettelijke vertegenwoordiging", max_length=2, blank=True,
        choices=choices("WJ003_Wettelijke_vertegenwoordiging"),
    )  # fmt: skip
    voornamen = models.CharField(max_length=200, blank=True)
    voorvoegsel = models.CharField(max_length=10, blank=True)
    geslachtsnaam = models.CharField(max_length=200)
    organisatie = models.CharField(max_length=200, blank=True)
    straat = models.CharField(max_length=200, blank=True)
    huisnummer = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=7, blank=True, validators=[postcode_validator])
    plaats = models.CharField(max_length=100, blank=True)
    telefoon = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    ontvangt_post = models.BooleanField(
        default=False, help_text="Brieven (zoals de beschikking) gaan naar deze relatie."
    )

    objects = PersoonsgegevenQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "relatie"
        verbose_name_plural = "relaties"
        ordering = ["soort", "geslachtsnaam"]
        constraints = [
            models.UniqueConstraint(
                fields=["persoon"],
                condition=models.Q(ontvangt_post=True),
                name="relatie_een_postontvanger",
                violation_error_message="Er is al een relatie die de post ontvangt.",
            )
        ]

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornamen, self.voorvoegsel, self.geslachtsnaam) if p)

    def __str__(self):
        return f"{self.naam} ({self.get_soort_display()})"


# --- melding → onderzoek → aanvraag ------------------------------------------------------------


class Melding(models.Model):
    """A request for support (hulpvraag) registered on a dossier; the onderzoek must end within
    6 weeks of it (Wmo 2015 art. 2.3.2). Deadlines are computed (toegang.termijnen), and the
    next one is stored for the werkvoorraad."""

    class Status(models.TextChoices):
        ONDERZOEK = "onderzoek", "Onderzoek"
        AANVRAAG = "aanvraag", "Aanvraag"
        BESLOTEN = "besloten", "Besloten"
        INGETROKKEN = "ingetrokken", "Ingetrokken"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="meldingen")
    # A copy of the dossier's verantwoordelijke gemeente, kept by database triggers (migration
    # toegang 0017), so the werkvoorraad's scoped query is one index range per gemeente.
    gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", db_index=False,
    )  # fmt: skip
    ontvangen_op = models.DateField()
    hulpvraag = models.TextField()
    consulent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ONDERZOEK)
    urgent = models.BooleanField(
        default=False, help_text="Spoed: tijdelijke voorziening (art. 2.3.3)."
    )
    tijdelijke_voorziening = models.TextField(blank=True)
    # Onderzoek (art. 2.3.2): gespreksverslag and the verslag sent to the client.
    gesprek_op = models.DateField(null=True, blank=True)
    gespreksverslag = models.TextField(blank=True)
    verslag_verstuurd_op = models.DateField(null=True, blank=True)
    persoonlijk_plan_ontvangen_op = models.DateField(null=True, blank=True)
    onderzoek_afgerond_op = models.DateField(null=True, blank=True)
    # The deadline the werkvoorraad sorts on (kept by toegang.termijnen on every change).
    volgende_termijn = models.DateField(null=True, blank=True, db_index=True)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    objects = MeldingQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "melding"
        verbose_name_plural = "meldingen"
        ordering = ["volgende_termijn", "pk"]
        indexes = [
            # The werkvoorraad: a gemeente's open meldingen by their next deadline.
            models.Index(
                fields=["gemeente", "volgende_termijn"],
                condition=models.Q(status__in=["onderzoek", "aanvraag"]),
                name="melding_open_per_gemeente",
            )
        ]

    def __str__(self):
        return f"Melding {self.pk} van {self.ontvangen_op:%d-%m-%Y}"


class Aanvraag(models.Model):
    """The formal application after the onderzoek; the decision follows within 2 weeks (art.
    2.3.5), suspended while information is asked (Awb 4:15), extended once (Awb 4:14)."""

    melding = models.OneToOneField(Melding, on_delete=models.PROTECT, related_name="aanvraag")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="aanvragen")
    ontvangen_op = models.DateField()
    omschrijving = models.TextField(blank=True)
    functies = models.ManyToManyField(
        "inkoop.Product", blank=True, related_name="+", verbose_name="aangevraagde functies"
    )
    verdaagd_op = models.DateField(null=True, blank=True, help_text="Verdagingsbericht verstuurd.")
    verdaging_weken = models.PositiveSmallIntegerField(null=True, blank=True)
    verdaging_reden = models.TextField(blank=True)

    objects = PerDossierQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "aanvraag"
        verbose_name_plural = "aanvragen"

    def __str__(self):
        return f"Aanvraag van {self.ontvangen_op:%d-%m-%Y}"


class Opschorting(models.Model):
    """The decision term is suspended from ``van`` until the information arrives (Awb 4:15)."""

    aanvraag = models.ForeignKey(Aanvraag, on_delete=models.CASCADE, related_name="opschortingen")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    van = models.DateField()
    tot = models.DateField(null=True, blank=True, help_text="Leeg: informatie nog niet ontvangen.")
    reden = models.CharField(max_length=300)

    objects = PerDossierQuerySet.as_manager()

    class Meta:
        verbose_name = "opschorting"
        verbose_name_plural = "opschortingen"
        ordering = ["van"]
        constraints = [
            *period_constraints("opschorting", begin="van", einde="tot", suffix="tot_na_van")
        ]

    def __str__(self):
        return f"Opgeschort vanaf {self.van:%d-%m-%Y}"


def dossier_document_path(instance, filename):
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}-{filename}"


class Document(models.Model):
    """A document on a dossier: an upload, or a letter the application produced."""

    class Soort(models.TextChoices):
        UPLOAD = "upload", "Upload"
        VERSLAG = "verslag", "Verslag van het onderzoek"
        PERSOONLIJK_PLAN = "persoonlijk_plan", "Persoonlijk plan"
        BESCHIKKING = "beschikking", "Beschikking"
        BRIEF = "brief", "Brief"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documenten")
    soort = models.CharField(max_length=20, choices=Soort.choices, default=Soort.UPLOAD)
    naam = models.CharField(max_length=200)
    bestand = models.FileField(upload_to=dossier_document_path)
    sha256 = models.CharField(max_length=64, blank=True)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    aangemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PerDossierQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documenten"
        ordering = ["-aangemaakt_op"]

    def __str__(self):
        return self.naam


# --- beschikking -----------------------------------------------------------------------------


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
    brief = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="beschikking"
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
    """An objection against a beschikking (Awb 6:7: within 6 weeks after bekendmaking)."""

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


# --- toewijzing ------------------------------------------------------------------------------


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


# --- the regional waiting list (Centrale Toegang) ----------------------------------------------


class Uitstroomreden(models.TextChoices):
    GEPLAATST = "geplaatst", "Geplaatst"
    INGETROKKEN = "ingetrokken", "Ingetrokken"
    WLZ = "wlz", "Naar de Wlz"
    VERHUISD = "verhuisd", "Verhuisd"
    OVERLEDEN = "overleden", "Overleden"
    ANDERS = "anders", "Anders"


class BuitenregionaalStatus(models.TextChoices):
    AANGEVRAAGD = "aangevraagd", "Goedkeuring gevraagd"
    GOEDGEKEURD = "goedgekeurd", "Goedgekeurd"
    AFGEWEZEN = "afgewezen", "Afgewezen"


class Aanmelding(models.Model):
    """A client registered with the regio's Centrale Toegang for beschermd wonen, beschermd
    thuis or time-out: assessed, then waiting on the list until placed or gone."""

    class Route(models.TextChoices):
        LOKAAL_TEAM = "lokaal_team", "Lokaal team"
        CRISIS = "crisis", "Crisisroute (bemoeizorg)"
        DIRECT = "direct", "Directe plaatsing (buiten de wachtlijst om)"

    class Urgentie(models.TextChoices):
        REGULIER = "regulier", "Regulier"
        URGENT = "urgent", "Urgent"
        CRISIS = "crisis", "Crisis"

    class Status(models.TextChoices):
        AANGEMELD = "aangemeld", "Aangemeld (beoordeling)"
        WACHTEND = "wachtend", "Wachtend"
        GERESERVEERD = "gereserveerd", "Plaats gereserveerd"
        GEPLAATST = "geplaatst", "Geplaatst"
        UITGESTROOMD = "uitgestroomd", "Van de lijst af"

    class Gender(models.TextChoices):
        GEEN = "", "Geen voorkeur"
        MANNEN = "mannen", "Alleen mannen"
        VROUWEN = "vrouwen", "Alleen vrouwen"

    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="aanmeldingen")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="aanmeldingen")
    # A copy of the dossier's verantwoordelijke gemeente, kept by database triggers (migration
    # toegang 0017): the lokaal team's part of the scope without a join to every dossier.
    dossier_gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+",
    )  # fmt: skip
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", editable=False)
    route = models.CharField(max_length=12, choices=Route.choices, default=Route.LOKAAL_TEAM)
    aangemeld_op = models.DateField()
    aangemeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    aanvraag = models.ForeignKey(
        Aanvraag, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    beschikking = models.ForeignKey(
        Beschikking, on_delete=models.PROTECT, null=True, blank=True, related_name="aanmeldingen"
    )
    # Beoordeling by the CT.
    functie = models.ForeignKey(
        "inkoop.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Beschermd wonen, beschermd thuis of stabilisatie en observatie / time-out.",
    )  # fmt: skip
    arrangement = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(1, "Arrangement 1"), (2, "Arrangement 2"), (3, "Arrangement 3")],
    )
    urgentie = models.CharField(max_length=10, choices=Urgentie.choices, default=Urgentie.REGULIER)
    urgentie_reden = models.TextField(blank=True)
    gemeente_herkomst = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voorkeur_gemeente = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voorkeur_aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voorkeur_locatie = models.ForeignKey(
        "inkoop.Locatie", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    huisdieren = models.BooleanField("met huisdier", default=False)
    rolstoeltoegankelijk = models.BooleanField("rolstoeltoegankelijk nodig", default=False)
    uitsluitingen = models.ManyToManyField(
        "inkoop.Locatie", blank=True, related_name="+", verbose_name="uitgesloten locaties"
    )
    bijzonderheden = models.TextField(blank=True)
    overbruggingszorg = models.TextField(blank=True, help_text="Ondersteuning tijdens het wachten.")
    # On the list.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AANGEMELD)
    wachtend_sinds = models.DateField(null=True, blank=True, db_index=True)
    uitstroom_op = models.DateField(null=True, blank=True)
    uitstroomreden = models.CharField(max_length=12, choices=Uitstroomreden.choices, blank=True)
    # Buitenregionale plaatsing (seed 000 §9): only with a recorded reason and the approval of
    # another CT member than the one who asked (database-enforced).
    buitenregionaal = models.BooleanField(default=False)
    buitenregionaal_reden = models.TextField(blank=True)
    buitenregionaal_status = models.CharField(
        max_length=12, choices=BuitenregionaalStatus.choices, blank=True
    )
    buitenregionaal_aangevraagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buitenregionaal_beoordeeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buitenregionaal_beoordeeld_op = models.DateTimeField(null=True, blank=True)
    buitenregionaal_toelichting = models.TextField(
        blank=True, help_text="Toelichting bij goedkeuring of afwijzing."
    )

    objects = WachtlijstQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "aanmelding Centrale Toegang"
        verbose_name_plural = "aanmeldingen Centrale Toegang"
        ordering = ["wachtend_sinds", "pk"]
        indexes = [models.Index(fields=["regio", "status", "wachtend_sinds"])]
        permissions = [
            (
                "keur_buitenregionaal_goed",
                "Kan een buitenregionale plaatsing goedkeuren (vier ogen)",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(buitenregionaal_status="") | ~models.Q(buitenregionaal_reden=""),
                name="aanmelding_buitenregionaal_met_reden",
                violation_error_message="Een buitenregionale plaatsing vraagt een reden.",
            ),
            models.CheckConstraint(
                condition=models.Q(buitenregionaal_beoordeeld_door__isnull=True)
                | ~models.Q(
                    buitenregionaal_beoordeeld_door=models.F("buitenregionaal_aangevraagd_door")
                ),
                name="aanmelding_buitenregionaal_vier_ogen",
                violation_error_message=(
                    "Een ander dan de aanvrager keurt de buitenregionale plaatsing goed."
                ),
            ),
        ]

    def __str__(self):
        return f"Aanmelding {self.pk} ({self.get_status_display()})"


class Wachtlijstgebeurtenis(models.Model):
    """Append-only history of the list: every instroom and uitstroom (with reason), per functie
    and gemeente van herkomst. The waiting-list report reads only this table, so a past month
    always gives the same numbers. A functie change while waiting is an uitstroom 'anders' for
    the old functie and an instroom for the new one."""

    class Soort(models.TextChoices):
        INSTROOM = "instroom", "Instroom"
        UITSTROOM = "uitstroom", "Uitstroom"

    aanmelding = models.ForeignKey(
        Aanmelding, on_delete=models.PROTECT, related_name="gebeurtenissen"
    )
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    functie = models.ForeignKey("inkoop.Product", on_delete=models.PROTECT, related_name="+")
    gemeente_herkomst = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    soort = models.CharField(max_length=10, choices=Soort.choices)
    reden = models.CharField(max_length=12, choices=Uitstroomreden.choices, blank=True)
    datum = models.DateField()
    wachtend_sinds = models.DateField(help_text="Begin van het wachten (voor de wachttijd).")
    vastgelegd_op = models.DateTimeField(auto_now_add=True)

    objects = PerAanmeldingQuerySet.as_manager()

    class Meta:
        verbose_name = "wachtlijstgebeurtenis"
        verbose_name_plural = "wachtlijstgebeurtenissen"
        ordering = ["datum", "pk"]
        indexes = [models.Index(fields=["regio", "datum"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(soort="instroom", reden="")
                | models.Q(soort="uitstroom") & ~models.Q(reden=""),
                name="wachtlijstgebeurtenis_reden_bij_uitstroom",
            )
        ]

    def __str__(self):
        return f"{self.get_soort_display()} {self.datum:%d-%m-%Y}"


class Plaatsing(models.Model):
    """A place at a location for a waiting client: reserved, confirmed by the aanbieder, placed
    (which creates the toewijzing), or lapsed. Places never exceed the location's capacity:
    the service locks the location row while counting."""

    class Status(models.TextChoices):
        GERESERVEERD = "gereserveerd", "Gereserveerd"
        BEVESTIGD = "bevestigd", "Bevestigd door de aanbieder"
        GEPLAATST = "geplaatst", "Geplaatst"
        VERVALLEN = "vervallen", "Vervallen"
        BEEINDIGD = "beeindigd", "Beëindigd (uitstroom of doorstroom)"

    aanmelding = models.ForeignKey(Aanmelding, on_delete=models.PROTECT, related_name="plaatsingen")
    locatie = models.ForeignKey(
        "inkoop.Locatie", on_delete=models.PROTECT, related_name="plaatsingen"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.GERESERVEERD)
    gereserveerd_op = models.DateTimeField(auto_now_add=True)
    geplaatst_op = models.DateField(null=True, blank=True)
    beeindigd_op = models.DateField(null=True, blank=True)
    toewijzing = models.ForeignKey(
        Toewijzing, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PerAanmeldingQuerySet.as_manager()
    audit_reads = True

    BEZET = ("gereserveerd", "bevestigd", "geplaatst")

    class Meta:
        verbose_name = "plaatsing"
        verbose_name_plural = "plaatsingen"
        ordering = ["-gereserveerd_op", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aanmelding"],
                condition=models.Q(status__in=["gereserveerd", "bevestigd", "geplaatst"]),
                name="plaatsing_een_lopende_per_aanmelding",
                violation_error_message="Deze cliënt heeft al een plaats.",
            )
        ]

    def __str__(self):
        return f"Plaatsing {self.pk} ({self.get_status_display()})"


class Zorgbeweging(models.Model):
    """In-, door- and uitstroom of care (seed 000: monitoring), apart from the waiting list's
    own events: a client starting at a location (via the list or directly, ``via_wachtlijst``),
    moving on from intramural care to beschermd thuis or begeleid wonen (doorstroom), or
    leaving care. Placements outside the regio are flagged for separate reporting.
    Append-only: a correction is a new row."""

    class Soort(models.TextChoices):
        INSTROOM = "instroom", "Instroom"
        DOORSTROOM = "doorstroom", "Doorstroom"
        UITSTROOM = "uitstroom", "Uitstroom"

    class Bestemming(models.TextChoices):
        BESCHERMD_THUIS = "beschermd_thuis", "Beschermd thuis"
        BEGELEID_WONEN = "begeleid_wonen", "Begeleid wonen (ambulant)"
        ZELFSTANDIG = "zelfstandig", "Zelfstandig zonder ondersteuning"
        WLZ = "wlz", "Wet langdurige zorg"
        ANDERE_REGIO = "andere_regio", "Naar een andere regio"
        OVERLEDEN = "overleden", "Overleden"
        ANDERS = "anders", "Anders"

    aanmelding = models.ForeignKey(
        Aanmelding, on_delete=models.PROTECT, related_name="zorgbewegingen"
    )
    plaatsing = models.ForeignKey(
        "Plaatsing", on_delete=models.PROTECT, null=True, blank=True, related_name="bewegingen"
    )
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    soort = models.CharField(max_length=10, choices=Soort.choices)
    datum = models.DateField()
    functie = models.ForeignKey(
        "inkoop.Product", on_delete=models.PROTECT, related_name="+",
        help_text="De functie waarin de cliënt instroomt of die hij verlaat.",
    )  # fmt: skip
    bestemming = models.CharField(max_length=16, choices=Bestemming.choices, blank=True)
    naar_functie = models.ForeignKey(
        "inkoop.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gemeente_herkomst = models.ForeignKey(
        Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via_wachtlijst = models.BooleanField(default=True)
    buitenregionaal = models.BooleanField(default=False)
    toelichting = models.TextField(blank=True)
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vastgelegd_op = models.DateTimeField(auto_now_add=True)

    objects = PerAanmeldingQuerySet.as_manager()

    class Meta:
        verbose_name = "zorgbeweging"
        verbose_name_plural = "zorgbewegingen"
        ordering = ["datum", "pk"]
        indexes = [models.Index(fields=["regio", "datum"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(soort="instroom", bestemming="")
                | ~models.Q(soort="instroom") & ~models.Q(bestemming=""),
                name="zorgbeweging_bestemming_bij_door_en_uitstroom",
                violation_error_message="Kies waar de cliënt naartoe gaat.",
            )
        ]

    def __str__(self):
        return f"{self.get_soort_display()} {self.datum:%d-%m-%Y}"


class Trajectplan(models.Model):
    """The plan for a placed client (seed 000 §9, regie): made by client, aanbieder and the
    Centrale Toegang together, with goals and evaluation dates."""

    plaatsing = models.OneToOneField(
        "Plaatsing", on_delete=models.PROTECT, related_name="trajectplan"
    )
    opgesteld_op = models.DateField()
    opgesteld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    client_akkoord_op = models.DateField("akkoord cliënt op", null=True, blank=True)
    aanbieder_akkoord_op = models.DateField("akkoord aanbieder op", null=True, blank=True)
    toelichting = models.TextField(blank=True)

    objects = PerPlaatsingQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "trajectplan"
        verbose_name_plural = "trajectplannen"
        ordering = ["-opgesteld_op", "-pk"]

    def __str__(self):
        return f"Trajectplan {self.pk}"


class Trajectdoel(models.Model):
    class Leefgebied(models.TextChoices):
        WONEN = "wonen", "Wonen"
        FINANCIEN = "financien", "Financiën"
        DAGBESTEDING = "dagbesteding", "Dagbesteding en werk"
        NETWERK = "netwerk", "Sociaal netwerk"
        GEZONDHEID = "gezondheid", "Lichamelijke en psychische gezondheid"
        ZELFZORG = "zelfzorg", "Zelfzorg en huishouden"
        ANDERS = "anders", "Anders"

    class Status(models.TextChoices):
        LOPEND = "lopend", "Lopend"
        BEHAALD = "behaald", "Behaald"
        BIJGESTELD = "bijgesteld", "Bijgesteld"
        NIET_BEHAALD = "niet_behaald", "Niet behaald"

    trajectplan = models.ForeignKey(Trajectplan, on_delete=models.CASCADE, related_name="doelen")
    leefgebied = models.CharField(max_length=12, choices=Leefgebied.choices)
    omschrijving = models.TextField()
    streefdatum = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LOPEND)

    objects = PerTrajectplanQuerySet.as_manager()

    class Meta:
        verbose_name = "doel"
        verbose_name_plural = "doelen"
        ordering = ["trajectplan", "pk"]

    def __str__(self):
        return self.omschrijving[:60]


class Evaluatie(models.Model):
    """A planned evaluation of a trajectplan; done when ``uitgevoerd_op`` is set."""

    class Uitkomst(models.TextChoices):
        DOORGAAN = "doorgaan", "Plan voortzetten"
        BIJSTELLEN = "bijstellen", "Plan bijstellen"
        DOORSTROOM = "doorstroom", "Doorstroom voorbereiden"
        UITSTROOM = "uitstroom", "Uitstroom voorbereiden"

    trajectplan = models.ForeignKey(
        Trajectplan, on_delete=models.CASCADE, related_name="evaluaties"
    )
    gepland_op = models.DateField(db_index=True)
    uitgevoerd_op = models.DateField(null=True, blank=True)
    uitgevoerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uitkomst = models.CharField(max_length=12, choices=Uitkomst.choices, blank=True)
    verslag = models.TextField(blank=True)

    objects = PerTrajectplanQuerySet.as_manager()

    class Meta:
        verbose_name = "evaluatie"
        verbose_name_plural = "evaluaties"
        ordering = ["gepland_op", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uitgevoerd_op__isnull=True)
                | ~models.Q(uitkomst="") & models.Q(uitgevoerd_door__isnull=False),
                name="evaluatie_uitgevoerd_met_uitkomst",
                violation_error_message="Een uitgevoerde evaluatie heeft een uitkomst.",
            )
        ]

    def __str__(self):
        return f"Evaluatie {self.gepland_op:%d-%m-%Y}"


class Wachtstatusbericht(models.Model):
    """A proactive update on a client's waiting status ("wachtstatus") to the client (a letter)
    or the lokaal team (an in-app notice): on every change of status and periodically while
    waiting (``Regio.wachtstatus_interval_weken``). Keeps the text as sent."""

    class Ontvanger(models.TextChoices):
        CLIENT = "client", "Cliënt (brief)"
        LOKAAL_TEAM = "lokaal_team", "Lokaal team"

    class Aanleiding(models.TextChoices):
        PERIODIEK = "periodiek", "Periodiek bericht"
        OP_DE_LIJST = "op_de_lijst", "Op de wachtlijst geplaatst"
        GERESERVEERD = "gereserveerd", "Plaats gereserveerd"
        GEPLAATST = "geplaatst", "Geplaatst"
        VAN_DE_LIJST = "van_de_lijst", "Van de wachtlijst af"
        GEWIJZIGD = "gewijzigd", "Beoordeling gewijzigd"

    aanmelding = models.ForeignKey(
        Aanmelding, on_delete=models.PROTECT, related_name="wachtstatusberichten"
    )
    ontvanger = models.CharField(max_length=12, choices=Ontvanger.choices)
    aanleiding = models.CharField(max_length=14, choices=Aanleiding.choices)
    datum = models.DateField()
    wachtdagen = models.PositiveIntegerField(null=True, blank=True)
    tekst = models.TextField()
    sleutel = models.CharField(
        max_length=100, help_text="Maakt het versturen idempotent (één bericht per aanleiding)."
    )
    verstuurd_op = models.DateTimeField(auto_now_add=True)

    objects = PerAanmeldingQuerySet.as_manager()
    audit_reads = True

    class Meta:
        verbose_name = "wachtstatusbericht"
        verbose_name_plural = "wachtstatusberichten"
        ordering = ["-datum", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["aanmelding", "ontvanger", "sleutel"], name="wachtstatus_eenmalig"
            )
        ]

    def __str__(self):
        return f"Wachtstatus {self.datum:%d-%m-%Y} aan {self.get_ontvanger_display()}"


# --- what provider systems send (issue 8: the REST API and iWmo messages) -----------------------


class Zorgperiode(models.Model):
    """A period of delivered care on a toewijzing: started by the aanbieder (iWmo WMO305) and
    possibly stopped (WMO307, with a RedenBeeindiging). Several periods per toewijzing are legal,
    overlapping ones are not (database-enforced). iWmo corrects by deleting and delivering anew
    (StatusAanlevering 3): a deleted period keeps its row with ``verwijderd_op`` and no longer
    counts; nothing is changed in place except its stop."""

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
        ]  # fmt: skip

    def __str__(self):
        return f"Zorg {self.begindatum:%d-%m-%Y}–{self.einddatum or '…'}"


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
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="verzoeken")
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
    bron = models.CharField(max_length=4, choices=[("api", "REST API"), ("xml", "iWmo-bericht")])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INGEDIEND)
    reden_afwijzing = models.CharField(
        max_length=2, blank=True, choices=choices("WJ759_Reden_afwijzing_verzoek")
    )
    toelichting_antwoord = models.TextField(blank=True)
    beantwoord_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    beantwoord_op = models.DateTimeField(null=True, blank=True)
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
    retourcodes; an accepted line has code 0200 and its kostenregel."""

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
    kostenregel = models.OneToOneField(
        "financien.Kostenregel", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

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
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
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
