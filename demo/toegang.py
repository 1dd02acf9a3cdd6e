# ruff: noqa: E501  (demo data reads best one case per line)
"""Demo clients for the toegang workplace: about 150 in regio Amersfoort and 60 in
Oldambt-Stadskanaal, with fake BSNs from the 9999xxxxx test range that pass the elfproef, a few
with a vertegenwoordiger, and cases in every stage. Reproducible and idempotent (persons are
matched by BSN hash)."""

import datetime
import random

from regio.models import Gemeente
from regio.validators import is_valid_bsn
from toegang.models import Adres, Client, Dossier, Persoon, Relatie, bsn_hash

# Clients per verantwoordelijke gemeente.
AANTALLEN = {"0307": 60, "0308": 15, "0313": 15, "0327": 15, "0267": 15, "0342": 15,
             "0351": 15, "1895": 30, "0037": 30}  # fmt: skip

VOORNAMEN = ["Anna", "Bram", "Chantal", "Daan", "Eva", "Fatima", "Gerrit", "Hanna", "Ilse",
             "Jeroen", "Kees", "Lotte", "Mohamed", "Noor", "Olga", "Pieter", "Roos", "Sven",
             "Tess", "Yusuf", "Ahmet", "Bianca", "Dirk", "Esra", "Joost",
             "Mila"]  # fmt: skip
ACHTERNAMEN = [("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("", "Bakker"),
               ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"),
               ("de", "Groot"), ("", "Bos"), ("van", "Dijk"), ("", "Yilmaz"), ("", "El Amrani"),
               ("", "Hoekstra"), ("van der", "Linden"), ("", "Kuipers"),
               ("", "Dekker")]  # fmt: skip
STRATEN = ["Dorpsstraat", "Kerkstraat", "Molenweg", "Stationsweg", "Schoolstraat", "Julianalaan",
           "Beatrixstraat", "Eikenlaan", "Parklaan", "Vaartweg"]  # fmt: skip


def test_bsns():
    """The BSNs of the 9999xxxxx test range that pass the elfproef, in order."""
    for number in range(999_900_000, 1_000_000_000):
        if is_valid_bsn(str(number)):
            yield str(number)


def clienten(rng: random.Random, vandaag: datetime.date | None = None) -> list[Dossier]:
    """Persons with BRP address and dossier per gemeente (opened in the four years before
    ``vandaag``); every 8th has a mentor who receives the letters. Returns the dossiers created
    now."""
    vandaag = vandaag or datetime.date.today()
    gemeenten = {g.code: g for g in Gemeente.objects.filter(code__in=AANTALLEN)}
    bekend = set(Persoon.objects.values_list("bsn_hash", flat=True))
    bsns = test_bsns()
    nieuw = []
    for code, aantal in AANTALLEN.items():
        gemeente = gemeenten[code]
        for n in range(aantal):
            bsn = next(bsns)
            voorvoegsel, achternaam = rng.choice(ACHTERNAMEN)
            voornaam = rng.choice(VOORNAMEN)
            geboren = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 25000))
            geopend = vandaag - datetime.timedelta(days=1430 - rng.randint(0, 1400))
            straat, huisnummer = rng.choice(STRATEN), str(rng.randint(1, 180))
            hashed = bsn_hash(bsn)
            if hashed in bekend:
                continue
            client = Client.objects.create()
            persoon = Persoon.objects.create(
                client=client, bsn=bsn, voornamen=voornaam, voorletters=f"{voornaam[0]}.",
                voorvoegsel=voorvoegsel, geslachtsnaam=achternaam, geboortedatum=geboren,
                geslacht=rng.choice("12"), gemeente_woonplaats=gemeente,
            )  # fmt: skip
            Adres.objects.create(
                persoon=persoon, soort="01", straat=straat, huisnummer=huisnummer,
                postcode=f"{rng.randint(1000, 9999)} {rng.choice(['AB', 'CD', 'EF', 'GH'])}",
                plaats=gemeente.naam,
            )  # fmt: skip
            if n % 8 == 3:
                Relatie.objects.create(
                    persoon=persoon, soort="15", vertegenwoordiging="08", voornamen="Marieke",
                    geslachtsnaam="de Mentor", organisatie="Mentorschap Midden-Nederland",
                    straat="Postbus", huisnummer=str(1000 + n), postcode="3800 AA",
                    plaats="Amersfoort", ontvangt_post=True,
                )  # fmt: skip
            # A BW client from elsewhere: herkomst differs (sometimes outside the region).
            herkomst = gemeente if n % 5 else gemeenten[rng.choice(list(AANTALLEN))]
            nieuw.append(
                Dossier.objects.create(
                    client=client,
                    verantwoordelijke_gemeente=gemeente,
                    geopend_op=geopend,
                    gemeente_herkomst=None if n % 17 == 5 else herkomst,
                )  # fmt: skip
            )
    return nieuw


# --- cases in every stage ----------------------------------------------------------------------

# How the cases are spread over the stages (per 20 dossiers).
STADIA = (["onderzoek"] * 3 + ["aanvraag"] * 2 + ["opgeschort"] + ["concept", "ter_accordering"]
          + ["bekendgemaakt"] * 9 + ["herindicatie", "afwijzing", "ingetrokken"])  # fmt: skip


def zaken(
    dossiers: list[Dossier], rng: random.Random, vandaag: datetime.date | None = None
) -> dict:
    """Meldingen, aanvragen, beschikkingen (with their PDF letters) and toewijzingen for the
    dossiers just created, through the same services the screens use."""
    from decimal import Decimal

    from inkoop.contracten.services import contracten_voor
    from inkoop.models import Contract, Perceel
    from regio.models import User
    from toegang.beschikkingen import producten as beschikking_producten
    from toegang.beschikkingen import services as beschikkingen
    from toegang.meldingen import services as meldingen
    from toegang.toewijzingen import services as toewijzingen

    vandaag = vandaag or datetime.date.today()
    gebruikers = {u.username: u for u in User.objects.filter(username__startswith=("consulent-"))}
    gebruikers |= {u.username: u for u in User.objects.filter(username__startswith="teamleider-")}
    percelen = {p.code: p for p in Perceel.objects.filter(einde__isnull=True)}
    teller = {stadium: 0 for stadium in STADIA}
    for n, dossier in enumerate(dossiers):
        gemeente = dossier.verantwoordelijke_gemeente
        amersfoort = gemeente.code in ("0307", "0308", "0313", "0327", "0267", "0342", "0351")
        consulent = gebruikers[f"consulent-{gemeente.naam.lower()}"]
        teamleider = gebruikers[
            "teamleider-amersfoort" if amersfoort else "teamleider-oldambt-stadskanaal"
        ]
        stadium = STADIA[n % len(STADIA)]
        teller[stadium] += 1
        recent = stadium in ("onderzoek", "aanvraag", "opgeschort", "concept", "ter_accordering")
        # Open cases are recent (some near or past their deadline); decided ones older.
        dagen = (2, 50) if stadium == "onderzoek" else (15, 50) if recent else (120, 600)
        ontvangen = vandaag - datetime.timedelta(days=rng.randint(*dagen))
        melding = meldingen.melding_registreren(
            dossier, user=consulent, ontvangen_op=ontvangen, consulent=consulent,
            hulpvraag=rng.choice([
                "Cliënt redt het niet meer zelfstandig thuis; vraagt begeleiding bij dagstructuur.",
                "Na opname in de GGZ is een woonplek met toezicht nodig.",
                "Schulden en eenzaamheid; netwerk vraagt om ondersteuning.",
                "Mantelzorger overbelast; cliënt heeft begeleiding en logeeropvang nodig.",
            ]),
        )  # fmt: skip
        if stadium == "onderzoek":
            continue
        meldingen.onderzoek_vastleggen(
            melding, user=consulent, gesprek_op=ontvangen + datetime.timedelta(days=7),
            gespreksverslag="Keukentafelgesprek met cliënt en netwerk; situatie en wensen besproken.",
            onderzoek_afgerond_op=ontvangen + datetime.timedelta(days=9),
        )  # fmt: skip
        aanvraag = meldingen.aanvraag_registreren(
            melding, user=consulent, ontvangen_op=ontvangen + datetime.timedelta(days=10)
        )
        if stadium == "aanvraag":
            continue
        if stadium == "opgeschort":
            meldingen.opschorting_starten(
                melding, user=consulent, van=ontvangen + datetime.timedelta(days=11),
                reden="Medische informatie van de huisarts opgevraagd.",
            )  # fmt: skip
            continue
        ingang = aanvraag.ontvangen_op + datetime.timedelta(days=7)
        if stadium == "herindicatie":
            einde = vandaag + datetime.timedelta(days=rng.randint(20, 80))
        else:
            einde = ingang + datetime.timedelta(days=365 * rng.choice([1, 2]) - 1)
        if amersfoort:
            perceel = percelen["wmo-begeleiding-en-beschermd-wonen"]
            codes = rng.choice([["begeleiding"], ["begeleiding", "vinger-aan-de-pols"],
                                ["beschermd-wonen"], ["beschermd-thuis"]])  # fmt: skip
            if gemeente.code == "0267":  # Nijkerk: the BW-domein functies only
                codes = [c for c in codes if c != "begeleiding"] or ["beschermd-thuis"]
            regels = [
                beschikking_producten.ProductRegel(product=perceel.producten.get(code=c))
                for c in codes
            ]
        else:
            perceel = percelen["begeleiding-2023"]
            product = perceel.producten.get(
                code=rng.choice(["begeleiding-individueel-regulier", "begeleiding-groep"])
            )
            regels = [beschikking_producten.ProductRegel(
                product=product, volume=Decimal(rng.choice([2, 3, 4, 6])), eenheid=product.eenheid,
                frequentie="2",
            )]  # fmt: skip
        afwijzing = stadium == "afwijzing"
        for regel in regels:
            regel.toegekend = not afwijzing
        beschikking = beschikkingen.maak_concept(
            dossier, consulent, perceel=perceel, aanvraag=aanvraag, ingangsdatum=ingang,
            einddatum=einde, regels=regels,
            besluit="afwijzing" if afwijzing else "toekenning",
            motivering=(
                "Uit het onderzoek blijkt dat de cliënt met hulp van het netwerk en algemene "
                "voorzieningen voldoende zelfredzaam is." if afwijzing else
                "Uit het onderzoek blijkt dat de cliënt niet op eigen kracht of met hulp van het "
                "netwerk zelfredzaam kan zijn; deze ondersteuning is passend."
            ),
        )  # fmt: skip
        if stadium == "concept":
            continue
        beschikkingen.dien_in(beschikking, consulent)
        if stadium == "ter_accordering":
            continue
        beschikkingen.stel_vast(beschikking, teamleider)
        beschikkingen.maak_bekend(beschikking, consulent)
        if stadium == "ingetrokken":
            # An intrekking is a besluit of its own: heard, four eyes, a letter, made known.
            per = max(vandaag, beschikking.ingangsdatum)
            if beschikking.einddatum and per > beschikking.einddatum:
                per = beschikking.einddatum  # a beschikking that ran out: the move came first
            intrekking = beschikkingen.trek_in(
                beschikking, consulent, grond="2310-1b", reden_wijziging="07", per=per,
                motivering="De cliënt is verhuisd naar een andere gemeente en is daarom niet "
                "langer op deze ondersteuning van onze gemeente aangewezen.",
                terugwerkende_kracht="" if per >= vandaag else
                "De verhuizing was eerder; de cliënt meldde haar pas later.",
            )  # fmt: skip
            beschikkingen.hoor(
                intrekking, consulent, gehoord_op=vandaag,
                hoorverslag="Telefonisch gesproken; de cliënt bevestigt de verhuizing.",
            )  # fmt: skip
            beschikkingen.dien_in(intrekking, consulent)
            beschikkingen.stel_vast(intrekking, teamleider)
            beschikkingen.maak_bekend(intrekking, consulent)
            continue
        if afwijzing:
            continue
        contracten = Contract.objects.visible_to(consulent, "inkoop.view_contract")
        for bp in beschikking.producten.filter(toegekend=True).select_related("product"):
            dekkend = list(
                contracten_voor(gemeente, bp.product, bp.ingangsdatum, queryset=contracten)
            )
            if not dekkend:
                continue
            contract = rng.choice(dekkend)
            toewijzingen.maak_toewijzing(
                consulent, bp, contract.aanbieder, bp.ingangsdatum,
                einddatum=min(bp.einddatum, contract.looptijd_einde) if bp.einddatum else contract.looptijd_einde,
                contracten=contracten,
                omvang=toewijzingen.Omvang(bp.volume, bp.eenheid, bp.frequentie) if bp.volume is not None else None,
            )  # fmt: skip
    return teller


# Letterheads for the demo gemeenten (fictional postbus numbers, real telephone code 14 0xx style).
BRIEFHOOFDEN = {
    "0307": ("Postbus 4000", "3800 EA", "Amersfoort", "14 033", "https://www.amersfoort.nl"),
    "0308": ("Postbus 1000", "3740 BA", "Baarn", "14 035", "https://www.baarn.nl"),
    "0313": ("Postbus 200", "3750 GE", "Bunschoten", "14 033", "https://www.bunschoten.nl"),
    "0327": ("Postbus 150", "3830 AD", "Leusden", "14 033", "https://www.leusden.nl"),
    "0267": ("Postbus 1000", "3860 BA", "Nijkerk", "14 033", "https://www.nijkerk.eu"),
    "0342": ("Postbus 2000", "3760 CA", "Soest", "14 035", "https://www.soest.nl"),
    "0351": ("Postbus 16", "3930 EA", "Woudenberg", "14 033", "https://www.woudenberg.nl"),
    "1895": ("Postbus 175", "9670 AD", "Winschoten", "14 0597", "https://www.gemeente-oldambt.nl"),
    "0037": ("Postbus 140", "9500 AC", "Stadskanaal", "14 0599", "https://www.stadskanaal.nl"),
}


def briefhoofden():
    for code, (postadres, postcode, plaats, telefoon, website) in BRIEFHOOFDEN.items():
        Gemeente.objects.filter(code=code, postadres="").update(
            postadres=postadres,
            postcode=postcode,
            plaats=plaats,
            telefoon=telefoon,
            website=website,
        )
