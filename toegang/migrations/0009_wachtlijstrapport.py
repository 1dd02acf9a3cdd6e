"""The monthly waiting-list report (toegang.wachtlijst.tasks.wachtlijstrapport_maandelijks):
on the 1st of every month at 05:00 it starts the report of the previous month for every regio
with a list. Scheduled like the deadline job of 0004."""

from importlib import import_module

from django.db import migrations

termijnjob = import_module("toegang.migrations.0004_termijn_notificaties")

NAAM = "toegang: wachtlijstrapportage (maandelijks)"
SCHEMA = {"minute": "0", "hour": "5", "day_of_week": "*", "day_of_month": "1",
          "month_of_year": "*"}  # fmt: skip


def maak_taak(apps, schema_editor):
    termijnjob.plan(
        apps,
        naam=NAAM,
        task="toegang.wachtlijstrapport_maandelijks",
        schema=SCHEMA,
        beschrijving=(
            "Maakt op de 1e van de maand de wachtlijstrapportage van de vorige maand voor "
            "elke regio met een wachtlijst (CSV en PDF)."
        ),
    )


def verwijder_taak(apps, schema_editor):
    termijnjob.schrap(apps, naam=NAAM)


class Migration(migrations.Migration):
    dependencies = [
        ("toegang", "0008_wachtlijst"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(maak_taak, verwijder_taak)]
