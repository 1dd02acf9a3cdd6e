"""The beschikking's life: drafting, four-eyes approval, vaststellen, bekendmaking (with the letter
of ``brief``), wijziging, intrekking and verloop. What may be granted is checked in ``producten``;
the bezwaar against a beschikking lives in ``bezwaar``.

Who may do what is decided here through the scoping layer (``Beschikking.objects.visible_to``),
never by role name. Every step locks the row (two consulenten cannot both accord), checks the
status it starts from, and is audited. A vastgestelde beschikking is never edited: the service
refuses, and the database (migration 0003) refuses as well.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from inkoop.models import Perceel
from regio import audit
from regio.pdf import render_pdf
from regio.query import mag, vereis
from toegang.beschikkingen.brief import brief_bestandsnaam, brief_context
from toegang.beschikkingen.producten import (
    ProductRegel,
    besluit_fouten,
    categorie_label,
    controleer_kop,
    controleer_regels,
    percelen_voor,
    periode_label,
)
from toegang.meldingen.services import melding_afsluiten
from toegang.models import (
    Aanvraag,
    Beschikking,
    BeschiktProduct,
    Client,
    Document,
    Dossier,
    Melding,
)

Status = Beschikking.Status
Besluit = Beschikking.Besluit

VIEW = "toegang.view_beschikking"
ADD = "toegang.add_beschikking"
CHANGE = "toegang.change_beschikking"
ACCORDEER = "toegang.accordeer_beschikking"
ADD_BEZWAAR = "toegang.add_bezwaar"
CHANGE_BEZWAAR = "toegang.change_bezwaar"


# The steps a user can take on a beschikking, in the order the buttons appear.
ACTIES = {
    "indienen": "Ter accordering aanbieden",
    "terugsturen": "Terug naar concept",
    "vaststellen": "Accorderen en vaststellen",
    "bekendmaken": "Bekendmaken (brief maken)",
    "wijzigen": "Wijzigen (nieuwe versie)",
    "intrekken": "Intrekken",
    "verwijderen": "Concept verwijderen",
}
# The capability each step needs for this beschikking.
CAPABILITY = {
    "indienen": CHANGE,
    "terugsturen": CHANGE,
    "vaststellen": ACCORDEER,
    "bekendmaken": CHANGE,
    "wijzigen": ADD,
    "intrekken": ACCORDEER,
    "verwijderen": CHANGE,
}
IN_WERKING = (Status.VASTGESTELD, Status.BEKENDGEMAAKT)

WEIGERING = {
    CHANGE: "U mag beschikkingen van deze gemeente niet bewerken.",
    ADD: "U mag voor deze gemeente geen beschikkingen opstellen.",
    ACCORDEER: "U mag beschikkingen van deze gemeente niet accorderen.",
    ADD_BEZWAAR: "U mag bij deze gemeente geen bezwaar registreren.",
    CHANGE_BEZWAAR: "U mag dit bezwaar niet bijwerken.",
}


# --- who may do what -----------------------------------------------------------------------------


def eis(user, obj, capability: str):
    """``user`` must hold ``capability`` for this beschikking (or dossier, or bezwaar):
    ``regio.query.vereis`` with the Dutch reason of this capability."""
    vereis(user, capability, obj, WEIGERING[capability])


def vier_ogen(beschikking: Beschikking) -> bool:
    return beschikking.perceel.regio.vier_ogen_beschikking


def toegestane_acties(beschikking: Beschikking, user) -> list[str]:
    """The steps ``user`` may take on this beschikking now (the buttons on its page)."""
    cache: dict[str, bool] = {}

    def heeft(capability):
        if capability not in cache:
            cache[capability] = mag(user, capability, beschikking)
        return cache[capability]

    status = beschikking.status
    acties = []
    if status == Status.CONCEPT:
        acties += ["indienen"]
        if not vier_ogen(beschikking):
            acties.append("vaststellen")
        acties.append("verwijderen")
    elif status == Status.TER_ACCORDERING:
        if not (vier_ogen(beschikking) and beschikking.opgesteld_door_id == user.pk):
            acties.append("vaststellen")
        acties.append("terugsturen")
    elif status in IN_WERKING:
        if status == Status.VASTGESTELD:
            acties.append("bekendmaken")
        if not Beschikking.objects.filter(vorige=beschikking).exists():
            acties.append("wijzigen")
        acties.append("intrekken")
    return [a for a in acties if heeft(CAPABILITY[a])]


def weigering_vier_ogen(beschikking: Beschikking, user) -> str | None:
    """Why ``user`` cannot approve this beschikking under the four-eyes rule, or None."""
    if vier_ogen(beschikking) and beschikking.opgesteld_door_id == user.pk:
        return (
            "Vier ogen: u hebt deze beschikking zelf opgesteld. Een andere consulent moet haar "
            "accorderen."
        )
    return None


# --- the catalogue a dossier can use -------------------------------------------------------------


# --- the products of a beschikking ---------------------------------------------------------------


# --- drafting ------------------------------------------------------------------------------------


def _schrijf_producten(beschikking: Beschikking, regels: list[ProductRegel]):
    beschikking.producten.all().delete()
    BeschiktProduct.objects.bulk_create(
        BeschiktProduct(
            beschikking=beschikking,
            product=r.product,
            toegekend=r.toegekend,
            ingangsdatum=r.ingangsdatum,
            einddatum=r.einddatum,
            volume=r.volume,
            eenheid=r.eenheid or "",
            frequentie=r.frequentie or "",
            client_id=beschikking.dossier.client_id,
            productcategorie=r.product.productcategorie,
            actief=False,
        )
        for r in regels
    )


def _weiger_regels(regels, algemeen):
    fouten = {}
    for i, regel in enumerate(regels):
        for veld, teksten in regel.fouten.items():
            fouten.setdefault("producten", []).extend(
                f"Product {i + 1} ({regel.product.naam}), {veld}: {t}" for t in teksten
            )
    if fouten or algemeen:
        raise ValidationError({**fouten, "__all__": algemeen} if algemeen else fouten)


def maak_concept(
    dossier: Dossier,
    user,
    *,
    perceel: Perceel,
    besluit: str,
    motivering: str,
    ingangsdatum: datetime.date,
    einddatum: datetime.date | None = None,
    aanvraag: Aanvraag | None = None,
    regels: list[ProductRegel] = (),
) -> Beschikking:
    """A new concept beschikking on ``dossier`` for ``perceel``, drafted by ``user``."""
    regels = list(regels)
    with transaction.atomic():
        eis(user, dossier, ADD)
        dossier = Dossier.objects.get(pk=dossier.pk)
        if dossier.status != Dossier.Status.OPEN:
            raise ValidationError("Het dossier is gesloten.", code="dossier_gesloten")
        if not percelen_voor(dossier, user).filter(pk=perceel.pk).exists():
            raise ValidationError(
                {"perceel": f"{dossier.verantwoordelijke_gemeente.naam} kan niet beschikken "
                 f"op het perceel {perceel.naam}."}
            )  # fmt: skip
        kop = controleer_kop(dossier, perceel, aanvraag, ingangsdatum, einddatum)
        if kop:
            raise ValidationError(kop)
        algemeen = controleer_regels(
            perceel, dossier.verantwoordelijke_gemeente, ingangsdatum, einddatum, regels
        )
        _weiger_regels(regels, algemeen)
        beschikking = Beschikking.objects.create(
            dossier=dossier,
            aanvraag=aanvraag,
            perceel=perceel,
            besluit=besluit,
            motivering=motivering.strip(),
            ingangsdatum=ingangsdatum,
            einddatum=einddatum,
            opgesteld_door=user,
        )
        _schrijf_producten(beschikking, regels)
        audit.record(
            "create", objects=[beschikking], actor=user, toelichting={"stap": "concept opgesteld"}
        )
    return beschikking


def vergrendel(beschikking: Beschikking) -> Beschikking:
    return Beschikking.objects.select_for_update(of=("self",)).get(pk=beschikking.pk)


def weiger_status(beschikking: Beschikking, wat: str):
    raise ValidationError(
        f"Beschikking {beschikking.pk} heeft status ‘{beschikking.get_status_display()}’: {wat}",
        code="status",
    )


def bewaar_concept(
    beschikking: Beschikking,
    user,
    *,
    besluit: str,
    motivering: str,
    ingangsdatum: datetime.date,
    einddatum: datetime.date | None,
    aanvraag: Aanvraag | None,
    regels: list[ProductRegel],
) -> Beschikking:
    """Save the content of a concept: its heading and (all of) its products. Anything past
    concept is refused: a vastgestelde beschikking changes only through a new version."""
    regels = list(regels)
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, CHANGE)
        if locked.status != Status.CONCEPT:
            weiger_status(
                locked, "alleen een concept kan worden bewerkt. Wijzig haar met een nieuwe versie."
            )
        kop = controleer_kop(locked.dossier, locked.perceel, aanvraag, ingangsdatum, einddatum)
        if kop:
            raise ValidationError(kop)
        algemeen = controleer_regels(
            locked.perceel,
            locked.dossier.verantwoordelijke_gemeente,
            ingangsdatum,
            einddatum,
            regels,
        )
        _weiger_regels(regels, algemeen)
        locked.besluit = besluit
        locked.motivering = motivering.strip()
        locked.ingangsdatum = ingangsdatum
        locked.einddatum = einddatum
        locked.aanvraag = aanvraag
        locked.save(
            update_fields=["besluit", "motivering", "ingangsdatum", "einddatum", "aanvraag"]
        )
        _schrijf_producten(locked, regels)
        audit.record(
            "change", objects=[locked], actor=user, toelichting={"stap": "concept bewerkt"}
        )
    return locked


def _volledig(beschikking: Beschikking):
    """Refuses (ValidationError) a beschikking that cannot be decided as it stands."""
    regels = [ProductRegel.van(bp) for bp in beschikking.producten.select_related("product")]
    fouten = besluit_fouten(beschikking.besluit, beschikking.motivering, regels)
    algemeen = controleer_regels(
        beschikking.perceel,
        beschikking.dossier.verantwoordelijke_gemeente,
        beschikking.ingangsdatum,
        beschikking.einddatum,
        regels,
    )
    for regel in regels:
        for teksten in regel.fouten.values():
            fouten.extend(f"{regel.product.naam}: {t}" for t in teksten)
    fouten += algemeen
    if fouten:
        raise ValidationError(fouten, code="onvolledig")


# --- transitions ---------------------------------------------------------------------------------


def _stap(beschikking, user, stap: str, van: str, **extra):
    audit.record(
        "change",
        objects=[beschikking],
        actor=user,
        toelichting={"stap": stap, "van": van, "naar": beschikking.status, **extra},
    )


def dien_in(beschikking: Beschikking, user) -> Beschikking:
    """concept → ter accordering."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, CHANGE)
        if locked.status != Status.CONCEPT:
            weiger_status(locked, "alleen een concept kan ter accordering worden aangeboden.")
        _volledig(locked)
        locked.status = Status.TER_ACCORDERING
        locked.save(update_fields=["status"])
        _stap(locked, user, "ter accordering aangeboden", Status.CONCEPT)
    return locked


def stuur_terug(beschikking: Beschikking, user, toelichting: str = "") -> Beschikking:
    """ter accordering → concept (the approver sends it back, or the drafter takes it back)."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, CHANGE)
        if locked.status != Status.TER_ACCORDERING:
            weiger_status(locked, "alleen een beschikking ter accordering gaat terug naar concept.")
        locked.status = Status.CONCEPT
        locked.save(update_fields=["status"])
        _stap(
            locked, user, "teruggestuurd naar concept", Status.TER_ACCORDERING,
            opmerking=(toelichting or "").strip()[:500],
        )  # fmt: skip
    return locked


def _overlap_melding(beschikking: Beschikking, user) -> str | None:
    """The Dutch message naming another beschikking whose active grant for this client and
    productcategorie overlaps one of ours; the other may be of a gemeente the user cannot see."""
    for bp in beschikking.producten.filter(toegekend=True).select_related("product"):
        ander = (
            BeschiktProduct.objects.filter(
                client_id=bp.client_id,
                productcategorie=bp.productcategorie,
                actief=True,
                toegekend=True,
                ingangsdatum__lte=bp.einddatum or datetime.date.max,
            )
            .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=bp.ingangsdatum))
            .exclude(beschikking=beschikking)
            .exclude(beschikking_id=beschikking.vorige_id)
            .select_related("beschikking__dossier__verantwoordelijke_gemeente", "product")
            .order_by("ingangsdatum", "pk")
            .first()
        )
        if ander is None:
            continue
        andere = ander.beschikking
        periode = periode_label(ander.ingangsdatum, ander.einddatum)
        categorie = categorie_label(bp.productcategorie)
        if mag(user, VIEW, andere):
            return (
                f"‘{bp.product.naam}’ overlapt met beschikking {andere.pk} van gemeente "
                f"{andere.dossier.verantwoordelijke_gemeente.naam} "
                f"(‘{ander.product.naam}’, {periode}) in productcategorie {categorie}. "
                "Wijzig of trek die beschikking eerst in, of kies een andere periode."
            )
        return (
            f"‘{bp.product.naam}’ overlapt met een beschikking van een andere gemeente "
            f"({periode}) in productcategorie {categorie}. Neem contact op met die gemeente."
        )
    return None


def stel_vast(beschikking: Beschikking, user) -> Beschikking:
    """Approve and decide: ter accordering → vastgesteld (or concept → vastgesteld where the
    regio has four-eyes off). The grants become active; an earlier version it replaces becomes
    'gewijzigd' and its grants inactive. Overlap with another active grant of the client in the
    same productcategorie is refused, naming the other beschikking."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, ACCORDEER)
        van = locked.status
        if van == Status.CONCEPT and vier_ogen(locked):
            weiger_status(
                locked,
                "in deze regio geldt het vier-ogenprincipe; bied haar eerst ter accordering aan.",
            )
        if van not in (Status.CONCEPT, Status.TER_ACCORDERING):
            weiger_status(locked, "zij is al vastgesteld of niet meer van kracht.")
        reden = weigering_vier_ogen(locked, user)
        if reden:
            raise ValidationError(reden, code="vier_ogen")
        _volledig(locked)
        # One decision per client at a time: the overlap check below is then exact; the
        # exclusion constraint stays the safety net.
        Client.objects.select_for_update().get(pk=locked.dossier.client_id)
        vorige = None
        if locked.vorige_id:
            vorige = vergrendel(locked.vorige)
            if vorige.status not in IN_WERKING:
                raise ValidationError(
                    f"Deze wijziging vervangt beschikking {vorige.pk}, maar die is "
                    f"‘{vorige.get_status_display()}’. Verwijder dit concept en stel een nieuwe "
                    "beschikking op.",
                    code="vorige",
                )
        melding = _overlap_melding(locked, user)
        if melding:
            raise ValidationError(melding, code="overlap")
        if vorige is not None:
            vorige_status = vorige.status
            vorige.status = Status.GEWIJZIGD
            vorige.save(update_fields=["status"])
            vorige.producten.update(actief=False)
            _stap(vorige, user, f"gewijzigd door beschikking {locked.pk}", vorige_status)
        locked.status = Status.VASTGESTELD
        locked.vastgesteld_op = timezone.now()
        locked.geaccordeerd_door = user
        locked.save(update_fields=["status", "vastgesteld_op", "geaccordeerd_door"])
        try:
            with transaction.atomic():
                locked.producten.update(actief=True)
        except IntegrityError as exc:
            melding = _overlap_melding(locked, user) or (
                "Deze cliënt heeft in die periode al een toegekend product in deze "
                "productcategorie (een andere beschikking)."
            )
            raise ValidationError(melding, code="overlap") from exc
        _stap(locked, user, "geaccordeerd en vastgesteld", van)
        # The decision on the aanvraag is given: its melding leaves the werkvoorraad.
        if locked.aanvraag_id and locked.aanvraag.melding.status == Melding.Status.AANVRAAG:
            melding_afsluiten(locked.aanvraag.melding, user=user)
    return locked


# --- the letter ----------------------------------------------------------------------------------


def maak_bekend(beschikking: Beschikking, user) -> Beschikking:
    """vastgesteld → bekendgemaakt: the letter is rendered once, stored as a Document with its
    SHA-256, and never rendered again (downloads serve the stored file)."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, CHANGE)
        if locked.status != Status.VASTGESTELD or locked.brief_id:
            weiger_status(locked, "alleen een vastgestelde beschikking wordt bekendgemaakt.")
        vandaag = timezone.localdate()
        pdf = render_pdf(
            "toegang/beschikkingen/brief_beschikking.html", brief_context(locked, vandaag)
        )
        document = Document(
            dossier_id=locked.dossier_id,
            soort=Document.Soort.BESCHIKKING,
            naam=f"Beschikking {locked.pk} ({locked.get_besluit_display().lower()})",
            sha256=hashlib.sha256(pdf).hexdigest(),
            aangemaakt_door=user,
        )
        document.bestand.save(brief_bestandsnaam(locked), ContentFile(pdf), save=False)
        opgeslagen = document.bestand.name
        try:
            document.save()
            locked.brief = document
            locked.bekendgemaakt_op = vandaag
            locked.status = Status.BEKENDGEMAAKT
            locked.save(update_fields=["brief", "bekendgemaakt_op", "status"])
            audit.record("create", objects=[document], actor=user, toelichting={"brief": True})
            _stap(locked, user, "bekendgemaakt", Status.VASTGESTELD, document=document.pk)
        except Exception:
            document.bestand.storage.delete(opgeslagen)
            raise
    return locked


# --- wijzigen, intrekken, verlopen ---------------------------------------------------------------


def wijzig(beschikking: Beschikking, user) -> Beschikking:
    """A new concept version of a vastgestelde beschikking (``vorige`` = the old one), with its
    content copied. The old one stays in force until the new one is vastgesteld."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, ADD)
        if locked.status not in IN_WERKING:
            weiger_status(locked, "alleen een beschikking die van kracht is kan worden gewijzigd.")
        bestaand = Beschikking.objects.filter(vorige=locked).first()
        if bestaand is not None:
            raise ValidationError(
                f"Er is al een nieuwe versie van deze beschikking: beschikking {bestaand.pk} "
                f"({bestaand.get_status_display().lower()}).",
                code="al_gewijzigd",
            )
        nieuw = Beschikking.objects.create(
            dossier_id=locked.dossier_id,
            aanvraag_id=locked.aanvraag_id,
            perceel_id=locked.perceel_id,
            vorige=locked,
            besluit=locked.besluit,
            motivering=locked.motivering,
            ingangsdatum=locked.ingangsdatum,
            einddatum=locked.einddatum,
            opgesteld_door=user,
        )
        _schrijf_producten(
            nieuw, [ProductRegel.van(bp) for bp in locked.producten.select_related("product")]
        )
        audit.record(
            "create",
            objects=[nieuw],
            actor=user,
            toelichting={"stap": f"nieuwe versie van beschikking {locked.pk}"},
        )
    return nieuw


def trek_in(
    beschikking: Beschikking, user, *, reden: str, ingetrokken_op: datetime.date
) -> Beschikking:
    """vastgesteld/bekendgemaakt → ingetrokken, with reason and date; the grants end."""
    reden = (reden or "").strip()
    if not reden:
        raise ValidationError({"reden": "Geef de reden van de intrekking."})
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, ACCORDEER)
        if locked.status not in IN_WERKING:
            weiger_status(
                locked, "alleen een beschikking die van kracht is kan worden ingetrokken."
            )
        van = locked.status
        locked.status = Status.INGETROKKEN
        locked.ingetrokken_op = ingetrokken_op
        locked.intrekkingsreden = reden
        locked.save(update_fields=["status", "ingetrokken_op", "intrekkingsreden"])
        locked.producten.update(actief=False)
        _stap(locked, user, "ingetrokken", van, per=ingetrokken_op.isoformat())
    return locked


def verwijder_concept(beschikking: Beschikking, user):
    """A concept is not yet a decision and may be thrown away."""
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, CHANGE)
        if locked.status != Status.CONCEPT:
            weiger_status(locked, "alleen een concept kan worden verwijderd.")
        audit.record("delete", objects=[locked], actor=user, toelichting={"stap": "verwijderd"})
        locked.delete()


def verloop_beschikkingen(peildatum: datetime.date | None = None) -> int:
    """Daily job: a bekendgemaakte beschikking whose einddatum has passed becomes 'verlopen'.
    Its grants stay recorded as active for their (past) period, so a later beschikking cannot be
    given for the same days. Returns how many moved."""
    peildatum = peildatum or timezone.localdate()
    aantal = 0
    kandidaten = Beschikking.objects.filter(
        status=Status.BEKENDGEMAAKT, einddatum__lt=peildatum
    ).values_list("pk", flat=True)
    for pk in list(kandidaten):
        with transaction.atomic():
            locked = (
                Beschikking.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.BEKENDGEMAAKT, einddatum__lt=peildatum)
                .first()
            )
            if locked is None:
                continue
            locked.status = Status.VERLOPEN
            locked.save(update_fields=["status"])
            audit.record(
                "change",
                objects=[locked],
                toelichting={"stap": "verlopen", "van": Status.BEKENDGEMAAKT, "naar": "verlopen"},
            )
            aantal += 1
    return aantal


# --- bezwaar -------------------------------------------------------------------------------------


# --- for the pages -------------------------------------------------------------------------------


def geschiedenis(beschikking: Beschikking) -> list[dict]:
    """The steps of this beschikking, from the audit log (who, when, what)."""
    from regio.models import AuditEntry

    rijen = AuditEntry.objects.filter(
        object_type=audit.object_label(Beschikking),
        object_ids__contains=[str(beschikking.pk)],
        actie__in=["create", "change"],
    ).order_by("tijdstip", "id")
    return [
        {
            "tijdstip": r.tijdstip,
            "door": r.actor or "systeem",
            "stap": r.toelichting.get("stap", r.get_actie_display()),
            "opmerking": r.toelichting.get("opmerking", ""),
        }
        for r in rijen
    ]
