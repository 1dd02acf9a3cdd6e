"""The daily job that lets bekendgemaakte beschikkingen past their einddatum expire
(toegang.beschikkingen.tasks.beschikkingen_laten_verlopen), scheduled like the deadline job of 0004."""

from importlib import import_module

from django.db import migrations

termijnjob = import_module("toegang.migrations.0004_termijn_notificaties")

NAAM = "toegang: beschikkingen laten verlopen (dagelijks)"
SCHEMA = {"minute": "30", "hour": "1", "day_of_week": "*", "day_of_month": "*",
          "month_of_year": "*"}  # fmt: skip


def maak_taak(apps, schema_editor):
    termijnjob.plan(
        apps,
        naam=NAAM,
        task="toegang.beschikkingen_laten_verlopen",
        schema=SCHEMA,
        beschrijving="Zet bekendgemaakte beschikkingen na hun einddatum op 'verlopen'.",
    )


def verwijder_taak(apps, schema_editor):
    termijnjob.schrap(apps, naam=NAAM)


class Migration(migrations.Migration):
    dependencies = [
        ("toegang", "0005_overlap_tussen_beschikkingen"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(maak_taak, verwijder_taak)]
