"""The audit log's hash chain: sealing, and `manage.py audit verify` finding the first broken
link when rows or seals are changed behind the application's back (as the database superuser,
with the append-only triggers switched off for a moment)."""

import datetime
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

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


@pytest.mark.django_db(transaction=True)
def test_unsealed_old_rows_are_mentioned():
    """Rows of ended transactions, older than the waiting time, that the sealer left alone."""
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
        "xact": data["xact"] + 1,
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
    assert audit_seal.verzegelen.delay().get(timeout=60) == 3
    assert AuditZegel.objects.count() == 1
    assert verify()[0]
    assert "audit.verzegelen" in celery_worker_thread.tasks


def test_the_migration_schedules_sealing_every_30_seconds(beat_schema):
    from django_celery_beat.models import PeriodicTask

    taak = PeriodicTask.objects.get(task="audit.verzegelen")
    assert taak.enabled and (taak.interval.every, taak.interval.period) == (30, "seconds")
    assert audit_seal.INTERVAL <= 30


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


# --- Sealing follows the transactions (issue 17, item 17) ------------------------------------


class OpenTransactie(threading.Thread):
    """A writer on its own connection that records a row, then keeps its transaction open until
    ``sluit`` is called (a long job), records one more row and commits."""

    def __init__(self):
        super().__init__(daemon=True)
        self.geschreven, self.klaar = threading.Event(), threading.Event()
        self.rows, self.fouten = [], []

    def run(self):
        from django.db import transaction

        try:
            with transaction.atomic():
                self.rows.append(rijen(1)[0])
                self.geschreven.set()
                assert self.klaar.wait(timeout=60)
                self.rows.append(rijen(1)[0])
        except Exception as exc:  # noqa: BLE001 - reported by sluit
            self.fouten.append(exc)
        finally:
            self.geschreven.set()
            connections.close_all()

    def __enter__(self):
        self.start()
        assert self.geschreven.wait(timeout=60)
        return self

    def __exit__(self, *exc):
        self.sluit()

    def sluit(self):
        self.klaar.set()
        self.join(timeout=60)
        assert not self.is_alive() and not self.fouten


def gezegeld() -> list[int]:
    return [i for z in AuditZegel.objects.order_by("vanaf_xact", "vanaf_id") for i in z.regel_ids]


@pytest.mark.django_db(transaction=True)
def test_a_row_tampered_with_right_after_its_commit_is_detected():
    """No waiting time: the next run of the sealer (every 30 s) seals a committed row."""
    rows = rijen(3)  # each committed (autocommit)
    assert audit_seal.verzegel() == 3
    call_command("audit", "seal", stdout=io.StringIO())  # the command seals the same way
    assert gezegeld() == [r.pk for r in rows]
    assert verify()[0]
    achter_de_rug("UPDATE regio_auditentry SET actor = 'iemand-anders' WHERE id = %s", [rows[1].pk])
    ok, output = verify()
    assert not ok and f"Regel {rows[1].pk} is gewijzigd na het verzegelen" in output


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_that_commits_later_is_sealed_after_it_commits_not_skipped():
    voor = rijen(1)[0]
    with OpenTransactie() as lang:  # started writing before the next row; commits after it
        na = rijen(1)[0]
        assert lang.rows[0].pk < na.pk  # a lower id that commits later: id order would race
        # Only what no open transaction can still precede is sealed: the row before the long
        # transaction; the row after it waits for it.
        assert audit_seal.verzegel() == 1
        assert gezegeld() == [voor.pk]
        assert verify()[0]
    # Committed: its rows come first (its transaction started writing first), then the row
    # committed meanwhile; none is skipped, and the chain verifies.
    assert audit_seal.verzegel() == 3
    eerste, tweede = lang.rows
    assert tweede.pk > na.pk
    assert gezegeld() == [voor.pk, eerste.pk, tweede.pk, na.pk]
    ok, output = verify()
    assert ok and "Auditlog intact: 4 regels in 2 zegels" in output, output
    assert "Let op" not in output


@pytest.mark.django_db(transaction=True)
def test_writers_and_the_sealer_do_not_wait_for_each_other():
    """No table lock: a writer commits while another writer's transaction and a sealer's
    transaction are open, and the sealer does not wait for the open writer either (a lock wait
    fails at once under lock_timeout instead of passing unnoticed)."""
    from django.db import transaction

    eerder = rijen(2)
    zegelaar_bezig, zegelaar_klaar = threading.Event(), threading.Event()
    gezegeld_door_zegelaar, fouten = [], []

    def zegelaar():
        try:
            with transaction.atomic():  # the sealer's lock is held until this commits
                gezegeld_door_zegelaar.append(audit_seal.verzegel())
                zegelaar_bezig.set()
                assert zegelaar_klaar.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - reported below
            fouten.append(exc)
        finally:
            zegelaar_bezig.set()
            connections.close_all()

    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")
    try:
        with OpenTransactie() as lang:
            thread = threading.Thread(target=zegelaar, daemon=True)
            thread.start()
            assert zegelaar_bezig.wait(timeout=60)
            tijdens = rijen(1)[0]  # a third writer: not held up by either open transaction
            zegelaar_klaar.set()
            thread.join(timeout=60)
            assert not fouten and gezegeld_door_zegelaar == [2]
            assert audit_seal.verzegel() == 0  # the open writer holds back what follows it
        assert audit_seal.verzegel() == 3
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert gezegeld() == [*(r.pk for r in eerder), *(r.pk for r in lang.rows), tijdens.pk]
    assert verify()[0]


def test_every_insert_path_stores_its_transaction():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (xact,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO regio_auditentry (tijdstip, actor, actie, object_type, object_ids, "
            "client_ids, resultaat, pad, toelichting) VALUES "
            "(now(), 'sql', 'view', '', '{}', '{}', 'ok', '', '{}') RETURNING id"
        )
        (rauw,) = cursor.fetchone()
    orm = rijen(1)[0]
    bulk = AuditEntry.objects.bulk_create([AuditEntry(actie="view"), AuditEntry(actie="view")])
    ids = [rauw, orm.pk, *(b.pk for b in bulk)]
    assert set(AuditEntry.objects.filter(pk__in=ids).values_list("xact", flat=True)) == {xact}


def test_rows_sealed_before_the_transaction_order_keep_their_chain_and_new_rows_follow():
    """As regio migration 0011 leaves the log: the old rows at xact 0, their seals as the old
    sealer wrote them (id order, no xact in the canonical form), some old rows not sealed yet."""
    import hashlib
    import json

    def oude_schakel(vorige, row):  # the canonical form before xact existed
        values = [
            row["id"], row["tijdstip"].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            row["actor_id"], row["actor"], row["actie"], row["object_type"],
            [str(i) for i in row["object_ids"]], [str(c) for c in row["client_ids"]],
            row["resultaat"], row["herkomst"], row["pad"], row["toelichting"],
        ]  # fmt: skip
        data = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(vorige.encode() + data.encode()).hexdigest()

    oud = [AuditEntry.objects.create(actie="view", actor=f"oud{i}", xact=0) for i in range(4)]
    vorige, hashes = audit_seal.GENESIS, []
    for row in AuditEntry.objects.filter(pk__in=[r.pk for r in oud[:3]]).order_by("id").values():
        vorige = oude_schakel(vorige, row)
        hashes.append(vorige)
    achter_de_rug(  # the old seal, with the xact columns as the migration added them
        "INSERT INTO regio_auditzegel (vanaf_id, tot_id, regel_ids, regel_hashes, vorige_hash, "
        "hash, gezegeld_op, vanaf_xact, tot_xact) VALUES (1, %s, %s, %s, %s, %s, now(), 0, 0)",
        [oud[2].pk, [r.pk for r in oud[:3]], hashes, audit_seal.GENESIS, hashes[-1]],
    )
    assert verify()[0]
    nieuw = rijen(2)
    assert audit_seal.verzegel(alles=True) == 3
    assert gezegeld() == [*(r.pk for r in oud), *(r.pk for r in nieuw)]
    tweede = AuditZegel.objects.order_by("vanaf_xact", "vanaf_id").last()
    assert (tweede.vanaf_xact, tweede.vanaf_id) == (0, oud[2].pk + 1)
    assert tweede.vorige_hash == hashes[-1]
    ok, output = verify()
    assert ok and "Auditlog intact: 6 regels in 2 zegels" in output, output
    achter_de_rug("UPDATE regio_auditentry SET actor = 'x' WHERE id = %s", [oud[1].pk])
    assert f"Regel {oud[1].pk} is gewijzigd" in verify()[1]


def test_the_migration_gives_existing_rows_0_and_new_rows_their_transaction():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_default, attmissingval::text FROM information_schema.columns c "
            "JOIN pg_attribute a ON a.attrelid = 'regio_auditentry'::regclass "
            "AND a.attname = c.column_name "
            "WHERE c.table_name = 'regio_auditentry' AND c.column_name = 'xact'"
        )
        default, missing = cursor.fetchone()
    assert "regio_audit_xact()" in default
    assert missing == "{0}"  # rows that existed when the column was added read 0


def test_after_a_restore_into_a_younger_cluster_new_rows_still_follow_the_chain():
    """pg_restore into a fresh cluster: its transaction ids start below the log's. The base is
    raised (after migrate, or by the sealer) so new rows still come after the sealed ones."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT regio_audit_xact()")
        (nu,) = cursor.fetchone()
    hersteld = AuditEntry.objects.create(actie="view", actor="hersteld", xact=nu + 10**9)
    assert audit_seal.verzegel(alles=True) == 1
    assert audit_seal.verzegel() == 0  # finds the log ahead of the cluster: raises the base
    assert audit_seal.basis_bijwerken() is None  # raised already
    nieuw = rijen(2)
    assert all(
        r.xact > hersteld.xact for r in AuditEntry.objects.filter(pk__in=[n.pk for n in nieuw])
    )
    assert audit_seal.verzegel(alles=True) == 2
    assert gezegeld() == [hersteld.pk, *(r.pk for r in nieuw)]
    assert verify()[0]
