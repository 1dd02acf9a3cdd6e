"""Regie (seed 000 §9): trajectplannen with goals and evaluations, the worklist of evaluations due,
and quality signals to RISB."""

from __future__ import annotations

urlpatterns = []


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_regie.html``)."""
    return {}
