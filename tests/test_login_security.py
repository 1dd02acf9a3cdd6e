"""Login hardening (issue 9): two-factor with TOTP and recovery codes, the lockout after failed
logins (django-axes), optional OIDC, the idle timeout and the security headers of production."""

import datetime
import json
import re
import subprocess
import sys
import time
from base64 import b32decode
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from regio import login as regio_login
from regio.models import AuditEntry
from tests.browser import has_inline_script
from tests.factories import UserFactory, grant
from tests.omgeving import subprocess_omgeving

ROOT = Path(__file__).resolve().parents[1]
OIDC_BACKEND = "regio.oidc.GemeenteOIDCBackend"
OIDC_SETTINGS = dict(
    OIDC_RP_CLIENT_ID="regiozorg",
    OIDC_RP_CLIENT_SECRET="geheim",
    OIDC_OP_AUTHORIZATION_ENDPOINT="https://idp.example.nl/authorize",
    OIDC_OP_TOKEN_ENDPOINT="https://idp.example.nl/token",
    OIDC_OP_USER_ENDPOINT="https://idp.example.nl/userinfo",
    OIDC_OP_JWKS_ENDPOINT="https://idp.example.nl/jwks",
)


def code_voor(device, stappen_verder=0) -> str:
    """The TOTP code an authenticator app would show now (or a few 30 s steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + stappen_verder * device.step
    return f"{totp.token():06d}"


def met_app(user, herstelcodes=("herstel01", "herstel02")):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    herstel = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
    for code in herstelcodes:
        StaticToken.objects.create(device=herstel, token=code)
    return device


def even_later(device):
    """As if the user waited out django-otp's throttle delay after a wrong code."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=F("throttling_failure_timestamp") - datetime.timedelta(60)
    )
    device.refresh_from_db()


@pytest.fixture
def verplicht(settings):
    settings.REGIOZORG_OTP_VERPLICHT = True


@pytest.fixture
def consulent(refdata):
    user = UserFactory(username="c-login")
    grant(user, "consulent", gemeente="0342")
    return user


# --- who must --------------------------------------------------------------------------------


def test_roles_that_see_personal_data_need_two_factor():
    assert regio_login.ROLLEN_MET_PERSOONSGEGEVENS == {
        "consulent",
        "centrale-toegang",
        "wachtlijst-contractpartner",
        "financien",  # declaraties
        "aanbieder",  # its toewijzingen
        "privacyfunctionaris",  # the audit log
    }


@pytest.mark.django_db
def test_two_factor_follows_active_roles_and_staff(refdata):
    consulent = UserFactory(username="c-2fa")
    grant(consulent, "consulent", gemeente="0342")
    risb = UserFactory(username="risb-2fa")
    grant(risb, "contractmanager", regio="amersfoort")
    oud = UserFactory(username="oud-2fa")
    grant(oud, "consulent", gemeente="0342", einde=datetime.date(2021, 1, 1))
    staf = UserFactory(username="staf-2fa", is_staff=True)
    assert regio_login.otp_verplicht(consulent)
    assert not regio_login.otp_verplicht(risb)
    assert not regio_login.otp_verplicht(oud)  # the role ended
    assert regio_login.otp_verplicht(staf)


# --- the middleware --------------------------------------------------------------------------


@pytest.mark.django_db
def test_unverified_session_reaches_only_the_two_factor_pages(client, consulent, verplicht):
    client.force_login(consulent)
    response = client.get("/toegang/dossiers/?q=x")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-instellen"))
    assert "next=%2Ftoegang%2Fdossiers%2F%3Fq%3Dx" in response["Location"]
    assert client.get("/mijn-werk/")["Location"] == reverse("otp-instellen")
    assert client.get(reverse("otp-instellen")).status_code == 200
    # A browser session may not read through the API what the pages refuse.
    api = client.get("/api/v1/toewijzingen/")
    assert api.status_code == 403 and api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "tweestapsverificatie_vereist"  # the API's problem shape
    assert client.get("/health/").status_code in (200, 503)
    assert client.get("/accounts/tweestapsverificatie/verwijderen/").status_code == 302
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_a_user_with_an_app_is_sent_to_the_verify_page(client, consulent, verplicht):
    met_app(consulent)
    client.force_login(consulent)
    response = client.get("/toegang/dossiers/")
    assert response["Location"] == reverse("otp-controleren") + "?next=%2Ftoegang%2Fdossiers%2F"
    # Setting up a second app is not a way around the code.
    assert client.get(reverse("otp-instellen"))["Location"].startswith(reverse("otp-controleren"))


@pytest.mark.django_db
def test_roles_without_personal_data_and_dev_settings_skip_two_factor(client, refdata, settings):
    risb = UserFactory(username="risb-zonder")
    grant(risb, "contractmanager", regio="amersfoort")
    settings.REGIOZORG_OTP_VERPLICHT = True
    client.force_login(risb)
    assert client.get("/mijn-werk/").status_code == 200
    consulent = UserFactory(username="c-dev")
    grant(consulent, "consulent", gemeente="0342")
    settings.REGIOZORG_OTP_VERPLICHT = False
    client.force_login(consulent)
    assert client.get("/mijn-werk/").status_code == 200


# --- setup -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_setup_shows_qr_and_secret_and_gives_recovery_codes_once(client, consulent, verplicht):
    client.force_login(consulent)
    page = client.get(reverse("otp-instellen")).content.decode()
    assert 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user=consulent, confirmed=False)
    sleutel = re.search(r'<code id="otp-sleutel">([A-Z2-7 ]+)</code>', page).group(1)
    assert b32decode(sleutel.replace(" ", "")) == device.bin_key
    assert "style=" not in page and not has_inline_script(page)
    # The same session keeps its secret; another session (someone else with the password) gets
    # a new one, and the secret it saw is gone.
    assert sleutel in client.get(reverse("otp-instellen")).content.decode()
    ander = Client()
    ander.force_login(consulent)
    assert sleutel not in ander.get(reverse("otp-instellen")).content.decode()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    client.get(reverse("otp-instellen"))
    device = TOTPDevice.objects.get(user=consulent, confirmed=False)

    fout = client.post(
        reverse("otp-instellen"), {"code": "000000" if code_voor(device) != "000000" else "111111"}
    )
    assert fout.status_code == 200 and "Deze code klopt niet" in fout.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    even_later(device)
    response = client.post(reverse("otp-instellen"), {"code": code_voor(device)})
    assert response["Location"] == reverse("otp-herstelcodes")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes = set(StaticToken.objects.filter(device__user=consulent).values_list("token", flat=True))
    assert len(codes) == regio_login.AANTAL_HERSTELCODES
    eerst = client.get(reverse("otp-herstelcodes")).content.decode()
    assert all(code in eerst for code in codes)
    daarna = client.get(reverse("otp-herstelcodes")).content.decode()
    assert not any(code in daarna for code in codes)
    assert client.get("/mijn-werk/").status_code == 200
    assert AuditEntry.objects.filter(
        actie="change", toelichting__tweestapsverificatie="ingesteld", actor_id=consulent.pk
    ).exists()


# --- verify ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_with_app_code_and_with_a_recovery_code_once(client, consulent, verplicht):
    device = met_app(consulent)
    client.force_login(consulent)
    url = reverse("otp-controleren") + "?next=/toegang/dossiers/"
    response = client.post(url, {"code": code_voor(device)})
    assert response["Location"] == "/toegang/dossiers/"
    assert client.get("/mijn-werk/").status_code == 200
    assert AuditEntry.objects.filter(actie="login", toelichting__stap="otp").count() == 1

    client.post(reverse("logout"))
    client.force_login(consulent)
    assert client.post(url, {"code": "HERSTEL01"})["Location"] == "/toegang/dossiers/"
    client.post(reverse("logout"))
    client.force_login(consulent)
    tweede_keer = client.post(url, {"code": "herstel01"})
    assert tweede_keer.status_code == 200
    assert "Deze code klopt niet" in tweede_keer.content.decode()
    # An external next is not followed.
    even_later(StaticDevice.objects.get(user=consulent))
    client.force_login(consulent)
    extern = client.post(reverse("otp-controleren"), {"code": "herstel02", "next": "https://x.nl/"})
    assert extern["Location"] == reverse("mijn-werk")


@pytest.mark.django_db
def test_wrong_codes_are_audited_failed_logins_and_lock_out(client, consulent, verplicht):
    met_app(consulent)
    client.force_login(consulent)
    url = reverse("otp-controleren")
    for _ in range(4):
        response = client.post(url, {"code": "123456"}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 200
    rows = AuditEntry.objects.filter(actie="login_failed", toelichting__reden="otp")
    assert rows.count() == 4 and rows.first().herkomst == "10.0.0.7"
    # The device throttles too (django-otp): the next try waits.
    assert TOTPDevice.objects.get(user=consulent).throttling_failure_count >= 1

    locked = client.post(url, {"code": "123456"}, REMOTE_ADDR="10.0.0.7")
    assert locked.status_code == 429
    assert "Wacht 15 minuten" in locked.content.decode()
    assert SESSION_KEY not in client.session  # logged out
    # ... and the password no longer opens the door from that address either.
    again = client.post(
        reverse("login"), {"username": "c-login", "password": "demo"}, REMOTE_ADDR="10.0.0.7"
    )
    assert again.status_code == 429
    assert SESSION_KEY not in client.session


# --- axes ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_for_fifteen_minutes(client):
    UserFactory(username="slot")
    login = reverse("login")
    for _ in range(5):
        response = client.post(login, {"username": "slot", "password": "fout"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in body and "Wacht 15 minuten" in body
    assert client.post(login, {"username": "slot", "password": "demo"}).status_code == 429
    assert SESSION_KEY not in client.session
    # Another address is not locked out (username+IP), and neither is another user.
    other = client.post(login, {"username": "slot", "password": "demo"}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302
    assert AuditEntry.objects.filter(actie="login_failed").count() >= 6
    client.logout()
    with freeze_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=16)):
        assert client.post(login, {"username": "slot", "password": "demo"}).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="staf-slot", is_staff=True)
    for _ in range(5):
        response = client.post(
            "/beheer/login/", {"username": "staf-slot", "password": "fout", "next": "/beheer/"}
        )
    assert response.status_code == 429
    assert "Inloggen tijdelijk geblokkeerd" in response.content.decode()


@pytest.mark.django_db
def test_a_bsn_typed_as_username_is_masked_in_the_lockout_table(client):
    client.post(reverse("login"), {"username": "123456782", "password": "geheim123"})
    stored = str(list(AccessAttempt.objects.values()))
    assert AccessAttempt.objects.count() == 1
    assert "123456782" not in stored and "geheim123" not in stored


@pytest.mark.django_db
def test_refused_oidc_callbacks_do_not_lock_out_a_shared_address(rf):
    from axes.handlers.proxy import AxesProxyHandler

    for path in ("/accounts/oidc/callback/", "/accounts/login/"):
        for _ in range(5):
            AxesProxyHandler.user_login_failed(
                sender=None, credentials={"nonce": "n"}, request=rf.post(path)
            )
    assert AccessAttempt.objects.get().failures_since_start == 5  # only the login page's


def test_client_ip_trusts_x_forwarded_for_only_from_our_own_proxies(rf, settings):
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.1", "REMOTE_ADDR": "172.16.0.2"}
    # No proxy configured: the header is whatever the client says, so only REMOTE_ADDR counts.
    settings.REGIOZORG_TRUSTED_PROXIES = []
    assert regio_login.axes_client_ip(rf.get("/", **forged)) == "172.16.0.2"
    # Behind our load balancer (172.16.0.0/16) and ingress (10.0.0.1): the first hop that is not
    # ours, read from the right; what the client claimed further left is ignored.
    settings.REGIOZORG_TRUSTED_PROXIES = ["172.16.0.0/16", "10.0.0.1"]
    assert regio_login.axes_client_ip(rf.get("/", **forged)) == "1.2.3.4"
    ketting = {
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7, 10.0.0.1",
        "REMOTE_ADDR": "172.16.0.2",
    }
    assert regio_login.axes_client_ip(rf.get("/", **ketting)) == "203.0.113.7"
    # A request straight from the internet cannot pass itself off as coming via our proxy.
    direct = {"HTTP_X_FORWARDED_FOR": "10.0.0.1", "REMOTE_ADDR": "198.51.100.9"}
    assert regio_login.axes_client_ip(rf.get("/", **direct)) == "198.51.100.9"
    rommel = {"HTTP_X_FORWARDED_FOR": "geen-adres, 10.0.0.1", "REMOTE_ADDR": "172.16.0.2"}
    assert regio_login.axes_client_ip(rf.get("/", **rommel)) == "10.0.0.1"
    assert regio_login.axes_client_ip(rf.get("/", REMOTE_ADDR="172.16.0.2")) == "172.16.0.2"


@pytest.mark.django_db
def test_a_new_x_forwarded_for_each_try_does_not_dodge_the_lock(client, settings):
    """Tried as an attacker would: twelve wrong passwords, each claiming another origin."""
    settings.REGIOZORG_TRUSTED_PROXIES = []
    UserFactory(username="doelwit")
    login = reverse("login")
    statussen = [
        client.post(
            login, {"username": "doelwit", "password": "fout"}, HTTP_X_FORWARDED_FOR=f"10.1.1.{i}"
        ).status_code
        for i in range(12)
    ]
    assert statussen[:4] == [200] * 4 and set(statussen[4:]) == {429}
    assert AuditEntry.objects.filter(actie="login_failed").last().herkomst == "127.0.0.1"


@pytest.mark.django_db
def test_one_username_from_many_addresses_is_locked_for_a_short_while(client, settings):
    """Real addresses (a botnet) each stay under the lock per address; the lock per username
    from every address stops them, for fewer minutes than the lock per address."""
    settings.REGIOZORG_LOGIN_MAX_POGINGEN_PER_NAAM = 8
    settings.REGIOZORG_LOGIN_BLOKKADE_NAAM_MINUTEN = 5
    UserFactory(username="veelgevraagd")
    UserFactory(username="buurman")
    login = reverse("login")

    def poging(naam, wachtwoord, adres):
        return client.post(login, {"username": naam, "password": wachtwoord}, REMOTE_ADDR=adres)

    for i in range(8):  # 2 tries from each of 4 addresses: below 5 per address
        assert poging("veelgevraagd", "fout", f"203.0.113.{i // 2}").status_code == 200
    geweigerd = poging("veelgevraagd", "demo", "198.51.100.1")  # the right password, new address
    assert geweigerd.status_code == 429 and "Wacht 5 minuten" in geweigerd.content.decode()
    assert SESSION_KEY not in client.session
    # Another user is not affected.
    assert poging("buurman", "demo", "203.0.113.0").status_code == 302
    client.logout()
    # Five minutes after the last counted failure the account opens again.
    with freeze_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=6)):
        assert poging("veelgevraagd", "demo", "198.51.100.1").status_code == 302


# --- own page: see and reset -----------------------------------------------------------------


@pytest.mark.django_db
def test_user_resets_own_app_with_password_and_confirm_page(client, consulent, verplicht):
    device = met_app(consulent)
    client.force_login(consulent)
    client.post(reverse("otp-controleren"), {"code": code_voor(device)})
    overzicht = client.get(reverse("otp-overzicht")).content.decode()
    assert "Nog 2 ongebruikt" in overzicht and "Authenticator-app verwijderen" in overzicht

    bevestig = client.get(reverse("otp-verwijderen"))
    assert bevestig.status_code == 200 and "Vul ter bevestiging uw wachtwoord in" in (
        bevestig.content.decode()
    )
    fout = client.post(reverse("otp-verwijderen"), {"wachtwoord": "fout"})
    assert "Dit wachtwoord klopt niet." in fout.content.decode()
    assert TOTPDevice.objects.filter(user=consulent).exists()

    response = client.post(reverse("otp-verwijderen"), {"wachtwoord": "demo"})
    assert response["Location"] == reverse("otp-instellen")
    assert not TOTPDevice.objects.filter(user=consulent, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=consulent).exists()
    assert client.get("/mijn-werk/")["Location"] == reverse("otp-instellen")
    assert AuditEntry.objects.filter(toelichting__tweestapsverificatie="verwijderd").exists()


@pytest.mark.django_db
def test_otp_and_axes_admins_are_superuser_only(client, refdata):
    beheer = UserFactory(username="beheer-otp", is_staff=True)
    grant(beheer, "functioneel-beheerder", regio="amersfoort")
    client.force_login(beheer)
    assert client.get("/beheer/otp_totp/totpdevice/").status_code == 403
    assert client.get("/beheer/axes/accessattempt/").status_code == 403
    baas = UserFactory(username="root-otp", is_staff=True, is_superuser=True)
    client.force_login(baas)
    assert client.get("/beheer/otp_totp/totpdevice/").status_code == 200
    # Under the production rule staff must do the second step before the admin.
    with override_settings(REGIOZORG_OTP_VERPLICHT=True):
        response = client.get("/beheer/otp_totp/totpdevice/")
        assert response["Location"].startswith(reverse("otp-instellen"))


@pytest.mark.django_db
def test_bad_codes_get_a_dutch_error_not_a_crash(client, consulent, verplicht):
    met_app(consulent)
    client.force_login(consulent)
    url = reverse("otp-controleren")
    for code, fout in (
        ("", "Vul de code in."),
        ("x" * 500, "niet meer dan 40 tekens"),
        ("12 34 56\x00", "Null-tekens zijn niet toegestaan"),
        ("12 34 56", "klopt niet"),
        # The app is throttled after the wrong code just before (unless a second passed).
        ("١٢٣٤٥٦", ("klopt niet", "Te veel onjuiste codes achter elkaar")),
        ("'; drop table x; --", "klopt niet"),
    ):
        response = client.post(url, {"code": code})
        assert response.status_code == 200, code
        body = response.content.decode()
        assert any(f in body for f in ((fout,) if isinstance(fout, str) else fout)), code
    assert client.post(reverse("otp-instellen"), {"code": "abc"}).status_code == 302


# --- OIDC ------------------------------------------------------------------------------------


def _oidc_request(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/accounts/oidc/callback/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
@override_settings(**OIDC_SETTINGS)
def test_oidc_backend_matches_an_existing_active_user_only(rf):
    from regio.oidc import GEWEIGERD, GemeenteOIDCBackend

    bekend = UserFactory(username="j.jansen@soest.nl")
    UserFactory(username="weg@soest.nl", is_active=False)
    backend = GemeenteOIDCBackend()
    backend.request = _oidc_request(rf)

    def met_claims(claims):
        backend.get_userinfo = lambda *args: claims
        return backend.get_or_create_user("access", "id", {})

    assert met_claims({"preferred_username": "j.jansen@soest.nl"}) == bekend
    aantal = type(bekend).objects.count()
    for claims in (
        {"preferred_username": "onbekend@soest.nl"},
        {"preferred_username": "weg@soest.nl"},
        {"email": "j.jansen@soest.nl"},  # not the configured claim
    ):
        backend.request = _oidc_request(rf)
        assert met_claims(claims) is None
        assert [str(m) for m in backend.request._messages] == [GEWEIGERD]
    assert type(bekend).objects.count() == aantal  # nobody created
    rows = AuditEntry.objects.filter(actie="login_failed", toelichting__reden="oidc")
    assert sorted(rows.values_list("toelichting__gebruikersnaam", flat=True)) == [
        "",
        "onbekend@soest.nl",
        "weg@soest.nl",
    ]
    assert backend.get_user(type(bekend).objects.get(username="weg@soest.nl").pk) is None


def _oidc_urls():

    from config import urls
    from regio import oidc

    return [*oidc.urlpatterns(), *urls.urlpatterns]


class OidcUrls:
    """A URL conf as config.urls builds it when OIDC is configured."""

    @property
    def urlpatterns(self):
        return _oidc_urls()


@pytest.fixture
def oidc_aan(settings, monkeypatch):
    from regio.oidc import GemeenteOIDCBackend

    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    settings.OIDC_RP_SCOPES = "openid profile email"
    settings.OIDC_CREATE_USER = False
    settings.LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    settings.ROOT_URLCONF = OidcUrls()
    claims = {}
    # The identity provider, as far as the backend talks to it.
    monkeypatch.setattr(
        GemeenteOIDCBackend,
        "get_token",
        lambda self, payload: {"id_token": "i", "access_token": "a"},
    )
    monkeypatch.setattr(
        GemeenteOIDCBackend, "verify_token", lambda self, token, **kwargs: {"sub": "1"}
    )
    monkeypatch.setattr(GemeenteOIDCBackend, "get_userinfo", lambda self, *args: claims)
    return claims


def _via_idp(client):
    start = client.get("/accounts/oidc/aanmelden/")
    assert start.status_code == 302
    assert start["Location"].startswith("https://idp.example.nl/authorize?")
    state = re.search(r"state=([^&]+)", start["Location"]).group(1)
    return client.get("/accounts/oidc/callback/", {"code": "c", "state": state})


@pytest.mark.django_db
def test_oidc_login_end_to_end_without_second_factor(client, consulent, oidc_aan, settings):
    settings.REGIOZORG_OTP_VERPLICHT = True
    met_app(consulent)  # even a user with an app: the identity provider did the MFA
    oidc_aan["preferred_username"] = "c-login"
    response = _via_idp(client)
    assert response["Location"] == reverse("mijn-werk")
    assert client.get("/mijn-werk/").status_code == 200
    assert AuditEntry.objects.filter(actie="login", actor_id=consulent.pk).exists()
    page = client.get(reverse("otp-overzicht")).content.decode()
    assert "identiteitsprovider van uw gemeente" in page


@pytest.mark.django_db
def test_oidc_login_of_an_unknown_user_is_refused_in_dutch(client, oidc_aan):
    from regio.oidc import GEWEIGERD

    oidc_aan["preferred_username"] = "niemand@soest.nl"
    response = _via_idp(client)
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert GEWEIGERD in client.get("/accounts/login/").content.decode()
    assert AuditEntry.objects.filter(
        actie="login_failed", toelichting__gebruikersnaam="niemand@soest.nl"
    ).exists()
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
def test_an_oidc_session_needs_no_second_factor(client, consulent, settings):
    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    settings.REGIOZORG_OTP_VERPLICHT = True
    client.force_login(consulent, backend=OIDC_BACKEND)
    assert client.get("/mijn-werk/").status_code == 200
    client.force_login(consulent, backend="regio.roles.WachtwoordBackend")
    assert client.get("/mijn-werk/").status_code == 302


@pytest.mark.django_db
def test_without_oidc_configuration_nothing_of_it_shows(client):
    page = client.get(reverse("login")).content.decode()
    assert "identiteitsprovider" not in page
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")


def _run(script, env):
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


OIDC_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
call_command("check")
page = Client().get("/accounts/login/").content.decode()
print(json.dumps({
    "knop": "Inloggen met de identiteitsprovider van uw gemeente" in page,
    "init": reverse("oidc_authentication_init"),
    "callback": reverse("oidc_authentication_callback"),
    "apps": "mozilla_django_oidc" in settings.INSTALLED_APPS,
    "backend": settings.AUTHENTICATION_BACKENDS[-1],
    "claim": settings.OIDC_GEBRUIKERSNAAM_CLAIM,
    "algo": settings.OIDC_RP_SIGN_ALGO,
}))
"""


def test_with_oidc_env_vars_the_routes_and_the_button_exist():
    env = subprocess_omgeving("config.settings.test", **{k: v for k, v in OIDC_SETTINGS.items()})
    found = _run(OIDC_SCRIPT, env)
    assert found == {
        "knop": True,
        "init": "/accounts/oidc/aanmelden/",
        "callback": "/accounts/oidc/callback/",
        "apps": True,
        "backend": OIDC_BACKEND,
        "claim": "preferred_username",
        "algo": "RS256",
    }


# --- production settings: session, cookies, headers ------------------------------------------

SETTINGS_SCRIPT = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
    "verlengen": s.MIDDLEWARE.index("regio.login.SessieVerlengenMiddleware")
    == s.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": s.SECURE_HSTS_PRELOAD,
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
    "SECURE_REFERRER_POLICY": s.SECURE_REFERRER_POLICY,
    "SECURE_CONTENT_TYPE_NOSNIFF": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "REGIOZORG_OTP_VERPLICHT": s.REGIOZORG_OTP_VERPLICHT,
    "AXES_FAILURE_LIMIT": s.AXES_FAILURE_LIMIT,
    "AXES_COOLOFF_MINUTES": s.AXES_COOLOFF_TIME.total_seconds() / 60,
    "first_backend": s.AUTHENTICATION_BACKENDS[0],
    "last_middleware": s.MIDDLEWARE[-1],
    "otp_after_auth": s.MIDDLEWARE.index("django_otp.middleware.OTPMiddleware")
    > s.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware"),
    "oidc": "mozilla_django_oidc" in s.INSTALLED_APPS,
}))
"""


@pytest.fixture(scope="module")
def productie():
    return _run(SETTINGS_SCRIPT, subprocess_omgeving("config.settings.production"))


def test_production_settings_harden_sessions_cookies_and_login(productie):
    assert productie == {
        "SESSION_COOKIE_AGE": 900,
        "verlengen": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "REGIOZORG_OTP_VERPLICHT": True,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_COOLOFF_MINUTES": 15,
        "first_backend": "axes.backends.AxesStandaloneBackend",
        "last_middleware": "axes.middleware.AxesMiddleware",
        "otp_after_auth": True,
        "oidc": False,
    }


def test_idle_timeout_is_fifteen_minutes_in_every_environment(settings):
    # Test settings (this process) and dev settings (a fresh interpreter) as well.
    assert settings.SESSION_COOKIE_AGE == 900 and settings.REGIOZORG_SESSIE_VERLENGEN_NA == 60
    assert "regio.login.SessieVerlengenMiddleware" in settings.MIDDLEWARE
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_AGE, s.REGIOZORG_SESSIE_VERLENGEN_NA, "
        "'regio.login.SessieVerlengenMiddleware' in s.MIDDLEWARE, s.REGIOZORG_OTP_VERPLICHT]))"
    )
    assert _run(script, subprocess_omgeving("config.settings.dev")) == [900, 60, True, False]


@pytest.mark.django_db
def test_a_session_ends_fifteen_minutes_after_the_last_request_and_is_written_once_a_minute(
    client, refdata
):
    from django.contrib.sessions.models import Session

    user = UserFactory(username="idle")
    grant(user, "contractmanager", regio="amersfoort")
    begin = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)

    def bij(minuten):
        return freeze_time(begin + datetime.timedelta(minutes=minuten))

    def verloopt():
        return Session.objects.get().expire_date

    with bij(0):
        client.force_login(user)
        assert client.get("/mijn-werk/").status_code == 200
        eerst = verloopt()
        assert eerst == begin + datetime.timedelta(minutes=15)
    with bij(0.5):  # within the minute: no write, the cookie is not sent again
        response = client.get("/mijn-werk/")
        assert response.status_code == 200 and "sessionid" not in response.cookies
        assert verloopt() == eerst
    with bij(10):  # renewed: 15 minutes from now, in the database and in the cookie
        response = client.get("/mijn-werk/")
        assert response.status_code == 200 and response.cookies["sessionid"]["max-age"] == 900
        assert verloopt() == begin + datetime.timedelta(minutes=25)
    with bij(24):  # idle 14 minutes: still logged in
        assert client.get("/mijn-werk/").status_code == 200
    with bij(24 + 15.5):  # idle more than 15 minutes: logged out
        response = client.get("/mijn-werk/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_pages_carry_the_security_headers_under_production_settings(client, productie, refdata):
    keys = (
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    )  # fmt: skip
    with override_settings(**{k: productie[k] for k in keys}):
        assert client.get("/accounts/login/")["Location"].startswith("https://")
        risb = UserFactory(username="risb-headers")
        grant(risb, "contractmanager", regio="amersfoort")
        for url, user in (("/accounts/login/", None), ("/mijn-werk/", risb)):
            if user:  # a real login, so the server sets the session cookie
                ingelogd = client.post(
                    "/accounts/login/", {"username": user.username, "password": "demo"},
                    secure=True,
                )  # fmt: skip
                assert ingelogd.status_code == 302
                assert ingelogd.cookies["sessionid"]["secure"]
                assert ingelogd.cookies["sessionid"]["httponly"]
            response = client.get(url, secure=True)
            assert response.status_code == 200, url
            assert response["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains; preload"
            )
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"
            assert response["X-Content-Type-Options"] == "nosniff"
            csp = response["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "'unsafe-inline'" not in csp


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_setup_totp_then_log_in_again_with_a_code(page, live_server, refdata, settings):
    from playwright.sync_api import expect

    from tests.browser import collect_csp_violations, login

    settings.REGIOZORG_OTP_VERPLICHT = True
    user = UserFactory(username="c-browser-2fa")
    grant(user, "consulent", gemeente="0342")
    violations = collect_csp_violations(page)

    login(page, live_server, "c-browser-2fa")
    expect(page.get_by_role("heading", name="Tweestapsverificatie instellen")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    sleutel = b32decode(page.locator("#otp-sleutel").inner_text().replace(" ", ""))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert sleutel == device.bin_key
    page.get_by_label("Code uit de app").fill(code_voor(device))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Herstelcodes")).to_be_visible()
    expect(page.get_by_role("list", name="Herstelcodes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="Verder").click()
    expect(page).to_have_url(re.compile(r"/mijn-werk/$"))

    page.get_by_role("button", name=re.compile("Uitloggen")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    login(page, live_server, "c-browser-2fa")
    expect(page.get_by_role("heading", name="Inlogcode")).to_be_visible()
    # The code of the next 30 s step: the one used at setup may not be used twice.
    page.get_by_label("Code").fill(code_voor(TOTPDevice.objects.get(user=user), 1))
    page.get_by_role("button", name="Controleren").click()
    expect(page).to_have_url(re.compile(r"/mijn-werk/$"))
    assert violations == []
