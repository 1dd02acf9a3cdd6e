"""Proactive wachtstatus updates to the client (letter) and the lokaal team (notice)."""

from __future__ import annotations

urlpatterns = []


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_wachtstatus.html``)."""
    return {}
