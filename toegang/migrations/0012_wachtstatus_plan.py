"""The daily wachtstatus run (toegang.wachtlijst.tasks.wachtstatus_versturen), scheduled like
the deadline job of 0004: letters to waiting clients and notices to their lokaal team."""

from importlib import import_module

from django.db import migrations

termijnjob = import_module("toegang.migrations.0004_termijn_notificaties")

NAAM = "toegang: wachtstatus versturen (dagelijks)"
TASK = "toegang.wachtstatus_versturen"
SCHEMA = {"minute": "30", "hour": "6", "day_of_week": "*", "day_of_month": "*",
          "month_of_year": "*"}  # fmt: skip


def maak_taak(apps, schema_editor):
    termijnjob.plan(
        apps,
        naam=NAAM,
        task=TASK,
        schema=SCHEMA,
        beschrijving=(
            "Stuurt wachtende cliënten en hun lokaal team een wachtstatusbericht: bij elke "
            "statuswijziging die nog niet is gemeld en periodiek (instelling per regio)."
        ),
    )


def verwijder_taak(apps, schema_editor):
    termijnjob.schrap(apps, naam=NAAM)


class Migration(migrations.Migration):
    dependencies = [
        ("toegang", "0011_bewegingen_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(maak_taak, verwijder_taak)]
