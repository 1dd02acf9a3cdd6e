import datetime

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from regio.query import (
    DateRange,
    GemeenteQuerySet,
    JobRunQuerySet,
    LidmaatschapQuerySet,
    RegioQuerySet,
    RoltoekenningQuerySet,
    UserQuerySet,
)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True


def period_constraints(
    prefix: str,
    begin_nullable: bool = False,
    *,
    begin: str = "begin",
    einde: str = "einde",
    suffix: str = "einde_na_begin",
    melding: str = "De einddatum ligt vóór de begindatum.",
) -> list:
    """``einde`` is not before ``begin`` (inclusive periods; a NULL end is open, a NULL begin
    unbounded when ``begin_nullable``)."""
    condition = Q(**{f"{einde}__isnull": True}) | Q(**{f"{einde}__gte": models.F(begin)})
    if begin_nullable:
        condition = Q(**{f"{begin}__isnull": True}) | condition
    return [
        models.CheckConstraint(
            condition=condition, name=f"{prefix}_{suffix}", violation_error_message=melding
        )
    ]


def geen_overlap(
    naam: str,
    gelijk: tuple[str, ...],
    melding: str,
    *,
    ongelijk: tuple[str, ...] = (),
    begin: str = "begin",
    einde: str = "einde",
    condition=None,
) -> ExclusionConstraint:
    """PostgreSQL refuses two rows with the same ``gelijk`` fields (and different ``ongelijk``
    fields) whose inclusive periods [begin, einde] overlap; a NULL bound is unbounded."""
    return ExclusionConstraint(
        name=naam,
        expressions=[
            *[(veld, RangeOperators.EQUAL) for veld in gelijk],
            *[(veld, RangeOperators.NOT_EQUAL) for veld in ongelijk],
            (DateRange(begin, einde, models.Value("[]")), RangeOperators.OVERLAPS),
        ],
        condition=condition,
        violation_error_message=melding,
    )


# Beschikkingen and toewijzingen run from an ingangsdatum to an einddatum.
INGANG_EINDE = {
    "begin": "ingangsdatum",
    "einde": "einddatum",
    "suffix": "einde_na_ingang",
    "melding": "De einddatum ligt vóór de ingangsdatum.",
}


class User(AbstractUser):
    """A person (or system) that logs in; what it may do comes from its Roltoekenningen.
    People see each other by name and function (``naam``, ``naam_en_functie``), never by
    username: lists, histories, audit screens and the signature of a letter."""

    functie = models.CharField(
        max_length=100, blank=True, help_text="Bijvoorbeeld: consulent Wmo, teamleider."
    )
    team = models.CharField(
        max_length=100, blank=True, help_text="Team of afdeling, bijvoorbeeld: lokaal team Soest."
    )

    class Email(models.TextChoices):
        GEEN = "geen", "Geen e-mail"
        DIRECT = "direct", "Direct bij elke notificatie"
        DAGELIJKS = "dagelijks", "Eén samenvatting per dag"

    email_notificaties = models.CharField(
        "e-mail over notificaties",
        max_length=10,
        choices=Email.choices,
        default=Email.GEEN,
        help_text="Een e-mail noemt alleen de soort gebeurtenis en een link, nooit gegevens van "
        "een cliënt.",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "gebruiker"
        verbose_name_plural = "gebruikers"

    def __str__(self):
        return self.naam

    @property
    def naam(self) -> str:
        """The full name; a technical account without one (an API client) shows its username."""
        return self.get_full_name() or self.get_username()

    @property
    def naam_en_functie(self) -> str:
        """ "Anna de Vries, consulent Wmo (lokaal team Soest)"; parts that are empty drop out."""
        functie = ", ".join(filter(None, [self.functie]))
        if self.team:
            functie = f"{functie} ({self.team})" if functie else self.team
        return f"{self.naam}, {functie}" if functie else self.naam


class Domein(models.TextChoices):
    BESCHERMD_WONEN = "beschermd_wonen", "Beschermd wonen / MO"
    BEGELEIDING = "begeleiding", "Begeleiding"


class Gemeente(models.Model):
    """A Dutch municipality, identified by its 4-digit CBS gemeentecode."""

    code = models.CharField(
        "CBS-code",
        max_length=4,
        unique=True,
        validators=[
            RegexValidator(r"^\d{4}$", "Een CBS-gemeentecode bestaat uit precies 4 cijfers.")
        ],
    )
    naam = models.CharField(max_length=100)
    provincie = models.CharField(max_length=50, blank=True)
    # Letterhead of the gemeente's letters (beschikkingen).
    postadres = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=7, blank=True)
    plaats = models.CharField(max_length=100, blank=True)
    telefoon = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    logo = models.FileField(upload_to="gemeenten/logo/", blank=True, help_text="SVG of PNG.")

    objects = GemeenteQuerySet.as_manager()

    class Meta:
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"
        ordering = ["naam"]

    def __str__(self):
        return f"{self.naam} ({self.code})"


class Regio(models.Model):
    """A cooperation of gemeenten that buys care together; the tenant of regiozorg."""

    code = models.SlugField(max_length=50, unique=True)
    naam = models.CharField(max_length=150)
    centrumgemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    # Settings of the regio's toegang (issue 5).
    vier_ogen_beschikking = models.BooleanField(
        "vier-ogenprincipe bij beschikkingen",
        default=True,
        help_text="Een beschikking wordt geaccordeerd door een ander dan wie haar opstelde.",
    )
    herindicatie_maanden = models.PositiveSmallIntegerField(
        default=3,
        help_text="Beschikkingen die binnen zoveel maanden aflopen staan op de werklijst.",
    )
    # Settings of the regional waiting list (issue 6).
    wachtlijstbeheer = models.CharField(
        max_length=20,
        choices=[
            ("centrale_toegang", "Regionale Centrale Toegang"),
            ("contractpartner", "De contractpartner"),
        ],
        default="centrale_toegang",
        help_text="Wie de wachtlijst voor beschermd wonen, beschermd thuis en time-out bijhoudt.",
    )
    wachtlijst_norm_maanden = models.PositiveSmallIntegerField(
        default=3, help_text="Regionale norm voor de wachttijd (er is geen wettelijk maximum)."
    )
    crisis_beschikking_dagen = models.PositiveSmallIntegerField(
        default=5,
        help_text="Na een crisisplaatsing volgt de beschikking binnen zoveel werkdagen.",
    )
    # Seed 000 §9, seed 003: where the regio chose so, the Centrale Toegang beschikt itself for
    # the functies of the beschermd-wonen domain (regio.query grants it the capabilities).
    ct_beschikt = models.BooleanField(
        "Centrale Toegang beschikt",
        default=False,
        help_text="De Centrale Toegang stelt beschikkingen op en accordeert ze voor de functies "
        "van het domein beschermd wonen.",
    )
    wachtstatus_interval_weken = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1)],
        help_text="Wachtende cliënten en hun lokaal team horen minstens zo vaak hoe het staat.",
    )

    objects = RegioQuerySet.as_manager()

    class Meta:
        verbose_name = "regio"
        verbose_name_plural = "regio's"
        ordering = ["naam"]
        permissions = [
            ("view_aggregates", "Kan geaggregeerde cijfers van de regio zien"),
            ("manage_wachtlijst", "Kan de regionale wachtlijst beheren"),
            ("beheer_regio", "Kan de regio functioneel beheren"),
        ]

    def __str__(self):
        return self.naam


class Lidmaatschap(models.Model):
    """A gemeente's membership of a regio for one domein over a period (begin/einde inclusive)."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="lidmaatschappen")
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="lidmaatschappen")
    domein = models.CharField(max_length=20, choices=Domein.choices)
    begin = models.DateField(null=True, blank=True, help_text="Leeg: sinds altijd.")
    einde = models.DateField(null=True, blank=True, help_text="Leeg: nog steeds lid.")

    objects = LidmaatschapQuerySet.as_manager()

    class Meta:
        verbose_name = "lidmaatschap"
        verbose_name_plural = "lidmaatschappen"
        ordering = ["regio__naam", "domein", "gemeente__naam", "begin"]
        constraints = [
            *period_constraints("lidmaatschap", begin_nullable=True),
            # A gemeente is in at most one regio per domein on any date.
            geen_overlap(
                "lidmaatschap_geen_overlap",
                ("gemeente", "domein"),
                "Deze gemeente is in die periode al lid van een regio voor dit domein.",
            ),
        ]

    def actief_op(self, peildatum) -> bool:
        """Same rule as ``Lidmaatschap.objects.active_on`` (inclusive, NULL = unbounded)."""
        return (self.begin is None or self.begin <= peildatum) and (
            self.einde is None or self.einde >= peildatum
        )

    def __str__(self):
        periode = f"{self.begin or '…'} t/m {self.einde or '…'}"
        return f"{self.gemeente.naam} in {self.regio.naam} ({self.get_domein_display()}, {periode})"


class Rol(models.Model):
    """A role as the users know it; its capabilities are the permissions of its group."""

    class Scope(models.TextChoices):
        GEMEENTE = "gemeente", "Een of meer gemeenten"
        REGIO = "regio", "De regio"
        GEMEENTE_OF_REGIO = "gemeente_of_regio", "Gemeente of regio"
        AANBIEDER = "aanbieder", "Eigen aanbieder"

    code = models.SlugField(max_length=50, unique=True)
    naam = models.CharField(max_length=100)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="rol")
    # The default capabilities already granted once (see regio.roles.sync_roles).
    standaard_toegekend = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = "rol"
        verbose_name_plural = "rollen"
        ordering = ["naam"]

    def __str__(self):
        return self.naam


class Roltoekenning(models.Model):
    """One user holding one rol for one gemeente, regio or aanbieder over a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roltoekenningen")
    rol = models.ForeignKey(Rol, on_delete=models.PROTECT, related_name="toekenningen")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, null=True, blank=True)
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, null=True, blank=True)
    aanbieder = models.ForeignKey(
        "inkoop.Aanbieder", on_delete=models.PROTECT, null=True, blank=True
    )
    begin = models.DateField(default=datetime.date.today)
    einde = models.DateField(null=True, blank=True)

    objects = RoltoekenningQuerySet.as_manager()

    class Meta:
        verbose_name = "roltoekenning"
        verbose_name_plural = "roltoekenningen"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(gemeente__isnull=False, regio__isnull=True, aanbieder__isnull=True)
                    | Q(gemeente__isnull=True, regio__isnull=False, aanbieder__isnull=True)
                    | Q(gemeente__isnull=True, regio__isnull=True, aanbieder__isnull=False)
                ),
                name="roltoekenning_precies_een_scope",
                violation_error_message="Kies precies één gemeente, regio of aanbieder.",
            ),
            *period_constraints("roltoekenning"),
        ]

    def clean(self):
        from django.core.exceptions import ValidationError

        allowed = {
            Rol.Scope.GEMEENTE: {"gemeente"},
            Rol.Scope.REGIO: {"regio"},
            Rol.Scope.GEMEENTE_OF_REGIO: {"gemeente", "regio"},
            Rol.Scope.AANBIEDER: {"aanbieder"},
        }
        if self.rol_id is None:
            return
        chosen = [f for f in ("gemeente", "regio", "aanbieder") if getattr(self, f"{f}_id")]
        if len(chosen) == 1 and chosen[0] not in allowed[self.rol.scope]:
            raise ValidationError(
                {chosen[0]: f"De rol {self.rol.naam} geldt voor: {self.rol.get_scope_display()}."}
            )

    def __str__(self):
        target = self.gemeente or self.regio or self.aanbieder
        return f"{self.user} — {self.rol} ({target})"


class HuidigeTransactie(models.Func):
    """The id of the (top-level) transaction that runs the statement, as a bigint: the database
    default of ``AuditEntry.xact``. ``regio_audit_xact()`` (regio migration 0011) is
    ``pg_current_xact_id()`` (an xid8: 64 bits with its epoch, it never wraps around) plus a
    per-database base that keeps it increasing after a restore into a younger cluster
    (``regio.audit_seal.basis_bijwerken``)."""

    template = "regio_audit_xact()"
    output_field = models.BigIntegerField()


class AuditEntry(models.Model):
    """One audited action (read of personal data, change, export, login); append-only."""

    class Actie(models.TextChoices):
        VIEW = "view", "Inzage"
        CREATE = "create", "Aangemaakt"
        CHANGE = "change", "Gewijzigd"
        DELETE = "delete", "Verwijderd"
        EXPORT = "export", "Export/download"
        LOGIN = "login", "Ingelogd"
        LOGIN_FAILED = "login_failed", "Mislukte login"
        LOGOUT = "logout", "Uitgelogd"
        JOB = "job", "Taak gestart"

    class Resultaat(models.TextChoices):
        OK = "ok", "Gelukt"
        DENIED = "denied", "Geweigerd"
        ERROR = "error", "Fout"

    tijdstip = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor = models.CharField(max_length=150, blank=True)
    actie = models.CharField(max_length=20, choices=Actie.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_ids = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    resultaat = models.CharField(max_length=10, choices=Resultaat.choices, default=Resultaat.OK)
    herkomst = models.GenericIPAddressField(null=True, blank=True)
    pad = models.CharField(max_length=300, blank=True)
    toelichting = models.JSONField(default=dict, blank=True)
    # The pseudonymous keys (toegang.Client) of the persons the objects belong to, so the privacy
    # officer can ask "who looked at this dossier" without a BSN ever being stored here.
    client_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    # The transaction that wrote the row, set by the database on every insert path (the ORM,
    # bulk_create, raw SQL): the seal chains rows in (xact, id) order once no transaction with a
    # lower id can still commit (regio.audit_seal). 0 for rows written before this column existed.
    xact = models.BigIntegerField(db_default=HuidigeTransactie(), editable=False)

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "auditlog"
        ordering = ["-tijdstip", "-id"]
        indexes = [
            models.Index(fields=["object_type", "tijdstip"]),
            GinIndex(fields=["client_ids"], name="auditentry_client_ids_gin"),
            models.Index(fields=["xact", "id"], name="auditentry_xact_id"),
        ]

    def __str__(self):
        return f"{self.tijdstip:%Y-%m-%d %H:%M:%S} {self.actor} {self.actie} {self.object_type}"


class AuditZegel(models.Model):
    """A seal over a consecutive batch of audit rows in (xact, id) order: the hash chain that
    makes the audit log tamper-evident. It covers the rows from position (``vanaf_xact``,
    ``vanaf_id``) up to and including (``tot_xact``, ``tot_id``), its last row. ``regel_hashes[i]``
    is the chain value after row ``regel_ids[i]`` (sha256 of the previous chain value and the
    row's canonical form); ``hash`` is the last one and the next seal's ``vorige_hash``. Written
    by a job, append-only like the log itself."""

    vanaf_xact = models.BigIntegerField(default=0)
    vanaf_id = models.BigIntegerField()
    tot_xact = models.BigIntegerField(default=0)
    tot_id = models.BigIntegerField()
    regel_ids = ArrayField(models.BigIntegerField())
    regel_hashes = ArrayField(models.CharField(max_length=64))
    vorige_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    gezegeld_op = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "auditzegel"
        verbose_name_plural = "auditzegels"
        ordering = ["vanaf_xact", "vanaf_id"]
        constraints = [
            models.UniqueConstraint(fields=["vanaf_xact", "vanaf_id"], name="auditzegel_vanaf"),
            models.CheckConstraint(
                condition=Q(tot_xact__gt=F("vanaf_xact"))
                | Q(tot_xact=F("vanaf_xact"), tot_id__gte=F("vanaf_id")),
                name="auditzegel_bereik",
            ),
        ]

    def __str__(self):
        return f"Zegel {self.vanaf_id}-{self.tot_id}"


class JobRun(models.Model):
    """One run of a long job (report, import, verevening) with its progress and results."""

    class Status(models.TextChoices):
        WACHTRIJ = "wachtrij", "In de wachtrij"
        BEZIG = "bezig", "Bezig"
        GEREED = "gereed", "Gereed"
        MISLUKT = "mislukt", "Mislukt"

    soort = models.CharField(max_length=100)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WACHTRIJ)
    voortgang = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stap = models.CharField(max_length=200, blank=True)
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, null=True, blank=True)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, null=True, blank=True)
    gestart_door = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    gestart_op = models.DateTimeField(null=True, blank=True)
    afgerond_op = models.DateTimeField(null=True, blank=True)
    resultaat = models.JSONField(default=dict, blank=True)
    fout = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        verbose_name = "taak"
        verbose_name_plural = "taken"
        ordering = ["-aangemaakt_op"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voortgang__lte=100), name="jobrun_voortgang_max_100"
            ),
        ]

    def __str__(self):
        return f"{self.naam} #{self.pk} ({self.get_status_display()})"

    @property
    def naam(self) -> str:
        """What the job does, as people call it ("Wachtlijstrapport maken"), not its key."""
        from regio.jobs import JOBS  # the registry imports this module

        definitie = JOBS.get(self.soort)
        return definitie.naam if definitie else self.soort

    @property
    def klaar(self) -> bool:
        return self.status in {self.Status.GEREED, self.Status.MISLUKT}


def job_result_path(instance, filename):
    return f"jobs/{instance.jobrun_id}/{filename}"


class JobResultaat(models.Model):
    """A file produced by a JobRun (CSV, PDF), downloadable by whoever may see the run; the
    download checks ``sha256`` (regio.opslag). Results made before it was kept have none."""

    jobrun = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="bestanden")
    naam = models.CharField(max_length=200)
    bestand = models.FileField(upload_to=job_result_path)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "taakresultaat"
        verbose_name_plural = "taakresultaten"

    def __str__(self):
        return self.naam


class Notificatie(models.Model):
    """An in-app message for one user (a deadline coming up, a verzoek from a provider).
    ``sleutel`` makes a scheduled job idempotent: the same notice is created once. Made by
    ``regio.notificaties.meld``; ``soort`` is the kind of event (the e-mail names only that)."""

    class Soort(models.TextChoices):
        OVERIG = "overig", "Notificatie"
        TERMIJN = "termijn", "Termijn verloopt"
        TER_ACCORDERING = "ter-accordering", "Beschikking ter accordering"
        VASTGESTELD = "vastgesteld", "Beschikking vastgesteld"
        TERUGGESTUURD = "teruggestuurd", "Beschikking teruggestuurd"
        AANMELDING = "aanmelding", "Aanmelding bij de Centrale Toegang"
        PLAATSING = "plaatsing", "Plaatsing"
        WACHTSTATUS = "wachtstatus", "Wachtstatus gewijzigd"
        UITSTROOM = "uitstroom", "Uitstroom of doorstroom"
        VERZOEK = "verzoek", "Verzoek van een aanbieder"
        RAPPORTAGE_INGEDIEND = "rapportage-ingediend", "Rapportage ingediend"
        RAPPORTAGE_TERUGGESTUURD = "rapportage-teruggestuurd", "Rapportage teruggestuurd"
        RAPPORTAGE_AKKOORD = "rapportage-akkoord", "Rapportage akkoord"
        CRISIS_TE_LAAT = "crisis-te-laat", "Crisisplaatsing zonder beschikking"
        TAAK_GEREED = "taak-gereed", "Taak gereed"
        TAAK_MISLUKT = "taak-mislukt", "Taak mislukt"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notificaties")
    soort = models.CharField(max_length=30, choices=Soort.choices, default=Soort.OVERIG)
    tekst = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    sleutel = models.CharField(max_length=200)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)
    gelezen_op = models.DateTimeField(null=True, blank=True)
    # When an e-mail about it went out (at once, or in the daily summary): never twice.
    gemaild_op = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notificatie"
        verbose_name_plural = "notificaties"
        ordering = ["-aangemaakt_op", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sleutel"], name="notificatie_eenmalig")
        ]

    def __str__(self):
        return self.tekst


class IdempotentVerzoek(models.Model):
    """A POST to the API with an ``Idempotency-Key``: the same key and body give the stored
    response again (no second effect); the same key with another body answers 409."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sleutel = models.CharField(max_length=200)
    methode = models.CharField(max_length=10)
    pad = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    antwoord = models.JSONField(null=True)
    aangemaakt_op = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "idempotent verzoek"
        verbose_name_plural = "idempotente verzoeken"
        constraints = [
            models.UniqueConstraint(fields=["user", "sleutel"], name="idempotent_verzoek_uniek")
        ]

    def __str__(self):
        return f"{self.methode} {self.pad} ({self.sleutel})"
