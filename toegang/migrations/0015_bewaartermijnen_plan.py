"""The monthly retention run (toegang.privacy.tasks.bewaartermijnen_maandelijks), scheduled
like the deadline job of 0004: per gemeente a destruction list of the dossiers past retention,
for the privacy officer to approve."""

from importlib import import_module

from django.db import migrations

termijnjob = import_module("toegang.migrations.0004_termijn_notificaties")

NAAM = "toegang: bewaartermijnen, vernietigingslijsten opstellen (maandelijks)"
TASK = "toegang.bewaartermijnen_maandelijks"
SCHEMA = {"minute": "0", "hour": "3", "day_of_week": "*", "day_of_month": "2",
          "month_of_year": "*"}  # fmt: skip


def maak_taak(apps, schema_editor):
    termijnjob.plan(
        apps,
        naam=NAAM,
        task=TASK,
        schema=SCHEMA,
        beschrijving=(
            "Zet per gemeente de dossiers waarvan de bewaartermijn is verstreken op een "
            "vernietigingslijst ter goedkeuring door de privacyfunctionaris."
        ),
    )


def verwijder_taak(apps, schema_editor):
    termijnjob.schrap(apps, naam=NAAM)


class Migration(migrations.Migration):
    dependencies = [
        ("toegang", "0014_beveiliging"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(maak_taak, verwijder_taak)]
