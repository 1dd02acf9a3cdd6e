"""Retention and destruction of dossiers (Archiefwet, Selectielijst gemeenten; DOMAIN.md "Law").

**Retention.** A Wmo dossier is kept ``REGIOZORG_BEWAARTERMIJN_JAREN`` (15) years after the
support ended where something was granted, and ``REGIOZORG_BEWAARTERMIJN_NIETS_TOEGEKEND_JAREN``
(5) years after its last activity where nothing was granted. In our model:

- *something was granted* when the dossier has a toegekend product of a vastgelegde beschikking
  (vastgesteld, bekendgemaakt, gewijzigd, ingetrokken, verlopen), a toewijzing that was not
  withdrawn as sent in error, or a plaatsing that was carried out (``geplaatst_op``);
- *the support ended* on the latest of: each such product's effective end (its einddatum, or
  earlier the day its beschikking was withdrawn or its new version began), each toewijzing's
  einddatum and each plaatsing's ``beeindigd_op``. The beschikking is the decision that grants,
  the toewijzing and plaatsing are the support as delivered; whichever ran longest ended it;
- *the last activity* of a dossier without a grant is the latest of: opened, melding received or
  its onderzoek finished, aanvraag received, beschikking (an afwijzing) made known or withdrawn,
  bezwaar decided, aanmelding at the Centrale Toegang registered or off the list. Dossier has no
  closing date of its own, so this is the date the case went quiet.

A dossier is never listed while anything runs: the dossier is open, a melding is in onderzoek or
aanvraag, a granted product or a toewijzing has no end, a client waits on the list or holds a
place, or a bezwaar is undecided. ``bewaartermijnen`` computes this for a whole queryset in one
SQL statement (subqueries per dossier), never a Python loop over all dossiers.

**Destruction.** ``vernietig_dossier`` removes the person's data of one dossier and keeps its
history: the rows stay (dates, statuses, codes, amounts, hashes), with their free text blanked and
their files deleted from storage; the ``Persoon`` (BSN, name, birth date, contact details, and by
cascade its addresses and relations) is deleted once no other dossier of the client remains
undestroyed. The pseudonymous ``Client`` stays, so events, reports, kostenregels and verevening
runs, which refer only to it, stay valid.

**Destruction lists.** The monthly job (``toegang.privacy.tasks``) proposes per gemeente one
``Vernietigingslijst`` "Ter goedkeuring"; a privacy officer excludes dossiers with a reason,
approves or rejects it, and only an approved list is carried out.
"""

from __future__ import annotations

import datetime
from dataclasses import astuple, dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Greatest, Least, TruncDate
from django.utils import timezone

from regio import audit
from regio.models import IdempotentVerzoek
from regio.query import vereis
from toegang.meldingen.services import OPEN as OPEN_MELDING
from toegang.models import (
    Aanmelding,
    Aanvraag,
    Beschikking,
    BeschiktProduct,
    Bezwaar,
    Bezwaaruitstel,
    Document,
    Dossier,
    Evaluatie,
    Melding,
    Opschorting,
    Persoon,
    Plaatsing,
    Toewijzing,
    Trajectdoel,
    Trajectplan,
    UitgaandBericht,
    Vernietigingslijst,
    Vernietigingsregel,
    Verzoek,
    Verzuimherstel,
    Wachtstatusbericht,
    Zorgbeweging,
)
from toegang.wachtlijst.services import OPEN as OPEN_AANMELDING

Grondslag = Vernietigingsregel.Grondslag

VERNIETIGD = "(vernietigd)"


def jaren_ondersteuning() -> int:
    return int(settings.REGIOZORG_BEWAARTERMIJN_JAREN)


def jaren_niets_toegekend() -> int:
    return int(settings.REGIOZORG_BEWAARTERMIJN_NIETS_TOEGEKEND_JAREN)


# --- retention ---------------------------------------------------------------------------------


def _per_dossier_max(queryset, dossier_path: str, expression):
    """Subquery: the greatest ``expression`` over the rows of ``queryset`` of the outer dossier."""
    return Subquery(
        queryset.filter(**{dossier_path: OuterRef("pk")})
        .annotate(_waarde=expression)
        .values(dossier_path)
        .annotate(_max=Max("_waarde"))
        .values("_max")[:1],
        output_field=DateField(),
    )


def _toegekende_producten():
    return BeschiktProduct.objects.filter(
        toegekend=True, beschikking__status__in=Beschikking.VASTGELEGD
    ).annotate(
        # PostgreSQL's LEAST skips NULLs: a withdrawal or a new version ends an open product,
        # and only a product with none of the three stays open (NULL).
        effectief_einde=Least(
            "einddatum",
            "beschikking__ingetrokken_op",
            "beschikking__volgende__ingangsdatum",
            output_field=DateField(),
        )
    )


def _toewijzingen():
    return Toewijzing.objects.exclude(status=Toewijzing.Status.INGETROKKEN)


def _uitgevoerde_plaatsingen():
    return Plaatsing.objects.filter(geplaatst_op__isnull=False)


def met_bewaartermijn(queryset):
    """``queryset`` of dossiers annotated, in one statement, with ``bt_lopend`` (something still
    runs), ``bt_toegekend`` (something was granted), ``bt_einde_ondersteuning`` and
    ``bt_laatste_activiteit``."""
    producten = _toegekende_producten()
    lopend = (
        Q(status=Dossier.Status.OPEN)
        | Exists(Melding.objects.filter(dossier=OuterRef("pk"), status__in=OPEN_MELDING))
        | Exists(
            producten.filter(beschikking__dossier=OuterRef("pk"), effectief_einde__isnull=True)
        )
        | Exists(
            _toewijzingen().filter(
                beschikt_product__beschikking__dossier=OuterRef("pk"), einddatum__isnull=True
            )
        )
        | Exists(Aanmelding.objects.filter(dossier=OuterRef("pk"), status__in=OPEN_AANMELDING))
        | Exists(
            Plaatsing.objects.filter(aanmelding__dossier=OuterRef("pk"), status__in=Plaatsing.BEZET)
        )
        | Exists(Bezwaar.objects.filter(dossier=OuterRef("pk"), uitkomst=""))
    )
    toegekend = (
        Exists(producten.filter(beschikking__dossier=OuterRef("pk")))
        | Exists(_toewijzingen().filter(beschikt_product__beschikking__dossier=OuterRef("pk")))
        | Exists(_uitgevoerde_plaatsingen().filter(aanmelding__dossier=OuterRef("pk")))
    )
    einde_ondersteuning = Greatest(
        _per_dossier_max(producten, "beschikking__dossier", F("effectief_einde")),
        _per_dossier_max(_toewijzingen(), "beschikt_product__beschikking__dossier", F("einddatum")),
        _per_dossier_max(_uitgevoerde_plaatsingen(), "aanmelding__dossier", F("beeindigd_op")),
        output_field=DateField(),
    )
    laatste_activiteit = Greatest(
        F("geopend_op"),
        _per_dossier_max(
            Melding.objects.all(),
            "dossier",
            Greatest("ontvangen_op", "onderzoek_afgerond_op", output_field=DateField()),
        ),
        _per_dossier_max(Aanvraag.objects.all(), "dossier", F("ontvangen_op")),
        _per_dossier_max(
            Beschikking.objects.all(),
            "dossier",
            Greatest(
                "bekendgemaakt_op",
                "ingetrokken_op",
                TruncDate("vastgesteld_op"),
                output_field=DateField(),
            ),
        ),
        _per_dossier_max(Bezwaar.objects.all(), "dossier", F("besloten_op")),
        _per_dossier_max(
            Aanmelding.objects.all(),
            "dossier",
            Greatest("aangemeld_op", "uitstroom_op", output_field=DateField()),
        ),
        output_field=DateField(),
    )
    return queryset.annotate(
        bt_lopend=Case(When(lopend, then=Value(True)), default=Value(False)),
        bt_toegekend=Case(When(toegekend, then=Value(True)), default=Value(False)),
        bt_einde_ondersteuning=einde_ondersteuning,
        bt_laatste_activiteit=laatste_activiteit,
    )


def voorbij_bewaartermijn(queryset, peildatum: datetime.date):
    """The dossiers of ``queryset`` (not yet destroyed, nothing running) whose retention ended
    before ``peildatum``: the ``bewaren_tot`` date lies before it."""
    grens_ondersteuning = peildatum - relativedelta(years=jaren_ondersteuning())
    grens_niets = peildatum - relativedelta(years=jaren_niets_toegekend())
    return (
        met_bewaartermijn(queryset.filter(vernietigd_op__isnull=True))
        .filter(bt_lopend=False)
        .filter(
            Q(bt_toegekend=True, bt_einde_ondersteuning__lt=grens_ondersteuning)
            | Q(bt_toegekend=False, bt_laatste_activiteit__lt=grens_niets)
        )
    )


@dataclass(frozen=True)
class Bewaartermijn:
    grondslag: str
    einde: datetime.date
    bewaren_tot: datetime.date

    def voorbij(self, peildatum: datetime.date) -> bool:
        return self.bewaren_tot < peildatum


def _uit_annotaties(dossier) -> Bewaartermijn | None:
    if dossier.bt_lopend:
        return None
    if dossier.bt_toegekend:
        einde = dossier.bt_einde_ondersteuning
        return Bewaartermijn(
            Grondslag.ONDERSTEUNING, einde, einde + relativedelta(years=jaren_ondersteuning())
        )
    einde = dossier.bt_laatste_activiteit
    return Bewaartermijn(
        Grondslag.NIETS_TOEGEKEND, einde, einde + relativedelta(years=jaren_niets_toegekend())
    )


def bewaartermijn(dossier: Dossier) -> Bewaartermijn | None:
    """(grondslag, einde, bewaren_tot) of one dossier; None while something runs (an open
    dossier or support without an end is never due for destruction)."""
    annotated = met_bewaartermijn(Dossier.objects.filter(pk=dossier.pk)).get()
    return _uit_annotaties(annotated)


# --- destruction of one dossier ------------------------------------------------------------------


def _verwijder_bestanden(documenten) -> int:
    """Delete the documents' files from storage; the rows keep soort, date, hash and author."""
    aantal = 0
    for document in documenten:
        if document.bestand.name:
            document.bestand.storage.delete(document.bestand.name)
            aantal += 1
    return aantal


def vernietig_dossier(dossier: Dossier, *, user, reden: str = "bewaartermijn") -> bool:
    """Remove the person's data of ``dossier`` (see the module docstring); returns False when it
    was already destroyed (a second call does nothing). A step of ``lijst_uitvoeren`` and
    ``verwijderen.uitvoeren``, which check their caller; ``user`` is who is recorded (None: the
    system). One transaction, the dossier and its client row-locked, so two destructions of one
    client's dossiers decide the Persoon in turn.
    The files are deleted last, inside the transaction: if the commit fails, a rerun finds the
    dossier not destroyed and deletes what is left; no file outlives its destruction."""
    with transaction.atomic():
        d = Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        if d is None or d.vernietigd_op is not None:
            return False
        # Lock the client: the last of its dossiers to go takes the Persoon with it.
        from toegang.models import Client

        client = Client.objects.select_for_update().get(pk=d.client_id)

        documenten = list(Document.objects.filter(dossier=d))
        Document.objects.filter(dossier=d).update(naam=VERNIETIGD, bestand="")
        meldingen = Melding.objects.filter(dossier=d)
        meldingen.update(hulpvraag="", tijdelijke_voorziening="", gespreksverslag="")
        Aanvraag.objects.filter(dossier=d).update(omschrijving="", verdaging_reden="")
        Opschorting.objects.filter(dossier=d).update(reden="")
        # A vastgestelde beschikking and the zorgbewegingen are immutable in the database; a
        # destruction may empty their free text, and nothing else (toegang 0016, 0020).
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL regiozorg.vernietiging = 'aan'")
        Beschikking.objects.filter(dossier=d).update(intrekkingsreden="")
        vrije_tekst = ("motivering", "hoorverslag", "niet_gehoord_reden", "terugwerkende_kracht")
        Beschikking.objects.filter(dossier=d).update(**dict.fromkeys(vrije_tekst, ""))
        Zorgbeweging.objects.filter(aanmelding__dossier=d).exclude(toelichting="").update(
            toelichting=""
        )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL regiozorg.vernietiging = 'uit'")
        Bezwaar.objects.filter(dossier=d).update(toelichting="", verdaging_reden="")
        Verzuimherstel.objects.filter(dossier=d).update(verzuim="")
        Bezwaaruitstel.objects.filter(dossier=d).update(toelichting="")
        aanmeldingen = Aanmelding.objects.filter(dossier=d)
        aanmeldingen.update(
            urgentie_reden="",
            bijzonderheden="",
            overbruggingszorg="",
            buitenregionaal_toelichting="",
            # A buitenregionale plaatsing keeps a (now empty) reason: a database constraint.
            buitenregionaal_reden=Case(
                When(buitenregionaal_status="", then=Value("")), default=Value(VERNIETIGD)
            ),
        )
        Wachtstatusbericht.objects.filter(aanmelding__dossier=d).update(tekst="")
        plannen = Trajectplan.objects.filter(plaatsing__aanmelding__dossier=d)
        plannen.update(toelichting="")
        Trajectdoel.objects.filter(trajectplan__in=plannen).update(omschrijving="")
        Evaluatie.objects.filter(trajectplan__in=plannen).update(verslag="")
        Verzoek.objects.filter(dossier=d).update(
            toelichting_antwoord="", bsn="", naam="", geboortedatum=None
        )
        # The iWmo messages sent about this client by this gemeente carry BSN, name, address.
        UitgaandBericht.objects.filter(
            client=client, gemeente=d.verantwoordelijke_gemeente_id
        ).update(inhoud="")

        anderen = Dossier.objects.filter(client=client, vernietigd_op__isnull=True).exclude(pk=d.pk)
        persoon = Persoon.objects.filter(client=client).first()
        persoon_weg = persoon is not None and not anderen.exists()
        if persoon_weg:
            # Stored API answers are not linked to a client: find the person's data in them.
            kenmerken = [persoon.bsn, persoon.geslachtsnaam]
            opgeslagen = IdempotentVerzoek.objects.annotate(
                _tekst=Cast("antwoord", TextField())
            ).filter(antwoord__isnull=False)
            treffers = Q()
            for kenmerk in (k for k in kenmerken if k):
                treffers |= Q(_tekst__contains=kenmerk)
            IdempotentVerzoek.objects.filter(
                pk__in=opgeslagen.filter(treffers).values("pk")
            ).update(antwoord=None)
            persoon.delete()  # its Adres and Relatie rows by cascade

        d.vernietigd_op = timezone.now()
        d.status = Dossier.Status.GESLOTEN
        d.save(update_fields=["vernietigd_op", "status"])
        bestanden = _verwijder_bestanden(documenten)
        audit.record(
            "delete",
            objects=[d],
            actor=user,
            toelichting={
                "vernietiging": reden,
                "bestanden": bestanden,
                "persoon_verwijderd": persoon_weg,
            },
        )
    return True


# --- destruction lists ---------------------------------------------------------------------------


def _open_lijst(gemeente) -> Vernietigingslijst | None:
    return (
        Vernietigingslijst.objects.select_for_update()
        .filter(
            gemeente=gemeente,
            status__in=(
                Vernietigingslijst.Status.TER_GOEDKEURING,
                Vernietigingslijst.Status.GOEDGEKEURD,
            ),
        )
        .first()
    )


def lijst_bijwerken(gemeente, dossiers, peildatum: datetime.date) -> Vernietigingslijst | None:
    """Make or refresh the gemeente's list "Ter goedkeuring" with ``dossiers`` (a queryset of
    the gemeente's dossiers the caller may see) past retention on ``peildatum``. Idempotent: a
    rerun updates the same list and its regels. A dossier no longer due (reopened) leaves the
    list; a list already approved is left alone until it is carried out. A dossier excluded on
    an earlier list comes back excluded, with that reason, for the officer to review.
    Returns the list, or None when nothing is due and no list exists."""
    with transaction.atomic():
        lijst = _open_lijst(gemeente)
        if lijst is not None and lijst.status == Vernietigingslijst.Status.GOEDGEKEURD:
            return lijst
        eigen = dossiers.filter(verantwoordelijke_gemeente=gemeente)
        rijen = list(voorbij_bewaartermijn(eigen, peildatum).order_by("pk"))
        if lijst is None:
            if not rijen:
                return None
            lijst = Vernietigingslijst.objects.create(gemeente=gemeente, peildatum=peildatum)
        else:
            lijst.peildatum = peildatum
            lijst.save(update_fields=["peildatum"])
        bestaand = {r.dossier_id: r for r in lijst.regels.all()}
        eerder_uitgezonderd = dict(
            Vernietigingsregel.objects.filter(dossier__in=[d.pk for d in rijen], uitgezonderd=True)
            .exclude(lijst=lijst)
            .order_by("lijst__peildatum", "pk")
            .values_list("dossier_id", "uitzondering_reden")
        )
        nieuw, gewijzigd = [], []
        for dossier in rijen:
            termijn = _uit_annotaties(dossier)
            regel = bestaand.pop(dossier.pk, None)
            if regel is None:
                reden = eerder_uitgezonderd.get(dossier.pk, "")
                nieuw.append(
                    Vernietigingsregel(
                        lijst=lijst, dossier=dossier, grondslag=termijn.grondslag,
                        einde=termijn.einde, bewaren_tot=termijn.bewaren_tot,
                        uitgezonderd=bool(reden),
                        uitzondering_reden=f"Eerder uitgezonderd: {reden}" if reden else "",
                    )
                )  # fmt: skip
            elif (regel.grondslag, regel.einde, regel.bewaren_tot) != astuple(termijn):
                regel.grondslag, regel.einde, regel.bewaren_tot = astuple(termijn)
                gewijzigd.append(regel)
        Vernietigingsregel.objects.bulk_create(nieuw)
        Vernietigingsregel.objects.bulk_update(gewijzigd, ["grondslag", "einde", "bewaren_tot"])
        if bestaand:
            Vernietigingsregel.objects.filter(pk__in=[r.pk for r in bestaand.values()]).delete()
        if not lijst.regels.exists():
            lijst.delete()
            return None
        return lijst


WIJZIG_REGEL = "toegang.change_vernietigingsregel"
KEUR_GOED = "toegang.keur_vernietiging_goed"


def _vergrendel_lijst(lijst: Vernietigingslijst, user, capability: str) -> Vernietigingslijst:
    """The list, locked, once ``user`` may do this to it (``regio.query.vereis``)."""
    vereis(user, capability, lijst, zichtbaar="toegang.view_vernietigingslijst")
    return Vernietigingslijst.objects.select_for_update().get(pk=lijst.pk)


def _eis_status(lijst: Vernietigingslijst, status: str, wat: str):
    if lijst.status != status:
        raise ValidationError(
            f"Deze lijst is {lijst.get_status_display().lower()}: {wat} kan niet meer."
        )


def regel_uitzonderen(regel: Vernietigingsregel, *, user, reden: str) -> Vernietigingsregel:
    """Keep one dossier of a list that awaits approval, with the reason (required)."""
    reden = (reden or "").strip()
    if not reden:
        raise ValidationError({"reden": "Geef de reden om dit dossier te bewaren."})
    with transaction.atomic():
        lijst = _vergrendel_lijst(regel.lijst, user, WIJZIG_REGEL)
        _eis_status(lijst, Vernietigingslijst.Status.TER_GOEDKEURING, "uitzonderen")
        regel = Vernietigingsregel.objects.select_for_update().get(pk=regel.pk)
        regel.uitgezonderd, regel.uitzondering_reden = True, reden
        regel.save(update_fields=["uitgezonderd", "uitzondering_reden"])
        audit.record("change", objects=[regel], actor=user, toelichting={"uitgezonderd": True})
    return regel


def regel_opnemen(regel: Vernietigingsregel, *, user) -> Vernietigingsregel:
    """Undo an exclusion while the list awaits approval."""
    with transaction.atomic():
        lijst = _vergrendel_lijst(regel.lijst, user, WIJZIG_REGEL)
        _eis_status(lijst, Vernietigingslijst.Status.TER_GOEDKEURING, "weer opnemen")
        regel = Vernietigingsregel.objects.select_for_update().get(pk=regel.pk)
        regel.uitgezonderd, regel.uitzondering_reden = False, ""
        regel.save(update_fields=["uitgezonderd", "uitzondering_reden"])
        audit.record("change", objects=[regel], actor=user, toelichting={"uitgezonderd": False})
    return regel


def goedkeuren(lijst: Vernietigingslijst, *, user) -> Vernietigingslijst:
    """A person approves the list the system proposed; who and when are recorded."""
    with transaction.atomic():
        lijst = _vergrendel_lijst(lijst, user, KEUR_GOED)
        _eis_status(lijst, Vernietigingslijst.Status.TER_GOEDKEURING, "goedkeuren")
        if not lijst.regels.filter(uitgezonderd=False).exists():
            raise ValidationError(
                "Alle dossiers op deze lijst zijn uitgezonderd: er valt niets goed te keuren. "
                "Wijs de lijst af."
            )
        lijst.status = Vernietigingslijst.Status.GOEDGEKEURD
        lijst.beoordeeld_door, lijst.beoordeeld_op = user, timezone.now()
        lijst.save(update_fields=["status", "beoordeeld_door", "beoordeeld_op"])
        audit.record("change", objects=[lijst], actor=user, toelichting={"status": lijst.status})
    return lijst


def afwijzen(lijst: Vernietigingslijst, *, user, toelichting: str) -> Vernietigingslijst:
    toelichting = (toelichting or "").strip()
    if not toelichting:
        raise ValidationError({"toelichting": "Geef aan waarom de lijst wordt afgewezen."})
    with transaction.atomic():
        lijst = _vergrendel_lijst(lijst, user, KEUR_GOED)
        _eis_status(lijst, Vernietigingslijst.Status.TER_GOEDKEURING, "afwijzen")
        lijst.status = Vernietigingslijst.Status.AFGEWEZEN
        lijst.beoordeeld_door, lijst.beoordeeld_op = user, timezone.now()
        lijst.toelichting = toelichting
        lijst.save(update_fields=["status", "beoordeeld_door", "beoordeeld_op", "toelichting"])
        audit.record("change", objects=[lijst], actor=user, toelichting={"status": lijst.status})
    return lijst


def lijst_uitvoeren(lijst: Vernietigingslijst, *, user, voortgang=None) -> dict:
    """Destroy the non-excluded dossiers of an approved list, one transaction per dossier, and
    mark each regel; then mark the list carried out. Rerunnable after a crash: destroyed
    dossiers are skipped. A dossier that is no longer past its retention (reopened since) is
    excluded with that reason instead of destroyed."""
    vereis(user, KEUR_GOED, lijst, zichtbaar="toegang.view_vernietigingslijst")
    lijst = Vernietigingslijst.objects.get(pk=lijst.pk)
    if lijst.status == Vernietigingslijst.Status.UITGEVOERD:
        return {"vernietigd": 0, "overgeslagen": 0}
    _eis_status(lijst, Vernietigingslijst.Status.GOEDGEKEURD, "uitvoeren")
    vandaag = timezone.localdate()
    regels = list(
        lijst.regels.filter(uitgezonderd=False, vernietigd_op__isnull=True).order_by("pk")
    )
    due = set(
        voorbij_bewaartermijn(
            Dossier.objects.filter(pk__in=[r.dossier_id for r in regels]), vandaag
        ).values_list("pk", flat=True)
    )
    vernietigd = overgeslagen = 0
    for n, regel in enumerate(regels, start=1):
        with transaction.atomic():
            regel = (
                Vernietigingsregel.objects.select_for_update()
                .select_related("dossier")
                .get(pk=regel.pk)
            )
            if regel.dossier.vernietigd_op is not None:
                # Destroyed meanwhile (an erasure request): nothing left to do but say so.
                regel.vernietigd_op = regel.dossier.vernietigd_op
                regel.save(update_fields=["vernietigd_op"])
            elif regel.dossier_id in due:
                vernietig_dossier(regel.dossier, user=user, reden="vernietigingslijst")
                regel.vernietigd_op = timezone.now()
                regel.save(update_fields=["vernietigd_op"])
                vernietigd += 1
            else:
                regel.uitgezonderd = True
                regel.uitzondering_reden = (
                    f"Op {vandaag:%d-%m-%Y} niet meer over de bewaartermijn (heropend of nieuwe "
                    "ondersteuning); niet vernietigd."
                )
                regel.save(update_fields=["uitgezonderd", "uitzondering_reden"])
                overgeslagen += 1
        if voortgang is not None:
            voortgang(n, len(regels))
    with transaction.atomic():
        lijst = Vernietigingslijst.objects.select_for_update().get(pk=lijst.pk)
        if lijst.status == Vernietigingslijst.Status.GOEDGEKEURD:
            lijst.status = Vernietigingslijst.Status.UITGEVOERD
            lijst.uitgevoerd_op = timezone.now()
            lijst.save(update_fields=["status", "uitgevoerd_op"])
            audit.record(
                "delete", objects=[lijst], actor=user,
                toelichting={"vernietigd": vernietigd, "overgeslagen": overgeslagen},
            )  # fmt: skip
    return {"vernietigd": vernietigd, "overgeslagen": overgeslagen}
