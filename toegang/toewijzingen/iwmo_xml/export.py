"""Messages the gemeente sends: WMO301 (toewijzing) and WMO319 (antwoord op een verzoek).

- One WMO301 per client and aanbieder (the schema allows one Client per Bericht). It carries all
  of that client's toewijzingen at that aanbieder still valid on or after the Dagtekening, plus
  those changed since ``sinds`` (iWmo OP087). With ``sinds`` only the client/aanbieder pairs
  with such a change get a message; without it every pair with a current toewijzing does.
- BerichtIdentificatie (at most 12 characters, unique per sender, TR056) is ``JJMMDD`` of the
  Dagtekening followed by a 6-digit sequence number per gemeente and day, taken under a row lock
  on the gemeente so two exports never give the same number; each message is kept as an
  ``UitgaandBericht`` (its database constraint guards the uniqueness too).
- Client data is what the aanbieder needs (Wmo 2015 ch. 5, AVG): BSN, geboortedatum, geslacht,
  naam, communicatievorm and the addresses; no telephone, e-mail or relations.
- Every message is validated against its XSD before it is stored; an invalid one stops the whole
  export (nothing stored). Before that, ``controleer_client`` and ``controleer_toewijzing``
  refuse data that would break an iWmo rule the XSD does not check (an address, the
  naamgebruik, the tolk's language, the omvang), saying what to fill in.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from regio import audit
from regio.models import Gemeente
from regio.query import regio_scope
from toegang.models import Toewijzing, UitgaandBericht, Verzoek
from toegang.toewijzingen.iwmo_xml.schema import NS_BASIS, namespace, schema

BERICHTCODE = {"301": "414", "319": "482"}
XSD_VERSIE = "1.0.0"


# Elements of a message whose type is a basisschema CDT: their children are in the basisschema
# namespace (it is elementFormDefault="qualified"), as are the children of basisschema elements.
_CDT = {"BerichtIdentificatie", "XsdVersie", "Geboortedatum", "Naam", "Communicatie", "Adres",
        "Product", "Omvang"}  # fmt: skip


def _sub(parent, tag: str, text=None):
    ouder = etree.QName(parent)
    basis = ouder.namespace == NS_BASIS or ouder.localname in _CDT
    ns = NS_BASIS if basis else parent.getroottree().getroot().nsmap[None]
    el = etree.SubElement(parent, f"{{{ns}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def _header(root, berichttype: str, afzender: str, ontvanger: str, identificatie: str,
            dagtekening: datetime.date):  # fmt: skip
    header = _sub(root, "Header")
    _sub(header, "BerichtCode", BERICHTCODE[berichttype])
    _sub(header, "BerichtVersie", "3")
    _sub(header, "BerichtSubversie", "2")
    _sub(header, "Afzender", afzender)
    _sub(header, "Ontvanger", ontvanger)
    ident = _sub(header, "BerichtIdentificatie")
    _sub(ident, "Identificatie", identificatie)
    _sub(ident, "Dagtekening", dagtekening.isoformat())
    versie = _sub(header, "XsdVersie")
    _sub(versie, "BasisschemaXsdVersie", XSD_VERSIE)
    _sub(versie, "BerichtXsdVersie", XSD_VERSIE)


def _root(berichttype: str):
    return etree.Element(
        f"{{{namespace(berichttype)}}}Bericht",
        nsmap={None: namespace(berichttype), "iwmo": NS_BASIS},
    )


def _tekst(waarde: str, lengte: int) -> str:
    return " ".join((waarde or "").split())[:lengte]


def _veld(obj, naam: str) -> str:
    return (getattr(obj, naam, "") or "").strip()


def _geboortedatum(datum: datetime.date, gebruik: str) -> datetime.date:
    """CS139: the Datum agrees with its DatumGebruik: an unknown day is 01, an unknown day and
    month 01-01 (COD170 1 and 2)."""
    if gebruik == "1":
        return datum.replace(day=1)
    if gebruik == "2":
        return datum.replace(month=1, day=1)
    return datum


def _huisnummer(adres) -> tuple[int | None, str]:
    """The numeric Huisnummer and what follows it; None when the huisnummer holds no number."""
    match = re.match(r"\s*(\d{1,5})\s*(.*)", adres.huisnummer or "")
    return (int(match.group(1)), match.group(2)) if match else (None, adres.huisnummer or "")


def _postcode(adres) -> str:
    return (adres.postcode or "").replace(" ", "").upper()


NEDERLAND = "NL"
NL_POSTCODE = re.compile(r"^[1-9]\d{3}[A-Z]{2}$")
# CS050/CS318: with a Partnernaam NaamGebruik 1-4, without one only 1 (6, niet-natuurlijk
# persoon, never in a WMO301; 5, pseudoniem, in neither case).
NAAMGEBRUIK_MET_PARTNER = {"1", "2", "3", "4"}
NAAMGEBRUIK_ZONDER_PARTNER = {"1"}
WOONADRES = {"01", "03"}  # BRP-adres, verblijfadres (IV047)


def controleer_client(persoon, adressen) -> None:
    """Refuses, with what the consulent should fill in, a client whose data cannot make a WMO301
    that follows the iWmo rules; the export then sends nothing (as for an invalid message)."""
    wie = f"van {persoon.naam}" if getattr(persoon, "naam", "") else "van de cliënt"
    fouten = []

    def fout(melding: str, regel: str) -> None:
        fouten.append(ValidationError(f"WMO301 {wie}: {melding} (iWmo {regel})", code=regel))

    # IV047 (and so TR061): a toewijzing always carries the BRP-adres or the verblijfadres.
    if not any(a.soort in WOONADRES for a in adressen):
        fout(
            "er is geen BRP-adres of verblijfadres vastgelegd. Voeg het toe; staat de cliënt in de "
            "BRP op een briefadres, leg dat dan vast als BRP-adres",
            "IV047",
        )
    for adres in adressen:
        nl = adres.land == NEDERLAND
        postcode = _postcode(adres)
        if adres.soort in WOONADRES and not postcode:
            fout(f"het adres {adres} heeft geen postcode", "CD034")
        if nl and postcode and not NL_POSTCODE.match(postcode):
            fout(f"de postcode van {adres} is geen Nederlandse postcode (1234 AB)", "CS089")
        if nl and _huisnummer(adres)[0] is None:
            fout(f"het adres {adres} in Nederland heeft geen huisnummer", "CD025")
    naamgebruik = _veld(persoon, "naamgebruik") or "1"
    if naamgebruik == "6":
        fout("naamgebruik 6 (niet-natuurlijk persoon) past niet bij een cliënt", "CS318")
    elif _veld(persoon, "partner_geslachtsnaam"):
        if naamgebruik not in NAAMGEBRUIK_MET_PARTNER:
            fout("kies naamgebruik 1, 2, 3 of 4", "CS050")
    elif naamgebruik not in NAAMGEBRUIK_ZONDER_PARTNER:
        fout(
            "bij dit naamgebruik hoort de naam van de partner; vul die in of kies naamgebruik 1",
            "CS050",
        )
    if _veld(persoon, "communicatievorm") == "1" and not _veld(persoon, "communicatietaal"):
        fout("bij een tolk (taal) hoort de taal van de cliënt; vul die in", "CD007")
    if fouten:
        raise ValidationError(fouten)


def controleer_toewijzing(toewijzing) -> None:
    """Refuses a toewijzing whose Omvang cannot be sent as the iWmo rules ask (CD076, CS338)."""
    if toewijzing.volume is None or not toewijzing.eenheid or not toewijzing.frequentie:
        return
    fouten = []
    wat = f"Toewijzing {toewijzing.nummer}"
    if toewijzing.frequentie == "2" and toewijzing.einddatum is None:
        fouten.append(ValidationError(
            f"{wat}: bij een omvang per week is een einddatum verplicht; vul die in (iWmo CD076)",
            code="CD076",
        ))  # fmt: skip
    if (
        toewijzing.eenheid in EENHEID_NIET_PER_DAG
        and (toewijzing.einddatum is None or toewijzing.einddatum > datetime.date(2020, 12, 31))
        and toewijzing.frequentie not in FREQUENTIE_NIET_PER_DAG
    ):
        fouten.append(ValidationError(
            f"{wat}: een omvang in etmalen, dagdelen, euro's of stuks is per week, per maand of "
            "totaal binnen de geldigheidsduur; kies een van die frequenties (iWmo CS338)",
            code="CS338",
        ))  # fmt: skip
    if fouten:
        raise ValidationError(fouten)


EENHEID_NIET_PER_DAG = {"14", "16", "83", "84"}  # etmaal, dagdeel, euro's, stuks (CS338)
FREQUENTIE_NIET_PER_DAG = {"2", "4", "6"}  # per week, per maand, totaal (CS338)


def _client(root, persoon, adressen) -> None:
    client = _sub(root, "Client")
    _sub(client, "Bsn", persoon.bsn)
    geboorte = _sub(client, "Geboortedatum")
    if persoon.geboortedatum:
        datum = _geboortedatum(persoon.geboortedatum, persoon.datumgebruik)
        _sub(geboorte, "Datum", datum.isoformat())
        if persoon.datumgebruik:
            _sub(geboorte, "DatumGebruik", persoon.datumgebruik)
    else:  # COD170 3: day, month and year unknown
        _sub(geboorte, "Datum", "1900-01-01")
        _sub(geboorte, "DatumGebruik", "3")
    _sub(client, "Geslacht", persoon.geslacht or "0")
    naam = _sub(client, "Naam")
    geslachtsnaam = _sub(naam, "Geslachtsnaam")
    _sub(geslachtsnaam, "Achternaam", _tekst(persoon.geslachtsnaam, 200) or "Onbekend")
    if persoon.voorvoegsel.strip():
        _sub(geslachtsnaam, "Voorvoegsel", _tekst(persoon.voorvoegsel, 10))
    if _veld(persoon, "partner_geslachtsnaam"):  # IV007: the partner's name, separately
        partnernaam = _sub(naam, "Partnernaam")
        _sub(partnernaam, "Achternaam", _tekst(persoon.partner_geslachtsnaam, 200))
        if _veld(persoon, "partner_voorvoegsel"):
            _sub(partnernaam, "Voorvoegsel", _tekst(persoon.partner_voorvoegsel, 10))
    if persoon.voornamen.strip():
        _sub(naam, "Voornamen", _tekst(persoon.voornamen, 200))
    voorletters = re.sub(r"[^a-zA-ZÀ-ỳ]", "", persoon.voorletters or "")[:6]
    if voorletters:
        _sub(naam, "Voorletters", voorletters)
    _sub(naam, "NaamGebruik", persoon.naamgebruik or "1")
    if persoon.communicatievorm:
        communicatie = _sub(client, "Communicatie")
        _sub(communicatie, "Vorm", persoon.communicatievorm)
        if persoon.communicatievorm == "1" and _veld(persoon, "communicatietaal"):  # CD007
            _sub(communicatie, "Taal", _tekst(persoon.communicatietaal, 25))
    contactgegevens = _sub(client, "Contactgegevens")
    if not adressen:  # the XSD needs one Contact (a real export is refused first, IV047/TR061)
        _sub(_sub(contactgegevens, "Contact"), "Soort", "01")
    for adres in adressen:
        contact = _sub(contactgegevens, "Contact")
        _sub(contact, "Soort", adres.soort)
        element = _sub(contact, "Adres")
        # CD025: a Dutch address has its Huis (controleer_client refuses one without a number);
        # abroad a huisnummer without a number is left out.
        nummer, rest = _huisnummer(adres)
        if nummer is not None:
            huis = _sub(element, "Huis")
            _sub(huis, "Huisnummer", nummer)
            if adres.huisletter.strip():
                _sub(huis, "Huisletter", adres.huisletter.strip()[:1])
            delen = (rest, adres.toevoeging)
            toevoeging = _tekst(" ".join(p for p in delen if p and p.strip()), 4)
            if toevoeging:
                _sub(huis, "HuisnummerToevoeging", toevoeging)
        postcode = _postcode(adres)[:8]
        if postcode:
            _sub(element, "Postcode", postcode)
        if adres.straat.strip():
            _sub(element, "Straatnaam", _tekst(adres.straat, 24))
        if adres.plaats.strip():
            _sub(element, "Plaatsnaam", _tekst(adres.plaats, 80))
        if postcode and adres.land:  # CD005: LandCode exactly when there is a Postcode
            _sub(element, "LandCode", adres.land)
        # CD009: no Periode; regiozorg keeps none, and only a tijdelijk adres (04) may have one.
    return client


def _volume(volume: Decimal) -> int:
    """iWmo volumes are whole numbers (LDT_Volume); a fraction is rounded half up."""
    return int(Decimal(volume).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _toegewezen_product(parent, toewijzing: Toewijzing, referentie: str | None) -> None:
    el = _sub(parent, "ToegewezenProduct")
    _sub(el, "ToewijzingNummer", toewijzing.nummer)
    if referentie:
        _sub(el, "ReferentieAanbieder", referentie)
    bp = toewijzing.beschikt_product
    product = _sub(el, "Product")
    _sub(product, "Categorie", bp.productcategorie)
    if bp.product.productcode:
        _sub(product, "Code", bp.product.productcode)
    # IV013: a change of the einddatum (or status) is a changed toewijzing, dated when the
    # gemeente made it; a toewijzing sent again unchanged keeps its date.
    vastgesteld = timezone.localtime(
        toewijzing.gewijzigd_op if toewijzing.reden_wijziging else toewijzing.aangemaakt_op
    )
    _sub(el, "Toewijzingsdatum", vastgesteld.date().isoformat())
    _sub(el, "Toewijzingstijd", vastgesteld.strftime("%H:%M:%S"))
    _sub(el, "Ingangsdatum", toewijzing.ingangsdatum.isoformat())
    if toewijzing.einddatum:
        _sub(el, "Einddatum", toewijzing.einddatum.isoformat())
    if toewijzing.reden_wijziging:
        _sub(el, "RedenWijziging", toewijzing.reden_wijziging)
    if toewijzing.volume is not None and toewijzing.eenheid and toewijzing.frequentie:
        omvang = _sub(el, "Omvang")
        _sub(omvang, "Volume", _volume(toewijzing.volume))
        _sub(omvang, "Eenheid", toewijzing.eenheid)
        _sub(omvang, "Frequentie", toewijzing.frequentie)


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _controleer(berichttype: str, inhoud: bytes, wat: str) -> None:
    xsd = schema(berichttype)
    doc = etree.fromstring(inhoud).getroottree()
    if not xsd.validate(doc):
        fouten = "; ".join(f"regel {e.line}: {e.message}" for e in xsd.error_log)
        raise ValidationError(f"{wat} is niet geldig volgens WMO{berichttype}.xsd: {fouten}")


def volgende_identificaties(
    gemeente: Gemeente, dagtekening: datetime.date, aantal: int = 1
) -> list[str]:
    """The next ``aantal`` BerichtIdentificaties of ``gemeente``: ``JJMMDD`` + a 6-digit
    sequence number. Call inside a transaction: the gemeente row is locked until it ends."""
    Gemeente.objects.select_for_update().filter(pk=gemeente.pk).first()
    prefix = dagtekening.strftime("%y%m%d")
    laatste = (
        UitgaandBericht.objects.filter(gemeente=gemeente, identificatie__startswith=prefix)
        .order_by("-identificatie")
        .values_list("identificatie", flat=True)
        .first()
    )
    eerste = int(laatste[6:]) + 1 if laatste and laatste[6:].isdigit() else 1
    if eerste + aantal - 1 > 999999:
        raise ValidationError("Het maximum aantal berichten voor deze dag is bereikt.")
    return [f"{prefix}{volgnummer:06d}" for volgnummer in range(eerste, eerste + aantal)]


def volgende_identificatie(gemeente: Gemeente, dagtekening: datetime.date) -> str:
    return volgende_identificaties(gemeente, dagtekening)[0]


def _referenties(toewijzingen) -> dict[int, str]:
    """ReferentieAanbieder of toewijzingen made by honouring a verzoek (TR379)."""
    ids = [t.pk for t in toewijzingen]
    rows = Verzoek.nieuwe_toewijzingen.through.objects.filter(toewijzing_id__in=ids).values_list(
        "toewijzing_id", "verzoek__referentie"
    )
    return dict(rows)


def _wmo301(
    gemeente, aanbieder, client, toewijzingen, dagtekening, referenties, identificatie
) -> tuple[str, bytes, UitgaandBericht]:
    """One WMO301 message, checked against its XSD, and its (unsaved) UitgaandBericht."""
    persoon = client.persoon
    root = _root("301")
    _header(root, "301", gemeente.code, aanbieder.agb_code, identificatie, dagtekening)
    adressen = list(persoon.adressen.all())
    controleer_client(persoon, adressen)
    element = _client(root, persoon, adressen)
    producten = _sub(element, "ToegewezenProducten")
    for toewijzing in sorted(toewijzingen, key=lambda t: t.nummer):
        controleer_toewijzing(toewijzing)
        _toegewezen_product(producten, toewijzing, referenties.get(toewijzing.pk))
    inhoud = _xml(root)
    _controleer("301", inhoud, f"Het WMO301-bericht {identificatie}")
    bericht = UitgaandBericht(
        gemeente=gemeente, berichtcode=BERICHTCODE["301"], identificatie=identificatie,
        aanbieder=aanbieder, client=client, inhoud=inhoud.decode("utf-8"),
    )  # fmt: skip
    naam = f"WMO301_{gemeente.code}_{aanbieder.agb_code}_{identificatie}.xml"
    return naam, inhoud, bericht


def _verstuur_wmo301(gemeente, dagtekening, groepen) -> list[tuple[str, bytes]]:
    """WMO301 messages for ``groepen`` (lists of toewijzingen of one client at one aanbieder):
    numbered in one go under the gemeente's lock, stored with one INSERT and audited as one
    export. Call inside a transaction."""
    if not groepen:
        return []
    identificaties = volgende_identificaties(gemeente, dagtekening, len(groepen))
    referenties = _referenties([t for groep in groepen for t in groep])
    berichten = []
    for groep, identificatie in zip(groepen, identificaties, strict=True):
        eerste = groep[0]
        berichten.append(
            _wmo301(
                gemeente,
                eerste.aanbieder,
                eerste.beschikt_product.client,
                groep,
                dagtekening,
                referenties,
                identificatie,
            )  # fmt: skip
        )
    opgeslagen = UitgaandBericht.objects.bulk_create([bericht for _, _, bericht in berichten])
    audit.record(
        "export", objects=opgeslagen,
        toelichting={
            "berichtcode": "414",
            "toewijzingen": sorted(t.nummer for groep in groepen for t in groep),
        },
    )  # fmt: skip
    return [(naam, inhoud) for naam, inhoud, _ in berichten]


def _huidig(peildatum: datetime.date) -> Q:
    return Q(einddatum__isnull=True) | Q(einddatum__gte=peildatum)


def _toewijzingen(gemeente: Gemeente):
    return (
        Toewijzing.objects.within(regio_scope(None, gemeente.pk))
        .filter(gemeente=gemeente, beschikt_product__client__persoon__isnull=False)
        .select_related(
            "aanbieder", "beschikt_product__product", "beschikt_product__client__persoon"
        )
        .prefetch_related("beschikt_product__client__persoon__adressen")
    )


def wmo301_berichten(
    gemeente: Gemeente,
    *,
    sinds: datetime.date | datetime.datetime | None = None,
    peildatum: datetime.date | None = None,
) -> list[tuple[str, bytes]]:
    """The WMO301 messages of ``gemeente`` as (file name, XML bytes), stored as
    ``UitgaandBericht``. ``sinds``: only clients with a toewijzing changed since then (a date
    means from its start); ``peildatum``: the Dagtekening (default today)."""
    peildatum = peildatum or timezone.localdate()
    qs = _toewijzingen(gemeente)
    huidige = qs.filter(_huidig(peildatum)).exclude(status=Toewijzing.Status.INGETROKKEN)
    gewijzigd = qs.none()
    if sinds is not None:
        if not isinstance(sinds, datetime.datetime):
            sinds = timezone.make_aware(datetime.datetime.combine(sinds, datetime.time.min))
        gewijzigd = qs.filter(gewijzigd_op__gte=sinds)
    per_paar: dict[tuple, dict[int, Toewijzing]] = defaultdict(dict)
    for t in list(huidige) + list(gewijzigd):
        per_paar[(t.beschikt_product.client_id, t.aanbieder_id)][t.pk] = t
    if sinds is not None:
        paren = {(t.beschikt_product.client_id, t.aanbieder_id) for t in gewijzigd}
        per_paar = {k: v for k, v in per_paar.items() if k in paren}
    groepen = [
        list(per_paar[paar].values()) for paar in sorted(per_paar, key=lambda p: (str(p[0]), p[1]))
    ]
    with transaction.atomic():
        return _verstuur_wmo301(gemeente, peildatum, groepen)


def _actueel(verzoek: Verzoek) -> Verzoek:
    """The verzoek as answered now (the caller's object may predate the answer)."""
    return Verzoek.objects.select_related("gemeente", "aanbieder", "dossier__client").get(
        pk=verzoek.pk
    )


def wmo319_bericht(verzoek: Verzoek, *, peildatum: datetime.date | None = None) -> bytes:
    """The WMO319 antwoordbericht on a verzoek that was refused (VerzoekAntwoord 1 with its
    RedenAfwijzingVerzoek, WJ759) or is still being looked into (VerzoekAntwoord 2); stored as
    ``UitgaandBericht``. An honoured verzoek is answered with a WMO301: ``antwoord``."""
    verzoek = _actueel(verzoek)
    if verzoek.status == Verzoek.Status.GEHONOREERD:
        raise ValidationError("Een gehonoreerd verzoek wordt beantwoord met een WMO301.")
    peildatum = peildatum or timezone.localdate()
    gemeente, aanbieder = verzoek.gemeente, verzoek.aanbieder
    with transaction.atomic():
        identificatie = volgende_identificatie(gemeente, peildatum)
        root = _root("319")
        _header(root, "319", gemeente.code, aanbieder.agb_code, identificatie, peildatum)
        antwoord = _sub(root, "Antwoord")
        _sub(antwoord, "ReferentieAanbieder", verzoek.referentie)
        if verzoek.status == Verzoek.Status.AFGEWEZEN:
            _sub(antwoord, "VerzoekAntwoord", "1")
            _sub(antwoord, "RedenAfwijzingVerzoek", verzoek.reden_afwijzing)
        else:
            _sub(antwoord, "VerzoekAntwoord", "2")
        inhoud = _xml(root)
        _controleer("319", inhoud, f"Het WMO319-bericht {identificatie}")
        bericht = UitgaandBericht.objects.create(
            gemeente=gemeente, berichtcode=BERICHTCODE["319"], identificatie=identificatie,
            aanbieder=aanbieder, client=verzoek.dossier.client if verzoek.dossier else None,
            inhoud=inhoud.decode("utf-8"),
        )  # fmt: skip
        audit.record(
            "export", objects=[bericht],
            toelichting={"berichtcode": "482", "verzoek": verzoek.pk},
        )  # fmt: skip
    return inhoud


def antwoord(verzoek: Verzoek, *, peildatum: datetime.date | None = None) -> tuple[str, bytes]:
    """The gemeente's answer to a verzoek as a file: honoured → WMO301 with the client's
    toewijzingen at the aanbieder (the new ones carry the ReferentieAanbieder, TR379); otherwise
    the WMO319."""
    peildatum = peildatum or timezone.localdate()
    verzoek = _actueel(verzoek)
    if verzoek.status != Verzoek.Status.GEHONOREERD:
        inhoud = wmo319_bericht(verzoek, peildatum=peildatum)
        ident = etree.fromstring(inhoud).findtext(f".//{{{namespace('319')}}}Identificatie")
        naam = f"WMO319_{verzoek.gemeente.code}_{verzoek.aanbieder.agb_code}_{ident}.xml"
        return naam, inhoud
    gemeente, client = verzoek.gemeente, verzoek.dossier.client
    # The new versions, the toewijzing the verzoek om wijziging changed, and the current ones.
    nieuw = list(verzoek.nieuwe_toewijzingen.values_list("pk", flat=True))
    if verzoek.toewijzing_id:
        nieuw.append(verzoek.toewijzing_id)
    toewijzingen = list(
        _toewijzingen(gemeente).filter(
            Q(pk__in=nieuw) | Q(_huidig(peildatum), ~Q(status=Toewijzing.Status.INGETROKKEN)),
            aanbieder=verzoek.aanbieder,
            beschikt_product__client=client,
        )
    )
    if not toewijzingen:
        raise ValidationError("Bij dit verzoek hoort geen toewijzing om te versturen.")
    with transaction.atomic():
        return _verstuur_wmo301(gemeente, peildatum, [toewijzingen])[0]
