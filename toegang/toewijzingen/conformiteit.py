"""Which iWmo 3.2 rule applies to the gemeente, and where regiozorg enforces it.

One decision per rule of the snapshot (``regio.iwmo_regels.bronregels``, the rule files of the
regelrapport plus the rules the case descriptions, the Mutatieoverzicht and the UP relations
name). ``docs/IWMO.md`` is generated from these decisions, the snapshot and the tests' markers
(``manage.py iwmo_conformiteit``); ``tests/test_iwmo_conformiteit.py`` checks that every rule
has a decision, that every dotted path resolves and that every rule that applies and is built
has a test.

A decision is one of:

- ``ja(pad, ...)``: applies, enforced in the function(s) named;
- ``gepland(pad, ...)``: applies, being built by another part of issue 19 at the planned place
  (the lead sets the real path and removes the flag at merge; then a test is required);
- ``open_(notitie, ...)``: applies, not (yet) enforced — a known gap, shown as such;
- ``nee(waarom, ...)``: does not apply to the gemeente, and why not.

Where a rule file disagrees with the case descriptions, the XSD or the Mutatieoverzicht, the
decision carries a ``notitie`` and follows those.
"""

from __future__ import annotations

from regio.iwmo_regels import Besluit, ja, nee
from regio.iwmo_regels import gepland as gepland_

Z = "toegang.toewijzingen.zorg"
D = "toegang.toewijzingen.declaraties"
V = "toegang.toewijzingen.verzoeken"
S = "toegang.toewijzingen.services"
I = "toegang.toewijzingen.iwmo_xml.importeren"  # noqa: E741
E = "toegang.toewijzingen.iwmo_xml.export"
X = "toegang.toewijzingen.iwmo_xml.schema"

AANBIEDER = "aanbieder-side (wat de aanbieder doet of stuurt; de gemeente controleert het niet)"
AFSPRAAK = "een afspraak of werkwijze tussen partijen, niet te controleren in de berichten"
RETOUR = "betreft een retourbericht dat de gemeente ontvangt (aanbieder-side)"
GEEN_RELATIES = (
    "regiozorg stuurt geen relaties of contactpersonen mee in de WMO301 (alleen wat de aanbieder "
    "nodig heeft, Wmo 2015 hfst. 5)"
)
GEEN_BUDGET = "regiozorg wijst niet toe met een Budget (alleen met een Omvang of taakgericht)"
GEEN_325 = (
    "regiozorg verstuurt geen WMO325 als XML (geen XSD in shared/iwmo); het declaratie-antwoord "
    "is een gestructureerd resultaat"
)
XSD = "door de XSD gecontroleerd (elk ontvangen en verzonden bericht)"
UITGANGSPUNT = "uitgangspunt: uitgewerkt in de regels die het noemt (zie daar)"
JW_TITEL = "geen regelbestand in de Wmo-kopie; titel uit de iJw-kopie (zelfde nummering)"
ONDERDEEL = "issue 19, ander onderdeel"


def gepland(*waar: str, notitie: str = "") -> Besluit:
    return gepland_(*waar, notitie=(f"{ONDERDEEL}: {notitie}" if notitie else ONDERDEEL))


BESLUITEN: dict[str, Besluit] = {
    # --- bedrijfsregels ------------------------------------------------------------------------
    "OP001": nee(
        "gezagsdrager van een jeugdige: een iJw-regel; " + GEEN_RELATIES, notitie=JW_TITEL
    ),
    "OP002": nee(
        "gezagsdrager van een jeugdige: een iJw-regel; " + GEEN_RELATIES, notitie=JW_TITEL
    ),
    "OP003": nee("een afweging van een professional buiten het berichtenverkeer"),
    "OP011": nee(AANBIEDER, notitie=JW_TITEL),
    "OP033": ja(f"{Z}.verwijder_start", f"{Z}.verwijder_stop", f"{I}._start_stop"),
    "OP033x1": ja(f"{S}.wijzig_einddatum", f"{S}.vervang", f"{E}.wmo301_berichten"),
    "OP033x2": ja(
        f"{I}._start_stop",
        notitie="de API kent geen StatusAanlevering 2: een correctie is verwijderen en opnieuw "
        f"aanleveren ({ONDERDEEL}: beide samen in één bericht)",
    ),
    "OP039": nee(
        "een vrijheid van de verzender; regiozorg vergelijkt alleen BSN en ToewijzingNummer, "
        "geen naam of adres"
    ),
    "OP043": nee("regiozorg kent alleen zorg in natura; een pgb wordt buiten regiozorg verstrekt"),
    "OP047": ja(f"{I}.lees_bericht", f"{X}.valideer_schema"),
    "OP065": ja(
        "toegang.toewijzingen.retour.per_record",
        notitie="een geheel goedgekeurd bericht: alleen de header",
    ),
    "OP071": nee(GEEN_RELATIES),
    "OP072": ja(f"{Z}.stop_zorg", f"{Z}._periode"),
    "OP076": nee(GEEN_RELATIES),
    "OP079": ja(f"{I}._bsns", "regio.validators.is_valid_bsn", f"{E}._client"),
    "OP080": nee(
        "een afspraak over betekenis; regiozorg verwerkt elk bericht op zichzelf, op zijn sleutel"
    ),
    "OP086": ja(f"{E}.wmo301_berichten"),
    "OP087": ja(f"{E}.wmo301_berichten"),
    "OP090": ja(
        "toegang.toewijzingen.iwmo_xml.verwerken.verwerk",
        "toegang.toewijzingen.retour.bewaar",
        notitie="de retour komt direct, bij het antwoord op de POST of de import, en blijft "
        "op te vragen (GET /api/v1/berichten/)",
    ),
    "OP090x2": nee("buiten het berichtenverkeer (een melding aan de verzender)"),
    "OP090x4": ja(
        f"{D}.indienen",
        notitie="de uitslag per regel komt direct als antwoord op de declaratie; de WMO325 zelf "
        f"is {ONDERDEEL} (TR342)",
    ),
    "OP091": nee(XSD + " (Soort is verplicht in elk Contact)"),
    "OP095": ja(
        f"{V}.indienen",
        notitie="een verzoek om een onbekend BSN wordt technisch geaccepteerd en wacht, "
        "ongekoppeld, op een consulent: geen antwoord verraadt of iemand een dossier heeft",
    ),
    "OP130": nee(GEEN_RELATIES),
    "OP155": ja(
        f"{Z}._laatste_start",
        notitie="het regelbestand noemt alleen reden beëindiging 21 (als onderwerp en in de "
        "uitleg); de regel geldt voor elke (tijdelijke) stop, ook reden 20 (casusbeschrijvingen): "
        "een stop verwijst naar de laatste start",
    ),
    "OP179": nee(
        f"een grens voor de verzender; de API weigert te grote berichten met 413 ({ONDERDEEL})"
    ),
    "OP186": nee(
        "overleg met de aanbieder buiten het systeem; de consulent bevestigt elke wijziging",
        notitie=JW_TITEL,
    ),
    "OP191": nee(
        "regiozorg stuurt geen vrije tekst in WMO301; WMO319 alleen de toelichting bij een "
        "afwijzing",
        notitie=JW_TITEL,
    ),
    "OP192": ja(f"{E}._controleer", notitie=JW_TITEL),
    "OP252": ja(f"{E}._client", notitie=JW_TITEL),
    "OP254": ja(
        f"{I}._header",
        notitie=JW_TITEL + "; in de Wmo-berichten net zo (Afzender is de AGB-code)",
    ),
    "OP257": ja(f"{S}.vervang", f"{S}.gevolg_voor_oude"),
    "OP258": ja(f"{S}.volg_besluit", f"{E}.wmo301_berichten", notitie=JW_TITEL),
    "OP259": ja(f"{S}.controleer", notitie=JW_TITEL),
    "OP260": nee(
        "geen tekst in de Wmo- of iJw-kopie; UP016 (producten) volgt uit de catalogus (inkoop)",
    ),
    "OP261": ja(f"{S}.taakgericht", notitie=JW_TITEL),
    "OP262": nee("een contractafspraak (inkoop: tarieven per product)", notitie=JW_TITEL),
    "OP263": nee("een contractafspraak (inkoop: tarieven per product)", notitie=JW_TITEL),
    "OP264": nee("een contractafspraak (inkoop)", notitie=JW_TITEL),
    "OP267": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 9341"),
    "OP270": nee(AFSPRAAK, notitie=JW_TITEL),
    "OP271": nee(AANBIEDER, notitie=JW_TITEL),
    "OP272": nee(AANBIEDER + "; de gemeente neemt ook een latere stop aan"),
    "OP274": ja(
        f"{V}.antwoordtermijn",
        f"{V}.wacht_op_antwoord",
        "toegang.meldingen.tasks._verzoeken",
        notitie=(
            "antwoord_uiterlijk = 5 werkdagen na ontvangst, in de werkvoorraad verzoeken; een"
            " signaal aan de consulenten een werkdag vóór het einde en na verloop; een WMO319"
            " in onderzoek telt als antwoord. "
        )
        + JW_TITEL,
    ),
    "OP275": ja(f"{S}.volgend_nummer", notitie=JW_TITEL),
    "OP276": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 9338"),
    "OP279": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 9307/9308"),
    "OP280": ja(f"{I}._wmo323", notitie=JW_TITEL + "; 9319"),
    "OP281": nee("een vrijheid van de aanbieder", notitie=JW_TITEL),
    "OP283": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 8021"),
    "OP284": nee(
        "alleen te toetsen met kennis van de aanbieder of er elke periode zorg was",
        notitie=JW_TITEL,
    ),
    "OP286": ja(f"{I}.lees_bericht", f"{I}.importeer", notitie=JW_TITEL),
    "OP288": nee(AANBIEDER, notitie=JW_TITEL),
    "OP289": ja(f"{Z}.start_zorg", notitie=JW_TITEL),
    "OP295": nee(AANBIEDER, notitie=JW_TITEL),
    "OP296": ja(f"{V}._controleer_product", notitie=JW_TITEL),
    "OP297": nee(AANBIEDER, notitie=JW_TITEL),
    "OP298": nee(
        "overleg met de aanbieder buiten het systeem; de consulent bevestigt elke wijziging",
        notitie=JW_TITEL,
    ),
    "OP299": nee(GEEN_BUDGET, notitie=JW_TITEL),
    "OP302": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 9339/9340"),
    "OP303": ja("toegang.toewijzingen.retour.declaratie_antwoord"),
    "OP304": ja(
        "toegang.toewijzingen.retour.declaratie_antwoord",
        notitie="alleen afgewezen prestaties (TR342)",
    ),
    "OP305": nee(
        "de eenheid komt uit de catalogus van het gecontracteerde product (inkoop)",
        notitie=JW_TITEL,
    ),
    "OP306": nee(AANBIEDER, notitie=JW_TITEL),
    "OP307": nee(AANBIEDER, notitie=JW_TITEL),
    "OP308": nee(AANBIEDER, notitie=JW_TITEL),
    "OP343": nee(AANBIEDER, notitie=JW_TITEL),
    "OP344": ja(f"{V}.honoreren", f"{V}.afwijzen", notitie=JW_TITEL),
    "OP345": ja(
        f"{S}._geen_gedeclareerde_zorg_na",
        f"{S}.controleer_wijziging",
        notitie="voor elke wijziging met terugwerkende kracht, ook op verzoek (WMO317): de "
        "huidige toewijzing eindigt de dag ervoor. " + JW_TITEL,
    ),
    "OP346": ja(
        f"{V}.antwoordtermijn",
        f"{V}.wacht_op_antwoord",
        "toegang.meldingen.tasks._verzoeken",
        notitie="zie OP274. " + JW_TITEL,
    ),
    "OP347": nee(AANBIEDER, notitie=JW_TITEL),
    "OP348": ja(f"{V}.honoreren", notitie=JW_TITEL),
    "OP349": ja(f"{D}.indienen", notitie=JW_TITEL + "; 9333"),
    "OP350": ja(f"{V}.indienen", f"{V}.onderhanden", notitie="zie TR374. " + JW_TITEL),
    "OP354": nee(AANBIEDER, notitie=JW_TITEL),
    "OP355": nee(RETOUR, notitie=JW_TITEL),
    "OP359": ja(
        f"{V}.afwijzen",
        notitie=(
            "het WMO319 heeft geen element voor de gemeente (XSD: ReferentieAanbieder, "
            "VerzoekAntwoord, RedenAfwijzingVerzoek); de consulent moet haar noemen bij reden"
            " 8, de aanbieder leest haar in het antwoord (API verantwoordelijkeGemeente, "
            "toelichting). De termijn van 2 weken valt binnen de 5 werkdagen van OP274. "
        )
        + JW_TITEL,
    ),
    "OP360": ja(f"{D}._creditcodes", notitie=JW_TITEL + "; 9390"),
    "OP361": ja(f"{V}.indienen", notitie=JW_TITEL + "; TR347"),
    "OP362": ja(f"{S}.trek_in", notitie="via TR385 (9385). " + JW_TITEL),
    "OP363": nee(AANBIEDER, notitie=JW_TITEL),
    "OP364": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; een declaratie vraagt geen start zorg"),
    "OP365": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 9321/9322"),
    "OP366": ja(
        f"{D}.niet_gecrediteerd",
        f"{D}.beoordeel",
        notitie="een nieuwe debetregel wacht tot de vorige volledig (volume en bedrag) is "
        "gecrediteerd (9389, TR389). " + JW_TITEL,
    ),  # fmt: skip
    "OP367": ja(f"{D}.controleer_structuur", f"{I}._wmo323", notitie=JW_TITEL),
    "OP368": ja(f"{D}.beoordeel", notitie=JW_TITEL + "; 9307/9308"),
    "OP377": ja(
        f"{Z}._na_tijdelijke_stop",
        notitie="geen regelbestand; tekst uit de casusbeschrijvingen (en de iJw-kopie)",
    ),
    "OP378": ja(
        f"{Z}._na_tijdelijke_stop",
        notitie="geen regelbestand; tekst uit de casusbeschrijvingen (en de iJw-kopie)",
    ),
    "OP379": ja(f"{Z}.start_zorg", notitie=JW_TITEL),
    "OP380": ja(
        f"{S}.waarom_niet_oprekken",
        f"{S}.wijzig_einddatum",
        f"{E}.wmo301_berichten",
        notitie="geen regelbestand; voorwaarden uit het mutatieoverzicht en de "
        "casusbeschrijvingen (verlenging: einddatum oprekken, zelfde ToewijzingNummer)",
    ),
    # --- technische regels ---------------------------------------------------------------------
    "TR002": ja(f"{I}._geboortedatum"),
    "TR006": nee(GEEN_RELATIES + "; een Contact van de cliënt heeft alleen een Adres"),
    "TR018": ja(f"{Z}.stop_zorg", f"{I}._start_stop"),
    "TR019": ja(f"{I}._pas_zorg_toe"),
    "TR056": ja(
        f"{E}.volgende_identificaties",
        notitie="voor wat wij versturen; van ontvangen berichten wordt de BerichtIdentificatie "
        "niet op uniciteit getoetst",
    ),
    "TR061": ja(
        f"{E}.controleer_client",
        notitie="strenger door IV047: een BRP-adres (01) of verblijfadres (03) is nodig; zonder "
        "weigert de export het bericht met wat de consulent moet vastleggen",
    ),
    "TR063": ja(f"{Z}.verwijder_start", f"{Z}.verwijder_stop"),
    "TR071": ja(f"{Z}.verwijder_start"),
    "TR074": ja(f"{Z}.start_zorg"),
    "TR101": ja(f"{I}._start_stop", f"{D}.controleer_structuur"),
    "TR134": ja(f"{Z}.start_zorg", f"{Z}.stop_zorg", f"{I}._na_dagtekening"),
    "TR135": ja(f"{I}._header"),
    "TR137": ja(f"{D}.controleer_structuur"),
    "TR302": ja(f"{S}.controleer"),
    "TR304": ja(f"{I}._prestaties_bij_client"),
    "TR307": ja(f"{D}.beoordeel"),
    "TR308": ja(f"{D}.beoordeel"),
    "TR314": ja(f"{D}.beoordeel", f"{D}.controleer_structuur"),
    "TR315": ja(f"{D}._tussen_regels", notitie="de hele declaratie wordt geweigerd (0001)"),
    "TR316": ja(f"{D}._tussen_regels", notitie="de hele declaratie wordt geweigerd (0001)"),
    "TR318": nee("alleen te toetsen met kennis van de aanbieder of er elke periode zorg was"),
    "TR319": ja(f"{D}.controleer_structuur", f"{I}._wmo323"),
    "TR321": ja(f"{D}.beoordeel"),
    "TR322": ja(f"{D}.beoordeel"),
    "TR323": ja(f"{D}._creditcodes"),
    "TR326": ja(
        f"{Z}.start_zorg",
        notitie="9326 wanneer de lopende levering niet gestopt is; een start die een al "
        "gestopte periode overlapt krijgt 9361 (WJ001 kent daarvoor geen eigen code)",
    ),
    "TR332": ja(f"{S}.volgend_nummer"),
    "TR333": ja(f"{D}.indienen"),
    "TR335": ja(
        f"{D}._regel",
        f"{I}._wmo323",
        notitie="de hele declaratie wordt geweigerd (0001); de DeclaratieDagtekening van de API "
        "is de dag van ontvangst",
    ),  # fmt: skip
    "TR337": nee(GEEN_325),
    "TR338": ja(f"{D}.beoordeel"),
    "TR339": ja(f"{D}.beoordeel"),
    "TR340": ja(f"{D}.beoordeel"),
    "TR341": ja(f"{D}.beoordeel"),
    "TR342": ja("toegang.toewijzingen.retour.declaratie_antwoord"),
    "TR346": ja(f"{D}.beoordeel", f"{I}._wmo323"),
    "TR347": ja(f"{V}.indienen"),
    "TR349": ja(
        f"{I}._alle_actuele",
        f"{I}._actuele_toewijzingen",
        notitie=(
            "actueel: actieve toewijzingen van de aanbieder aan de cliënt bij de gemeente die"
            " vandaag of later gelden; de REST API vraagt één toewijzing en kent geen "
            "OngewijzigdProduct"
        ),
    ),
    "TR350": ja(f"{I}._alle_actuele", f"{I}._wmo317"),
    "TR351": ja(f"{V}.indienen", f"{I}._pas_verzoek_toe"),
    "TR352": ja(f"{I}._wmo317"),
    "TR353": ja(f"{I}._wmo317"),
    "TR355": ja(f"{E}.wmo319_bericht"),
    "TR357": ja(
        f"{V}._controleer_data_wijziging",
        f"{I}._pas_verzoek_toe",
        notitie=(
            "getoetst tegen de Dagtekening van het WMO317; de REST API heeft geen dagtekening"
            " en toetst dit niet"
        ),
    ),
    "TR358": ja(f"{I}._wmo323"),
    "TR359": ja(f"{V}.afwijzen", f"{V}._vergrendel"),
    "TR360": ja(f"{V}.in_onderzoek", notitie="9360"),
    "TR361": ja(
        f"{I}._wmo317",
        notitie="een verzoek om wijziging heeft bij regiozorg precies één TeWijzigenProduct",
    ),
    "TR365": ja(
        f"{V}._vergrendel",
        f"{V}.in_onderzoek",
        notitie="na honoreren of afwijzen geen nieuw antwoord (9365); na in onderzoek wel",
    ),
    "TR366": ja(
        "toegang.toewijzingen.retour.declaratie_antwoord",
        notitie="elke prestatie met de ReferentieNummer van de declaratie",
    ),
    "TR367": ja(
        "toegang.toewijzingen.retour.declaratie_antwoord",
        notitie="bedragen en volume overgenomen uit de ingediende prestatie",
    ),
    "TR369": nee(GEEN_BUDGET),
    "TR371": nee(GEEN_325),
    "TR373": nee(GEEN_BUDGET + "; een wijziging van het totaal is een nieuwe toewijzing"),
    "TR374": ja(
        f"{V}.indienen",
        f"{V}.onderhanden",
        f"{I}._pas_verzoek_toe",
        notitie=(
            "dezelfde aanbieder, gemeente en cliënt (het BSN zoals gestuurd, of het dossier "
            "van de te wijzigen toewijzing); open tot gehonoreerd of afgewezen (ook in "
            "onderzoek); de producten van één WMO315 tellen niet als eerder verzoek; 9374 op "
            "bsn of toewijzing"
        ),
    ),
    "TR375": ja(f"{V}._controleer_product"),
    "TR376": nee(GEEN_325),
    "TR378": ja(f"{I}._header", f"{V}._gemeente"),
    "TR379": ja(f"{E}._referenties", f"{E}._toegewezen_product"),
    "TR380": ja(
        f"{V}._controleer_data_wijziging",
        notitie=(
            "de regel noemt het element niet; toegepast op de Einddatum van het "
            "TeWijzigenProduct (de GewensteIngangsdatum mag volgens TR357 op of vóór de "
            "dagtekening liggen); alleen in het WMO317"
        ),
    ),
    "TR381": ja(f"{V}.catalogus_producten", f"{V}._controleer_product"),
    "TR382": ja(f"{Z}._periode"),
    "TR383": ja(f"{I}._wmo315"),
    "TR384": ja(f"{D}.beoordeel", f"{S}.trek_in"),
    "TR385": ja(
        f"{S}.trek_in",
        f"{D}.niet_gecrediteerd",
        notitie="9385; de consulent beëindigt de toewijzing met een einddatum, of laat de "
        "aanbieder eerst alles crediteren",
    ),  # fmt: skip
    "TR386": ja(
        f"{V}.dubbel_aangevraagd",
        f"{V}._controleer_producten",
        f"{I}._wmo315",
        notitie="op productcode, zonder code op categorie; categorie 11-14 mag overlappen",
    ),
    "TR387": ja(f"{D}.beoordeel"),
    "TR388": ja(f"{D}.beoordeel"),
    "TR389": ja(
        f"{D}.beoordeel",
        f"{D}.niet_gecrediteerd",
        notitie="9389 (geen volumetoets meer) tot de eerdere debetregel volledig is gecrediteerd",
    ),
    "TR390": ja(f"{D}._creditcodes"),
    "TR410": ja(f"{I}._wmo317", notitie="NieuweProducten worden geweigerd (nieuw: WMO315)"),
    "TR411": ja(f"{V}._controleer_product"),
    "TR412": ja(f"{V}._controleer_product"),
    "TR413": ja(f"{Z}._na_tijdelijke_stop"),
    "TR414": ja(f"{Z}._na_tijdelijke_stop", notitie="ook een check constraint op Zorgperiode"),
    "TR415": ja(f"{Z}._na_tijdelijke_stop"),
    "TR416": ja(f"{D}._tussen_regels", notitie="de hele declaratie wordt geweigerd (0001)"),
    "TR418": ja(f"{D}.beoordeel"),
}

# --- condities, constraints (within one message; XSLT, retourcode 0001) ---------------------------

_BINNEN_BERICHT = (
    "een regel binnen één bericht (XSLT); niet afzonderlijk nagelopen voor wat regiozorg "
    "ontvangt en verstuurt"
)

BESLUITEN |= {
    "CD005": ja(f"{E}._client", notitie="LandCode alleen bij een Postcode"),
    "CD007": ja(
        f"{E}.controleer_client",
        f"{E}._client",
        "toegang.dossiers.forms.PersoonForm.clean",
        notitie="de taal staat in Persoon.communicatietaal",
    ),
    "CD009": ja(
        f"{E}._client",
        notitie="regiozorg legt geen Periode van een adres vast en stuurt er nooit een",
    ),
    "CD025": ja(
        f"{E}.controleer_client",
        f"{E}._client",
        notitie="een Nederlands adres zonder huisnummer wordt geweigerd; in het buitenland blijft "
        "Huis dan weg",
    ),
    "CD034": ja(f"{E}.controleer_client"),
    "CD041": ja(f"{E}._toegewezen_product"),
    "CD043": nee(AANBIEDER + " (Beschikkingnummer in het verzoek om toewijzing)"),
    "CD060": ja(f"{D}.controleer_structuur"),
    "CD066": nee(AANBIEDER + " (verwijzer in het verzoek om toewijzing)"),
    "CD067": nee(AANBIEDER + " (verwijzer in het verzoek om toewijzing)"),
    "CD068": nee(AANBIEDER + " (verwijzer in het verzoek om toewijzing)"),
    "CD075": nee(GEEN_BUDGET),
    "CD076": ja(
        f"{E}.controleer_toewijzing",
        notitie="voor wat de gemeente verstuurt (WMO301); in een ontvangen WMO315/WMO317 niet "
        "afzonderlijk getoetst",
    ),
    "CD077": nee(GEEN_BUDGET),
    "CD078": nee(GEEN_BUDGET),
    "CD079": ja(f"{E}._toegewezen_product"),
    "CD080": ja(f"{E}._toegewezen_product"),
    "CD085": ja(f"{V}.afwijzen", f"{E}.wmo319_bericht"),
    "CD086": ja(f"{E}.wmo319_bericht", f"{V}.in_onderzoek"),
    "CD087": ja(
        f"{D}._regel",
        f"{I}._wmo323",
        notitie="een tarief bij eenheid 83 wordt overal geweigerd; een ontbrekend ProductTarief "
        "alleen in het XML-bericht (de JSON-API rekent dan met het contracttarief)",
    ),
    "CD095": ja(f"{V}._controleer_product"),
    "CD096": nee(
        "regiozorg weigert NieuweProducten in een verzoek om wijziging (TR410)", f"{I}._wmo317"
    ),
    "CS002": ja(f"{I}._bsns", "regio.validators.is_valid_bsn"),
    "CS003": ja(f"{I}._start_stop", f"{I}._wmo315", f"{I}._wmo317", f"{D}.controleer_structuur"),
    "CS015": ja(f"{X}.valideer_schema", notitie="de XSD legt BerichtSubversie 2 vast"),
    "CS025": ja(f"{X}.valideer_schema", notitie="de XSD legt BerichtVersie 3 vast"),
    "CS050": ja(
        f"{E}.controleer_client",
        f"{E}._client",
        notitie="zonder Partnernaam alleen NaamGebruik 1 (6 verbiedt CS318)",
    ),
    "CS058": ja(f"{I}._start_stop"),
    "CS089": ja(f"{E}.controleer_client"),
    "CS100": ja(f"{I}._wmo323", notitie="DeclaratiePeriode en elke ProductPeriode"),
    "CS139": ja(
        f"{E}._geboortedatum",
        notitie="de export zet een onbekende dag op 01 en een onbekende dag en maand op 01-01",
    ),
    "CS318": ja(f"{E}.controleer_client"),
    "CS319": nee(XSD),
    "CS325": ja(
        f"{D}._regel", f"{I}._wmo323", notitie="per prestatie en op het TotaalIngediendBedrag"
    ),
    "CS335": ja(f"{S}.trek_in"),
    "CS336": ja(f"{S}.REDENEN_WIJZIGING"),
    "CS337": ja(f"{D}.controleer_structuur", f"{I}._wmo323"),
    "CS338": ja(
        f"{E}.controleer_toewijzing",
        notitie="voor wat de gemeente verstuurt (WMO301); in een ontvangen WMO317 niet "
        "afzonderlijk getoetst",
    ),
    "CS339": ja(f"{D}._regel", notitie="de hele declaratie wordt geweigerd (0001)"),
    "CS340": ja(f"{I}._wmo323"),
    "CS343": nee(AANBIEDER + " (frequentie in het verzoek om toewijzing)"),
}

# --- invulinstructies -----------------------------------------------------------------------------

BESLUITEN |= {
    "IV002": nee("regiozorg adresseert alleen personen (cliënten), geen organisaties"),
    "IV007": ja(f"{E}._client", notitie="met de Partnernaam apart van de Geslachtsnaam"),
    "IV008": ja(
        f"{Z}.verwijder_start",
        f"{Z}.verwijder_stop",
        notitie="alleen in de casusbeschrijvingen (geen bestand); verwijderen en opnieuw "
        f"aanleveren in één bericht: {ONDERDEEL}",
    ),
    "IV009": ja(f"{E}._client"),
    "IV013": ja(
        f"{E}._toegewezen_product",
        notitie="de Toewijzingsdatum van een gewijzigde toewijzing is het moment van de wijziging",
    ),
    "IV024": ja(f"{I}._euro", notitie="bedragen in centen, zonder scheidingsteken"),
    "IV028": ja(
        "toegang.toewijzingen.iwmo_xml.verwerken.verwerk",
        "toegang.toewijzingen.retour.per_record",
        "toegang.toewijzingen.retour.technisch_afgekeurd",
    ),
    "IV032": ja(
        "toegang.toewijzingen.retour.per_record",
        notitie="0200 voor goedgekeurde delen van een afgekeurd bericht; 0233 komt niet voor: "
        "elk record wordt beoordeeld",
    ),
    "IV033": nee(
        "regiozorg controleert niet met de XSLT's van iStandaarden; de retour heeft geen XsltVersie"
    ),
    "IV034": ja(f"{E}._header"),
    "IV042": ja(f"{E}._toegewezen_product", f"{V}._controleer_product"),
    "IV046": ja(f"{E}._header", f"{I}._header"),
    "IV047": ja(
        f"{E}.controleer_client",
        notitie="alleen een correspondentie-adres (02) volstaat niet; een BRP-briefadres wordt "
        "als BRP-adres (01) vastgelegd",
    ),
    "IV052": nee(AANBIEDER + " (Beschikkingnummer in het verzoek om toewijzing)"),
    "IV066": ja(f"{S}.vervang", f"{S}.maak_toewijzing"),
    "IV074": nee("een uitleg van de uitvoeringsvarianten, geen regel"),
    "IV075": ja(f"{E}._toegewezen_product"),
    "IV076": nee(AANBIEDER + " (vulling van de declaratie)"),
    "IV077": ja(f"{D}.toegestaan_volume"),
    "IV078": ja(f"{D}.toegestaan_volume"),
    "IV079": nee(AANBIEDER + " (vulling van de declaratie)"),
    "IV081": ja(f"{D}.beoordeel"),
    "IV084": nee(AANBIEDER + " (vulling van de declaratie)"),
    "IV085": nee(AANBIEDER + " (vulling van de declaratie)"),
    "IV086": nee(AANBIEDER + " (vulling van de declaratie)"),
    "IV087": ja("toegang.toewijzingen.retour.declaratie_antwoord"),
    "IV088": ja("toegang.toewijzingen.retour.declaratie_antwoord"),
    "IV089": ja(f"{D}.beoordeel", notitie="9387/9388"),
    "IV090": nee(AANBIEDER + " (vulling van de declaratie)"),
    "IV091": ja(f"{D}._creditcodes", f"{D}.controleer_structuur"),
    "IV092": nee(AANBIEDER + " (vulling van het verzoek om wijziging)"),
    "IV093": ja(
        f"{V}.honoreren",
        f"{S}.wijzig_einddatum",
        f"{S}._verleng_met_nieuwe",
        notitie="verlenging: RedenWijziging 04 op initiatief van de gemeente, 12 als antwoord op "
        "een verzoek om wijziging. Regiozorg honoreert een verzoek om wijziging van één "
        "toewijzing; OngewijzigdProduct en NieuwProduct worden niet gelezen (TR350, TR410)",
    ),
    "IV094": ja(f"{V}.honoreren", f"{E}._referenties"),
    "IV096": nee(AANBIEDER + " (de sleutel van start en stop); regiozorg zoekt erop (TR382)"),
    "IV097": ja(f"{E}._referenties"),
    "IV099": ja(f"{S}.wijzig_einddatum", f"{E}._toegewezen_product"),
}


def _standaard(soort: str) -> Besluit:
    if soort == "RS":
        return nee(XSD, f"{X}.valideer_schema")
    if soort == "UP":
        return nee(UITGANGSPUNT)
    raise KeyError(soort)


def besluiten() -> dict[str, Besluit]:
    """A decision for every rule of the snapshot: the restrictions (RS) are the XSD's, the
    uitgangspunten are worked out in their OP rules, unless named here."""
    from regio.iwmo_regels import bronregels

    uit = {}
    for id, regel in bronregels().items():
        uit[id] = BESLUITEN[id] if id in BESLUITEN else _standaard(regel.soort)
    return uit | {id: b for id, b in BESLUITEN.items() if id not in uit}


# Uitgangspunten with something of their own to say.
BESLUITEN |= {
    "UP003": ja(
        f"{V}.indienen",
        notitie="privacy: geen antwoord van de API hangt af van of iemand een dossier heeft "
        "(onbekend BSN); zie ook OP095",
    ),
    "UP001": nee(
        UITGANGSPUNT,
        notitie="de Wmo-kopie spreekt hier en in UP004/UP016 van "
        "'Jeugdhulp': overgenomen uit de iJw; voor de Wmo lees 'ondersteuning'",
    ),
}


def document(map_tests=None) -> tuple[str, str]:
    """The Markdown of docs/IWMO.md and the one-line summary README.md quotes."""
    from pathlib import Path

    from regio.iwmo_regels import rijen, samenvatting, tabel, verzamel_tests

    map_tests = map_tests or Path(__file__).resolve().parents[2] / "tests"
    alle = rijen(besluiten(), verzamel_tests(Path(map_tests)))
    return tabel(alle), samenvatting(alle)
