"""``python manage.py importeer_conversie --regio CODE [--jaar JJJJ] BESTAND``: import the
existing BW caseload at the cut-over (financien.imports.conversie; columns in financien/IMPORT.md).
Prints the counts, or every error (row and column, never a BSN) and exits non-zero; a refused
file writes nothing. ``--jaar`` chooses whose vereveningsparameters give the cut-over."""

from financien.imports.conversie import importeer_conversie
from financien.management.commands.importeer_kostenregels import Command as ImportCommand


class Command(ImportCommand):
    help = (
        "Importeert het bestaande cliëntenbestand beschermd wonen op de peildatum (conversie) "
        "uit een CSV- of XLSX-bestand."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--jaar", type=int, help="Jaar van de vereveningsparameters met de peildatum."
        )

    def importeer(self, regio, bestand, bestandsnaam, options):
        return importeer_conversie(
            regio, bestand, bestandsnaam, jaar=options.get("jaar"), user=None
        )
