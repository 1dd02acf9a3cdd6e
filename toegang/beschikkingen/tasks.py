"""Scheduled job of the beschikkingen: daily, bekendgemaakte beschikkingen past their einddatum
become 'verlopen' (celery beat, the PeriodicTask made by migration toegang 0006)."""

from __future__ import annotations

import datetime

from celery import shared_task

from toegang.beschikkingen.services import verloop_beschikkingen

VERLOOP_TASK_NAME = "toegang.beschikkingen_laten_verlopen"


@shared_task(name=VERLOOP_TASK_NAME, acks_late=True)
def beschikkingen_laten_verlopen(peildatum: str | None = None) -> int:
    """Daily: bekendgemaakte beschikkingen past their einddatum become 'verlopen'."""
    return verloop_beschikkingen(datetime.date.fromisoformat(peildatum) if peildatum else None)
