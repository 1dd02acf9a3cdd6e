"""The audit log's hash chain: sealing, and `manage.py audit verify` finding the first broken
link when rows or seals are changed behind the application's back (as the database superuser,
with the append-only triggers switched off for a moment)."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from regio import audit, audit_seal
from regio.models import AuditEntry, AuditZegel

pytestmark = pytest.mark.django_db


def rijen(n, **kwargs):
    return [
        audit.record("view", object_type="toegang.dossier", object_ids=[i], actor=None, **kwargs)
        for i in range(n)
    ]


def verify():
    """(ok, output) of `manage.py audit verify`."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return False, str(exc)
    return True, out.getvalue()


def achter_de_rug(sql, params=(), tabel="regio_auditentry"):
    """Runs ``sql`` with the append-only trigger of ``tabel`` off, as a DBA could."""
    trigger = f"{tabel}_no_update_delete"
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {tabel} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {tabel} ENABLE TRIGGER {trigger}")


def test_seal_then_verify_is_intact():
    rows = rijen(5)
    assert audit_seal.verzegel(alles=True) == 5
    zegel = AuditZegel.objects.get()
    assert zegel.regel_ids == [r.pk for r in rows]
    assert zegel.vorige_hash == audit_seal.GENESIS and zegel.hash == zegel.regel_hashes[-1]
    rijen(3)
    assert audit_seal.verzegel(alles=True) == 3
    tweede = AuditZegel.objects.order_by("vanaf_id").last()
    assert tweede.vorige_hash == zegel.hash and tweede.vanaf_id == zegel.tot_id + 1
    ok, output = verify()
    assert ok, output
    assert "Auditlog intact: 8 regels in 2 zegels" in output
    assert audit_seal.verzegel(alles=True) == 0  # nothing left: sealing twice seals nothing


def test_only_rows_past_the_waiting_time_are_sealed_as_an_unbroken_prefix():
    oud, jong, ook_oud = rijen(3)
    now = timezone.now()
    # Row 2 is "still young" (as if its transaction committed late): row 3 must wait for it.
    achter_de_rug(
        "UPDATE regio_auditentry SET tijdstip = %s WHERE id IN (%s, %s)",
        [now - datetime.timedelta(hours=2), oud.pk, ook_oud.pk],
    )
    with override_settings(REGIOZORG_AUDIT_ZEGEL_WACHTTIJD=3600):
        assert audit_seal.verzegel(nu=now) == 1
        assert AuditZegel.objects.get().regel_ids == [oud.pk]
        call_command("audit", "seal", stdout=io.StringIO())  # without --alles: nothing more
        assert AuditZegel.objects.count() == 1
    call_command("audit", "seal", "--alles", stdout=io.StringIO())
    assert AuditZegel.objects.order_by("vanaf_id").last().regel_ids == [jong.pk, ook_oud.pk]
    assert verify()[0]


def test_a_row_changed_behind_the_back_is_named():
    rows = rijen(4)
    audit_seal.verzegel(alles=True)
    zegel = AuditZegel.objects.get()
    assert verify()[0]
    achter_de_rug("UPDATE regio_auditentry SET actor = 'iemand-anders' WHERE id = %s", [rows[2].pk])
    ok, output = verify()
    assert not ok
    assert f"Regel {rows[2].pk} is gewijzigd na het verzegelen" in output
    assert f"zegel {zegel.pk}" in output


def test_a_changed_timestamp_or_client_is_detected_too():
    rows = rijen(2)
    audit_seal.verzegel(alles=True)
    achter_de_rug(
        "UPDATE regio_auditentry SET tijdstip = tijdstip + interval '1 microsecond' WHERE id = %s",
        [rows[0].pk],
    )
    assert f"Regel {rows[0].pk} is gewijzigd" in verify()[1]


def test_a_deleted_row_is_named():
    rows = rijen(4)
    audit_seal.verzegel(alles=True)
    achter_de_rug("DELETE FROM regio_auditentry WHERE id = %s", [rows[1].pk])
    ok, output = verify()
    assert not ok and f"Regel {rows[1].pk} ontbreekt" in output
    # The last row of a seal, too.
    achter_de_rug("DELETE FROM regio_auditentry WHERE id > %s", [rows[1].pk])
    assert f"Regel {rows[1].pk} ontbreekt" in verify()[1]


def test_the_last_row_of_a_seal_deleted_is_named():
    rows = rijen(3)
    audit_seal.verzegel(alles=True)
    achter_de_rug("DELETE FROM regio_auditentry WHERE id = %s", [rows[-1].pk])
    ok, output = verify()
    assert not ok and f"Regel {rows[-1].pk} ontbreekt" in output


def test_a_row_inserted_inside_a_sealed_range_is_detected():
    eerste = rijen(1)[0]
    with connection.cursor() as cursor:  # an id the sequence handed out but nobody used
        cursor.execute("SELECT nextval(pg_get_serial_sequence('regio_auditentry', 'id'))")
        (vrij,) = cursor.fetchone()
    laatste = rijen(1)[0]
    audit_seal.verzegel(alles=True)
    zegel = AuditZegel.objects.get()
    assert zegel.regel_ids == [eerste.pk, laatste.pk] and zegel.vanaf_id <= vrij <= zegel.tot_id
    assert verify()[0]
    # Inserts are allowed (no trigger needs switching off): a forged row given the free id.
    AuditEntry.objects.create(id=vrij, actie="view", actor="ingevoegd")
    ok, output = verify()
    assert not ok
    assert f"Regel {vrij} staat binnen het bereik van zegel {zegel.pk}" in output


def test_a_deleted_row_put_back_with_other_content_is_detected():
    rows = rijen(2)
    audit_seal.verzegel(alles=True)
    achter_de_rug("DELETE FROM regio_auditentry WHERE id = %s", [rows[0].pk])
    AuditEntry.objects.create(id=rows[0].pk, actie="view", actor="vervalst",
                              tijdstip=rows[0].tijdstip)  # fmt: skip
    ok, output = verify()
    assert not ok and f"Regel {rows[0].pk} is gewijzigd" in output


def test_a_deleted_seal_is_detected():
    for _ in range(3):
        rijen(2)
        audit_seal.verzegel(alles=True)
    eerste, midden, laatste = AuditZegel.objects.order_by("vanaf_id")
    achter_de_rug(
        "DELETE FROM regio_auditzegel WHERE id = %s", [midden.pk], tabel="regio_auditzegel"
    )
    ok, output = verify()
    assert not ok
    assert f"De keten is gebroken bij zegel {laatste.pk}" in output
    assert f"niet aan op zegel {eerste.pk}" in output
    achter_de_rug(
        "DELETE FROM regio_auditzegel WHERE id = %s", [eerste.pk], tabel="regio_auditzegel"
    )
    ok, output = verify()
    assert not ok and "niet aan op het begin van het auditlog" in output


def test_a_seal_cannot_be_changed_through_the_application():
    from django.db import DatabaseError, transaction

    rijen(1)
    audit_seal.verzegel(alles=True)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditZegel.objects.update(hash="f" * 64)


def test_unsealed_old_rows_are_mentioned():
    rows = rijen(2)
    achter_de_rug(
        "UPDATE regio_auditentry SET tijdstip = now() - interval '1 day' WHERE id = %s",
        [rows[0].pk],
    )
    ok, output = verify()
    assert ok and "1 regels zijn ouder dan de wachttijd en nog niet verzegeld" in output


def test_batches_are_at_most_batch_rows(monkeypatch):
    monkeypatch.setattr(audit_seal, "BATCH", 3)
    rijen(7)
    assert audit_seal.verzegel(alles=True) == 7
    assert [len(z.regel_ids) for z in AuditZegel.objects.order_by("vanaf_id")] == [3, 3, 1]
    assert verify()[0]


def test_canonical_form_covers_every_column():
    row = rijen(1)[0]
    data = AuditEntry.objects.filter(pk=row.pk).values(*audit_seal.COLUMNS).get()
    basis = audit_seal.canonical(data)
    fields = {f.attname for f in AuditEntry._meta.concrete_fields}
    assert fields == set(audit_seal.COLUMNS)
    anders = {
        "id": 1, "tijdstip": data["tijdstip"] + datetime.timedelta(microseconds=1),
        "actor_id": 7, "actor": "x", "actie": "export", "object_type": "x",
        "object_ids": ["1"], "client_ids": ["00000000-0000-0000-0000-000000000001"],
        "resultaat": "denied", "herkomst": "10.0.0.1", "pad": "/x/", "toelichting": {"a": 1},
    }  # fmt: skip
    for column, waarde in anders.items():
        assert audit_seal.canonical({**data, column: waarde}) != basis, column


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_seal_each_row_once():
    rijen(20)
    fouten = []

    def zegelaar():
        try:
            audit_seal.verzegel(alles=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            fouten.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=zegelaar) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not fouten
    alle = [i for z in AuditZegel.objects.all() for i in z.regel_ids]
    assert len(alle) == len(set(alle)) == 20
    assert verify()[0]


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_seals(celery_worker_thread):
    rijen(3)
    with override_settings(REGIOZORG_AUDIT_ZEGEL_WACHTTIJD=0):
        assert audit_seal.verzegelen.delay().get(timeout=60) == 3
    assert AuditZegel.objects.count() == 1
    assert verify()[0]
    assert "audit.verzegelen" in celery_worker_thread.tasks


def test_the_migration_schedules_sealing_every_five_minutes():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # (A transactional test elsewhere may have flushed the migrated row: plan it again.)
    importlib.import_module("regio.migrations.0010_audit_verzegelen").plan(apps, None)
    taak = PeriodicTask.objects.get(task="audit.verzegelen")
    assert taak.enabled and (taak.interval.every, taak.interval.period) == (5, "minutes")


def test_a_seal_not_following_on_the_previous_one_is_detected():
    for _ in range(2):
        rijen(2)
        audit_seal.verzegel(alles=True)
    eerste, tweede = AuditZegel.objects.order_by("vanaf_id")
    achter_de_rug(
        "UPDATE regio_auditzegel SET vorige_hash = %s WHERE id = %s",
        ["a" * 64, tweede.pk],
        tabel="regio_auditzegel",
    )
    ok, output = verify()
    assert not ok and f"De keten is gebroken bij zegel {tweede.pk}" in output
    assert f"niet aan op zegel {eerste.pk}" in output


def test_a_seal_whose_own_hashes_were_rewritten_is_detected():
    rows = rijen(2)
    audit_seal.verzegel(alles=True)
    zegel = AuditZegel.objects.get()
    achter_de_rug(
        "UPDATE regio_auditzegel SET regel_hashes[1] = %s WHERE id = %s",
        ["b" * 64, zegel.pk],
        tabel="regio_auditzegel",
    )
    ok, output = verify()
    assert not ok and f"Regel {rows[0].pk} is gewijzigd" in output
