"""Rate limit per API credential (``REGIOZORG_API_RATE``, e.g. ``120/min``), and a tighter one
for verzoeken om toewijzing (``REGIOZORG_API_VERZOEK_RATE``, ``VerzoekOmToewijzingThrottle``).

Keyed on the credential (``request.auth``, an ApiSleutel of inkoop); a web session is keyed on
its user. Anonymous requests are not throttled here (they are refused by authentication). The 429 is
problem+json with ``Retry-After`` (regio.api.problems).
"""

from __future__ import annotations

import time

from django.conf import settings
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle


class TeVeelVerzoeken(exceptions.Throttled):
    default_detail = "Te veel verzoeken met deze API-sleutel."
    extra_detail_singular = "Probeer het over {wait} seconde opnieuw."
    extra_detail_plural = "Probeer het over {wait} seconden opnieuw."


class TeVeelVerzoekenOmToewijzing(TeVeelVerzoeken):
    default_detail = "Te veel verzoeken om toewijzing met deze API-sleutel."


class ApiSleutelRateThrottle(SimpleRateThrottle):
    scope = "api_sleutel"
    weigering = TeVeelVerzoeken

    def timer(self) -> float:
        # DRF binds ``time.time`` as a class attribute when its module is imported; whatever
        # replaced time.time at that moment (freezegun in a test) would stay. Look it up per call.
        return time.time()

    def allow_request(self, request, view):
        if super().allow_request(request, view):
            return True
        # Raised here rather than by DRF's view, for a Dutch message (Retry-After stays).
        raise self.weigering(self.wait())

    def get_rate(self):
        return getattr(settings, "REGIOZORG_API_RATE", None) or super().get_rate()

    def get_cache_key(self, request, view):
        # The credential the authentication put on the request (an aanbieder's ApiSleutel,
        # inkoop.apisleutels.auth); a session carries none.
        if getattr(request.auth, "pk", None) is not None:
            ident = f"sleutel-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class VerzoekOmToewijzingThrottle(ApiSleutelRateThrottle):
    """Verzoeken om toewijzing per credential (``REGIOZORG_API_VERZOEK_RATE``, default
    ``30/hour``): each may name a person without a dossier, so a key cannot try BSNs in bulk.
    Every verzoek om toewijzing counts, whether it finds a dossier or not: a limit on the unlinked
    ones only would tell by its 429 which persons are known."""

    scope = "verzoek_om_toewijzing"
    weigering = TeVeelVerzoekenOmToewijzing

    def get_rate(self):
        return getattr(settings, "REGIOZORG_API_VERZOEK_RATE", None) or "30/hour"
