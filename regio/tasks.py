from celery import shared_task

from regio import (
    audit_seal,  # noqa: F401  (registers the Celery task "audit.verzegelen")
    notificaties,
)
from regio.exports import FORMATS, to_csv
from regio.jobs import job
from regio.models import Lidmaatschap, Regio

CAPABILITY = "regio.view_regio"


@job("regio.ledenoverzicht", "Ledenoverzicht van de regio (CSV)", capability=CAPABILITY)
def ledenoverzicht(ctx, regio_id: int):
    """All memberships of one regio over time, per domein, as a CSV download."""
    regio = ctx.scoped(Regio, CAPABILITY).get(pk=regio_id)
    rows = list(
        Lidmaatschap.objects.filter(regio=regio)
        .select_related("gemeente", "regio")
        .order_by("domein", "gemeente__naam", "begin")
    )
    tabel = []
    total = max(len(rows), 1)
    for number, lid in enumerate(rows, start=1):
        tabel.append(
            [
                lid.regio.code,
                lid.domein,
                lid.gemeente.code,
                lid.gemeente.naam,
                lid.begin,
                lid.einde,
            ]
        )
        ctx.progress(number * 90 // total, f"{lid.gemeente.naam} verwerkt")
    koppen = ["regio", "domein", "gemeentecode", "gemeente", "begin", "einde"]
    ctx.add_file("ledenoverzicht.csv", to_csv(koppen, tabel), FORMATS["csv"])
    return {"lidmaatschappen": len(rows)}


@shared_task(name="regio.notificaties_samenvatting", acks_late=True)
def notificaties_samenvatting() -> dict:
    """Daily (beat, regio migration 0015): the e-mail digest of unread notifications for
    whoever chose it. A redelivered run mails nothing twice (``Notificatie.gemaild_op``)."""
    return notificaties.stuur_samenvattingen()
