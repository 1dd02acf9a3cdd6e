"""``python manage.py verevening --scenario FILE [--format csv|json]``: a what-if verevening from
a scenario JSON file (financien.scenario), computed without touching the database; the outcome
goes to stdout, remarks (e.g. normalised shares) to stderr.

``--regio CODE --jaar YYYY`` computes from the database with the same service as the job
(``financien.runs.bereken_run``), stores a concept run and prints its CSV. ``--alle --jaar YYYY``
stores a concept run for every regio with parameters for that year, all in one transaction
(``financien.runs.bereken_runs``: the costs of all regio's in one statement) and names them."""

from django.core.management.base import BaseCommand, CommandError

from financien import scenario as scenariobestand
from financien.verevening import VereveningFout, bereken


class Command(BaseCommand):
    help = (
        "Berekent de verevening van een regio: met --regio en --jaar uit de database (een "
        "conceptrun), met --scenario een wat-als uit een JSON-bestand (zonder database)."
    )
    # A what-if is a pure computation: it must not depend on URLs, templates or the database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scenario", metavar="BESTAND", help="Scenario als JSON-bestand.")
        parser.add_argument("--regio", help="Code van de regio, bv. amersfoort.")
        parser.add_argument("--jaar", help="Jaar van de verevening, JJJJ.")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--alle", action="store_true",
            help="Met --jaar: een conceptrun voor elke regio met parameters voor dat jaar.",
        )  # fmt: skip

    def handle(self, *args, scenario, regio, jaar, format, alle, **options):
        if alle:
            if scenario or regio or not jaar:
                raise CommandError("Geef bij --alle alleen --jaar JJJJ.")
            return self.alle_regios(jaar)
        if scenario and (regio or jaar):
            raise CommandError("Geef --scenario óf --regio met --jaar, niet allebei.")
        if not scenario:
            if not (regio and jaar):
                raise CommandError("Geef --scenario BESTAND, of --regio CODE met --jaar JJJJ.")
            return self.uit_database(regio, jaar, format)
        try:
            uitkomst = bereken(scenariobestand.lees_scenariobestand(scenario))
        except VereveningFout as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            self.stdout.write(scenariobestand.als_json(uitkomst), ending="")
        else:
            self.stdout.write(scenariobestand.als_csv(uitkomst), ending="")
            for opmerking in uitkomst.opmerkingen:
                self.stderr.write(opmerking)

    def alle_regios(self, jaar):
        from django.core.exceptions import PermissionDenied, ValidationError

        from financien import runs
        from regio.models import Regio

        if not (jaar.isdigit() and len(jaar) == 4):
            raise CommandError(f"Het jaar {jaar!r} is geen jaartal (JJJJ).")
        regios = list(Regio.objects.filter(jaarparameters__jaar=int(jaar)).order_by("naam"))
        if not regios:
            raise CommandError(f"Geen regio heeft vereveningsparameters voor {jaar}.")
        try:
            gemaakt = runs.bereken_runs(regios, int(jaar))
        except (VereveningFout, ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        for run in gemaakt:
            self.stdout.write(f"Conceptrun {run.pk} voor {run.regio.naam} {jaar} opgeslagen.")

    def uit_database(self, code, jaar, format):
        from django.core.exceptions import PermissionDenied, ValidationError

        from financien import runs
        from regio.models import Regio

        if not (jaar.isdigit() and len(jaar) == 4):
            raise CommandError(f"Het jaar {jaar!r} is geen jaartal (JJJJ).")
        regio = Regio.objects.filter(code=code).first()
        if regio is None:
            raise CommandError(f"Regio {code!r} bestaat niet.")
        try:
            run = runs.bereken_run(regio, int(jaar))
        except (VereveningFout, ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        uitkomst = runs.verevening_van(run)
        if format == "json":
            self.stdout.write(scenariobestand.als_json(uitkomst), ending="")
        else:
            self.stdout.write(scenariobestand.als_csv(uitkomst), ending="")
        self.stderr.write(f"Conceptrun {run.pk} voor {regio.naam} {jaar} opgeslagen.")
        for opmerking in uitkomst.opmerkingen:
            self.stderr.write(opmerking)
