"""The daily wachtstatus run (celery beat, the PeriodicTask made by migration toegang 0012): every
waiting client and their lokaal team hear at least every ``Regio.wachtstatus_interval_weken``
weeks how it stands, and a status change missed by the hook after it is sent the next morning.
Idempotent (see ``wachtstatus_services``), so a redelivered task sends nothing twice.

Registered by importing this module from ``toegang.tasks`` (Celery autodiscovers only ``tasks``
modules), like ``wachtlijst_tasks``.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from toegang import wachtstatus_services

TASK_NAME = "toegang.wachtstatus_versturen"


@shared_task(name=TASK_NAME, acks_late=True)
def wachtstatus_versturen(peildatum: str | None = None) -> dict:
    """Celery beat entry point; ``peildatum`` (ISO date) only for reruns and tests."""
    return wachtstatus_services.versturen(
        datetime.date.fromisoformat(peildatum) if peildatum else None
    )
