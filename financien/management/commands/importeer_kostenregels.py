"""``python manage.py importeer_kostenregels --regio CODE BESTAND``: import pgb payments and
handmatige kostenregels from a CSV or XLSX file (financien.imports.kostenregels; columns in
financien/IMPORT.md). Prints the counts, or every error (row and column, never a BSN) and exits
non-zero; a refused file writes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from financien.imports.kostenregels import importeer_kostenregels
from regio.models import Regio


class Command(BaseCommand):
    help = "Importeert kostenregels (pgb, handmatig) uit een CSV- of XLSX-bestand."

    def add_arguments(self, parser):
        parser.add_argument("--regio", required=True, help="Code van de regio, bv. amersfoort.")
        parser.add_argument("bestand", metavar="BESTAND", help="CSV- of XLSX-bestand.")

    def importeer(self, regio, bestand, bestandsnaam, options):
        return importeer_kostenregels(regio, bestand, bestandsnaam, user=None)

    def handle(self, *args, regio, bestand, **options):
        gevonden = Regio.objects.filter(code=regio).first()
        if gevonden is None:
            raise CommandError(f"Onbekende regio “{regio}”.")
        pad = Path(bestand)
        try:
            with pad.open("rb") as invoer:
                resultaat = self.importeer(gevonden, invoer, pad.name, options)
        except OSError as exc:
            raise CommandError(
                f"Het bestand {pad.name} is niet te openen: {exc.strerror or 'onbekende fout'}."
            ) from None
        regels = resultaat.samenvatting()
        if not resultaat.gelukt:
            # The reasons name row and column only; a value shaped like a BSN is masked.
            for regel in regels[1:]:
                self.stderr.write(regel)
            raise CommandError(regels[0])
        for regel in regels:
            self.stdout.write(regel)
