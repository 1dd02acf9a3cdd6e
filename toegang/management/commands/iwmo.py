"""``python manage.py iwmo`` — iWmo XML messages (toegang.toewijzingen.iwmo_xml):

- ``iwmo validate FILE``: ``OK`` or the errors (line, element, message); exit 0 or 1. Any
  message type whose XSD is in ``toegang/toewijzingen/iwmo_xml/xsd/``.
- ``iwmo export-toewijzingen --gemeente CBSCODE [--sinds YYYY-MM-DD] [--peildatum YYYY-MM-DD]
  --out DIR``: the gemeente's WMO301 messages, one file per client and aanbieder.
- ``iwmo import FILE [--user USERNAME]``: process a WMO305/307/315/317/323 of an aanbieder and
  print its retour as JSON in the structure of the retour message (WMO306/308/316/318/325, see
  ``toegang.toewijzingen.retour``); the retour is also stored for the aanbieder. A message
  refused whole by its own content prints the retour with 0001 and its errors and exits 1; a
  WMO305/307/317 with a refused record is not processed at all (status ``afgekeurd``, exit 0).

Who applies an import: the aanbieder's technical user (the user of its API credential, role
"Aanbiedersysteem (API)"), so the import is scoped and audited exactly like the REST API.
Without ``--user`` the command takes the user of the Afzender's active (not revoked) API
credential; with ``--user`` that user must hold the message's capability for the Afzender's
aanbieder. A beheerder running the command acts through that technical user.
"""

import datetime
import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from inkoop.models import ApiSleutel
from regio.models import Gemeente, User
from toegang.toewijzingen.iwmo_xml import OngeldigBericht, valideer, wmo301_berichten
from toegang.toewijzingen.iwmo_xml.schema import lees
from toegang.toewijzingen.iwmo_xml.verwerken import verwerk


def _datum(waarde: str | None, optie: str) -> datetime.date | None:
    if not waarde:
        return None
    try:
        return datetime.date.fromisoformat(waarde)
    except ValueError:
        raise CommandError(f"{optie}: geef een datum als JJJJ-MM-DD.") from None


def _lees_bestand(pad: str) -> bytes:
    try:
        return Path(pad).read_bytes()
    except OSError as exc:
        raise CommandError(f"Kan {pad} niet lezen: {exc.strerror}.") from None


class Command(BaseCommand):
    help = "iWmo-berichten: valideren, toewijzingen (WMO301) exporteren, berichten importeren."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="actie", required=True)
        validate = sub.add_parser("validate", help="Valideer een bericht tegen zijn XSD.")
        validate.add_argument("bestand")
        export = sub.add_parser("export-toewijzingen", help="Schrijf WMO301-berichten.")
        export.add_argument("--gemeente", required=True, help="CBS-code, bv. 0342.")
        export.add_argument("--sinds", help="Alleen cliënten met een wijziging sinds JJJJ-MM-DD.")
        export.add_argument("--peildatum", help="Dagtekening (standaard vandaag).")
        export.add_argument("--out", required=True, help="Map voor de XML-bestanden.")
        imp = sub.add_parser("import", help="Verwerk een WMO305/307/315/317/323.")
        imp.add_argument("bestand")
        imp.add_argument(
            "--user", help="Gebruikersnaam (standaard: de API-gebruiker van de afzender)."
        )

    def handle(self, *args, actie, **options):
        if actie == "validate":
            return self.validate(options["bestand"])
        if actie == "export-toewijzingen":
            return self.export(options)
        return self.importeer(options["bestand"], options.get("user"))

    def validate(self, bestand):
        _, fouten = valideer(_lees_bestand(bestand))
        if not fouten:
            self.stdout.write("OK")
            return
        for fout in fouten:
            self.stdout.write(str(fout))
        sys.exit(1)

    def export(self, options):
        gemeente = Gemeente.objects.filter(code=options["gemeente"]).first()
        if gemeente is None:
            raise CommandError(f"Onbekende gemeente {options['gemeente']!r}.")
        sinds = _datum(options.get("sinds"), "--sinds")
        peildatum = _datum(options.get("peildatum"), "--peildatum")
        uit = Path(options["out"])
        uit.mkdir(parents=True, exist_ok=True)
        try:
            berichten = wmo301_berichten(gemeente, sinds=sinds, peildatum=peildatum)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for naam, inhoud in berichten:
            (uit / naam).write_bytes(inhoud)
        self.stderr.write(f"{len(berichten)} WMO301-bericht(en) geschreven naar {uit}.")

    def _gebruiker(self, inhoud: bytes, username: str | None):
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"Onbekende of inactieve gebruiker {username!r}.")
            return user
        try:
            root = lees(inhoud).getroot()
        except OngeldigBericht:
            return None  # importeer reports the errors
        agb = root.findtext("{*}Header/{*}Afzender")
        sleutel = (
            ApiSleutel.objects.filter(
                aanbieder__agb_code=agb, ingetrokken_op__isnull=True, user__is_active=True
            )
            .select_related("user")
            .order_by("-aangemaakt_op")
            .first()
        )
        if sleutel is None:
            raise CommandError(
                "De afzender heeft geen actieve API-sleutel: geef --user met een gebruiker die "
                "berichten van deze aanbieder mag verwerken."
            )
        return sleutel.user

    def importeer(self, bestand, username):
        inhoud = _lees_bestand(bestand)
        user = self._gebruiker(inhoud, username)
        uitkomst = verwerk(inhoud, user=user)
        uit = uitkomst.retour
        if uit is None:  # not even an iWmo message this command takes: no retour (IV028)
            uit = {"bericht": None, "status": "afgekeurd", "header": None,
                   "fouten": [f.als_dict() for f in uitkomst.fouten]}  # fmt: skip
        self.stdout.write(json.dumps(uit, ensure_ascii=False, indent=2))
        if uitkomst.fouten:
            sys.exit(1)
