"""The monthly taakgerichte toerekening (financien.tasks.taakgericht_maandelijks): on the 2nd of
every month at 04:00 it allocates the previous month's budget of every taakgericht contract, for
every regio with one. Scheduled like the deadline job of toegang 0004."""

from importlib import import_module

from django.db import migrations

termijnjob = import_module("toegang.migrations.0004_termijn_notificaties")

NAAM = "financien: taakgerichte toerekening (maandelijks)"
TASK = "financien.taakgericht_maandelijks"
SCHEMA = {"minute": "0", "hour": "4", "day_of_week": "*", "day_of_month": "2",
          "month_of_year": "*"}  # fmt: skip


def maak_taak(apps, schema_editor):
    termijnjob.plan(
        apps,
        naam=NAAM,
        task=TASK,
        schema=SCHEMA,
        beschrijving=(
            "Rekent op de 2e van de maand het budget van elk taakgericht contract over de "
            "vorige maand toe aan de cliënten (cliëntdagen × gewicht per functie), per regio."
        ),
    )


def verwijder_taak(apps, schema_editor):
    termijnjob.schrap(apps, naam=NAAM)


class Migration(migrations.Migration):
    dependencies = [
        ("financien", "0003_verevening_onveranderlijk"),
        ("toegang", "0004_termijn_notificaties"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(maak_taak, verwijder_taak)]
