from django.core.management.base import BaseCommand

from regio import referentiedata


class Command(BaseCommand):
    help = "Laadt gemeenten, regio's en lidmaatschappen uit regio/data/ (idempotent)."

    def handle(self, *args, **options):
        added = referentiedata.load()
        self.stdout.write(
            f"Referentiedata geladen: {added['gemeenten']} nieuwe gemeenten, "
            f"{added['lidmaatschappen']} nieuwe lidmaatschappen."
        )
