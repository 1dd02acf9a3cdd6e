from django.core.management.base import BaseCommand, CommandError

from regio import audit_seal


class Command(BaseCommand):
    help = (
        "Het auditlog: 'verify' controleert de hashketen en meldt de eerste breuk; "
        "'seal' verzegelt de regels van afgeronde transacties (--alles: alle regels)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="actie", required=True)
        sub.add_parser("verify", help="Controleer de hashketen van het auditlog.")
        seal = sub.add_parser("seal", help="Verzegel de auditregels nu.")
        seal.add_argument(
            "--alles",
            action="store_true",
            help="Ook regels van transacties die nog lopen (alleen als niemand anders schrijft: "
            "een regel van een nog open transactie zou later 'ingevoegd' lijken).",
        )

    def handle(self, *args, **options):
        if options["actie"] == "seal":
            aantal = audit_seal.verzegel(alles=options["alles"])
            self.stdout.write(f"{aantal} auditregels verzegeld.")
            return
        uitslag = audit_seal.verifieer()
        if not uitslag.intact:
            raise CommandError(
                f"Auditlog NIET intact. {uitslag.fout} "
                f"(gecontroleerd tot daar: {uitslag.regels} regels in {uitslag.zegels} zegels)"
            )
        self.stdout.write(
            f"Auditlog intact: {uitslag.regels} regels in {uitslag.zegels} zegels. "
            f"Laatste ketenwaarde: {uitslag.laatste_hash}"
        )
        if uitslag.ongezegeld:
            self.stdout.write(
                f"Let op: {uitslag.ongezegeld} regels zijn ouder dan de wachttijd en nog niet "
                "verzegeld. Draait de taak audit.verzegelen?"
            )
