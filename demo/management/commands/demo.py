"""Demo data: reproducible (fixed seed), idempotent and fast (bulk inserts).

Later issues add their own data here, each in a function that skips what already exists.
"""

import datetime
import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo import aanbieders as provider_demo
from demo import financien as financien_demo
from demo import inkoop as inkoop_demo
from demo import notificaties as notificaties_demo
from demo import toegang as toegang_demo
from demo import wachtlijst as wachtlijst_demo
from demo.gebruikers import DEMO_NAMEN, DEMO_ROLLEN
from inkoop.models import Aanbieder
from regio import referentiedata
from regio.models import Gemeente, Regio, Rol, Roltoekenning, User

SEED = 20261127
DEMO_PASSWORD = "demo"


class Command(BaseCommand):
    help = "Laadt reproduceerbare demodata (alleen met dev-instellingen)."

    def handle(self, *args, **options):
        started = time.monotonic()
        if not settings.REGIOZORG_DEMO_PASSWORDS:
            raise CommandError("Demodata met wachtwoord 'demo' kan alleen met dev-instellingen.")
        # Every operational date (meldingen, termijnen, the waiting list, toewijzingen, reports,
        # extension decisions) is relative to this day; historical facts (catalogue eras,
        # memberships, the 2023 contract) keep their real dates.
        # (The services called here read the same clock, so it is today, not a parameter.)
        vandaag = datetime.date.today()
        with transaction.atomic():
            referentiedata.load()
            # One generator per part, so that a part that skips (already loaded) does not shift
            # the numbers of the next part: the same seed gives the same data every run.
            inkoop_demo.catalogus()
            inkoop_demo.verdeelmodellen(vandaag)
            aanbieders = inkoop_demo.aanbieders_en_contracten(random.Random(SEED + 1))["aanbieders"]
            users = self.users()
            # The extension decisions the regio would have taken by now, and a follow-up
            # contract where the options run out, so toewijzingen and placements can be made.
            inkoop_demo.contracten_bijhouden(vandaag)
            inkoop_demo.kwaliteit(vandaag)
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
                peildatum=vandaag,
            )
            toegang_demo.briefhoofden()
            nieuwe_dossiers = toegang_demo.clienten(random.Random(SEED), vandaag)
            toegang_demo.zaken(nieuwe_dossiers, random.Random(SEED + 4), vandaag)
            wachtlijst_demo.demo(random.Random(SEED + 5), vandaag)
            financien_demo.demo(random.Random(SEED + 6), vandaag)
            # Statistics for what was just loaded: with the counts of an empty database the
            # planner chooses nested loops over every table (seconds per query afterwards).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            perioden, declaratieregels = provider_demo.zorg_en_declaraties(
                random.Random(SEED + 7), vandaag
            )
            sleutels = provider_demo.api_sleutels()
            notificaties_demo.demo(vandaag)
            dossiers = len(nieuwe_dossiers)
        self.stdout.write(
            f"Demodata klaar: {users} gebruikers, {aanbieders} aanbieders, "
            f"{dossiers} nieuwe dossiers, {perioden} zorgperioden, {declaratieregels} "
            f"declaratieregels ({time.monotonic() - started:.1f} s)."
        )
        for aanbieder, token in sleutels:
            # Shown once (only its hash is stored); dev settings only, like the demo passwords.
            self.stdout.write(f"API-sleutel {aanbieder}: {token}")

    def users(self) -> int:
        rollen = {r.code: r for r in Rol.objects.all()}
        gemeenten = {g.code: g for g in Gemeente.objects.all()}
        regios = {r.code: r for r in Regio.objects.all()}
        wachtwoord = make_password(DEMO_PASSWORD)
        usernames = set()
        for username, rol_code, (kind, where), _ in DEMO_ROLLEN:
            voornaam, achternaam, functie, team = DEMO_NAMEN[username]
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": rol_code == "functioneel-beheerder",
                    "first_name": voornaam,
                    "last_name": achternaam,
                    "functie": functie,
                    "team": team,
                },
            )
            if not created and not user.first_name:
                # A demo database from before people had names.
                user.first_name, user.last_name = voornaam, achternaam
                user.functie, user.team = functie, team
                user.save(update_fields=["first_name", "last_name", "functie", "team"])
            if created:
                # One hash for all demo users: hashing "demo" nineteen times costs seconds.
                user.password = wachtwoord
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
