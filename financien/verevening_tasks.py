"""The verevening as a job (a JobRun with progress), started from the finance screen; the
command ``manage.py verevening --regio CODE --jaar YYYY`` calls the same ``runs.bereken_run``.

A worker killed mid-run leaves nothing behind (the run and its lines are written in one
transaction) and the redelivered task (acks_late) finds no run for its JobRun and computes it
again; a task that already stored its run returns that run.
"""

from __future__ import annotations

from financien import runs
from regio.exports import FORMATS, to_csv, to_xlsx
from regio.jobs import JobContext, job
from regio.models import Regio

SOORT = "financien.verevening"


@job(SOORT, "Verevening", capability="financien.view_vereveningsrun")
def verevening(ctx: JobContext, regio_id: int, jaar: int):
    ctx.progress(10, "Invoer verzamelen")
    regio = ctx.scoped(Regio, "regio.view_regio").get(pk=regio_id)
    ctx.progress(30, "Kosten optellen en verevening berekenen")
    run = runs.bereken_run(regio, jaar, user=ctx.run.gestart_door, job=ctx.run)
    ctx.progress(80, "CSV en XLSX maken")
    naam = f"verevening-{regio.code}-{jaar}-run{run.pk}"
    koppen, rijen = runs.als_tabel(run)
    ctx.add_file(f"{naam}.csv", to_csv(koppen, rijen), FORMATS["csv"])
    ctx.add_file(f"{naam}.xlsx", to_xlsx(koppen, rijen, title="Verevening"), FORMATS["xlsx"])
    return {
        "run": run.pk,
        "totale_kosten": f"{run.totale_kosten:.2f}",
        "restant": f"{run.restant:.2f}",
    }
