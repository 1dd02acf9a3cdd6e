"""The letter of a beschikking: what the PDF says (addressee, the products granted and refused,
motivering, rechtsmiddelenclausule, the signature under the gemeente's mandate text) and the
stored letter itself. Rendered once at bekendmaking (``services.maak_bekend``), never again; a
preview before it (``voorbeeld_pdf``) carries a CONCEPT watermark and is not stored. How the
addressee is named is ``aanhef``; the wording is the gemeente's letter texts (``brieftekst``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from inkoop.models import Bekostiging
from regio.iwmo import codelijst
from regio.opslag import open_gecontroleerd
from regio.pdf import logo_uri, render_pdf
from toegang.beschikkingen import brieftekst
from toegang.beschikkingen.aanhef import aanhef, adresregel, naam_in_zin
from toegang.beschikkingen.producten import categorie_label, omvang_label, periode_label
from toegang.dossiers.services import postadres, postontvanger
from toegang.models import (
    Beschikking,
)


def brief_context(
    beschikking: Beschikking, verzonden_op: datetime.date, *, vastleggen: bool = False,
    concept: bool = False,
) -> dict:  # fmt: skip
    """What the letter shows. Refuses (ValidationError) when it cannot be addressed.

    The letter speaks to whoever receives it ("u krijgt"); where a vertegenwoordiger receives
    the post it is addressed to them and names the client. Its wording is the gemeente's current
    letter texts (``brieftekst``); ``vastleggen`` stores standard texts as version 1 so the
    letter can name the versions it used (``brieftekstversies`` in the result). ``concept``:
    a preview, marked as such and never stored."""
    gemeente = beschikking.dossier.verantwoordelijke_gemeente
    persoon = getattr(beschikking.dossier.client, "persoon", None)
    if persoon is None:
        raise ValidationError(
            "De persoonsgegevens van deze cliënt zijn verwijderd; er kan geen brief worden "
            "gemaakt.",
            code="geen_persoon",
        )
    adres = postadres(persoon)
    relatie = postontvanger(persoon)
    if relatie is not None:
        ontvanger = {
            "naam": adresregel(relatie),
            "organisatie": relatie.organisatie,
            "tav": "",
            "regels": [],
            "aanhef": aanhef(relatie),
            "rol": codelijst("COD472_Soort_relatie").get(relatie.soort, "").lower(),
        }
        if relatie.straat and relatie.postcode and relatie.plaats:
            ontvanger["regels"] = [
                f"{relatie.straat} {relatie.huisnummer}".strip(),
                f"{relatie.postcode}  {relatie.plaats.upper()}",
            ]
        elif adres is not None:
            ontvanger["tav"] = f"t.a.v. {adresregel(relatie)}"
            ontvanger["naam"] = adresregel(persoon)
            ontvanger["regels"] = _adresregels(adres)
    else:
        ontvanger = {
            "naam": adresregel(persoon),
            "organisatie": "",
            "tav": "",
            "regels": _adresregels(adres) if adres is not None else [],
            "aanhef": aanhef(persoon),
            "rol": "",
        }
    if not ontvanger["regels"]:
        raise ValidationError(
            "Er is geen adres bekend om de beschikking naar te sturen: vul het "
            "correspondentie- of BRP-adres van de cliënt (of het adres van de vertegenwoordiger "
            "die de post ontvangt) aan.",
            code="geen_adres",
        )
    producten = []
    for bp in beschikking.producten.select_related("product"):
        producten.append(
            {
                "naam": bp.product.naam,
                "soort": bp.product.get_soort_display().lower(),
                "productcode": bp.product.productcode,
                "categorie": categorie_label(bp.productcategorie),
                "periode": periode_label(bp.ingangsdatum, bp.einddatum),
                "omvang": omvang_label(bp.volume, bp.eenheid, bp.frequentie),
                "toegekend": bp.toegekend,
            }
        )
    vorige = beschikking.vorige
    vorige_producten = (
        [
            {"naam": bp.product.naam, "periode": periode_label(bp.ingangsdatum, bp.einddatum)}
            for bp in vorige.producten.filter(toegekend=True).select_related("product")
        ]
        if beschikking.is_intrekking
        else []
    )
    periode = periode_label(beschikking.ingangsdatum, beschikking.einddatum)
    toegekend = [p for p in producten if p["toegekend"]]
    teksten = brieftekst.huidige_teksten(
        gemeente, brieftekst.soort_van(beschikking), vastleggen=vastleggen
    )
    waarden = brieftekst.waarden(
        gemeente=gemeente,
        aanhef=ontvanger["aanhef"],
        client=naam_in_zin(persoon),
        client_begin=naam_in_zin(persoon, begin_zin=True),
        via_vertegenwoordiger=relatie is not None,
        beschikkingnummer=beschikking.pk,
        product=_opsomming([p["naam"] for p in (toegekend or vorige_producten)]),
        periode=periode,
        ingangsdatum=beschikking.ingangsdatum,
        aanvraag_op=beschikking.aanvraag.ontvangen_op if beschikking.aanvraag_id else None,
        vorige=vorige.pk if vorige else "",
        vorige_datum=vorige.bekendgemaakt_op if vorige else None,
        in_werking_op=beschikking.in_werking_op
        or (beschikking.ingangsdatum if beschikking.is_intrekking else verzonden_op),
        grond=beschikking.get_grond_display().lower() if beschikking.grond else "een nieuw besluit",
        verzonden_op=verzonden_op,
    )
    ondertekenaar = beschikking.geaccordeerd_door
    return {
        "beschikking": beschikking,
        "gemeente": gemeente,
        "logo": logo_uri(gemeente),
        "persoon": persoon,
        "clientnaam": persoon.naam,
        "client_in_zin": waarden["client"],
        "ontvanger": ontvanger,
        "verzonden_op": verzonden_op,
        "toegekend": toegekend,
        "afgewezen": [p for p in producten if not p["toegekend"]],
        "periode": periode,
        "taakgericht": beschikking.perceel.bekostiging == Bekostiging.TAAKGERICHT,
        "opgesteld_door": beschikking.opgesteld_door,
        "geaccordeerd_door": ondertekenaar,
        "ondertekenaar": {"naam": ondertekenaar.naam, "functie": ondertekenaar.functie}
        if ondertekenaar
        else None,
        "vorige": vorige,
        "intrekking": beschikking.is_intrekking,
        "in_werking_op": beschikking.in_werking_op,
        "vorige_producten": vorige_producten,
        "tekst": {blok: brieftekst.als_html(rij.tekst, waarden) for blok, rij in teksten.items()},
        "brieftekstversies": [rij for rij in teksten.values() if rij.pk],
        "concept": concept,
    }


def _opsomming(namen: list[str]) -> str:
    if len(namen) < 2:
        return "".join(namen)
    return f"{', '.join(namen[:-1])} en {namen[-1]}"


def _adresregels(adres) -> list[str]:
    huis = f"{adres.huisnummer}{adres.huisletter}"
    if adres.toevoeging:
        huis += f"-{adres.toevoeging}"
    regels = [f"{adres.straat} {huis}", f"{adres.postcode}  {adres.plaats.upper()}"]
    if adres.land and adres.land != "NL":  # a domestic address carries no country line
        regels.append(codelijst("COD032_Land").get(adres.land, "").upper())
    return [r for r in regels if r.strip()]


def voorbeeld_pdf(beschikking: Beschikking) -> bytes:
    """The letter as it would be made today, with a CONCEPT watermark; nothing is stored."""
    return render_pdf(
        BRIEF_TEMPLATE, brief_context(beschikking, timezone.localdate(), concept=True)
    )


BRIEF_TEMPLATE = "toegang/beschikkingen/brief_beschikking.html"


def brief_bestandsnaam(beschikking: Beschikking) -> str:
    """Never anything personal (let alone the BSN) in a file name."""
    return f"beschikking-{beschikking.pk}.pdf"


def lees_brief(beschikking: Beschikking) -> bytes:
    """The stored letter, checked against its SHA-256 (tampering is refused, not served)."""
    document = beschikking.brief
    if document is None:
        raise ValidationError("Deze beschikking heeft (nog) geen brief.", code="geen_brief")
    # Through the storage (filesystem or S3), never a local path.
    with open_gecontroleerd(document.bestand, document.sha256) as handle:
        return handle.read()
