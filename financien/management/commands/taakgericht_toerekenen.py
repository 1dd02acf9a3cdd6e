"""``python manage.py taakgericht_toerekenen --regio CODE --maand YYYY-MM``: allocate the month's
budget of every taakgericht contract of the regio running then to its clients (the service the
monthly job uses, ``financien.taakgericht.toerekenen``), one line per contract on stdout and the
remarks (a month without client-days, a contract without bestedingsruimte) on stderr. Rerunning
replaces the month's lines."""

from django.core.management.base import BaseCommand, CommandError

from financien import taakgericht
from regio.models import Regio


class Command(BaseCommand):
    help = (
        "Rekent het budget van de taakgerichte contracten van een regio over één maand toe aan "
        "de cliënten (cliëntdagen × gewicht per functie) en legt de kostenregels vast."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regio", required=True, help="Code van de regio, bv. amersfoort.")
        parser.add_argument("--maand", required=True, help="Maand, JJJJ-MM.")

    def handle(self, *args, regio, maand, **options):
        try:
            jaar, nummer = taakgericht.parse_maand(maand)
        except taakgericht.ToerekeningFout as exc:
            raise CommandError(str(exc)) from exc
        gevonden = Regio.objects.filter(code=regio.strip().lower()).first()
        if gevonden is None:
            raise CommandError(f"Onbekende regio {regio!r}.")
        contracten = list(taakgericht.lopende_contracten(gevonden, jaar, nummer))
        if not contracten:
            self.stderr.write(
                f"{gevonden.naam} heeft in {jaar}-{nummer:02d} geen lopend taakgericht contract."
            )
        for contract in contracten:
            try:
                uitkomst = taakgericht.toerekenen(contract, jaar, nummer)
            except taakgericht.ToerekeningFout as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{contract.kenmerk}: maandbudget {uitkomst.maandbudget}, toegerekend "
                f"{uitkomst.toegerekend} over {len(uitkomst.regels)} toewijzingen "
                f"({uitkomst.clientdagen} cliëntdagen)"
            )
            for opmerking in uitkomst.opmerkingen:
                self.stderr.write(opmerking)
