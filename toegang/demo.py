"""Demo clients for the toegang workplace: about 150 in regio Amersfoort and 60 in
Oldambt-Stadskanaal, with fake BSNs from the 9999xxxxx test range that pass the elfproef, a few
with a vertegenwoordiger, and cases in every stage. Reproducible and idempotent (persons are
matched by BSN hash)."""

import datetime
import random

from regio.models import Gemeente

from .models import Adres, Client, Dossier, Persoon, Relatie, bsn_hash
from .validators import is_valid_bsn

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


def clienten(rng: random.Random) -> list[Dossier]:
    """Persons with BRP address and dossier per gemeente; every 8th has a mentor who receives
    the letters. Returns the dossiers created now."""
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
            geopend = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1400))
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
