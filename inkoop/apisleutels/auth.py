"""API authentication with an aanbieder's credential (inkoop.ApiSleutel).

``Authorization: Bearer rz_<prefix>_<geheim>``: the prefix finds the credential, the secret is
checked against its SHA-256 in constant time; a revoked credential answers 401. The request runs
as the credential's technical user, so ``visible_to`` scopes it like the web UI; ``request.auth``
is the ApiSleutel (the throttle and the idempotency store key on it).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from regio import audit

KEYWORD = "Bearer"


class ApiSleutelAuthentication(BaseAuthentication):
    def authenticate(self, request):
        from inkoop.apisleutels import services as sleutels

        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: session authentication may still apply
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Ongeldige Authorization-header.")
        try:
            token = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Ongeldige API-sleutel.") from None
        sleutel = sleutels.zoek(token)
        if sleutel is None:
            delen = sleutels.ontleed(token)
            audit.record(
                "login_failed",
                request=request._request,
                resultaat="denied",
                object_type="inkoop.apisleutel",
                toelichting={"prefix": delen[0][:12] if delen else ""},
            )
            raise exceptions.AuthenticationFailed("Ongeldige API-sleutel.")
        if sleutel.ingetrokken_op is not None or not sleutel.user.is_active:
            audit.record(
                "login_failed",
                request=request._request,
                resultaat="denied",
                object_type="inkoop.apisleutel",
                object_ids=[sleutel.pk],
                toelichting={"ingetrokken": True},
            )
            raise exceptions.AuthenticationFailed("Deze API-sleutel is ingetrokken.")
        sleutels.markeer_gebruik(sleutel)
        return sleutel.user, sleutel

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'


class ApiSleutelScheme(OpenApiAuthenticationExtension):
    """The credential in the OpenAPI description (and the docs' Authorize button)."""

    target_class = ApiSleutelAuthentication
    name = "apiSleutel"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "rz_<prefix>_<geheim>",
            "description": "De API-sleutel die de functioneel beheerder voor u maakte.",
        }
