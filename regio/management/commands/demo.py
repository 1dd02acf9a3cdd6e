"""Demo data: reproducible (fixed seed), idempotent and fast (bulk inserts).

Later issues add their own data here, each in a function that skips what already exists.
"""

import datetime
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inkoop import demo as inkoop_demo
from inkoop.models import Aanbieder
from regio import referentiedata
from regio.demo_users import DEMO_ROLLEN
from regio.models import Gemeente, Regio, Rol, Roltoekenning, User
from toegang.models import Client, Dossier, Persoon, bsn_hash

SEED = 20261127
DEMO_PASSWORD = "demo"
DOSSIERS_PER_GEMEENTE = 30
DEMO_GEMEENTEN = ["0307", "0308", "0313", "0327", "0267", "0342", "0351", "1895", "0037", "0014"]

VOORNAMEN = ["Anna", "Bram", "Chantal", "Daan", "Eva", "Fatima", "Gerrit", "Hanna", "Ilse",
             "Jeroen", "Kees", "Lotte", "Mohamed", "Noor", "Olga", "Pieter", "Roos", "Sven",
             "Tess", "Yusuf"]  # fmt: skip
ACHTERNAMEN = [("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("", "Bakker"),
               ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"),
               ("de", "Groot"), ("", "Bos"), ("van", "Dijk"), ("", "Yilmaz"), ("", "El Amrani"),
               ("", "Hoekstra"), ("van der", "Linden")]  # fmt: skip


def demo_bsn(rng: random.Random) -> str:
    """A random 9-digit number that passes the elfproef (synthetic, not a real person's)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2), strict=True))
        last = total % 11
        if last <= 9 and digits[0] != 0:
            return "".join(map(str, digits)) + str(last)


class Command(BaseCommand):
    help = "Laadt reproduceerbare demodata (alleen met dev-instellingen)."

    def handle(self, *args, **options):
        started = time.monotonic()
        if not settings.REGIOZORG_DEMO_PASSWORDS:
            raise CommandError("Demodata met wachtwoord 'demo' kan alleen met dev-instellingen.")
        with transaction.atomic():
            referentiedata.load()
            # One generator per part, so that a part that skips (already loaded) does not shift
            # the numbers of the next part: the same seed gives the same data every run.
            inkoop_demo.catalogus()
            inkoop_demo.verdeelmodellen()
            aanbieders = inkoop_demo.aanbieders_en_contracten(random.Random(SEED + 1))["aanbieders"]
            users = self.users()
            inkoop_demo.kwaliteit()
            inkoop_demo.locaties(
                random.Random(SEED + 2), gemeld_door=User.objects.get(username="aanbieder-demo")
            )
            inkoop_demo.rapportages(
                random.Random(SEED + 3),
                aanbieder_user=User.objects.get(username="aanbieder-demo"),
                risb_users={
                    "amersfoort": User.objects.get(username="risb-amersfoort"),
                    "oldambt-stadskanaal": User.objects.get(username="risb-oldambt-stadskanaal"),
                },
            )
            dossiers = self.dossiers(random.Random(SEED))
        self.stdout.write(
            f"Demodata klaar: {users} gebruikers, {aanbieders} aanbieders, "
            f"{dossiers} nieuwe dossiers ({time.monotonic() - started:.1f} s)."
        )

    def users(self) -> int:
        rollen = {r.code: r for r in Rol.objects.all()}
        gemeenten = {g.code: g for g in Gemeente.objects.all()}
        regios = {r.code: r for r in Regio.objects.all()}
        usernames = set()
        for username, rol_code, (kind, where), _ in DEMO_ROLLEN:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": rol_code == "functioneel-beheerder"}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            usernames.add(username)
            if kind == "gemeente":
                target = {"gemeente": gemeenten[where]}
            elif kind == "regio":
                target = {"regio": regios[where]}
            else:
                target = {"aanbieder": Aanbieder.objects.get(agb_code=where)}
            Roltoekenning.objects.get_or_create(
                user=user,
                rol=rollen[rol_code],
                **target,
                defaults={"begin": datetime.date(2020, 1, 1)},
            )
        return len(usernames)

    def dossiers(self, rng: random.Random) -> int:
        gemeenten = {g.code: g for g in Gemeente.objects.filter(code__in=DEMO_GEMEENTEN)}
        known = set(Persoon.objects.values_list("bsn_hash", flat=True))
        clients, personen, dossiers = [], [], []
        for code in DEMO_GEMEENTEN:
            for _ in range(DOSSIERS_PER_GEMEENTE):
                bsn = demo_bsn(rng)
                voorvoegsel, achternaam = rng.choice(ACHTERNAMEN)
                voornaam = rng.choice(VOORNAMEN)
                geboren = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 25000))
                geopend = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1400))
                hashed = bsn_hash(bsn)
                if hashed in known:
                    continue
                known.add(hashed)
                client = Client()
                clients.append(client)
                personen.append(
                    Persoon(
                        client=client,
                        bsn=bsn,
                        bsn_hash=hashed,
                        voornamen=voornaam,
                        voorvoegsel=voorvoegsel,
                        geslachtsnaam=achternaam,
                        geboortedatum=geboren,
                    )
                )
                dossiers.append(
                    Dossier(
                        client=client,
                        verantwoordelijke_gemeente=gemeenten[code],
                        geopend_op=geopend,
                    )
                )
        Client.objects.bulk_create(clients)
        Persoon.objects.bulk_create(personen)
        Dossier.objects.bulk_create(dossiers)
        return len(dossiers)
