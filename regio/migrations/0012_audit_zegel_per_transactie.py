"""The audit seal follows the transactions instead of a waiting time (issue 17, item 17).

Every audit row gets the id of the transaction that wrote it (``xact``, a database default, so
every insert path sets it). The rows that exist now get 0: they were all committed before this
migration (the ALTER TABLE waits for every transaction that wrote to the table), and under
(xact, id) order they keep their id order, so the chain sealed so far still verifies and the new
rows continue it. The column is added with the constant default first (no table rewrite, every
existing row reads 0) and only then gets ``pg_current_xact_id()`` as its default for new rows.

``xact`` is ``regio_audit_xact()``: the transaction id plus ``regio_audit_xact_basis()``, 0 here;
``regio.audit_seal.basis_bijwerken`` raises it (after every migrate) when the database was restored
into a younger cluster whose transaction ids lie below the ones already in the log.

A seal now covers a range of (xact, id) positions; the seals written so far get ``vanaf_xact`` =
``tot_xact`` = 0, which is where their rows now sit. The sealer runs every 30 seconds.
"""

from django.db import migrations, models

import regio.models

FUNCTIES = """
CREATE FUNCTION regio_audit_xact_basis() RETURNS bigint LANGUAGE sql STABLE
    AS 'SELECT 0::bigint';
CREATE FUNCTION regio_audit_xact() RETURNS bigint LANGUAGE sql VOLATILE
    AS 'SELECT pg_current_xact_id()::text::bigint + regio_audit_xact_basis()';
"""
FUNCTIES_TERUG = """
DROP FUNCTION IF EXISTS regio_audit_xact();
DROP FUNCTION IF EXISTS regio_audit_xact_basis();
"""

NAAM = "Auditlog verzegelen"  # the periodic task of 0010_audit_verzegelen


def plan(apps, schema_editor, every=30, period="seconds"):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
    PeriodicTask.objects.update_or_create(
        name=NAAM, defaults={"task": "audit.verzegelen", "interval": interval, "enabled": True}
    )


def plan_terug(apps, schema_editor):
    plan(apps, schema_editor, every=5, period="minutes")


class Migration(migrations.Migration):
    dependencies = [
        ("regio", "0011_veenendaal_nooit_begeleiding"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditzegel",
            options={
                "ordering": ["vanaf_xact", "vanaf_id"],
                "verbose_name": "auditzegel",
                "verbose_name_plural": "auditzegels",
            },
        ),
        migrations.RemoveConstraint(model_name="auditzegel", name="auditzegel_bereik"),
        migrations.RunSQL(FUNCTIES, FUNCTIES_TERUG),
        # Existing rows: 0 (a constant default adds the column without rewriting the table)...
        migrations.AddField(
            model_name="auditentry",
            name="xact",
            field=models.BigIntegerField(db_default=0, editable=False),
        ),
        # ... new rows: the transaction that writes them.
        migrations.AlterField(
            model_name="auditentry",
            name="xact",
            field=models.BigIntegerField(
                db_default=regio.models.HuidigeTransactie(), editable=False
            ),
        ),
        migrations.AddField(
            model_name="auditzegel", name="tot_xact", field=models.BigIntegerField(default=0)
        ),
        migrations.AddField(
            model_name="auditzegel", name="vanaf_xact", field=models.BigIntegerField(default=0)
        ),
        migrations.AlterField(
            model_name="auditzegel", name="vanaf_id", field=models.BigIntegerField()
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["xact", "id"], name="auditentry_xact_id"),
        ),
        migrations.AddConstraint(
            model_name="auditzegel",
            constraint=models.UniqueConstraint(
                fields=("vanaf_xact", "vanaf_id"), name="auditzegel_vanaf"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditzegel",
            constraint=models.CheckConstraint(
                condition=models.Q(tot_xact__gt=models.F("vanaf_xact"))
                | models.Q(tot_xact=models.F("vanaf_xact"), tot_id__gte=models.F("vanaf_id")),
                name="auditzegel_bereik",
            ),
        ),
        migrations.RunPython(plan, plan_terug),
    ]
