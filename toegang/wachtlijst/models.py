"""The regional waiting list (Centrale Toegang or contractpartner): aanmeldingen and their
events, plaatsingen, in-, door- and uitstroom, trajectplannen with evaluaties, and the periodic
wachtstatus letters."""

from django.conf import settings
from django.db import models

from regio.models import Gemeente, Regio
from toegang.beschikkingen.models import Beschikking
from toegang.dossiers.models import Client, Dossier
from toegang.meldingen.models import Aanvraag
from toegang.query import (
    PerAanmeldingQuerySet,
    PerPlaatsingQuerySet,
    PerTrajectplanQuerySet,
    WachtlijstQuerySet,
)
from toegang.toewijzingen.models import Toewijzing


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
    # What the placement rests on (issue 17 item 9): the vastgestelde beschikking covering the
    # functie at the start, or — the crisis route — a recorded reason, and then the beschikking
    # must follow by ``beschikken_uiterlijk`` (werkdagen, ``Regio.crisis_beschikking_dagen``).
    beschikking = models.ForeignKey(
        Beschikking, on_delete=models.PROTECT, null=True, blank=True, related_name="plaatsingen"
    )
    crisis_reden = models.TextField(
        "reden crisisplaatsing", blank=True,
        help_text="Waarom de cliënt geplaatst wordt voordat de beschikking er is.",
    )  # fmt: skip
    beschikken_uiterlijk = models.DateField(null=True, blank=True)
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
    leaving care; from stabilisatie en observatie a client can also move on to beschermd wonen
    (herstel en groei, seed 000). Placements outside the regio are flagged for separate reporting.
    Append-only: a correction is a new row."""

    class Soort(models.TextChoices):
        INSTROOM = "instroom", "Instroom"
        DOORSTROOM = "doorstroom", "Doorstroom"
        UITSTROOM = "uitstroom", "Uitstroom"

    class Bestemming(models.TextChoices):
        BESCHERMD_THUIS = "beschermd_thuis", "Beschermd thuis"
        BEGELEID_WONEN = "begeleid_wonen", "Begeleid wonen (ambulant)"
        BESCHERMD_WONEN = "beschermd_wonen", "Beschermd wonen (herstel en groei)"
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
