from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from toegang.toewijzingen.conformiteit import document


class Command(BaseCommand):
    help = (
        "Schrijft de iWmo-conformiteitstabel naar docs/IWMO.md (uit de regels, de besluiten in "
        "toegang/toewijzingen/conformiteit.py en de markers @pytest.mark.iwmo_regel in tests/); "
        "--check meldt alleen of het bestand actueel is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="niets schrijven, alleen toetsen")

    def handle(self, *args, check=False, **options):
        pad = Path(settings.BASE_DIR) / "docs" / "IWMO.md"
        tekst, samenvatting = document(Path(settings.BASE_DIR) / "tests")
        if check:
            if not pad.exists() or pad.read_text(encoding="utf-8") != tekst:
                raise CommandError("docs/IWMO.md is niet actueel: draai `make iwmo-docs`.")
            self.stdout.write(f"docs/IWMO.md is actueel: {samenvatting}")
            return
        pad.write_text(tekst, encoding="utf-8")
        self.stdout.write(f"docs/IWMO.md geschreven: {samenvatting}")
