"""Melding → onderzoek → aanvraag: the rules of the lokaal team's intake (Wmo 2015 §2.3).

Every change runs in one transaction with the melding's row locked (two consulenten may work on
the same case), recomputes ``Melding.volgende_termijn`` (the deadline the werkvoorraad sorts on)
from toegang.termijnen, and is audited. Errors are Dutch ``ValidationError``s keyed by the form
field they belong to.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from regio import audit
from regio.models import Lidmaatschap, Roltoekenning, User
from regio.pdf import logo_uri, render_pdf
from regio.query import vereis
from toegang import termijnen
from toegang.models import Aanvraag, Document, Dossier, Melding, Opschorting, Persoon

OPEN = (Melding.Status.ONDERZOEK, Melding.Status.AANVRAAG)
MAX_VERDAGING_WEKEN = 12
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def vandaag() -> datetime.date:
    return timezone.localdate()


def datum(value: datetime.date) -> str:
    return date_format(value, "j F Y")


# --- deadlines -------------------------------------------------------------------------------


def volgende_termijn(melding: Melding, aanvraag: Aanvraag | None, opschortingen) -> datetime.date:
    """The deadline the gemeente has to meet next, or None.

    In onderzoek: the onderzoekstermijn, until the onderzoek is finished and its verslag sent
    (then nothing is due until the client applies). With an aanvraag: the beslistermijn (None
    while it is suspended). A closed melding has none."""
    if melding.status == Melding.Status.ONDERZOEK:
        if melding.onderzoek_afgerond_op and melding.verslag_verstuurd_op:
            return None
        return termijnen.onderzoekstermijn(melding.ontvangen_op)
    if melding.status == Melding.Status.AANVRAAG and aanvraag is not None:
        return termijnen.beslistermijn(
            aanvraag.ontvangen_op, opschortingen, aanvraag.verdaging_weken
        )
    return None


def _aanvraag_van(melding: Melding) -> Aanvraag | None:
    try:
        return melding.aanvraag
    except Aanvraag.DoesNotExist:
        return None


def _bijwerken(melding: Melding, velden: list[str], *, user) -> Melding:
    """Store the changed fields and the recomputed next deadline; audit the change."""
    aanvraag = _aanvraag_van(melding)
    opschortingen = list(aanvraag.opschortingen.all()) if aanvraag else []
    melding.volgende_termijn = volgende_termijn(melding, aanvraag, opschortingen)
    melding.save(update_fields=[*velden, "volgende_termijn"])
    audit.record("change", objects=[melding], actor=user)
    return melding


@dataclass(frozen=True)
class Termijnoverzicht:
    """The deadlines of one melding as the detail page shows them."""

    onderzoekstermijn: datetime.date
    onderzoek: termijnen.Termijnstand | None
    beslistermijn_oorspronkelijk: datetime.date | None
    beslistermijn: datetime.date | None
    beslissing: termijnen.Termijnstand | None
    opgeschorte_dagen: int | None
    open_opschorting: Opschorting | None
    dwangsom: termijnen.Dwangsomstatus | None
    kan_verdagen: bool


def termijnoverzicht(melding: Melding, peildatum: datetime.date | None = None) -> Termijnoverzicht:
    peildatum = peildatum or vandaag()
    aanvraag = _aanvraag_van(melding)
    onderzoek_einde = termijnen.onderzoekstermijn(melding.ontvangen_op)
    onderzoek_stand = None
    if melding.status == Melding.Status.ONDERZOEK and not melding.onderzoek_afgerond_op:
        onderzoek_stand = termijnen.termijnstand(onderzoek_einde, peildatum)
    if aanvraag is None:
        return Termijnoverzicht(
            onderzoek_einde, onderzoek_stand, None, None, None, None, None, None, False
        )
    opschortingen = list(aanvraag.opschortingen.all())
    open_opschorting = next((o for o in opschortingen if o.tot is None), None)
    oorspronkelijk = termijnen.beslistermijn(aanvraag.ontvangen_op, opschortingen)
    einde = termijnen.beslistermijn(aanvraag.ontvangen_op, opschortingen, aanvraag.verdaging_weken)
    lopend = melding.status == Melding.Status.AANVRAAG
    beslissing = (
        termijnen.termijnstand(einde, peildatum, opgeschort=open_opschorting is not None)
        if lopend
        else None
    )
    dwangsom = termijnen.dwangsom_status(einde, peildatum) if lopend else None
    kan_verdagen = lopend and aanvraag.verdaagd_op is None and (einde is None or peildatum <= einde)
    return Termijnoverzicht(
        onderzoek_einde,
        onderzoek_stand,
        oorspronkelijk,
        einde,
        beslissing,
        termijnen.opgeschorte_dagen(opschortingen),
        open_opschorting,
        dwangsom,
        kan_verdagen,
    )


# --- checks shared by the steps --------------------------------------------------------------


def _niet_in_de_toekomst(waarde: datetime.date | None, veld: str, fouten: dict):
    if waarde and waarde > vandaag():
        fouten[veld] = "Deze datum ligt in de toekomst."


def _niet_voor(waarde, grens, veld: str, fouten: dict, wat: str):
    if waarde and grens and waarde < grens and veld not in fouten:
        fouten[veld] = f"Deze datum ligt vóór {wat} ({datum(grens)})."


def _vergrendeld(melding: Melding, user, capability: str) -> Melding:
    """The melding, locked, once ``user`` may do this to it (``regio.query.vereis``)."""
    vereis(user, capability, melding)
    return (
        Melding.objects.select_for_update(of=("self",))
        .select_related("dossier__verantwoordelijke_gemeente")
        .get(pk=melding.pk)
    )


def _moet_open_zijn(melding: Melding):
    if melding.status not in OPEN:
        raise ValidationError(
            f"Deze melding is {melding.get_status_display().lower()}; ze kan niet meer worden "
            "gewijzigd."
        )


def consulenten_van(gemeente, op: datetime.date | None = None):
    """Users who are consulent (may change meldingen) for ``gemeente`` on ``op``: by a
    toekenning for the gemeente itself or for a regio it is a member of."""
    op = op or vandaag()
    regios = Lidmaatschap.objects.active_on(op).filter(gemeente=gemeente).values("regio")
    toekenningen = (
        Roltoekenning.objects.active_on(op)
        .filter(
            rol__group__permissions__codename="change_melding",
            rol__group__permissions__content_type__app_label="toegang",
        )
        .filter(Q(gemeente=gemeente) | Q(regio__in=regios))
    )
    return (
        User.objects.filter(is_active=True, roltoekenningen__in=toekenningen)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- melding ---------------------------------------------------------------------------------


def melding_registreren(
    dossier: Dossier,
    *,
    user,
    ontvangen_op: datetime.date,
    hulpvraag: str,
    consulent=None,
    urgent: bool = False,
    tijdelijke_voorziening: str = "",
) -> Melding:
    """Register a hulpvraag on a dossier; the onderzoek must end within six weeks. An urgent
    melding records the tijdelijke voorziening that bridges the onderzoek (art. 2.3.3)."""
    fouten: dict[str, str] = {}
    _niet_in_de_toekomst(ontvangen_op, "ontvangen_op", fouten)
    if not hulpvraag.strip():
        fouten["hulpvraag"] = "Beschrijf de hulpvraag."
    if urgent and not tijdelijke_voorziening.strip():
        fouten["tijdelijke_voorziening"] = (
            "Beschrijf bij een spoedmelding de tijdelijke voorziening (art. 2.3.3 Wmo 2015)."
        )
    if not urgent and tijdelijke_voorziening.strip():
        fouten["urgent"] = "Een tijdelijke voorziening hoort bij een spoedmelding: vink spoed aan."
    if (
        consulent is not None
        and not consulenten_van(dossier.verantwoordelijke_gemeente).filter(pk=consulent.pk).exists()
    ):
        fouten["consulent"] = "Deze medewerker is geen consulent van deze gemeente."
    vereis(user, "toegang.add_melding", dossier)
    if fouten:
        raise ValidationError(fouten)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if dossier.status != Dossier.Status.OPEN:
            raise ValidationError("Dit dossier is gesloten; open het eerst opnieuw.")
        melding = Melding(
            dossier=dossier,
            ontvangen_op=ontvangen_op,
            hulpvraag=hulpvraag.strip(),
            consulent=consulent or user,
            urgent=urgent,
            tijdelijke_voorziening=tijdelijke_voorziening.strip() if urgent else "",
        )
        melding.volgende_termijn = volgende_termijn(melding, None, [])
        melding.save()
        audit.record("create", objects=[melding], actor=user)
    return melding


def consulent_toewijzen(melding: Melding, consulent, *, user) -> Melding:
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_melding")
        _moet_open_zijn(melding)
        if (
            not consulenten_van(melding.dossier.verantwoordelijke_gemeente)
            .filter(pk=consulent.pk)
            .exists()
        ):
            raise ValidationError(
                {"consulent": "Deze medewerker is geen consulent van deze gemeente."}
            )
        melding.consulent = consulent
        return _bijwerken(melding, ["consulent"], user=user)


def melding_intrekken(melding: Melding, *, user) -> Melding:
    """The client withdraws the melding (or no aanvraag follows): no deadline runs any more."""
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_melding")
        _moet_open_zijn(melding)
        melding.status = Melding.Status.INGETROKKEN
        return _bijwerken(melding, ["status"], user=user)


def melding_afsluiten(melding: Melding, *, user) -> Melding:
    """The decision on the aanvraag was given (the beschikking is vastgesteld)."""
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_melding")
        if melding.status != Melding.Status.AANVRAAG:
            raise ValidationError(
                "Alleen een melding met een aanvraag wordt met een besluit afgesloten."
            )
        melding.status = Melding.Status.BESLOTEN
        return _bijwerken(melding, ["status"], user=user)


# --- onderzoek -------------------------------------------------------------------------------


def onderzoek_vastleggen(
    melding: Melding,
    *,
    user,
    gesprek_op: datetime.date | None,
    gespreksverslag: str,
    persoonlijk_plan_ontvangen_op: datetime.date | None = None,
    onderzoek_afgerond_op: datetime.date | None = None,
) -> Melding:
    """Record the conversation (gespreksverslag) and, when done, the end of the onderzoek."""
    fouten: dict[str, str] = {}
    for veld, waarde in (
        ("gesprek_op", gesprek_op),
        ("persoonlijk_plan_ontvangen_op", persoonlijk_plan_ontvangen_op),
        ("onderzoek_afgerond_op", onderzoek_afgerond_op),
    ):
        _niet_in_de_toekomst(waarde, veld, fouten)
        _niet_voor(waarde, melding.ontvangen_op, veld, fouten, "de melding")
    _niet_voor(onderzoek_afgerond_op, gesprek_op, "onderzoek_afgerond_op", fouten, "het gesprek")
    if onderzoek_afgerond_op and not gespreksverslag.strip():
        fouten["gespreksverslag"] = "Een afgerond onderzoek heeft een gespreksverslag."
    if onderzoek_afgerond_op and not gesprek_op:
        fouten["gesprek_op"] = "Vul de datum van het gesprek in."
    if fouten:
        raise ValidationError(fouten)
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_melding")
        _moet_open_zijn(melding)
        melding.gesprek_op = gesprek_op
        melding.gespreksverslag = gespreksverslag.strip()
        melding.persoonlijk_plan_ontvangen_op = persoonlijk_plan_ontvangen_op
        melding.onderzoek_afgerond_op = onderzoek_afgerond_op
        return _bijwerken(
            melding,
            ["gesprek_op", "gespreksverslag", "persoonlijk_plan_ontvangen_op",
             "onderzoek_afgerond_op"],
            user=user,
        )  # fmt: skip


def _adresregels_persoon(persoon) -> list[str]:
    adressen = {a.soort: a for a in persoon.adressen.all()}
    # Correspondence address first (iWmo COD757 02), then BRP (01), then where they stay.
    adres = next((adressen[s] for s in ("02", "01", "03", "04") if s in adressen), None)
    if adres is None:
        return []
    nummer = f"{adres.huisnummer}{adres.huisletter}"
    if adres.toevoeging:
        nummer = f"{nummer}-{adres.toevoeging}"
    return [f"{adres.straat} {nummer}", f"{adres.postcode}  {adres.plaats.upper()}"]


@dataclass(frozen=True)
class Geadresseerde:
    naam: str
    adresregels: list[str]
    aanhef: str
    is_relatie: bool


def geadresseerde(persoon) -> Geadresseerde:
    """Who a letter about this client goes to: the relatie that receives the post (a
    vertegenwoordiger) where there is one, else the client at the correspondence address."""
    relatie = persoon.relaties.filter(ontvangt_post=True).first()
    if relatie is not None:
        naam = relatie.naam
        regels = [f"t.a.v. {naam}"] if relatie.organisatie else []
        if relatie.straat:
            regels.append(f"{relatie.straat} {relatie.huisnummer}".strip())
        if relatie.postcode or relatie.plaats:
            regels.append(f"{relatie.postcode}  {relatie.plaats.upper()}".strip())
        return Geadresseerde(
            relatie.organisatie or naam, regels, f"Geachte heer/mevrouw {relatie.geslachtsnaam}",
            True,
        )  # fmt: skip
    return Geadresseerde(
        persoon.naam,
        _adresregels_persoon(persoon),
        f"Geachte heer/mevrouw {persoon.geslachtsnaam}",
        False,
    )


def verslag_context(melding: Melding, *, user, verstuurd_op: datetime.date) -> dict:
    dossier = melding.dossier
    gemeente = dossier.verantwoordelijke_gemeente
    persoon = dossier.client.persoon
    logo = logo_uri(gemeente)
    return {
        "melding": melding,
        "gemeente": gemeente,
        "logo": logo,
        "persoon": persoon,
        "aan": geadresseerde(persoon),
        "verstuurd_op": verstuurd_op,
        "onderzoekstermijn": termijnen.onderzoekstermijn(melding.ontvangen_op),
        "consulent": melding.consulent or user,
        "kenmerk": f"M{melding.pk}",
    }


def verslag_versturen(
    melding: Melding, *, user, verstuurd_op: datetime.date | None = None
) -> Document:
    """The written report of the onderzoek (Wmo 2015 art. 2.3.2) as a PDF letter to the client
    or their vertegenwoordiger, stored on the dossier with its SHA-256."""
    verstuurd_op = verstuurd_op or vandaag()
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_melding")
        _moet_open_zijn(melding)
        if not melding.onderzoek_afgerond_op or not melding.gespreksverslag:
            raise ValidationError(
                "Rond eerst het onderzoek af met een gespreksverslag; daarna kan het verslag "
                "worden verstuurd."
            )
        if verstuurd_op < melding.onderzoek_afgerond_op:
            raise ValidationError("Het verslag kan niet vóór het einde van het onderzoek uitgaan.")
        if not Persoon.objects.filter(client_id=melding.dossier.client_id).exists():
            raise ValidationError("De persoonsgegevens van deze cliënt zijn verwijderd.")
        context = verslag_context(melding, user=user, verstuurd_op=verstuurd_op)
        pdf = render_pdf("toegang/meldingen/melding_verslag_pdf.html", context)
        document = Document(
            dossier=melding.dossier,
            soort=Document.Soort.VERSLAG,
            naam=f"Verslag van het onderzoek (melding {melding.pk}, {verstuurd_op:%d-%m-%Y})",
            sha256=hashlib.sha256(pdf).hexdigest(),
            aangemaakt_door=user,
        )
        document.bestand.save(f"verslag-melding-{melding.pk}.pdf", ContentFile(pdf), save=False)
        document.save()
        audit.record("create", objects=[document], actor=user)
        melding.verslag_verstuurd_op = verstuurd_op
        _bijwerken(melding, ["verslag_verstuurd_op"], user=user)
    return document


# --- aanvraag --------------------------------------------------------------------------------


def aanvraag_registreren(
    melding: Melding, *, user, ontvangen_op: datetime.date, omschrijving: str = "", functies=()
) -> Aanvraag:
    """The client applies; the beslistermijn of two weeks starts (art. 2.3.5). The aanvraag may
    come before the onderzoek ends (the client's right after six weeks, or by choice)."""
    fouten: dict[str, str] = {}
    _niet_in_de_toekomst(ontvangen_op, "ontvangen_op", fouten)
    _niet_voor(ontvangen_op, melding.ontvangen_op, "ontvangen_op", fouten, "de melding")
    if fouten:
        raise ValidationError(fouten)
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.add_aanvraag")
        _moet_open_zijn(melding)
        if Aanvraag.objects.filter(melding=melding).exists():
            raise ValidationError("Voor deze melding is al een aanvraag geregistreerd.")
        aanvraag = Aanvraag.objects.create(
            melding=melding,
            dossier_id=melding.dossier_id,
            ontvangen_op=ontvangen_op,
            omschrijving=omschrijving.strip(),
        )
        if functies:
            aanvraag.functies.set(functies)
        audit.record("create", objects=[aanvraag], actor=user)
        melding.status = Melding.Status.AANVRAAG
        _bijwerken(melding, ["status"], user=user)
    return aanvraag


def _lopende_aanvraag(melding: Melding) -> Aanvraag:
    _moet_open_zijn(melding)
    aanvraag = Aanvraag.objects.select_for_update().filter(melding=melding).first()
    if aanvraag is None or melding.status != Melding.Status.AANVRAAG:
        raise ValidationError("Deze melding heeft nog geen aanvraag.")
    return aanvraag


def opschorting_starten(melding: Melding, *, user, van: datetime.date, reden: str) -> Opschorting:
    """The client is asked for missing information: the beslistermijn is suspended from the
    day after ``van`` (Awb 4:15). Only while the term still runs, one at a time."""
    fouten: dict[str, str] = {}
    _niet_in_de_toekomst(van, "van", fouten)
    if not reden.strip():
        fouten["reden"] = "Noem welke informatie is gevraagd."
    if fouten:
        raise ValidationError(fouten)
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.add_opschorting")
        aanvraag = _lopende_aanvraag(melding)
        opschortingen = list(aanvraag.opschortingen.all())
        if any(o.tot is None for o in opschortingen):
            raise ValidationError(
                "De beslistermijn is al opgeschort; beëindig die opschorting eerst."
            )
        if van < aanvraag.ontvangen_op:
            raise ValidationError(
                {"van": f"Deze datum ligt vóór de aanvraag ({datum(aanvraag.ontvangen_op)})."}
            )
        if any(o.tot and van < o.tot for o in opschortingen):
            raise ValidationError({"van": "Deze datum valt in een eerdere opschorting."})
        einde = termijnen.beslistermijn(
            aanvraag.ontvangen_op, opschortingen, aanvraag.verdaging_weken
        )
        if einde is not None and van > einde:
            raise ValidationError(
                {"van": f"De beslistermijn is op {datum(einde)} verstreken; een verstreken "
                        "termijn kan niet meer worden opgeschort."}
            )  # fmt: skip
        opschorting = Opschorting.objects.create(
            aanvraag=aanvraag, dossier_id=melding.dossier_id, van=van, reden=reden.strip()
        )
        audit.record("create", objects=[opschorting], actor=user)
        _bijwerken(melding, [], user=user)
    return opschorting


def opschorting_beeindigen(melding: Melding, *, user, tot: datetime.date) -> Opschorting:
    """The information arrived (or the term for it passed): the beslistermijn runs again."""
    fouten: dict[str, str] = {}
    _niet_in_de_toekomst(tot, "tot", fouten)
    if fouten:
        raise ValidationError(fouten)
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_opschorting")
        aanvraag = _lopende_aanvraag(melding)
        opschorting = aanvraag.opschortingen.select_for_update().filter(tot__isnull=True).first()
        if opschorting is None:
            raise ValidationError("De beslistermijn is niet opgeschort.")
        if tot < opschorting.van:
            raise ValidationError(
                {"tot": f"Deze datum ligt vóór het begin van de opschorting "
                        f"({datum(opschorting.van)})."}
            )  # fmt: skip
        opschorting.tot = tot
        opschorting.save(update_fields=["tot"])
        audit.record("change", objects=[opschorting], actor=user)
        _bijwerken(melding, [], user=user)
    return opschorting


def verdaging_controleren(
    aanvraag: Aanvraag, opschortingen, *, verdaagd_op: datetime.date, weken: int
) -> datetime.date | None:
    """The new end of the beslistermijn if it is extended by ``weken`` (Awb 4:14: once, with
    notice before the term expires); raises a Dutch ValidationError otherwise."""
    fouten: dict[str, str] = {}
    _niet_in_de_toekomst(verdaagd_op, "verdaagd_op", fouten)
    _niet_voor(verdaagd_op, aanvraag.ontvangen_op, "verdaagd_op", fouten, "de aanvraag")
    if not 1 <= weken <= MAX_VERDAGING_WEKEN:
        fouten["weken"] = f"Kies een verdaging van 1 tot en met {MAX_VERDAGING_WEKEN} weken."
    if fouten:
        raise ValidationError(fouten)
    if aanvraag.verdaagd_op is not None:
        raise ValidationError(
            f"De beslistermijn is al op {datum(aanvraag.verdaagd_op)} verdaagd; verdagen kan "
            "maar één keer (Awb 4:14)."
        )
    einde = termijnen.beslistermijn(aanvraag.ontvangen_op, opschortingen)
    if einde is not None and verdaagd_op > einde:
        raise ValidationError(
            {"verdaagd_op": f"De beslistermijn is op {datum(einde)} verstreken; verdagen kan "
                            "alleen vóór het einde van de termijn (Awb 4:14)."}
        )  # fmt: skip
    return termijnen.beslistermijn(aanvraag.ontvangen_op, opschortingen, weken)


def verdaging_vastleggen(
    melding: Melding, *, user, verdaagd_op: datetime.date, weken: int, reden: str
) -> Aanvraag:
    if not reden.strip():
        raise ValidationError({"reden": "Noem de reden van de verdaging; die staat in de brief."})
    with transaction.atomic():
        melding = _vergrendeld(melding, user, "toegang.change_aanvraag")
        aanvraag = _lopende_aanvraag(melding)
        opschortingen = list(aanvraag.opschortingen.all())
        verdaging_controleren(aanvraag, opschortingen, verdaagd_op=verdaagd_op, weken=weken)
        aanvraag.verdaagd_op = verdaagd_op
        aanvraag.verdaging_weken = weken
        aanvraag.verdaging_reden = reden.strip()
        aanvraag.save(update_fields=["verdaagd_op", "verdaging_weken", "verdaging_reden"])
        audit.record("change", objects=[aanvraag], actor=user)
        _bijwerken(melding, [], user=user)
    return aanvraag


# --- documents -------------------------------------------------------------------------------

# What an upload may be, recognised by its content; the extension must agree.
BESTANDSSOORTEN = {
    "pdf": ({".pdf"}, "application/pdf"),
    "png": ({".png"}, "image/png"),
    "jpeg": ({".jpg", ".jpeg"}, "image/jpeg"),
    "docx": (
        {".docx"},
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "doc": ({".doc"}, "application/msword"),
}
OLE_KOP = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def herken_bestand(bestand) -> str | None:
    """The kind of an uploaded file by its first bytes (and, for Word, its zip entries)."""
    bestand.seek(0)
    kop = bestand.read(8)
    bestand.seek(0)
    if kop.startswith(b"%PDF-"):
        return "pdf"
    if kop == b"\x89PNG\r\n\x1a\n":
        return "png"
    if kop.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if kop == OLE_KOP:
        return "doc"
    if kop.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(bestand) as archief:
                namen = set(archief.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            bestand.seek(0)
        if "word/document.xml" in namen and "[Content_Types].xml" in namen:
            return "docx"
    return None


def content_type(naam: str) -> str:
    extensie = Path(naam).suffix.lower()
    for extensies, soort in BESTANDSSOORTEN.values():
        if extensie in extensies:
            return soort
    return "application/octet-stream"


def controleer_upload(bestand) -> str:
    """Dutch error unless the file is a PDF, PNG/JPEG image or Word document of at most 20 MB
    whose content matches its extension; returns the kind."""
    if bestand.size > MAX_DOCUMENT_BYTES:
        raise ValidationError("Het bestand is groter dan 20 MB.")
    if bestand.size == 0:
        raise ValidationError("Het bestand is leeg.")
    soort = herken_bestand(bestand)
    if soort is None:
        raise ValidationError(
            "Alleen PDF, afbeeldingen (PNG of JPEG) en Word-documenten zijn toegestaan."
        )
    extensie = Path(bestand.name or "").suffix.lower()
    if extensie not in BESTANDSSOORTEN[soort][0]:
        raise ValidationError(
            f"De inhoud van het bestand ({soort.upper()}) past niet bij de extensie "
            f"'{extensie or 'geen'}'."
        )
    return soort


def document_toevoegen(dossier: Dossier, *, user, bestand, naam: str, soort: str) -> Document:
    vereis(user, "toegang.add_document", dossier)
    controleer_upload(bestand)
    if soort not in (Document.Soort.UPLOAD, Document.Soort.PERSOONLIJK_PLAN, Document.Soort.BRIEF):
        raise ValidationError({"soort": "Deze soort document maakt de applicatie zelf."})
    digest = hashlib.sha256()
    for stuk in bestand.chunks():
        digest.update(stuk)
    bestand.seek(0)
    extensie = Path(bestand.name).suffix.lower()
    with transaction.atomic():
        document = Document(
            dossier=dossier,
            soort=soort,
            # A BSN in the file name does not become the document's name.
            naam=audit.scrub(naam.strip() or Path(bestand.name).stem)[:200],
            sha256=digest.hexdigest(),
            aangemaakt_door=user,
        )
        # The stored name is ours: a client's name or BSN in the uploaded file name stays out
        # of paths and logs.
        document.bestand.save(f"document{extensie}", bestand, save=False)
        document.save()
        audit.record("create", objects=[document], actor=user)
    return document
