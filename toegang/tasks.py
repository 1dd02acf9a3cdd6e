"""Celery autodiscovers only ``<app>.tasks``: the jobs of the toegang live in their sub-areas and
are registered by importing them here."""

from toegang.beschikkingen import tasks as beschikkingen  # noqa: F401
from toegang.meldingen import tasks as meldingen  # noqa: F401
from toegang.privacy import tasks as privacy  # noqa: F401
from toegang.wachtlijst import tasks as wachtlijst  # noqa: F401
