"""A gemeente's letter texts: a small set of blocks per kind of letter, with named placeholders,
edited by the functioneel beheerder.

Rules held here:

- Which blocks a letter has (``BLOKKEN``): the inleiding and the besluit per kind of letter
  (toekenning, gedeeltelijk, afwijzing, wijziging, intrekking), the slot, the ondertekening
  (the mandate text) and the rechtsmiddelen shared by every letter.
- A text uses only the placeholders of ``PLAATSHOUDERS`` (``{gemeente}``, ``{wie}``...);
  anything else is refused at the field (``valideer``).
- Editing makes a new version (``nieuwe_versie``); a version is never changed. Until a
  gemeente edits a block its standard wording (``STANDAARD``) holds; it is stored as version 1
  the first time a letter is made with it, so every stored letter names the versions it used.
- A text is written as plain text: an empty line starts a new paragraph, lines starting with
  "- " form a list (``als_html``).
"""

from __future__ import annotations

import datetime
import string
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from regio import audit
from regio.query import vereis
from toegang.models import Beschikking, Brieftekst

Soort = Brieftekst.Soort
Blok = Brieftekst.Blok

VIEW = "toegang.view_brieftekst"
ADD = "toegang.add_brieftekst"

BESLUITBLOKKEN = (Blok.INLEIDING, Blok.BESLUIT)
ALGEMENE_BLOKKEN = (Blok.SLOT, Blok.ONDERTEKENING, Blok.RECHTSMIDDELEN)
BLOKKEN: dict[str, tuple[str, ...]] = {
    **{s: BESLUITBLOKKEN for s in Soort.values if s != Soort.ALGEMEEN},
    Soort.ALGEMEEN: ALGEMENE_BLOKKEN,
}

PLAATSHOUDERS: dict[str, str] = {
    "gemeente": "de naam van de gemeente (Soest)",
    "aanhef": "de aanhef (Geachte mevrouw Van Testweg,)",
    "client": "de cliënt in een zin (mevrouw Van Testweg)",
    "wie": "wie de ondersteuning krijgt, in een zin: 'u', of de cliënt als een vertegenwoordiger "
    "de brief krijgt",
    "Wie": "hetzelfde aan het begin van een zin ('U' of 'Mevrouw Van Testweg')",
    "beschikkingnummer": "het nummer van deze beschikking",
    "product": "de toegekende ondersteuning (Begeleiding en Beschermd wonen)",
    "periode": "de periode van het besluit (van 1 januari 2026 tot en met 31 december 2026)",
    "ingangsdatum": "de ingangsdatum van het besluit",
    "aanvraag_van": "' van <datum>' als de aanvraag een ontvangstdatum heeft, anders leeg",
    "vorige": "het nummer van de beschikking die gewijzigd of ingetrokken wordt",
    "vorige_datum": "de datum waarop die beschikking is bekendgemaakt",
    "in_werking_op": "de datum waarop de wijziging of intrekking ingaat",
    "grond": "de grond van de wijziging of intrekking",
    "verzonden_op": "de datum van verzending van deze brief",
    "contact": "'Bel ons op <telefoon>' of 'Neem contact met ons op'",
    "college": "het college van burgemeester en wethouders van de gemeente, met het postadres",
}

WMO = "de Wet maatschappelijke ondersteuning 2015 (Wmo 2015)"
STANDAARD: dict[tuple[str, str], str] = {
    (Soort.TOEKENNING, Blok.INLEIDING): (
        f"Wij hebben besloten over de aanvraag{{aanvraag_van}} voor ondersteuning op grond van "
        f"{WMO}. In deze brief leest u ons besluit."
    ),
    (Soort.TOEKENNING, Blok.BESLUIT): (
        "Wij kennen de aanvraag toe. {Wie} krijgt de ondersteuning hieronder, {periode}."
    ),
    (Soort.GEDEELTELIJK, Blok.INLEIDING): (
        f"Wij hebben besloten over de aanvraag{{aanvraag_van}} voor ondersteuning op grond van "
        f"{WMO}. In deze brief leest u ons besluit."
    ),
    (Soort.GEDEELTELIJK, Blok.BESLUIT): (
        "Wij kennen de aanvraag gedeeltelijk toe. {Wie} krijgt de ondersteuning hieronder die is "
        "toegekend; wat is afgewezen staat er ook bij."
    ),
    (Soort.AFWIJZING, Blok.INLEIDING): (
        f"Wij hebben besloten over de aanvraag{{aanvraag_van}} voor ondersteuning op grond van "
        f"{WMO}. In deze brief leest u ons besluit."
    ),
    (Soort.AFWIJZING, Blok.BESLUIT): (
        "Wij wijzen de aanvraag af. {Wie} krijgt geen maatwerkvoorziening op grond van deze "
        "aanvraag."
    ),
    (Soort.WIJZIGING, Blok.INLEIDING): (
        f"Wij hebben opnieuw besloten over ondersteuning op grond van {WMO}. Dit besluit wijzigt "
        "beschikking {vorige} van {vorige_datum} en vervangt die met ingang van "
        "{in_werking_op}, op grond van: {grond}. In deze brief leest u ons besluit."
    ),
    (Soort.WIJZIGING, Blok.BESLUIT): (
        "Wij wijzigen ons besluit. {Wie} krijgt voortaan de ondersteuning hieronder, {periode}."
    ),
    (Soort.INTREKKING, Blok.INLEIDING): (
        "Wij hebben besloten beschikking {vorige} van {vorige_datum} in te trekken. In deze "
        "brief leest u ons besluit en waarom wij zo besluiten."
    ),
    (Soort.INTREKKING, Blok.BESLUIT): (
        "Wij trekken beschikking {vorige} in met ingang van {in_werking_op}. Vanaf die datum "
        "krijgt {wie} de ondersteuning hieronder niet meer; de zorgaanbieder hoort dit van ons."
    ),
    (Soort.ALGEMEEN, Blok.SLOT): (
        "Hebt u vragen over deze brief? {contact} en noem het beschikkingnummer "
        "{beschikkingnummer}."
    ),
    (Soort.ALGEMEEN, Blok.ONDERTEKENING): (
        "Met vriendelijke groet,\n\nNamens het college van burgemeester en wethouders van "
        "{gemeente},"
    ),
    (Soort.ALGEMEEN, Blok.RECHTSMIDDELEN): (
        "Dan kunt u bezwaar maken. Stuur uw bezwaarschrift binnen zes weken na de datum van "
        "verzending van deze brief ({verzonden_op}) naar {college} (artikel 6:7 van de "
        "Algemene wet bestuursrecht). Zet in uw bezwaarschrift (artikel 6:5 Awb):\n\n"
        "- uw naam en adres;\n"
        "- de datum;\n"
        "- een omschrijving van het besluit waartegen u bezwaar maakt (noem het "
        "beschikkingnummer {beschikkingnummer}, of stuur een kopie van deze brief mee);\n"
        "- waarom u het niet eens bent met het besluit (de gronden van het bezwaar);\n"
        "- uw handtekening.\n\n"
        "Maakt u bezwaar namens iemand anders, stuur dan ook een machtiging mee. Het bezwaar "
        "schort de werking van dit besluit niet op. Is de zaak spoedeisend, dan kunt u naast "
        "het bezwaar de voorzieningenrechter van de rechtbank vragen om een voorlopige "
        "voorziening (artikel 8:81 Awb); daarvoor betaalt u griffierecht."
    ),
}


def soort_van(beschikking: Beschikking) -> str:
    """Which kind of letter a beschikking gets."""
    if beschikking.is_intrekking:
        return Soort.INTREKKING
    if beschikking.vorige_id:
        return Soort.WIJZIGING
    return {
        Beschikking.Besluit.TOEKENNING: Soort.TOEKENNING,
        Beschikking.Besluit.GEDEELTELIJK: Soort.GEDEELTELIJK,
    }.get(beschikking.besluit, Soort.AFWIJZING)


def valideer(tekst: str) -> None:
    """Refuses (at the field ``tekst``) a text with an unknown placeholder or a stray brace."""
    if not tekst.strip():
        raise ValidationError({"tekst": "Vul een tekst in."})
    try:
        delen = list(string.Formatter().parse(tekst))
    except ValueError:
        raise ValidationError(
            {
                "tekst": "Een accolade staat los. Zet een plaatshouder tussen { en }, of schrijf "
                "een accolade in de tekst als {{ of }}."
            }
        ) from None
    onbekend = []
    for _, naam, spec, conversie in delen:
        if naam is None:
            continue
        if naam not in PLAATSHOUDERS or spec or conversie:
            onbekend.append("{" + naam + (f"!{conversie}" if conversie else "") + "}")
    if onbekend:
        raise ValidationError(
            {
                "tekst": f"Onbekende plaatshouder{'s' if len(onbekend) > 1 else ''}: "
                f"{', '.join(onbekend)}. Te gebruiken: "
                f"{', '.join('{' + p + '}' for p in PLAATSHOUDERS)}."
            }
        )


def als_html(tekst: str, waarden: dict[str, str]) -> SafeString:
    """The block filled in, as paragraphs (an empty line between them) and lists (lines with
    "- "); the text and every value are escaped."""
    ingevuld = escape(tekst).format_map({k: escape(v) for k, v in waarden.items()})
    html = []
    for alinea in ingevuld.replace("\r\n", "\n").split("\n\n"):
        regels = [r.strip() for r in alinea.strip().split("\n") if r.strip()]
        if not regels:
            continue
        if all(r.startswith("- ") for r in regels):
            items = "".join(f"<li>{r[2:].strip()}</li>" for r in regels)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{'<br>'.join(regels)}</p>")
    return mark_safe("".join(html))


def huidige_teksten(gemeente, soort: str, *, vastleggen: bool = False) -> dict[str, Brieftekst]:
    """The current version of each block a letter of ``soort`` has (its own blocks and the
    shared ones). A block the gemeente never edited has its standard wording, stored as
    version 1 when ``vastleggen`` (a letter is made with it), unsaved otherwise (a preview)."""
    benodigd = [(soort, b) for b in BLOKKEN[soort]]
    if soort != Soort.ALGEMEEN:
        benodigd += [(Soort.ALGEMEEN, b) for b in ALGEMENE_BLOKKEN]
    rijen = Brieftekst.objects.filter(gemeente=gemeente, soort__in={s for s, _ in benodigd})
    laatste: dict[tuple[str, str], Brieftekst] = {}
    for rij in rijen.order_by("soort", "blok", "versie"):
        laatste[rij.soort, rij.blok] = rij
    teksten = {}
    for sleutel in benodigd:
        rij = laatste.get(sleutel)
        if rij is None:
            rij = Brieftekst(
                gemeente=gemeente, soort=sleutel[0], blok=sleutel[1], versie=1,
                tekst=STANDAARD[sleutel],
            )  # fmt: skip
            if vastleggen:
                rij = _standaard_vastleggen(rij)
        teksten[sleutel[1]] = rij
    return teksten


def _standaard_vastleggen(rij: Brieftekst) -> Brieftekst:
    """Store the standard wording as version 1, once even when two letters are made at once."""
    with transaction.atomic():
        bestaand, _ = Brieftekst.objects.get_or_create(
            gemeente=rij.gemeente, soort=rij.soort, blok=rij.blok, versie=1,
            defaults={"tekst": rij.tekst},
        )  # fmt: skip
    return bestaand


def nieuwe_versie(gemeente, soort: str, blok: str, tekst: str, user) -> Brieftekst:
    """The functioneel beheerder edits a block: a new version, the old ones stay as they were."""
    vereis(
        user, ADD, gemeente, "Alleen functioneel beheer past de brieven van een gemeente aan.",
        openbaar=True,
    )  # fmt: skip
    if blok not in BLOKKEN.get(soort, ()):
        raise ValidationError({"blok": "Deze brief heeft zo'n tekstblok niet."})
    valideer(tekst)
    with transaction.atomic():
        type(gemeente).objects.select_for_update().get(pk=gemeente.pk)  # one editor at a time
        hoogste = Brieftekst.objects.filter(gemeente=gemeente, soort=soort, blok=blok).aggregate(
            m=Max("versie")
        )["m"]
        if hoogste is None and tekst.strip() != STANDAARD[soort, blok].strip():
            # The standard wording was in use: it stays on record as version 1.
            Brieftekst.objects.create(
                gemeente=gemeente, soort=soort, blok=blok, versie=1, tekst=STANDAARD[soort, blok]
            )
            hoogste = 1
        rij = Brieftekst.objects.create(
            gemeente=gemeente, soort=soort, blok=blok, versie=(hoogste or 0) + 1,
            tekst=tekst.strip(), gemaakt_door=user,
        )  # fmt: skip
        audit.record(
            "create", objects=[rij], actor=user,
            toelichting={"soort": soort, "blok": blok, "versie": rij.versie},
        )  # fmt: skip
    return rij


# --- sample data for the preview of a text --------------------------------------------------------

VOORBEELD_DATUM = datetime.date(2026, 3, 2)


def voorbeeldwaarden(gemeente) -> dict[str, str]:
    """The placeholders filled in for a made-up client, to preview a text before saving it."""
    from toegang.beschikkingen.aanhef import aanhef, naam_in_zin

    client = SimpleNamespace(
        geslacht="2", naamgebruik="1", voorletters="A.", voornamen="Anna", voorvoegsel="van",
        geslachtsnaam="Testweg",
    )  # fmt: skip
    return waarden(
        gemeente=gemeente,
        aanhef=aanhef(client),
        client=naam_in_zin(client),
        client_begin=naam_in_zin(client, begin_zin=True),
        via_vertegenwoordiger=False,
        beschikkingnummer="1234",
        product="Begeleiding en Beschermd wonen",
        periode="van 1 januari 2026 tot en met 31 december 2026",
        ingangsdatum=datetime.date(2026, 1, 1),
        aanvraag_op=datetime.date(2025, 12, 1),
        vorige="1200",
        vorige_datum=datetime.date(2025, 6, 1),
        in_werking_op=datetime.date(2026, 4, 1),
        grond="op verzoek van de cliënt",
        verzonden_op=VOORBEELD_DATUM,
    )


def _datum(d) -> str:
    from django.utils.formats import date_format

    return date_format(d, "j F Y") if d else ""


def waarden(
    *, gemeente, aanhef, client, client_begin, via_vertegenwoordiger, beschikkingnummer,
    product, periode, ingangsdatum, aanvraag_op, vorige, vorige_datum, in_werking_op, grond,
    verzonden_op,
) -> dict[str, str]:  # fmt: skip
    """Every placeholder's value for one letter."""
    college = f"het college van burgemeester en wethouders van de gemeente {gemeente.naam}"
    if gemeente.postadres:
        college += f", {gemeente.postadres}, {gemeente.postcode} {gemeente.plaats}".rstrip()
    return {
        "gemeente": gemeente.naam,
        "aanhef": aanhef,
        "client": client,
        "wie": client if via_vertegenwoordiger else "u",
        "Wie": client_begin if via_vertegenwoordiger else "U",
        "beschikkingnummer": str(beschikkingnummer),
        "product": product,
        "periode": periode,
        "ingangsdatum": _datum(ingangsdatum),
        "aanvraag_van": f" van {_datum(aanvraag_op)}" if aanvraag_op else "",
        "vorige": str(vorige or ""),
        "vorige_datum": _datum(vorige_datum),
        "in_werking_op": _datum(in_werking_op),
        "grond": grond,
        "verzonden_op": _datum(verzonden_op),
        "contact": f"Bel ons op {gemeente.telefoon}"
        if gemeente.telefoon
        else "Neem contact met ons op",
        "college": college,
    }
