"""Jobs survive a dying worker: for every long job kind, a real Celery worker process is killed
(SIGKILL) while the job is mid-run; after a new worker starts, the broker redelivers the task
(acks_late) and exactly one complete result exists — no half-written run, no file twice, no
cost line twice.

The worker runs in its own process (tests/jobworker.py) on its own queue, with short Celery
time limits so the broker's visibility timeout (twice the hard limit) passes within the test.
"""

import datetime
import random
import signal
import subprocess
from decimal import Decimal

import pytest

from regio.jobs import JOBS
from regio.models import JobRun, Regio
from tests import jobworker
from tests.factories import UserFactory, gemeente, grant
from tests.jobworker import QUEUE, stop
from tests.wachten import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

D = datetime.date
TIJDSLIMIET = 5  # seconds; the visibility timeout is twice this


def worker(tmp_path, pauze: str | None = None) -> subprocess.Popen:
    return jobworker.start(
        tmp_path / "gepauzeerd", pauze=pauze,
        CELERY_TASK_TIME_LIMIT=str(TIJDSLIMIET), CELERY_TASK_SOFT_TIME_LIMIT=str(TIJDSLIMIET - 1),
    )  # fmt: skip


# --- the job kinds: data, where to pause, and what "exactly one complete result" means --------


def verevening(user):
    from financien.models import Jaarparameters, Kostenregel
    from financien.services import verdeelmodel_vastleggen
    from toegang.models import Client

    regio = Regio.objects.get(code="amersfoort")
    aandelen = {"0307": "60", "0342": "40"}
    verdeelmodel_vastleggen(
        regio, 2026, {gemeente(c): Decimal(p) for c, p in aandelen.items()}, user=None
    )
    Jaarparameters.objects.create(
        regio=regio, jaar=2026, peildatum_nieuw=D(2022, 1, 1), alpha=Decimal("0.5"),
        centrumgemeentebudget=Decimal("1000.00"),
    )  # fmt: skip
    for n, code in enumerate(["0307", "0342", "0342"]):
        Kostenregel.objects.create(
            regio=regio, jaar=2026, client=Client.objects.create(),
            gemeente_herkomst=gemeente(code), bron="handmatig", referentie=f"k{n}",
            periode_begin=D(2026, 3, 1), periode_einde=D(2026, 3, 31), bedrag=Decimal("700.00"),
        )  # fmt: skip
    grant(user, "financien", regio="amersfoort")
    return regio, {"regio_id": regio.pk, "jaar": 2026}


def verevening_klaar(run):
    from financien.models import Vereveningsregel, Vereveningsrun

    (vr,) = Vereveningsrun.objects.filter(regio=run.regio)
    assert vr.job_id == run.pk and vr.restant == Decimal("1100.00")
    assert Vereveningsregel.objects.filter(run=vr).count() == 2
    assert sorted(run.bestanden.values_list("naam", flat=True)) == [
        f"verevening-amersfoort-2026-run{vr.pk}.csv",
        f"verevening-amersfoort-2026-run{vr.pk}.xlsx",
    ]


def wachtlijstrapport(user):
    from demo import inkoop as inkoop_demo
    from demo import wachtlijst as wachtlijst_demo

    inkoop_demo.catalogus()
    wachtlijst_demo.geschiedenis(random.Random(3), "amersfoort", maanden=4)
    grant(user, "centrale-toegang", regio="amersfoort")
    regio = Regio.objects.get(code="amersfoort")
    maand = f"{datetime.date.today().replace(day=1) - datetime.timedelta(days=1):%Y-%m}"
    return regio, {"regio_id": regio.pk, "maand": maand}


def wachtlijstrapport_klaar(run):
    namen = sorted(run.bestanden.values_list("naam", flat=True))
    maand = run.parameters["maand"]
    assert namen == [f"wachtlijstrapport-amersfoort-{maand}.csv",
                     f"wachtlijstrapport-amersfoort-{maand}.pdf",
                     f"wachtlijstrapport-amersfoort-{maand}.xlsx"]  # fmt: skip


def taakgericht(user):
    from tests.test_financien_taakgericht import Jaar, bouw_opzet

    opzet = bouw_opzet()
    Jaar(opzet)
    grant(user, "financien", regio="amersfoort")
    # Allocated once already: the rerun that gets killed must leave these or their equals.
    from financien.taakgericht import toerekenen

    toerekenen(opzet.contract, 2025, 3)
    return opzet.regio, {"regio_id": opzet.regio.pk, "maand": "2025-03"}


def taakgericht_klaar(run):
    from financien.models import Kostenregel

    regels = Kostenregel.objects.filter(bron="taakgericht", periode_begin__month=3)
    referenties = list(regels.values_list("referentie", flat=True))
    assert len(referenties) == len(set(referenties)) and referenties
    per_contract = {}
    for r in regels:
        contract = r.referentie.split("-")[1]
        per_contract[contract] = per_contract.get(contract, Decimal("0")) + r.bedrag
    # March has 31 days: 31,000.00 for the main contract, 310.00 for the other.
    assert sorted(per_contract.values()) == [Decimal("310.00"), Decimal("31000.00")]


def ledenoverzicht(user):
    grant(user, "functioneel-beheerder", regio="amersfoort")
    regio = Regio.objects.get(code="amersfoort")
    return regio, {"regio_id": regio.pk}


def ledenoverzicht_klaar(run):
    (bestand,) = run.bestanden.all()
    assert bestand.naam == "ledenoverzicht.csv"
    regels = bestand.bestand.read().decode("utf-8-sig").splitlines()
    assert len(regels) == 1 + run.regio.lidmaatschappen.count()


def _oude_dossiers(aantal: int, met_document: bool = False):
    """Closed dossiers in Amersfoort, nothing granted, quiet since 2001: past retention."""
    from django.core.files.base import ContentFile

    from tests.factories import dossier_in
    from toegang.models import Document

    dossiers = []
    for n in range(aantal):
        d = dossier_in("0307", geopend_op=datetime.date(2001, 1, 1), status="gesloten")
        if met_document:
            doc = Document(dossier=d, soort="upload", naam=f"brief {n}.pdf")
            doc.bestand.save(f"brief-{n}.pdf", ContentFile(b"%PDF-1.4 brief"), save=True)
        dossiers.append(d)
    return dossiers


def bewaartermijnen(user):
    _oude_dossiers(3)
    grant(user, "privacyfunctionaris", gemeente="0307")
    parameters = {
        "gemeente_id": gemeente("0307").pk,
        "peildatum": datetime.date.today().isoformat(),
    }
    return Regio.objects.get(code="amersfoort"), parameters


def bewaartermijnen_klaar(run):
    from toegang.models import Vernietigingslijst

    (lijst,) = Vernietigingslijst.objects.all()
    assert lijst.gemeente.code == "0307" and lijst.regels.count() == 3
    assert run.resultaat == {"lijst": lijst.pk, "regels": 3, "status": "concept"}


def vernietigen(user):
    from toegang.models import Dossier
    from toegang.privacy import bewaren as bewaren_services

    _oude_dossiers(3, met_document=True)
    grant(user, "privacyfunctionaris", gemeente="0307")
    lijst = bewaren_services.lijst_bijwerken(
        gemeente("0307"), Dossier.objects.all(), datetime.date.today()
    )
    bewaren_services.goedkeuren(lijst, user=user)
    return Regio.objects.get(code="amersfoort"), {"lijst_id": lijst.pk}


def vernietigen_klaar(run):
    from regio.models import AuditEntry
    from toegang.models import Document, Dossier, Persoon, Vernietigingslijst

    lijst = Vernietigingslijst.objects.get(pk=run.parameters["lijst_id"])
    assert lijst.status == "uitgevoerd"
    assert not lijst.regels.filter(vernietigd_op__isnull=True).exists()
    assert Dossier.objects.filter(vernietigd_op__isnull=True).count() == 0
    assert not Persoon.objects.exists()
    for doc in Document.objects.all():
        assert doc.bestand.name == ""
    verwijderd = AuditEntry.objects.filter(actie="delete", object_type="toegang.dossier")
    assert sorted(verwijderd.values_list("object_ids", flat=True)) == sorted(
        [[str(pk)] for pk in Dossier.objects.values_list("pk", flat=True)]
    )
    assert run.resultaat == {"vernietigd": 3, "overgeslagen": 0}


SOORTEN = {
    "regio.ledenoverzicht": (
        ledenoverzicht, "regio.jobs:JobContext.progress", ledenoverzicht_klaar,
    ),
    "financien.verevening": (verevening, "financien.runs:regio_gemeenten", verevening_klaar),
    "toegang.wachtlijstrapport": (
        wachtlijstrapport, "toegang.wachtlijst.rapport:als_pdf", wachtlijstrapport_klaar,
    ),
    "financien.taakgericht": (
        taakgericht, "financien.taakgericht:grootste_rest", taakgericht_klaar,
    ),
    # Paused mid-transaction: the list is written, its regels not yet committed.
    "toegang.bewaartermijnen": (
        bewaartermijnen, "toegang.privacy.bewaren:_uit_annotaties", bewaartermijnen_klaar,
    ),
    # Paused inside the first dossier's destruction: rows blanked, files not yet deleted.
    "toegang.vernietigen": (
        vernietigen, "toegang.privacy.bewaren:_verwijder_bestanden", vernietigen_klaar,
    ),
}  # fmt: skip


def alle_jobs() -> dict:
    """Every job kind the apps register (Celery imports their ``tasks`` modules); the kinds that
    tests define for themselves (``test.…``) do not count."""
    from config.celery import app

    app.loader.import_default_modules()
    return {soort: definitie for soort, definitie in JOBS.items() if not soort.startswith("test.")}


def test_every_long_job_kind_is_covered():
    jobs = alle_jobs()
    assert {"financien.verevening", "toegang.wachtlijstrapport"} <= set(jobs)
    assert set(SOORTEN) >= set(jobs), f"no kill test for {set(jobs) - set(SOORTEN)}"


@pytest.mark.slow(17)
@pytest.mark.parametrize("soort", sorted(SOORTEN))
def test_a_killed_worker_leaves_exactly_one_complete_result(soort, refdata, tmp_path):
    maak, pauze, klaar = SOORTEN[soort]
    user = UserFactory(username=f"kill-{soort.replace('.', '-')}")
    regio, parameters = maak(user)
    run = JobRun.objects.create(soort=soort, parameters=parameters, regio=regio, gestart_door=user)

    eerste = worker(tmp_path, pauze)
    tweede = None
    try:
        alle_jobs()[soort].task.apply_async((run.pk,), queue=QUEUE)
        wait_for(lambda: (tmp_path / "gepauzeerd").exists(), timeout=60)
        run.refresh_from_db()
        assert run.status == JobRun.Status.BEZIG
        stop(eerste, signal.SIGKILL)

        tweede = worker(tmp_path)
        wait_for(lambda: JobRun.objects.get(pk=run.pk).klaar, timeout=6 * TIJDSLIMIET + 30)
    finally:
        stop(eerste, signal.SIGKILL)
        if tweede is not None:
            stop(tweede)
    run.refresh_from_db()
    assert run.status == JobRun.Status.GEREED, run.fout
    klaar(run)
