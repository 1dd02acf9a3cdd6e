"""In-, door- and uitstroom of care (zorgbewegingen), direct placements outside the list,
buitenregionale plaatsing with approval, and the monitoring screen."""

from __future__ import annotations

urlpatterns = []


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_doorstroom.html``)."""
    return {}
