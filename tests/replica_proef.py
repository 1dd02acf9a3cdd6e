"""Run by tests/test_replica.py in an interpreter of its own, with the production settings pointed
at a primary (POSTGRES_HOST) and its streaming standby (POSTGRES_REPLICA_HOST). It writes on the
primary, holds the standby's replay so the replica lags on purpose, and prints what it saw as
one JSON object on its last line; the test module asserts on it."""

import datetime
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import DatabaseError, connections, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from demo import inkoop as inkoop_demo  # noqa: E402
from financien.models import Kostenregel  # noqa: E402
from financien.views.dashboard import DashboardView  # noqa: E402
from inkoop.models import Product  # noqa: E402
from regio import referentiedata  # noqa: E402
from regio.jobs import JobContext  # noqa: E402
from regio.models import Gemeente, JobRun, Regio, Roltoekenning  # noqa: E402
from regio.query import scope_for  # noqa: E402
from regio.replica import lezen_van_replica  # noqa: E402
from tests.factories import UserFactory, dossier_in, grant  # noqa: E402
from tests.factories.financien import kosten  # noqa: E402
from tests.wachten import wait_for  # noqa: E402
from toegang.models import (  # noqa: E402
    Aanmelding,
    Client,
    Dossier,
    DossierUserObjectPermission,
    Wachtlijstgebeurtenis,
)
from toegang.wachtlijst import rapport as wachtlijstrapport  # noqa: E402
from toegang.wachtlijst.tasks import SOORT, wachtlijstrapportage  # noqa: E402

D = datetime.date
MAAND = "2025-05"
CAPABILITY = wachtlijstrapport.CAPABILITY
uit: dict = {}


def een(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def bijgewerkt():
    """Wait until the standby has replayed everything the primary wrote so far."""
    lsn = een("default", "SELECT pg_current_wal_lsn()::text")
    wait_for(lambda: een("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]))


def op_de_lijst(regio, door, username_dossier: str) -> Wachtlijstgebeurtenis:
    dossier = dossier_in("0307")
    aanmelding = Aanmelding.objects.create(
        regio=regio, dossier=dossier, client=dossier.client, aangemeld_op=D(2025, 5, 2),
        aangemeld_door=door, functie=functie(),
        gemeente_herkomst=Gemeente.objects.get(code="0307"),
        status=Aanmelding.Status.WACHTEND, wachtend_sinds=D(2025, 5, 2),
    )  # fmt: skip
    return Wachtlijstgebeurtenis.objects.create(
        aanmelding=aanmelding, regio=regio, client=aanmelding.client, functie=aanmelding.functie,
        gemeente_herkomst=aanmelding.gemeente_herkomst, soort="instroom", datum=D(2025, 5, 2),
        wachtend_sinds=D(2025, 5, 2),
    )  # fmt: skip


def functie() -> Product:
    return Product.objects.get(
        perceel__code="wmo-begeleiding-en-beschermd-wonen", code="beschermd-wonen"
    )


def stand_eind(regels) -> int:
    return sum(r.stand_eind for r in regels if str(r.maand)[:7] == MAAND)


def job(user, regio) -> dict:
    run = JobRun.objects.create(
        soort=SOORT, parameters={"regio_id": regio.pk, "maand": MAAND, "maanden": 2},
        regio=regio, gestart_door=user,
    )  # fmt: skip
    run = JobRun.objects.select_related("gestart_door").get(pk=run.pk)
    return wachtlijstrapportage(JobContext(run), **run.parameters)


def queries(alias: str) -> list[str]:
    return [q["sql"] for q in connections[alias].queries]


def leeg_logboek():
    for alias in ("default", "replica"):
        connections[alias].force_debug_cursor = True
        connections[alias].queries_log.clear()


# The settings and the two servers.
uit["routers"] = settings.DATABASE_ROUTERS
uit["replica_host"] = settings.DATABASES["replica"]["HOST"]
uit["replica_port"] = settings.DATABASES["replica"]["PORT"]
uit["primair_in_herstel"] = een("default", "SELECT pg_is_in_recovery()")
uit["replica_in_herstel"] = een("replica", "SELECT pg_is_in_recovery()")

# On the primary: a regio's waiting list with one client, a CT member who may report on it, and
# a consulent with one dossier granted to them alone (guardian).
if not Regio.objects.exists():
    referentiedata.load()
inkoop_demo.catalogus()
amersfoort = Regio.objects.get(code="amersfoort")
ct = UserFactory(username="ct-replica")
grant(ct, "centrale-toegang", regio="amersfoort")
op_de_lijst(amersfoort, ct, "eerste")
consulent = UserFactory(username="consulent-replica")
verhuisd = dossier_in("0344")
DossierUserObjectPermission.objects.create(
    content_object=verhuisd, user=consulent,
    permission=Permission.objects.get(codename="view_dossier", content_type__app_label="toegang"),
)  # fmt: skip
bijgewerkt()
uit["job_bijgewerkt"] = job(ct, amersfoort)
fin = UserFactory(username="fin-replica")
grant(fin, "financien", regio="amersfoort")
kosten(amersfoort, Client.objects.create(), "0307", "100.00", D(2025, 3, 1))
bijgewerkt()

# The replica lags from here: its replay is held.
een("replica", "SELECT pg_wal_replay_pause() IS NULL")
wait_for(lambda: een("replica", "SELECT pg_get_wal_replay_pause_state()") == "paused")

# (1) A report reads the replica: a second client, on the list on the primary only.
op_de_lijst(amersfoort, ct, "tweede")
leeg_logboek()
uit["job"] = job(ct, amersfoort)
uit["job_replica_queries"] = queries("replica")
uit["job_primair_queries"] = queries("default")
uit["primair_stand_eind"] = stand_eind(
    wachtlijstrapport.bereken(amersfoort, D(2025, 4, 1), D(2025, 5, 1), scope=ct)
)
with lezen_van_replica():
    uit["replica_stand_eind"] = stand_eind(
        wachtlijstrapport.bereken(amersfoort, D(2025, 4, 1), D(2025, 5, 1), scope=ct)
    )

# (1b) The finance dashboard's sums read the replica too; its verevening run the primary.
kosten(amersfoort, Client.objects.create(), "0307", "200.00", D(2025, 4, 1))
leeg_logboek()
dashboard = DashboardView()
dashboard.request = RequestFactory().get("/financien/dashboard/")
dashboard.request.user = type(fin).objects.get(pk=fin.pk)
uit["dashboard_gerealiseerd"] = str(
    dashboard.cijfers(amersfoort, 2025, None)["totaal_gerealiseerd"]
)
uit["dashboard_replica_queries"] = queries("replica")
uit["dashboard_primair_queries"] = queries("default")
uit["primair_gerealiseerd"] = str(
    Kostenregel.objects.filter(regio=amersfoort, jaar=2025).aggregate(s=Sum("bedrag"))["s"]
)

# (2) A write under the context goes to the primary; the standby refuses one.
with lezen_van_replica():
    geschreven = op_de_lijst(amersfoort, ct, "derde")
    uit["schrijven_db"] = geschreven._state.db
uit["geschreven_op_primair"] = (
    Wachtlijstgebeurtenis.objects.using("default").filter(pk=geschreven.pk).exists()
)
uit["geschreven_op_replica"] = (
    Wachtlijstgebeurtenis.objects.using("replica").filter(pk=geschreven.pk).exists()
)
try:
    with transaction.atomic(using="replica"):
        Regio.objects.using("replica").filter(pk=amersfoort.pk).update(naam="Elders")
    uit["replica_weigert"] = None
except DatabaseError as exc:
    uit["replica_weigert"] = str(exc)

# (3) Grants are read from the primary inside the context: revoked there, still on the replica.
Roltoekenning.objects.filter(user=ct).update(einde=D.today() - datetime.timedelta(days=1))
DossierUserObjectPermission.objects.filter(user=consulent).delete()
uit["toekenning_op_replica"] = (
    Roltoekenning.objects.using("replica").active_on(D.today()).filter(user=ct).exists()
)
uit["objectrecht_op_replica"] = (
    DossierUserObjectPermission.objects.using("replica").filter(user=consulent).exists()
)
with lezen_van_replica():
    ct_vers = type(ct).objects.get(pk=ct.pk)
    uit["scope_in_context"] = sorted(scope_for(ct_vers, CAPABILITY).regio_ids)
    gebeurtenissen = Wachtlijstgebeurtenis.objects.visible_to(ct_vers, CAPABILITY)
    uit["gebeurtenissen_db"] = gebeurtenissen.db
    uit["gebeurtenissen_zichtbaar"] = gebeurtenissen.count()
    consulent_vers = type(consulent).objects.get(pk=consulent.pk)
    dossiers = Dossier.objects.visible_to(consulent_vers, "toegang.view_dossier")
    uit["dossiers_db"] = dossiers.db
    uit["dossier_zichtbaar"] = dossiers.filter(pk=verhuisd.pk).exists()
    uit["gebruiker_db"] = ct_vers._state.db
    uit["toekenning_db"] = Roltoekenning.objects.all().db
    uit["objectrecht_db"] = DossierUserObjectPermission.objects.all().db

# Inside a transaction on the primary every read stays there, the context notwithstanding.
with transaction.atomic(), lezen_van_replica():
    uit["in_transactie_db"] = Wachtlijstgebeurtenis.objects.all().db
    uit["in_transactie_aantal"] = Wachtlijstgebeurtenis.objects.count()
uit["primair_aantal"] = Wachtlijstgebeurtenis.objects.count()

# Outside the context nothing reads the replica.
uit["buiten_context_db"] = Wachtlijstgebeurtenis.objects.all().db

een("replica", "SELECT pg_wal_replay_resume() IS NULL")
bijgewerkt()
with lezen_van_replica():
    uit["replica_aantal_na_hervatten"] = Wachtlijstgebeurtenis.objects.count()

print(json.dumps(uit, default=str))
