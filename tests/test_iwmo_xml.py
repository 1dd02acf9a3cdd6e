"""iWmo XML (toegang.toewijzingen.iwmo_xml): the hardened parser, WMO301/WMO319 export valid
against the XSDs with unique BerichtIdentificatie, the validate/export/import command, every
invalid message refused whole with nothing applied, and the round trip export → WMO305 →
care started."""

import datetime
import json
import threading
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from lxml import etree

from inkoop.models import ApiSleutel
from regio.models import Gemeente
from tests import scenarios
from tests.factories import AdresFactory, dossier_in, valid_bsn
from toegang.models import (
    Declaratie,
    Toewijzing,
    UitgaandBericht,
    Verzoek,
    Zorgperiode,
)
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, importeer, valideer, wmo301_berichten
from toegang.toewijzingen.iwmo_xml import export as iwmo_export
from toegang.toewijzingen.iwmo_xml.schema import NS_BASIS, lees, namespace, schema
from toegang.toewijzingen.services import Omvang, wijzig_einddatum

pytestmark = pytest.mark.django_db

D = datetime.date
SOEST, BAARN = "0342", "0308"
VANDAAG = timezone.localdate()
# The first of a month at least a month ago; the care runs into the future.
BEGIN = (VANDAAG.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
EIND = VANDAAG + datetime.timedelta(days=90)

# --- setup -------------------------------------------------------------------------------------


def bouw_opzet():
    """Soest: a P×Q perceel with begeleiding (categorie 02, code 02A01, uur, tariff € 60), two
    aanbieders under contract, two clients with a beschikking; the aanbieders' technical users."""
    aanbod = scenarios.zorgaanbod(
        scenarios.consulent_van("consulent-iwmo", SOEST), functie=None,
        product=dict(begeleiding=True, productcode="02A01", tarief=Decimal("60.00")),
        aanbieders=(dict(naam="Huize Eemland", agb_code="75009001"),
                    dict(naam="De Brug Wonen", agb_code="75009002")),
        gemeenten=[SOEST], contract=dict(bekostiging="pxq", einde=EIND),
        systemen=("systeem-eemland", "systeem-brug"),
    )  # fmt: skip
    beschikt = dict(periode=(BEGIN, EIND), omvang=Omvang(Decimal("10"), "04", "2"))
    dossier = dossier_in(SOEST, persoon__geboortedatum=D(1980, 5, 17), persoon__voorletters="J.P.")
    AdresFactory(
        persoon=dossier.client.persoon, straat="Torenstraat met een lange straatnaam",
        huisnummer="12", huisletter="a", postcode="3764 AB",
    )  # fmt: skip
    eerste, tweede = aanbod.traject(dossier=dossier, **beschikt), aanbod.traject(**beschikt)
    AdresFactory(persoon=tweede.dossier.client.persoon)  # a WMO301 needs an address (TR061)

    def toewijzing(bp=None, aanbieder=None, ingang=None, eind=None, volume="4"):
        return aanbod.toewijzing(
            bp or eerste.bp, aanbieder, ingang or BEGIN, eind, Omvang(Decimal(volume), "04", "2")
        )

    return SimpleNamespace(
        consulent=aanbod.consulent, aanbieder=aanbod.aanbieder, ander=aanbod.ander,
        systeem=aanbod.systeem, systeem_ander=aanbod.systeem_ander, dossier=dossier,
        bsn=dossier.client.persoon.bsn, bp=eerste.bp, tweede=tweede.dossier, bp2=tweede.bp,
        toewijzing=toewijzing,
    )  # fmt: skip


@pytest.fixture
def opzet(refdata):
    return bouw_opzet()


# --- building messages as an aanbieder's system would -------------------------------------------

_CDT = {
    "BerichtIdentificatie", "XsdVersie", "Geboortedatum", "Naam", "Product", "Omvang",
    "Verwijzer", "ProductReferentie", "ProductPeriode", "IngediendBedrag", "DeclaratiePeriode",
    "TotaalIngediendBedrag", "Geslachtsnaam",
}  # fmt: skip
_CODES = {"305": "418", "307": "420", "315": "444", "317": "480", "323": "484", "301": "414"}


def _bouw(parent, inhoud, ns):
    for tag, waarde in inhoud:
        ouder = etree.QName(parent)
        kind_ns = NS_BASIS if ouder.namespace == NS_BASIS or ouder.localname in _CDT else ns
        el = etree.SubElement(parent, f"{{{kind_ns}}}{tag}")
        if isinstance(waarde, list):
            _bouw(el, waarde, ns)
        elif waarde is not None:
            el.text = str(waarde)


def bericht(soort, body, *, afzender="75009001", ontvanger=SOEST, dagtekening=None, ident="1"):
    """An iWmo message of ``soort`` with a header and ``body`` (nested (tag, value) pairs)."""
    ns = namespace(soort)
    root = etree.Element(f"{{{ns}}}Bericht", nsmap={None: ns, "iwmo": NS_BASIS})
    header = [
        ("BerichtCode", _CODES[soort]), ("BerichtVersie", "3"), ("BerichtSubversie", "2"),
        ("Afzender", afzender), ("Ontvanger", ontvanger),
        ("BerichtIdentificatie", [("Identificatie", ident),
                                  ("Dagtekening", (dagtekening or VANDAAG).isoformat())]),
        ("XsdVersie", [("BasisschemaXsdVersie", "1.0.0"), ("BerichtXsdVersie", "1.0.0")]),
    ]  # fmt: skip
    _bouw(root, [("Header", header), *body], ns)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def client_305(bsn, producten, tag="StartProducten"):
    return [
        ("Client", [
            ("Bsn", bsn), ("Geboortedatum", [("Datum", "1980-05-17")]), ("Geslacht", "0"),
            ("Naam", [("Geslachtsnaam", [("Achternaam", "Jansen")])]),
            (tag, producten),
        ]),
    ]  # fmt: skip


def start(nummer, begindatum, status="1"):
    return ("StartProduct", [
        ("ToewijzingNummer", nummer), ("Product", [("Categorie", "02"), ("Code", "02A01")]),
        ("Begindatum", begindatum.isoformat()), ("StatusAanlevering", status),
    ])  # fmt: skip


def stop(nummer, begindatum, einddatum, status="1", reden="02"):
    return ("StopProduct", [
        ("ToewijzingNummer", nummer), ("Product", [("Categorie", "02"), ("Code", "02A01")]),
        ("Begindatum", begindatum.isoformat()), ("RedenBeeindiging", reden),
        ("Einddatum", einddatum.isoformat()), ("StatusAanlevering", status),
    ])  # fmt: skip


def wmo305(bsn, *starts, **header):
    return bericht("305", client_305(bsn, list(starts)), **header)


def wmo307(bsn, *stops, **header):
    return bericht("307", client_305(bsn, list(stops), "StopProducten"), **header)


def wmo305_uit_wmo301(inhoud: bytes, begindatum) -> bytes:
    """A WMO305 for every toegewezen product of an exported WMO301, from that message's data."""
    root = etree.fromstring(inhoud)
    t = lambda el, pad: el.findtext("/".join(f"{{*}}{p}" for p in pad.split("/")))  # noqa: E731
    client = root.find("{*}Client")
    starts = []
    for product in client.iterfind("{*}ToegewezenProducten/{*}ToegewezenProduct"):
        starts.append(("StartProduct", [
            ("ToewijzingNummer", t(product, "ToewijzingNummer")),
            ("Product", [("Categorie", t(product, "Product/Categorie")),
                         ("Code", t(product, "Product/Code"))]),
            ("ToewijzingIngangsdatum", t(product, "Ingangsdatum")),
            ("Begindatum", begindatum.isoformat()), ("StatusAanlevering", "1"),
        ]))  # fmt: skip
    naam = [("Geslachtsnaam", [("Achternaam", t(client, "Naam/Geslachtsnaam/Achternaam"))])]
    body = [("Client", [
        ("Bsn", t(client, "Bsn")),
        ("Geboortedatum", [("Datum", t(client, "Geboortedatum/Datum"))]),
        ("Geslacht", t(client, "Geslacht")), ("Naam", naam), ("StartProducten", starts),
    ])]  # fmt: skip
    return bericht(
        "305", body, afzender=t(root, "Header/Ontvanger"), ontvanger=t(root, "Header/Afzender"),
        ident="START1",
    )  # fmt: skip


def wmo323(bsn, prestaties, *, nummer="DECL1", periode=None, totaal=None, **header):
    begin, einde = periode or (BEGIN, _maandeinde(BEGIN))
    som = sum(int(dict(p[1])["IngediendBedrag"][0][1]) for p in prestaties)
    body = [("Declaratie", [
        ("DeclaratieNummer", nummer),
        ("DeclaratiePeriode", [("Begindatum", begin.isoformat()),
                               ("Einddatum", einde.isoformat())]),
        ("DeclaratieDagtekening", VANDAAG.isoformat()),
        ("TotaalIngediendBedrag", [("TotaalBedrag", som if totaal is None else totaal),
                                   ("DebetCredit", "D")]),
        ("Clienten", [("Client", [("Bsn", bsn), ("Prestaties", prestaties)])]),
    ])]  # fmt: skip
    return bericht("323", body, **header)


def _maandeinde(dag):
    volgende = (dag.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return volgende - datetime.timedelta(days=1)


def prestatie(referentie, nummer, begin, einde, volume=8, tarief=6000):
    return ("Prestatie", [
        ("ProductReferentie", [("ReferentieNummer", referentie)]),
        ("ToewijzingNummer", nummer), ("ProductCategorie", "02"), ("ProductCode", "02A01"),
        ("ProductPeriode", [("Begindatum", begin.isoformat()), ("Einddatum", einde.isoformat())]),
        ("GeleverdVolume", volume), ("Eenheid", "04"), ("ProductTarief", tarief),
        ("IngediendBedrag", [("Bedrag", volume * tarief), ("DebetCredit", "D")]),
    ])  # fmt: skip


def geldig(soort, inhoud):
    xsd = schema(soort)
    ok = xsd.validate(etree.fromstring(inhoud))
    assert ok, [str(e) for e in xsd.error_log]


# --- the hardened parser -----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo305/schema">&lol9;</Bericht>"""


def xxe(pad):
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE b [<!ENTITY geheim SYSTEM "file://'
        + str(pad).encode()
        + b'">]>\n<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo305/schema">'
        b"&geheim;</Bericht>"
    )


def test_hardened_parser_refuses_entity_expansion():
    with pytest.raises(OngeldigBericht) as exc:
        lees(BILLION_LAUGHS)
    assert "DOCTYPE" in str(exc.value)
    soort, fouten = valideer(BILLION_LAUGHS)
    assert fouten and "lol" not in str(fouten[0])


def test_hardened_parser_refuses_external_entities(tmp_path):
    geheim = tmp_path / "geheim.txt"
    geheim.write_text("GEHEIM-WACHTWOORD")
    with pytest.raises(OngeldigBericht) as exc:
        lees(xxe(geheim))
    assert "GEHEIM" not in str(exc.value)
    # Also when the DOCTYPE is hidden from a byte scan by another encoding.
    utf16 = xxe(geheim).replace(b'encoding="UTF-8"', b"").decode().encode("utf-16")
    with pytest.raises(OngeldigBericht) as exc:
        lees(utf16)
    assert "GEHEIM" not in str(exc.value)


def test_parser_refuses_malformed_xml_with_its_line():
    with pytest.raises(OngeldigBericht) as exc:
        lees(b"<?xml version='1.0'?>\n<Bericht>\n<open></Bericht>")
    assert exc.value.fouten[0].regel == 3
    assert "Geen geldige XML" in exc.value.fouten[0].melding


# --- export WMO301 -------------------------------------------------------------------------------


@pytest.mark.iwmo_regel("OP086", "OP192", "IV046")
def test_export_one_valid_wmo301_per_client_and_aanbieder(opzet):
    a1 = opzet.toewijzing()
    a2 = opzet.toewijzing(ingang=BEGIN + datetime.timedelta(days=3), volume="2")
    b1 = opzet.toewijzing(aanbieder=opzet.ander, volume="2")
    c1 = opzet.toewijzing(bp=opzet.bp2)
    berichten = wmo301_berichten(Gemeente.objects.get(code=SOEST), peildatum=VANDAAG)
    assert len(berichten) == 3
    inhoud = {}
    for naam, xml in berichten:
        geldig("301", xml)
        assert opzet.bsn not in naam and naam.startswith(f"WMO301_{SOEST}_")
        root = etree.fromstring(xml)
        nummers = sorted(int(n.text) for n in root.iter(f"{{{namespace('301')}}}ToewijzingNummer"))
        inhoud[(root.findtext(".//{*}Ontvanger"), root.findtext(".//{*}Bsn"))] = (nummers, root)
    assert inhoud[("75009001", opzet.bsn)][0] == sorted([a1.nummer, a2.nummer])
    assert inhoud[("75009002", opzet.bsn)][0] == [b1.nummer]
    assert inhoud[("75009001", opzet.tweede.client.persoon.bsn)][0] == [c1.nummer]
    root = inhoud[("75009001", opzet.bsn)][1]
    assert root.findtext(".//{*}Afzender") == SOEST
    assert root.findtext(".//{*}Voorletters") == "JP"
    assert root.findtext(".//{*}Postcode") == "3764AB"
    assert len(root.findtext(".//{*}Straatnaam")) <= 24
    assert root.findtext(".//{*}Omvang/{*}Volume") in ("4", "2")
    assert UitgaandBericht.objects.filter(berichtcode="414").count() == 3


@pytest.mark.iwmo_regel("TR056")
def test_berichtidentificatie_is_unique_per_sender_across_exports(opzet):
    opzet.toewijzing()
    opzet.toewijzing(bp=opzet.bp2)
    soest = Gemeente.objects.get(code=SOEST)
    eerste = wmo301_berichten(soest, peildatum=VANDAAG)
    tweede = wmo301_berichten(soest, peildatum=VANDAAG)
    idents = [etree.fromstring(x).findtext(".//{*}Identificatie") for _, x in eerste + tweede]
    assert len(idents) == 4 and len(set(idents)) == 4
    assert all(len(i) <= 12 and i.startswith(VANDAAG.strftime("%y%m%d")) for i in idents)
    assert sorted(UitgaandBericht.objects.values_list("identificatie", flat=True)) == sorted(idents)


@pytest.mark.django_db(transaction=True)
def test_berichtidentificatie_unique_under_concurrent_exports(opzet):
    """Four exports of one gemeente at once (two messages each): eight distinct numbers, no
    gap — the gemeente row lock serialises the sequence."""
    opzet.toewijzing()
    opzet.toewijzing(bp=opzet.bp2)
    soest = Gemeente.objects.get(code=SOEST)
    start = threading.Barrier(4)
    idents, fouten = [], []

    def exporteer():
        try:
            start.wait(timeout=10)
            for _, xml in wmo301_berichten(soest, peildatum=VANDAAG):
                idents.append(etree.fromstring(xml).findtext(".//{*}Identificatie"))
        except Exception as exc:  # noqa: BLE001 - reported below
            fouten.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=exporteer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not fouten, fouten
    assert sorted(int(i[6:]) for i in idents) == list(range(1, 9))


@pytest.mark.iwmo_regel("OP087", "OP258", "OP033x1")
def test_export_carries_current_and_changed_toewijzingen(opzet):
    lopend = opzet.toewijzing()
    afgelopen = opzet.toewijzing(
        ingang=BEGIN, eind=BEGIN + datetime.timedelta(days=9), volume="1"
    )  # ended before the peildatum: not current
    soest = Gemeente.objects.get(code=SOEST)
    [(_, xml)] = wmo301_berichten(soest, peildatum=VANDAAG)
    assert str(afgelopen.nummer) not in _nummers(xml) and str(lopend.nummer) in _nummers(xml)

    # --sinds: only pairs with a change, carrying the current ones plus the changed one (OP087)
    opzet.toewijzing(bp=opzet.bp2)
    moment = timezone.now()
    wijzig_einddatum(opzet.consulent, lopend, VANDAAG - datetime.timedelta(days=1), "05")
    berichten = wmo301_berichten(soest, sinds=moment, peildatum=VANDAAG)
    assert len(berichten) == 1
    xml = berichten[0][1]
    geldig("301", xml)
    assert _nummers(xml) == [str(lopend.nummer)]
    assert etree.fromstring(xml).findtext(".//{*}RedenWijziging") == "05"


def _nummers(xml):
    return [n.text for n in etree.fromstring(xml).iter(f"{{{namespace('301')}}}ToewijzingNummer")]


def test_export_command_writes_the_files(opzet, tmp_path, capsys):
    opzet.toewijzing()
    call_command("iwmo", "export-toewijzingen", "--gemeente", SOEST, "--out", str(tmp_path))
    [bestand] = list(tmp_path.glob("WMO301_*.xml"))
    geldig("301", bestand.read_bytes())
    call_command("iwmo", "validate", str(bestand))
    assert capsys.readouterr().out.startswith("OK")


# --- WMO319 / the answer to a verzoek ------------------------------------------------------------


def _verzoek(opzet, referentie="VOT-1"):
    from toegang.toewijzingen import verzoeken as verzoek_services

    return verzoek_services.indienen(
        opzet.aanbieder, soort="toewijzing", referentie=referentie, user=opzet.systeem,
        bsn=opzet.bsn, gemeente=SOEST,
        producten=[{"productcategorie": "02", "productcode": "02A01", "volume": 3,
                    "eenheid": "04", "frequentie": "2", "ingangsdatum": BEGIN.isoformat(),
                    "einddatum": None}],
    )  # fmt: skip


@pytest.mark.iwmo_regel("TR355", "CD085")
def test_wmo319_for_a_refused_verzoek(opzet):
    from toegang.toewijzingen import verzoeken as verzoek_services

    verzoek = _verzoek(opzet)
    in_onderzoek = etree.fromstring(iwmo_export.wmo319_bericht(verzoek))
    assert in_onderzoek.findtext(".//{*}VerzoekAntwoord") == "2"
    assert in_onderzoek.find(".//{*}RedenAfwijzingVerzoek") is None
    verzoek = verzoek_services.afwijzen(verzoek, opzet.consulent, "3", "Geen contract.")
    naam, xml = iwmo_export.antwoord(verzoek)
    geldig("319", xml)
    root = etree.fromstring(xml)
    assert naam.startswith(f"WMO319_{SOEST}_75009001_")
    assert root.findtext(".//{*}ReferentieAanbieder") == "VOT-1"
    assert root.findtext(".//{*}VerzoekAntwoord") == "1"
    assert root.findtext(".//{*}RedenAfwijzingVerzoek") == "3"
    antwoorden = UitgaandBericht.objects.filter(berichtcode="482")
    assert {b.client for b in antwoorden} == {opzet.dossier.client} and len(antwoorden) == 2


@pytest.mark.iwmo_regel("TR379", "IV094", "IV097")
def test_an_honoured_verzoek_is_answered_with_wmo301_with_the_referentie(opzet):
    from toegang.toewijzingen import verzoeken as verzoek_services

    verzoek = _verzoek(opzet)
    [nieuw] = verzoek_services.honoreren(verzoek, opzet.consulent)
    naam, xml = iwmo_export.antwoord(verzoek)
    geldig("301", xml)
    assert naam.startswith("WMO301_")
    product = etree.fromstring(xml).find(".//{*}ToegewezenProduct")
    assert product.findtext("{*}ToewijzingNummer") == str(nieuw.nummer)
    assert product.findtext("{*}ReferentieAanbieder") == "VOT-1"  # TR379


# --- validate command ----------------------------------------------------------------------------


DATA = Path(__file__).resolve().parent / "data"


def test_validate_command_on_the_example_files(capsys):
    call_command("iwmo", "validate", str(DATA / "iwmo_wmo305_voorbeeld.xml"))
    assert capsys.readouterr().out == "OK\n"
    with pytest.raises(SystemExit) as exc:
        call_command("iwmo", "validate", str(DATA / "iwmo_wmo305_ongeldig.xml"))
    assert exc.value.code == 1
    regels = capsys.readouterr().out.splitlines()
    assert regels == [
        "regel 23: Geslacht: [facet 'enumeration'] The value 'X' is not an element of the set "
        "{'0', '1', '2'}.",
        "regel 38: StatusAanlevering: [facet 'enumeration'] The value '7' is not an element of "
        "the set {'1', '2', '3', '9'}.",
    ]


def test_validate_command_exit_codes(opzet, tmp_path, capsys):
    t = opzet.toewijzing()
    goed = tmp_path / "goed.xml"
    goed.write_bytes(wmo305(opzet.bsn, start(t.nummer, BEGIN)))
    call_command("iwmo", "validate", str(goed))
    assert capsys.readouterr().out.strip() == "OK"

    fout = tmp_path / "fout.xml"
    fout.write_bytes(
        wmo305(opzet.bsn, start(t.nummer, BEGIN)).replace(
            b"<StatusAanlevering>1", b"<StatusAanlevering>7"
        )
    )
    with pytest.raises(SystemExit) as exc:
        call_command("iwmo", "validate", str(fout))
    assert exc.value.code == 1
    uit = capsys.readouterr().out
    assert "regel " in uit and "StatusAanlevering" in uit

    kapot = tmp_path / "kapot.xml"
    kapot.write_bytes(BILLION_LAUGHS)
    with pytest.raises(SystemExit) as exc:
        call_command("iwmo", "validate", str(kapot))
    assert exc.value.code == 1


# --- import: refused whole -----------------------------------------------------------------------

MORGEN = VANDAAG + datetime.timedelta(days=1)


def _ongeldige(opzet, t):
    """(name, message, expected text in an error) — each must be refused whole. Every message
    also carries a valid start of ``t``, which must not be applied."""
    ok = start(t.nummer, BEGIN)
    ander_bsn = valid_bsn(901)
    slecht_bsn = opzet.bsn[:8] + str((int(opzet.bsn[8]) + 1) % 10)
    dag = datetime.timedelta(days=1)
    maand = (BEGIN, _maandeinde(BEGIN))
    r1 = prestatie("R1", t.nummer, *maand)
    twee_maanden = prestatie("R1", t.nummer, BEGIN, maand[1] + 3 * dag)
    te_veel = wmo323(opzet.bsn, [r1]).replace(b"<iwmo:Bedrag>48000", b"<iwmo:Bedrag>48001")
    te_veel = te_veel.replace(b"<iwmo:TotaalBedrag>48000", b"<iwmo:TotaalBedrag>48001")
    tijdzone = wmo305(opzet.bsn, ok).replace(
        BEGIN.isoformat().encode(), BEGIN.isoformat().encode() + b"Z"
    )
    return [
        ("schema", wmo305(opzet.bsn, ok).replace(b"<BerichtVersie>3", b"<BerichtVersie>4"),
         "BerichtVersie"),
        ("elfproef", wmo305(slecht_bsn, ok), "elfproef"),
        ("datum-na-dagtekening",
         wmo305(opzet.bsn, ok, start(t.nummer, VANDAAG), dagtekening=VANDAAG - dag), "TR134"),
        ("dagtekening-toekomst", wmo305(opzet.bsn, ok, dagtekening=MORGEN), "8848"),
        ("status-2", wmo305(opzet.bsn, ok, start(t.nummer, BEGIN + 2 * dag, "2")), "OP033"),
        ("onbekende-agb", wmo305(opzet.bsn, ok, afzender="75009999"), "Onbekende aanbieder"),
        ("andere-aanbieder", wmo305(opzet.bsn, ok, afzender="75009002"), "mag geen berichten"),
        ("onbekende-gemeente", wmo305(opzet.bsn, ok, ontvanger="9999"), "S300"),
        ("ontvanger-zonder-contract", wmo305(opzet.bsn, ok, ontvanger=BAARN), "geen contract"),
        ("stop-voor-start", wmo307(opzet.bsn, stop(t.nummer, BEGIN, BEGIN - dag)), "TR018"),
        ("dubbel", wmo305(opzet.bsn, ok, ok), "twee keer"),
        ("geboortedatum", wmo305(opzet.bsn, ok).replace(b"1980-05-17", b"1880-05-17"), "120 jaar"),
        ("tijdzone", tijdzone, "Begindatum"),
        ("doctype", BILLION_LAUGHS, "DOCTYPE"),
        ("geen-aanbiederbericht", _wmo301_bytes(opzet), "geen bericht dat een aanbieder"),
        ("andere-client-323", wmo323(ander_bsn, [r1]), "8187"),
        ("twee-maanden-323",
         wmo323(opzet.bsn, [twee_maanden], periode=(BEGIN, maand[1] + 40 * dag)), "kalendermaand"),
        ("totaal-323", wmo323(opzet.bsn, [r1], totaal=1), "TotaalIngediendBedrag"),
        ("bedrag-323", te_veel, "TR346"),
        ("buiten-declaratieperiode-323",
         wmo323(opzet.bsn, [r1], periode=(BEGIN + dag, maand[1])), "9319"),
    ]  # fmt: skip


def _wmo301_bytes(opzet):
    return wmo301_berichten(Gemeente.objects.get(code=SOEST), peildatum=VANDAAG)[0][1]


@pytest.mark.iwmo_regel(
    "OP047",
    "OP286",
    "OP079",
    "CS002",
    "TR134",
    "TR135",
    "OP033x2",
    "CS058",
    "OP254",
    "TR378",
    "TR018",
    "CS003",
    "TR101",
    "TR002",
    "TR304",
    "TR358",
    "TR346",
    "TR319",
    "OP280",
    "CS340",
    "CS337",
    "OP367",
    "CS025",
)
def test_every_invalid_message_is_refused_whole_and_nothing_applied(opzet):
    t = opzet.toewijzing()
    gevallen = _ongeldige(opzet, t)
    assert len({naam for naam, _, _ in gevallen}) == len(gevallen)
    for naam, inhoud, verwacht in gevallen:
        with pytest.raises(OngeldigBericht) as exc:
            importeer(inhoud, user=opzet.systeem)
        tekst = " ".join(f"{f.element} {f.melding}" for f in exc.value.fouten)
        assert verwacht in tekst, (naam, tekst)
        assert all(f.regel is None or f.regel > 0 for f in exc.value.fouten)
    assert not Zorgperiode.objects.exists()
    assert not Declaratie.objects.exists()


def test_import_command_prints_errors_and_exits_1(opzet, tmp_path, capsys):
    t = opzet.toewijzing()
    bestand = tmp_path / "fout.xml"
    bestand.write_bytes(wmo305(opzet.bsn, start(t.nummer, BEGIN), afzender="75009999"))
    with pytest.raises(SystemExit) as exc:
        call_command("iwmo", "import", str(bestand), "--user", "systeem-eemland")
    assert exc.value.code == 1
    uit = json.loads(capsys.readouterr().out)
    assert uit["status"] == "afgekeurd" and uit["header"]["retourCodes"] == ["0001"]
    assert uit["fouten"][0]["element"] == "Afzender" and uit["fouten"][0]["regel"]
    assert not Zorgperiode.objects.exists()


# --- import: assessed per record ------------------------------------------------------------------


@pytest.mark.iwmo_regel("TR074", "TR382", "OP033")
def test_round_trip_export_start_stop(opzet, tmp_path, capsys):
    t = opzet.toewijzing()
    ApiSleutel.objects.create(
        aanbieder=opzet.aanbieder, naam="ECD", prefix="rz_eemland", sleutel_hash="x" * 64,
        user=opzet.systeem,
    )  # fmt: skip
    [(_, wmo301)] = wmo301_berichten(Gemeente.objects.get(code=SOEST), peildatum=VANDAAG)
    start_bericht = wmo305_uit_wmo301(wmo301, BEGIN + datetime.timedelta(days=2))
    geldig("305", start_bericht)
    bestand = tmp_path / "start.xml"
    bestand.write_bytes(start_bericht)
    call_command("iwmo", "import", str(bestand))  # as the API credential's technical user
    uit = json.loads(capsys.readouterr().out)
    # wholly approved: the retour (WMO306) is its header without retourcodes (IV028)
    assert uit["bericht"] == "WMO306" and uit["status"] == "goedgekeurd"
    assert uit["header"]["berichtCode"] == "419" and "retourCodes" not in uit["header"]
    assert "client" not in uit
    periode = Zorgperiode.objects.get(toewijzing=t)
    assert (periode.begindatum, periode.einddatum, periode.bron) == (
        BEGIN + datetime.timedelta(days=2),
        None,
        "xml",
    )
    assert opzet.bsn not in json.dumps(uit)

    # the same start again: refused per record with its retourcode, nothing changes
    [regel] = importeer(start_bericht, user=opzet.systeem)
    assert regel["retourcodes"] == ["9074"] and regel["meldingen"]

    # stop, then a correction: delete the stop (3)
    b = BEGIN + datetime.timedelta(days=2)
    e = BEGIN + datetime.timedelta(days=20)
    [regel] = importeer(wmo307(opzet.bsn, stop(t.nummer, b, e)), user=opzet.systeem)
    assert regel["retourcodes"] == ["0200"]
    periode.refresh_from_db()
    assert (periode.einddatum, periode.reden_beeindiging) == (e, "02")
    [regel] = importeer(wmo307(opzet.bsn, stop(t.nummer, b, e, "3")), user=opzet.systeem)
    assert regel["retourcodes"] == ["0200"]
    periode.refresh_from_db()
    assert periode.einddatum is None

    # a stop without a matching start
    [regel] = importeer(
        wmo307(opzet.bsn, stop(t.nummer, b + datetime.timedelta(days=1), e)), user=opzet.systeem
    )
    assert regel["retourcodes"] == ["9069"]


@pytest.mark.iwmo_regel("TR019")
def test_start_on_a_toewijzing_of_another_client_or_aanbieder_refuses_the_message(opzet):
    eigen = opzet.toewijzing()
    van_ander = opzet.toewijzing(aanbieder=opzet.ander)
    andere_client = opzet.toewijzing(bp=opzet.bp2)
    resultaat = importeer(
        wmo305(opzet.bsn, start(eigen.nummer, BEGIN), start(van_ander.nummer, BEGIN),
               start(andere_client.nummer, BEGIN)),
        user=opzet.systeem,
    )  # fmt: skip
    assert [r["retourcodes"] for r in resultaat] == [["0200"], ["9019"], ["9019"]]
    assert not Zorgperiode.objects.exists()  # only a wholly approved WMO305 is processed


@pytest.mark.iwmo_regel("TR347")
def test_import_wmo315_makes_a_verzoek_per_product(opzet):
    aangevraagd = [
        ("AangevraagdProduct", [
            ("ReferentieAanbieder", ref), ("Product", [("Categorie", "02"), ("Code", "02A01")]),
            ("ToewijzingIngangsdatum", (BEGIN + datetime.timedelta(days=10 * i)).isoformat()),
            ("ToewijzingEinddatum", (BEGIN + datetime.timedelta(days=10 * i + 9)).isoformat()),
            ("Omvang", [("Volume", 3), ("Eenheid", "04"), ("Frequentie", "2")]),
            ("Verwijzer", [("Type", "01")]),
        ])
        for i, ref in enumerate(("VOT-A", "VOT-B"))  # not overlapping (TR386)
    ]  # fmt: skip
    body = client_305(opzet.bsn, aangevraagd, "AangevraagdeProducten")
    inhoud = bericht("315", body)
    geldig("315", inhoud)
    resultaat = importeer(inhoud, user=opzet.systeem)
    assert [r["retourcodes"] for r in resultaat] == [["0200"], ["0200"]]
    assert sorted(Verzoek.objects.values_list("referentie", "bron")) == [
        ("VOT-A", "xml"), ("VOT-B", "xml"),
    ]  # fmt: skip
    [regel, _] = importeer(inhoud, user=opzet.systeem)  # the same referenties again
    assert regel["retourcodes"] == ["9347"]


def test_import_wmo317_asks_a_change_of_one_toewijzing(opzet):
    t = opzet.toewijzing()
    body = [("Client", [("Bsn", opzet.bsn), ("Verzoek", [
        ("ReferentieAanbieder", "VOW-1"), ("RedenVerzoek", "1"),
        ("TeWijzigenProducten", [("TeWijzigenProduct", [
            ("ToewijzingNummer", t.nummer), ("GewensteIngangsdatum", BEGIN.isoformat()),
            ("Einddatum", (EIND - datetime.timedelta(days=10)).isoformat()),
        ])]),
    ])])]  # fmt: skip
    inhoud = bericht("317", body)
    geldig("317", inhoud)
    [regel] = importeer(inhoud, user=opzet.systeem)
    assert regel == {"sleutel": {"referentieAanbieder": "VOW-1"}, "retourcodes": ["0200"]}
    verzoek = Verzoek.objects.get()
    assert (verzoek.soort, verzoek.toewijzing, verzoek.reden) == ("wijziging", t, "1")
    assert verzoek.producten[0]["volume"] == 4  # unchanged omvang: the toewijzing's


@pytest.mark.iwmo_regel("TR338", "TR333", "IV024")
def test_import_wmo323_declares_per_line(opzet):
    t = opzet.toewijzing()
    maand = (BEGIN, _maandeinde(BEGIN))
    inhoud = wmo323(opzet.bsn, [prestatie("R1", t.nummer, *maand), prestatie("R2", 999999, *maand)])
    geldig("323", inhoud)
    resultaat = importeer(inhoud, user=opzet.systeem)
    assert resultaat == [
        {"sleutel": {"declaratieNummer": "DECL1", "referentieNummer": "R1"},
         "retourcodes": ["0200"]},
        {"sleutel": {"declaratieNummer": "DECL1", "referentieNummer": "R2"},
         "retourcodes": ["9338"]},
    ]  # fmt: skip
    regel = Declaratie.objects.get().regels.get(referentie="R1")
    assert (regel.bedrag, regel.tarief, regel.volume) == (Decimal("480.00"), Decimal("60.00"), 8)
    # the same DeclaratieNummer again
    [regel] = importeer(inhoud, user=opzet.systeem)
    assert regel["retourcodes"] == ["9333"]


def test_import_as_a_user_without_the_aanbieder_is_refused(opzet):
    t = opzet.toewijzing()
    with pytest.raises(OngeldigBericht):
        importeer(wmo305(opzet.bsn, start(t.nummer, BEGIN)), user=opzet.consulent)
    assert not Zorgperiode.objects.exists()
    assert Toewijzing.objects.count() == 1
