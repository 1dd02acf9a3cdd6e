"""The statement of one gemeente in a verevening run, "Afrekening verevening {jaar}": a letter on
the letterhead of the regio's centrumgemeente (which settles on behalf of the regio) to the
gemeente, with the formula and the gemeente's figures. A concept run is marked CONCEPT on every
page."""

from __future__ import annotations

import datetime

from financien.models import Vereveningsrun
from financien.runs import verevening_van
from financien.verevening import STRATEGIEEN
from regio.pdf import logo_uri, render_pdf


def afrekening_context(run: Vereveningsrun, gemeente, datum: datetime.date) -> dict:
    uitkomst = verevening_van(run)
    regel = next(r for r in uitkomst.gemeenten if r.code == gemeente.code)
    centrumgemeente = run.regio.centrumgemeente
    strategie = STRATEGIEEN.get(run.strategie)
    return {
        "run": run,
        "regio": run.regio,
        "uitkomst": uitkomst,
        "regel": regel,
        "s_procent": regel.s_g * 100,
        "u_procent": regel.u_g * 100,
        "gemeente": gemeente,
        "centrumgemeente": centrumgemeente,
        "logo": logo_uri(centrumgemeente),
        "concept": run.status == Vereveningsrun.Status.CONCEPT,
        "vervangen": run.status == Vereveningsrun.Status.VERVANGEN,
        "strategie": strategie,
        "solidariteit": run.strategie == "solidariteit",
        "betaalt_bij": regel.D_g > 0,
        "krijgt_terug": regel.D_g < 0,
        "D_absoluut": abs(regel.D_g),
        "datum": datum,
    }


def afrekening_pdf(run: Vereveningsrun, gemeente, datum: datetime.date | None = None) -> bytes:
    context = afrekening_context(run, gemeente, datum or datetime.date.today())
    return render_pdf("financien/afrekening_pdf.html", context)
