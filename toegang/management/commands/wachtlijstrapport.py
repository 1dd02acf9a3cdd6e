"""``python manage.py wachtlijstrapport --regio CODE --maand YYYY-MM [--format csv|pdf]
[--output PATH]``: the waiting-list report of one regio, by the same service function as the
job (``toegang.wachtlijstrapport``), read in the regio's own scope. CSV goes to stdout without
--output; a PDF needs --output."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regio.models import Regio
from toegang.wachtlijst import rapport as wachtlijstrapport


class Command(BaseCommand):
    help = "Maakt de wachtlijstrapportage van een regio voor een maand (CSV of PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--regio", required=True, help="Code van de regio, bv. amersfoort.")
        parser.add_argument("--maand", required=True, help="Rapportmaand, JJJJ-MM.")
        parser.add_argument("--format", choices=["csv", "pdf"], default="csv")
        parser.add_argument("--output", help="Bestand om naar te schrijven (CSV: anders stdout).")
        parser.add_argument(
            "--maanden", type=int, default=12, help="Aantal maanden t/m de rapportmaand (trend)."
        )

    def handle(self, *args, regio, maand, format, output, maanden, **options):
        gevonden = Regio.objects.filter(code=regio).first()
        if gevonden is None:
            raise CommandError(f"Onbekende regio {regio!r}.")
        try:
            eerste = wachtlijstrapport.parse_maand(maand)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if maanden < 1:
            raise CommandError("--maanden moet minstens 1 zijn.")
        if format == "pdf" and not output:
            raise CommandError("Een PDF heeft --output nodig.")
        rapport = wachtlijstrapport.rapport(gevonden, eerste, maanden)
        if format == "csv":
            inhoud = wachtlijstrapport.als_csv(rapport)
            if not output:
                self.stdout.write(inhoud, ending="")
                return
            Path(output).write_text(inhoud, encoding="utf-8")
        else:
            Path(output).write_bytes(wachtlijstrapport.als_pdf(rapport))
        self.stderr.write(f"Geschreven: {output} ({len(rapport.regels)} regels).")
