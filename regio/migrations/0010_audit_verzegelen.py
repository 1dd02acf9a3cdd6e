from django.db import migrations

NAAM = "Auditlog verzegelen"


def plan(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAAM, defaults={"task": "audit.verzegelen", "interval": interval, "enabled": True}
    )


def plan_terug(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAAM).delete()


class Migration(migrations.Migration):
    """The audit log is sealed into its hash chain every five minutes (regio.audit_seal)."""

    dependencies = [
        ("regio", "0009_beveiliging"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(plan, plan_terug)]
