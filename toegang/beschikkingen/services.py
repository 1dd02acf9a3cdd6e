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
from django.urls import reverse
from django.utils import timezone

from inkoop.models import Perceel
from regio import audit
from regio.models import Notificatie
from regio.notificaties import meld, wie_mag
from regio.pdf import render_pdf
from regio.query import mag, vereis
from toegang.beschikkingen.brief import BRIEF_TEMPLATE, brief_bestandsnaam, brief_context
from toegang.beschikkingen.producten import (
    ProductRegel,
    besluit_fouten,
    categorie_label,
    controleer_domein,
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
from toegang.toewijzingen.services import volg_besluit

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
    "horen": "Horen vastleggen",
    "wijzigen": "Wijzigen (nieuwe versie)",
    "intrekken": "Intrekken (intrekkingsbesluit opstellen)",
    "verwijderen": "Concept verwijderen",
}
# The capability each step needs for this beschikking.
CAPABILITY = {
    "indienen": CHANGE,
    "terugsturen": CHANGE,
    "vaststellen": ACCORDEER,
    "bekendmaken": CHANGE,
    "horen": CHANGE,
    "wijzigen": ADD,
    "intrekken": ADD,
    "verwijderen": CHANGE,
}
IN_WERKING = (Status.VASTGESTELD, Status.BEKENDGEMAAKT)
Grond = Beschikking.Grond
# The RedenWijziging (WMO002) a withdrawal or change may give the toewijzingen it shortens.
REDENEN_TOEWIJZING = ("05", "02", "06", "07", "09")

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
        if beschikking.vorige_id:
            acties.append("horen")
        acties.append("verwijderen")
    elif status == Status.TER_ACCORDERING:
        if weigering_vier_ogen(beschikking, user) is None:
            acties.append("vaststellen")
        acties.append("terugsturen")
    elif status in IN_WERKING:
        if status == Status.VASTGESTELD:
            acties.append("bekendmaken")
        if not beschikking.is_intrekking and not (
            Beschikking.objects.filter(vorige=beschikking).exists()
        ):
            acties += ["wijzigen", "intrekken"]
    return [a for a in acties if heeft(CAPABILITY[a])]


def weigering_vier_ogen(beschikking: Beschikking, user) -> str | None:
    """Why ``user`` cannot approve this beschikking under the four-eyes rule, or None: the
    approver is none of the people who wrote or changed the concept, nor who submitted it."""
    if not vier_ogen(beschikking):
        return None
    if beschikking.opgesteld_door_id == user.pk:
        wat = "zelf opgesteld"
    elif beschikking.ingediend_door_id == user.pk:
        wat = "zelf ter accordering aangeboden"
    elif beschikking.pk and beschikking.bewerkers.filter(pk=user.pk).exists():
        wat = "zelf bewerkt"
    else:
        return None
    return f"Vier ogen: u hebt deze beschikking {wat}. Een andere consulent moet haar accorderen."


def betrokkenen(beschikking: Beschikking) -> set[int]:
    """The ids of everyone who wrote, changed or submitted this beschikking (four eyes)."""
    ids = {beschikking.opgesteld_door_id, beschikking.ingediend_door_id}
    ids.update(beschikking.bewerkers.values_list("pk", flat=True))
    return ids - {None}


def zelf_betrokken(user) -> Q:
    """The same people as a queryset condition: beschikkingen ``user`` wrote, changed or
    submitted."""
    return Q(opgesteld_door=user) | Q(ingediend_door=user) | Q(bewerkers=user)


def _bewerkt_door(beschikking: Beschikking, user) -> None:
    """Record ``user`` among the people who wrote or changed this concept (four eyes)."""
    if user is not None:
        beschikking.bewerkers.add(user)


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
    _geen_intrekking(besluit)
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
        controleer_domein(dossier, user, regels)
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
        _bewerkt_door(beschikking, user)
        audit.record(
            "create", objects=[beschikking], actor=user, toelichting={"stap": "concept opgesteld"}
        )
    return beschikking


def _geen_intrekking(besluit: str) -> None:
    if besluit == Besluit.INTREKKING:
        raise ValidationError(
            {"besluit": "Een intrekking stelt u op vanuit de beschikking die u intrekt."}
        )


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
    _geen_intrekking(besluit)
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
        controleer_domein(locked.dossier, user, regels)
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
        _bewerkt_door(locked, user)
        audit.record(
            "change", objects=[locked], actor=user, toelichting={"stap": "concept bewerkt"}
        )
    return locked


def _volledig(beschikking: Beschikking):
    """Refuses (ValidationError) a beschikking that cannot be decided as it stands."""
    if beschikking.vorige_id:
        fouten = _besluit_fouten(beschikking)
        if beschikking.is_intrekking:
            if fouten:
                raise ValidationError(fouten, code="onvolledig")
            return
    else:
        fouten = []
    regels = [ProductRegel.van(bp) for bp in beschikking.producten.select_related("product")]
    fouten += besluit_fouten(beschikking.besluit, beschikking.motivering, regels)
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


def _besluit_fouten(besluit: Beschikking) -> list[str]:
    """What a wijziging or intrekking lacks: its ground, its motivering, and when it is to the
    client's disadvantage the hearing (Awb 4:8) or the recorded reason it was left out (4:11)."""
    fouten = []
    if not besluit.grond:
        fouten.append("Kies de grond van het besluit (Wmo 2015 art. 2.3.10, of op verzoek).")
    if besluit.is_intrekking and not besluit.motivering.strip():
        fouten.append("Motiveer het intrekkingsbesluit.")
    if besluit.ten_nadele and not (besluit.gehoord_op or besluit.niet_gehoord_reden.strip()):
        fouten.append(
            "Dit besluit is in het nadeel van de cliënt: hoor de cliënt eerst (Awb 4:8) en leg "
            "het horen vast, of leg vast waarom het horen achterwege blijft (Awb 4:11)."
        )
    return fouten


def _minder(oud: BeschiktProduct, nieuw: BeschiktProduct | None) -> bool:
    """Whether ``nieuw`` grants less than ``oud`` (shorter, later, smaller, or not at all)."""
    if nieuw is None or not nieuw.toegekend:
        return True
    if nieuw.ingangsdatum > oud.ingangsdatum:
        return True
    if oud.einddatum is None and nieuw.einddatum is not None:
        return True
    if oud.einddatum and nieuw.einddatum and nieuw.einddatum < oud.einddatum:
        return True
    return oud.volume is not None and (nieuw.volume is None or nieuw.volume < oud.volume)


def _bepaal_nadeel(besluit: Beschikking) -> None:
    """Set ``ten_nadele`` of a wijziging or intrekking: anything that grants less than before,
    unless the client asked for it himself."""
    if not besluit.vorige_id:
        return
    if besluit.grond == Grond.VERZOEK:
        besluit.ten_nadele = False
    elif besluit.is_intrekking:
        besluit.ten_nadele = True
    else:
        nieuw = {bp.product_id: bp for bp in besluit.producten.filter(toegekend=True)}
        besluit.ten_nadele = any(
            _minder(bp, nieuw.get(bp.product_id))
            for bp in besluit.vorige.producten.filter(toegekend=True)
        )


def _vorige_in_werking(besluit: Beschikking) -> Beschikking | None:
    """The beschikking a wijziging or intrekking replaces, locked; refused when it is no longer
    in force (withdrawn, changed or run out in the meantime)."""
    if not besluit.vorige_id:
        return None
    vorige = vergrendel(besluit.vorige)
    if vorige.status not in IN_WERKING:
        wat = "trekt beschikking {} in" if besluit.is_intrekking else "wijzigt beschikking {}"
        raise ValidationError(
            f"Dit besluit {wat.format(vorige.pk)}, maar die is inmiddels "
            f"‘{vorige.get_status_display().lower()}’. Verwijder het concept of stel een nieuw "
            "besluit op.",
            code="vorige",
        )
    return vorige


def _activeer(beschikking: Beschikking, user) -> None:
    """The grants of ``beschikking`` become active; an overlap with another beschikking's grant
    is refused, naming it."""
    try:
        with transaction.atomic():
            beschikking.producten.update(actief=True)
    except IntegrityError as exc:
        melding = _overlap_melding(beschikking, user) or (
            "Deze cliënt heeft in die periode al een toegekend product in deze "
            "productcategorie (een andere beschikking)."
        )
        raise ValidationError(melding, code="overlap") from exc


# --- transitions ---------------------------------------------------------------------------------


def _meld(beschikking: Beschikking, ontvangers, soort: str, wat: str) -> None:
    """Tell ``ontvangers`` (in this transaction) about a step of ``beschikking``; the text names
    the beschikking and gemeente, never the client (a notice outlives an erasure)."""
    gemeente = beschikking.dossier.verantwoordelijke_gemeente.naam
    meld(
        ontvangers,
        soort=soort,
        tekst=f"Beschikking {beschikking.pk} ({gemeente}) {wat}.",
        url=reverse("toegang:beschikking-detail", args=[beschikking.pk]),
    )


def _meld_opsteller(beschikking: Beschikking, user, soort: str, wat: str) -> None:
    """The opsteller hears what became of the concept (not when they did it themselves)."""
    opsteller = beschikking.opgesteld_door
    if opsteller is not None and opsteller.pk != getattr(user, "pk", None):
        if opsteller.is_active and mag(opsteller, VIEW, beschikking):
            _meld(beschikking, [opsteller], soort, wat)


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
        _bepaal_nadeel(locked)
        _volledig(locked)
        locked.status = Status.TER_ACCORDERING
        locked.ingediend_door = user
        locked.save(update_fields=["status", "ingediend_door", "ten_nadele"])
        _bewerkt_door(locked, user)
        _stap(locked, user, "ter accordering aangeboden", Status.CONCEPT)
        # Four eyes: whoever may accorderen, except who wrote, changed or submitted it.
        ontvangers = wie_mag(
            ACCORDEER,
            locked,
            gemeente=locked.dossier.verantwoordelijke_gemeente_id,
            behalve=betrokkenen(locked),
        )
        _meld(locked, ontvangers, Notificatie.Soort.TER_ACCORDERING, "wacht op uw accordering")
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
        _meld_opsteller(
            locked, user, Notificatie.Soort.TERUGGESTUURD, "is teruggestuurd naar concept"
        )
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
        if van == Status.CONCEPT:
            _bepaal_nadeel(locked)
            locked.save(update_fields=["ten_nadele"])
        _volledig(locked)
        controleer_domein(
            locked.dossier, user, [ProductRegel.van(bp) for bp in locked.producten.all()]
        )
        # One decision per client at a time: the overlap check below is then exact; the
        # exclusion constraint stays the safety net.
        Client.objects.select_for_update().get(pk=locked.dossier.client_id)
        vorige = _vorige_in_werking(locked)
        melding = _overlap_melding(locked, user)
        if melding:
            raise ValidationError(melding, code="overlap")
        locked.status = Status.VASTGESTELD
        locked.vastgesteld_op = timezone.now()
        locked.geaccordeerd_door = user
        locked.save(update_fields=["status", "vastgesteld_op", "geaccordeerd_door"])
        # A wijziging or intrekking takes effect only once made known (Awb 3:40): its grants
        # become active, and what it replaces follows, in ``maak_bekend``.
        if vorige is None:
            _activeer(locked, user)
        _stap(locked, user, "geaccordeerd en vastgesteld", van)
        _meld_opsteller(locked, user, Notificatie.Soort.VASTGESTELD, "is vastgesteld")
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
        vorige = _vorige_in_werking(locked)
        if vorige is not None:
            locked.in_werking_op = werking_per(locked, vandaag)
        context = brief_context(locked, vandaag, vastleggen=True)
        pdf = render_pdf(BRIEF_TEMPLATE, context)
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
            locked.save(update_fields=["brief", "bekendgemaakt_op", "status", "in_werking_op"])
            locked.brieftekstversies.set(context["brieftekstversies"])
            audit.record("create", objects=[document], actor=user, toelichting={"brief": True})
            _stap(locked, user, "bekendgemaakt", Status.VASTGESTELD, document=document.pk)
            if vorige is not None:
                _treed_in_werking(locked, vorige, user)
        except Exception:
            document.bestand.storage.delete(opgeslagen)
            raise
    return locked


# --- wijzigen, intrekken, verlopen ---------------------------------------------------------------


def werking_per(besluit: Beschikking, bekendmaking: datetime.date) -> datetime.date:
    """The day a wijziging or intrekking takes effect: not before it is made known (Awb 3:40),
    unless a recorded reason allows an earlier date (``terugwerkende_kracht``). For an
    intrekking the date asked is its ``ingangsdatum``; a wijziging's own products carry theirs."""
    gevraagd = besluit.ingangsdatum if besluit.is_intrekking else bekendmaking
    if gevraagd < bekendmaking and not besluit.terugwerkende_kracht.strip():
        return bekendmaking
    return gevraagd


def _treed_in_werking(besluit: Beschikking, vorige: Beschikking, user) -> None:
    """A wijziging or intrekking was made known: the beschikking it replaces stops, and every
    toewijzing that rests on it follows (``toegang.toewijzingen.services.volg_besluit``)."""
    per = besluit.in_werking_op
    einde = per - datetime.timedelta(days=1)
    van = vorige.status
    reden = besluit.reden_wijziging or REDENEN_TOEWIJZING[0]
    if besluit.is_intrekking:
        vorige.status = Status.INGETROKKEN
        vorige.ingetrokken_op = per
        vorige.intrekkingsreden = (
            f"Ingetrokken bij besluit {besluit.pk} ({besluit.get_grond_display()})"
        )
        vorige.save(update_fields=["status", "ingetrokken_op", "intrekkingsreden"])
        vorige.producten.update(actief=False)
        _stap(vorige, user, f"ingetrokken bij besluit {besluit.pk}", van, per=per.isoformat())
        volg_besluit(vorige, einde=einde, reden=reden, user=user)
        return
    vorige.status = Status.GEWIJZIGD
    vorige.save(update_fields=["status"])
    vorige.producten.update(actief=False)
    _activeer(besluit, user)
    _stap(vorige, user, f"gewijzigd door beschikking {besluit.pk}", van, per=per.isoformat())
    vervangers = {bp.product_id: bp for bp in besluit.producten.filter(toegekend=True)}
    volg_besluit(vorige, einde=einde, reden=reden, user=user, vervangers=vervangers)


def _controleer_grond(grond: str, reden_wijziging: str) -> None:
    if grond not in Grond.values:
        raise ValidationError({"grond": "Kies de grond van het besluit."})
    if reden_wijziging and reden_wijziging not in REDENEN_TOEWIJZING:
        raise ValidationError({"reden_wijziging": "Kies een reden wijziging toewijzing (WMO002)."})


def _opvolger_mag(locked: Beschikking, wat: str) -> None:
    if locked.status not in IN_WERKING or locked.is_intrekking:
        weiger_status(locked, f"alleen een beschikking die van kracht is kan worden {wat}.")
    bestaand = Beschikking.objects.filter(vorige=locked).first()
    if bestaand is not None:
        raise ValidationError(
            f"Er is al een besluit dat deze beschikking wijzigt of intrekt: beschikking "
            f"{bestaand.pk} ({bestaand.get_status_display().lower()}).",
            code="al_gewijzigd",
        )


def wijzig(
    beschikking: Beschikking, user, *, grond: str = "", reden_wijziging: str = ""
) -> Beschikking:
    """A new concept version of a vastgestelde beschikking (``vorige`` = the old one), with its
    content copied: a wijzigingsbesluit. The old one stays in force until the new one is made
    known; its ground must be given before it is decided."""
    if grond:
        _controleer_grond(grond, reden_wijziging)
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, ADD)
        _opvolger_mag(locked, "gewijzigd")
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
            grond=grond,
            reden_wijziging=reden_wijziging,
        )
        _schrijf_producten(
            nieuw, [ProductRegel.van(bp) for bp in locked.producten.select_related("product")]
        )
        _bewerkt_door(nieuw, user)
        audit.record(
            "create",
            objects=[nieuw],
            actor=user,
            toelichting={"stap": f"nieuwe versie van beschikking {locked.pk}"},
        )
    return nieuw


def trek_in(
    beschikking: Beschikking,
    user,
    *,
    grond: str,
    motivering: str,
    per: datetime.date,
    reden_wijziging: str = "05",
    terugwerkende_kracht: str = "",
) -> Beschikking:
    """Draft an intrekkingsbesluit on a beschikking in force: a concept of its own (besluit
    'intrekking', ``vorige`` = the beschikking), which is heard when to the client's
    disadvantage, approved with four eyes and made known with a letter like any beschikking.
    It takes effect from ``per``, not before it is made known unless ``terugwerkende_kracht``
    records why (Awb 3:40); then the beschikking is ingetrokken and its toewijzingen end."""
    motivering = (motivering or "").strip()
    terugwerkende_kracht = (terugwerkende_kracht or "").strip()
    fouten = {}
    if not motivering:
        fouten["motivering"] = "Motiveer waarom de beschikking wordt ingetrokken."
    if grond not in Grond.values or grond == Grond.NIEUWE_SITUATIE:
        fouten["grond"] = "Kies de grond van de intrekking (Wmo 2015 art. 2.3.10, of op verzoek)."
    if reden_wijziging not in REDENEN_TOEWIJZING:
        fouten["reden_wijziging"] = "Kies een reden wijziging toewijzing (WMO002)."
    if per < timezone.localdate() and not terugwerkende_kracht:
        fouten["per"] = (
            "Een intrekking gaat pas in als zij is bekendgemaakt (Awb 3:40). Kies een datum "
            "vanaf vandaag, of leg vast waarom zij eerder ingaat."
        )
    if fouten:
        raise ValidationError(fouten)
    with transaction.atomic():
        locked = vergrendel(beschikking)
        eis(user, locked, ADD)
        _opvolger_mag(locked, "ingetrokken")
        if per <= locked.ingangsdatum - datetime.timedelta(days=1) or (
            locked.einddatum and per > locked.einddatum
        ):
            raise ValidationError(
                {"per": f"Kies een datum binnen de looptijd van beschikking {locked.pk} "
                 f"({periode_label(locked.ingangsdatum, locked.einddatum)})."}
            )  # fmt: skip
        besluit = Beschikking.objects.create(
            dossier_id=locked.dossier_id,
            perceel_id=locked.perceel_id,
            vorige=locked,
            besluit=Besluit.INTREKKING,
            motivering=motivering,
            ingangsdatum=per,
            opgesteld_door=user,
            grond=grond,
            ten_nadele=grond != Grond.VERZOEK,
            reden_wijziging=reden_wijziging,
            terugwerkende_kracht=terugwerkende_kracht,
        )
        _bewerkt_door(besluit, user)
        audit.record(
            "create", objects=[besluit], actor=user,
            toelichting={"stap": f"intrekkingsbesluit opgesteld voor beschikking {locked.pk}",
                         "per": per.isoformat(), "grond": grond},
        )  # fmt: skip
    return besluit


def hoor(
    besluit: Beschikking,
    user,
    *,
    gehoord_op: datetime.date | None = None,
    hoorverslag: str = "",
    niet_gehoord_reden: str = "",
) -> Beschikking:
    """Record the hearing of the client on a concept wijziging or intrekking (Awb 4:8): when
    and what was said, or why it was left out (Awb 4:11)."""
    hoorverslag = (hoorverslag or "").strip()
    niet_gehoord_reden = (niet_gehoord_reden or "").strip()
    if gehoord_op is None and not niet_gehoord_reden:
        raise ValidationError(
            {"gehoord_op": "Vul de datum van het horen in, of leg vast waarom het horen "
             "achterwege blijft."}
        )  # fmt: skip
    if gehoord_op is not None:
        if not hoorverslag:
            raise ValidationError({"hoorverslag": "Leg vast wat de cliënt naar voren bracht."})
        if gehoord_op > timezone.localdate():
            raise ValidationError({"gehoord_op": "Het horen ligt in de toekomst."})
    with transaction.atomic():
        locked = vergrendel(besluit)
        eis(user, locked, CHANGE)
        if locked.status != Status.CONCEPT or not locked.vorige_id:
            weiger_status(
                locked, "het horen wordt vastgelegd op een concept-wijziging of -intrekking."
            )
        locked.gehoord_op = gehoord_op
        locked.hoorverslag = hoorverslag if gehoord_op else ""
        locked.niet_gehoord_reden = "" if gehoord_op else niet_gehoord_reden
        locked.save(update_fields=["gehoord_op", "hoorverslag", "niet_gehoord_reden"])
        _bewerkt_door(locked, user)
        audit.record(
            "change", objects=[locked], actor=user,
            toelichting={"stap": "horen vastgelegd" if gehoord_op else "horen achterwege"},
        )  # fmt: skip
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
            "door": r.door or "systeem",
            "stap": r.toelichting.get("stap", r.get_actie_display()),
            "opmerking": r.toelichting.get("opmerking", ""),
        }
        for r in audit.met_namen(rijen)
    ]
