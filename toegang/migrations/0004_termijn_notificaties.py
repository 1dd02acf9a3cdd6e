"""The daily job that notifies consulenten about deadlines within five working days
(toegang.meldingen.tasks.termijnen_signaleren), as a celery beat schedule in the database."""

from django.db import migrations
from django.utils import timezone

NAAM = "toegang: termijnen signaleren (dagelijks)"
TASK = "toegang.termijnen_signaleren"
TIJDZONE = "Europe/Amsterdam"
SCHEMA = {
    "minute": "0",
    "hour": "6",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
}


def _beat_gewijzigd(apps):
    # The scheduler reloads its schedule when this timestamp moves (PeriodicTask.save does it
    # through a signal, which historical models do not send).
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def plan(apps, *, naam, task, schema, beschrijving):
    """Create the PeriodicTask ``naam`` on a crontab ``schema`` (Europe/Amsterdam) once; a
    schedule a beheerder already changed (time, enabled) is left alone. Used by later
    migrations that schedule other daily jobs."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = CrontabSchedule.objects.filter(**schema, timezone=TIJDZONE).order_by("pk").first()
    if crontab is None:
        crontab = CrontabSchedule.objects.create(**schema, timezone=TIJDZONE)
    _, nieuw = PeriodicTask.objects.get_or_create(
        name=naam,
        defaults={"task": task, "crontab": crontab, "enabled": True, "description": beschrijving},
    )
    if nieuw:
        _beat_gewijzigd(apps)


def schrap(apps, *, naam):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    taken = PeriodicTask.objects.filter(name=naam)
    schema_ids = list(taken.values_list("crontab_id", flat=True))
    if taken.delete()[0]:
        _beat_gewijzigd(apps)
    CrontabSchedule.objects.filter(pk__in=schema_ids, periodictask__isnull=True).delete()


def maak_taak(apps, schema_editor):
    plan(
        apps,
        naam=NAAM,
        task=TASK,
        schema=SCHEMA,
        beschrijving=(
            "Maakt elke ochtend een notificatie voor de consulent van elke open zaak "
            "waarvan de volgende termijn binnen 5 werkdagen verloopt."
        ),
    )


def verwijder_taak(apps, schema_editor):
    schrap(apps, naam=NAAM)


class Migration(migrations.Migration):
    dependencies = [
        ("toegang", "0003_beschikking_onveranderlijk"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(maak_taak, verwijder_taak)]
