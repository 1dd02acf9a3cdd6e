"""Login with the gemeente's identity provider (OpenID Connect, mozilla-django-oidc).

Installed only when ``OIDC_RP_CLIENT_ID`` is set (config/settings/base.py). The identity provider
proves who someone is (and does the MFA); regiozorg decides what they may do. So a login matches
an *existing*, active user by one claim (``OIDC_GEBRUIKERSNAAM_CLAIM``, by default
``preferred_username``) and never creates one: the functioneel beheerder creates users and gives
roles. Anyone else is refused with a Dutch message and an audited failed login.
"""

from django.conf import settings
from django.contrib import messages
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from regio import audit
from regio.roles import AlleenRollen

GEWEIGERD = (
    "U bent bij uw gemeente ingelogd, maar u heeft geen account in regiozorg. Vraag de "
    "functioneel beheerder van uw regio om een account."
)
MISLUKT = "Inloggen via de identiteitsprovider van uw gemeente is niet gelukt. Probeer het opnieuw."


class GemeenteOIDCBackend(AlleenRollen, OIDCAuthenticationBackend):
    def gebruikersnaam(self, claims) -> str:
        return str(claims.get(settings.OIDC_GEBRUIKERSNAAM_CLAIM) or "").strip()

    def verify_claims(self, claims):
        return bool(self.gebruikersnaam(claims))

    def filter_users_by_claims(self, claims):
        naam = self.gebruikersnaam(claims)
        if not naam:
            return self.UserModel.objects.none()
        return self.UserModel._default_manager.filter(username=naam, is_active=True)

    def create_user(self, claims):  # pragma: no cover - OIDC_CREATE_USER is False
        return None

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        users = list(self.filter_users_by_claims(claims)[:2]) if self.verify_claims(claims) else []
        if len(users) == 1:
            return users[0]
        audit.record(
            "login_failed",
            request=self.request,
            resultaat="denied",
            toelichting={
                "reden": "oidc",
                "gebruikersnaam": audit.scrub(self.gebruikersnaam(claims))[:150],
            },
        )
        messages.error(self.request, GEWEIGERD)
        self.request.regiozorg_oidc_geweigerd = True
        return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class AanmeldenView(OIDCAuthenticationRequestView):
    unscoped_reason = "stuurt naar de identiteitsprovider; leest geen gegevens"


class CallbackView(OIDCAuthenticationCallbackView):
    unscoped_reason = "de terugkeer van de identiteitsprovider; logt in of weigert"

    def login_failure(self):
        if not getattr(self.request, "regiozorg_oidc_geweigerd", False):
            messages.error(self.request, MISLUKT)
        return super().login_failure()


def urlpatterns():
    """The OIDC routes (config/urls.py adds them when OIDC is configured). The redirect URI to
    register at the identity provider is /accounts/oidc/callback/."""
    from django.urls import path

    return [
        path("accounts/oidc/aanmelden/", AanmeldenView.as_view(), name="oidc_authentication_init"),
        path(
            "accounts/oidc/callback/",
            CallbackView.as_view(),
            name="oidc_authentication_callback",
        ),
    ]
