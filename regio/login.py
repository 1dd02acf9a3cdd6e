"""Login hardening (issue 9): two-factor with TOTP for local accounts, the lockout after repeated
failed logins (django-axes), and the user's own "Tweestapsverificatie" page.

Who must use two-factor follows from the roles (``regio.roles.ROLLEN``): every role whose
capabilities touch personal data, and staff. A session that logged in through the gemeente's
identity provider (regio.oidc) is exempt: the identity provider does the MFA. Until the second
step is done, ``TweestapsverificatieMiddleware`` lets the session reach only the two-factor pages,
logout, /health/ and static files.
"""

from __future__ import annotations

import datetime
import time
from urllib.parse import urlencode

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from regio import audit
from regio.api.problems import problem_response
from regio.mixins import SuperuserOnlyAdminMixin
from regio.roles import AANBIEDERSYSTEEM, ROLLEN

OIDC_BACKEND = "regio.oidc.GemeenteOIDCBackend"
HERSTELCODES_SESSIE = "regiozorg_herstelcodes"
INSTELLEN_SESSIE = "regiozorg_otp_instellen"
AANTAL_HERSTELCODES = 10
_REDEN = "eigen tweestapsverificatie van de ingelogde gebruiker"


# --- who must use two-factor -------------------------------------------------------------------


def _ziet_persoonsgegevens(capabilities) -> bool:
    """A capability on a toegang model with clients in it, or on the audit log. Toegang models
    without any client (``audit.GEEN_CLIENT``: letter texts, number ranges) do not count."""

    def over_clienten(capability: str) -> bool:
        app, _, codename = capability.partition(".")
        return f"{app}.{codename.split('_', 1)[-1]}" not in audit.GEEN_CLIENT

    return any(
        (c.startswith("toegang.") and over_clienten(c)) or c == "regio.view_auditentry"
        for c in capabilities
    )


# The API-only role never logs in interactively (its credential is an inkoop.ApiSleutel).
ROLLEN_MET_PERSOONSGEGEVENS = frozenset(
    rol.code
    for rol in ROLLEN
    if rol.code != AANBIEDERSYSTEEM and _ziet_persoonsgegevens(rol.capabilities)
)


def otp_verplicht(user) -> bool:
    """Whether this user must log in with a second factor (when the setting asks for it)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    from regio.models import Roltoekenning

    return (
        Roltoekenning.objects.active_on(datetime.date.today())
        .filter(user=user, rol__code__in=ROLLEN_MET_PERSOONSGEGEVENS)
        .exists()
    )


def via_oidc(request) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def heeft_app(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def moet_verifieren(request) -> bool:
    """True while this session still owes its second factor."""
    user = request.user
    if not user.is_authenticated or user.is_verified() or via_oidc(request):
        return False
    # A user who set up an app uses it, even where the setting does not require it.
    if settings.REGIOZORG_OTP_VERPLICHT and otp_verplicht(user):
        return True
    return heeft_app(user)


# --- the middleware ----------------------------------------------------------------------------


def _vrije_paden():
    return (
        reverse("otp-instellen"),
        reverse("otp-controleren"),
        reverse("login"),
        reverse("logout"),
        reverse("health"),
        settings.STATIC_URL,
        "/favicon.ico",
        "/accounts/oidc/",
    )


class TweestapsverificatieMiddleware:
    """Sends a session that has not done its second step to the verify (or setup) page.

    The API is answered with 403 for such a session: a Bearer credential is not a session and
    passes, but a half-logged-in browser must not read through the API what the pages refuse.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(_vrije_paden()) and moet_verifieren(request):
            if path.startswith("/api/"):
                return problem_response(
                    request, 403, "tweestapsverificatie_vereist", "Tweestapsverificatie vereist",
                    "Rond eerst de tweestapsverificatie af in de browser.",
                )  # fmt: skip
            doel = "otp-controleren" if heeft_app(request.user) else "otp-instellen"
            volgende = request.get_full_path() if request.method == "GET" else ""
            url = reverse(doel)
            if volgende and volgende != reverse("mijn-werk"):
                url += "?" + urlencode({"next": volgende})
            return HttpResponseRedirect(url)
        return self.get_response(request)


class SessieVerlengenMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) without writing the session on every request.

    ``SESSION_SAVE_EVERY_REQUEST`` would update the session row, a commit with its WAL flush, on
    every page and every API call of a browser. This renews a non-empty session (its row and its
    cookie) only when the last renewal is at least ``REGIOZORG_SESSIE_VERLENGEN_NA`` seconds old,
    so a session ends between 15 minutes minus that interval and 15 minutes after the user's last
    request. Sits right after SessionMiddleware, which saves what this marks as modified.
    """

    SLEUTEL = "_verlengd"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            nu = int(time.time())
            if nu - session.get(self.SLEUTEL, 0) >= settings.REGIOZORG_SESSIE_VERLENGEN_NA:
                session[self.SLEUTEL] = nu
        return response


def _verlengd_bij_inloggen(sender, request, user, **kwargs):
    """Logging in writes the session anyway: it counts as its renewal."""
    if getattr(request, "session", None) is not None:
        request.session[SessieVerlengenMiddleware.SLEUTEL] = int(time.time())


user_logged_in.connect(_verlengd_bij_inloggen, dispatch_uid="regiozorg_sessie_verlengd")


# --- django-axes hooks -------------------------------------------------------------------------


def axes_client_ip(request) -> str | None:
    """The lock counts per address our own reverse proxy saw, as the audit log records it."""
    return audit.client_ip(request)


def axes_gebruikersnaam(request, credentials) -> str | None:
    if credentials:
        naam = credentials.get("username")
    else:
        naam = getattr(request, "POST", {}).get("username")
    return audit.scrub(str(naam))[:150] if naam else None


def axes_vrijgesteld(request, credentials) -> bool:
    """The OIDC callback is not counted: the identity provider authenticates there, the code is
    single-use, and its credentials carry no username, so failures of different people behind
    one gemeente's NAT address would otherwise add up to a lock for all of them."""
    return request is not None and request.path_info.startswith("/accounts/oidc/")


class Inlogslot(AxesDatabaseHandler):
    """django-axes's lock per username and address, plus a softer one per username from every
    address: someone trying one account from many addresses (a new X-Forwarded-For each time
    got nowhere anyway, see ``audit.client_ip``, but a botnet has real addresses) is stopped
    after ``REGIOZORG_LOGIN_MAX_POGINGEN_PER_NAAM`` failures by addresses that tried within the
    last ``REGIOZORG_LOGIN_BLOKKADE_NAAM_MINUTEN``, for those minutes. Attempts while locked are
    not counted (axes), so the account is free again that many minutes after the last counted
    failure: nobody can keep a person out for long."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        naam = get_client_username(request, credentials)
        if not naam:
            return False
        minuten = settings.REGIOZORG_LOGIN_BLOKKADE_NAAM_MINUTEN
        sinds = timezone.now() - datetime.timedelta(minutes=minuten)
        mislukt = AccessAttempt.objects.filter(username=naam, attempt_time__gte=sinds).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        if (mislukt or 0) >= settings.REGIOZORG_LOGIN_MAX_POGINGEN_PER_NAAM:
            if request is not None:
                request.regiozorg_slot_minuten = minuten
            return True
        return False


def geblokkeerd(request, original_response=None, credentials=None):
    """The Dutch lockout page (AXES_LOCKOUT_CALLABLE)."""
    if getattr(request, "regiozorg_slot_minuten", None):
        cool_off = datetime.timedelta(minutes=request.regiozorg_slot_minuten)
    else:
        cool_off = get_cool_off(request) or datetime.timedelta(minutes=15)
    minuten = max(1, round(cool_off.total_seconds() / 60))
    return render(request, "registration/geblokkeerd.html", {"minuten": minuten}, status=429)


# --- views -------------------------------------------------------------------------------------


class InloggenView(auth_views.LoginView):
    """Django's login, with the button of the gemeente's identity provider when configured."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_actief"] = getattr(settings, "OIDC_ACTIEF", False)
        return context


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="De zes cijfers uit uw authenticator-app, of een van uw herstelcodes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        error_messages={"required": "Vul de code in."},
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


class InstelCodeForm(CodeForm):
    code = forms.CharField(
        label="Code uit de app",
        max_length=40,
        help_text="De zes cijfers die de app nu toont.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "Vul de code in."},
    )


def _volgende(request) -> str:
    volgende = request.POST.get("next") or request.GET.get("next") or ""
    if volgende and url_has_allowed_host_and_scheme(
        volgende, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return volgende
    return reverse("mijn-werk")


class _TweestapsView(LoginRequiredMixin):
    unscoped_reason = _REDEN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = _volgende(self.request)
        return context


def _sleutel_tekst(device) -> str:
    from base64 import b32encode

    geheim = b32encode(device.bin_key).decode()
    return " ".join(geheim[i : i + 4] for i in range(0, len(geheim), 4))


def _qr_data_uri(device) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@method_decorator(never_cache, name="dispatch")
class TweestapsInstellenView(_TweestapsView, FormView):
    """Set up the authenticator app: QR code and secret, confirmed with a first code."""

    template_name = "registration/otp_instellen.html"
    form_class = InstelCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and heeft_app(request.user):
            if request.user.is_verified():
                return redirect("otp-overzicht")
            return redirect(
                f"{reverse('otp-controleren')}?{urlencode({'next': _volgende(request)})}"
            )
        return super().dispatch(request, *args, **kwargs)

    def nieuw_apparaat(self):
        """The unconfirmed app of this session. A secret is never handed to a second session:
        whoever saw it elsewhere (someone else with the password) must not share the app."""
        user, session = self.request.user, self.request.session
        device = TOTPDevice.objects.filter(
            user=user, confirmed=False, pk=session.get(INSTELLEN_SESSIE)
        ).first()
        if device is None:
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
            session[INSTELLEN_SESSIE] = device.pk
        return device

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = self.nieuw_apparaat()
        context.update(qr=_qr_data_uri(device), sleutel=_sleutel_tekst(device))
        return context

    def form_valid(self, form):
        user = self.request.user
        with transaction.atomic():
            device = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=False, pk=self.request.session.get(INSTELLEN_SESSIE))
                .first()
            )
            if device is None or not device.verify_token(form.cleaned_data["code"]):
                form.add_error(
                    "code",
                    "Deze code klopt niet. Controleer of de tijd op uw telefoon klopt en vul de "
                    "code in die de app nu toont.",
                )
                return self.form_invalid(form)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            StaticDevice.objects.filter(user=user).delete()
            herstel = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
            codes = [StaticToken.random_token() for _ in range(AANTAL_HERSTELCODES)]
            StaticToken.objects.bulk_create(StaticToken(device=herstel, token=c) for c in codes)
            audit.record(
                "change",
                object_type="regio.user",
                object_ids=[user.pk],
                toelichting={"tweestapsverificatie": "ingesteld"},
                request=self.request,
            )
        self.request.session.pop(INSTELLEN_SESSIE, None)
        self.request.session.cycle_key()
        otp_login(self.request, device)
        self.request.session[HERSTELCODES_SESSIE] = codes
        url = reverse("otp-herstelcodes")
        volgende = _volgende(self.request)
        if volgende != reverse("mijn-werk"):
            url += "?" + urlencode({"next": volgende})
        return HttpResponseRedirect(url)


@method_decorator(never_cache, name="dispatch")
class HerstelcodesView(_TweestapsView, TemplateView):
    """The recovery codes, shown once right after setup."""

    template_name = "registration/otp_herstelcodes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["codes"] = self.request.session.pop(HERSTELCODES_SESSIE, None)
        return context


class TweestapsControlerenView(_TweestapsView, FormView):
    """The second step of a login: a code from the app or a recovery code."""

    template_name = "registration/otp_controleren.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if request.user.is_verified():
                return HttpResponseRedirect(_volgende(request))
            if not heeft_app(request.user):
                return redirect(
                    f"{reverse('otp-instellen')}?{urlencode({'next': _volgende(request)})}"
                )
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        request, user = self.request, self.request.user
        code = form.cleaned_data["code"]
        # Six digits are a TOTP code, anything else a recovery code: a code is tried only
        # against its own kind, so a good TOTP code never counts against the recovery codes.
        model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
        geverifieerd, wacht_tot = None, None
        with transaction.atomic():
            for device in model.objects.select_for_update().filter(user=user, confirmed=True):
                toegestaan, info = device.verify_is_allowed()
                if not toegestaan:
                    wacht_tot = (info or {}).get("locked_until")
                    continue
                if device.verify_token(code):
                    geverifieerd = device
                    break
        if geverifieerd is not None:
            request.session.cycle_key()
            otp_login(request, geverifieerd)
            AxesProxyHandler.reset_attempts(
                ip_address=axes_client_ip(request),
                username=axes_gebruikersnaam(request, {"username": user.get_username()}),
            )
            audit.record(
                "login",
                actor=user,
                request=request,
                object_type="regio.user",
                object_ids=[user.pk],
                toelichting={"stap": "otp"},
            )
            return HttpResponseRedirect(_volgende(request))

        # A wrong code is a failed login: audited, counted towards the lockout.
        audit.record(
            "login_failed",
            request=request,
            resultaat="denied",
            toelichting={"reden": "otp", "gebruikersnaam": audit.scrub(user.get_username())},
        )
        credentials = {"username": user.get_username()}
        AxesProxyHandler.user_login_failed(
            sender=TweestapsControlerenView, credentials=credentials, request=request
        )
        if getattr(request, "axes_locked_out", False) or AxesProxyHandler.is_locked(
            request, credentials
        ):
            logout(request)
            return geblokkeerd(request, credentials=credentials)
        if wacht_tot is not None:
            form.add_error(
                "code",
                "Te veel onjuiste codes achter elkaar. Wacht even en probeer het dan opnieuw.",
            )
        else:
            form.add_error("code", "Deze code klopt niet. Probeer het opnieuw.")
        return self.form_invalid(form)


class TweestapsOverzichtView(_TweestapsView, TemplateView):
    """The user's own two-factor page: what is set up, and the way to reset it."""

    template_name = "registration/otp_overzicht.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        herstel = StaticDevice.objects.filter(user=user, confirmed=True).first()
        context.update(
            app=TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            herstelcodes_over=herstel.token_set.count() if herstel else 0,
            verplicht=settings.REGIOZORG_OTP_VERPLICHT and otp_verplicht(user),
            via_oidc=via_oidc(self.request),
        )
        return context


class WachtwoordBevestigingForm(forms.Form):
    wachtwoord = forms.CharField(
        label="Uw wachtwoord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Vul uw wachtwoord in."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_wachtwoord(self):
        wachtwoord = self.cleaned_data["wachtwoord"]
        if not self.user.check_password(wachtwoord):
            raise forms.ValidationError("Dit wachtwoord klopt niet.")
        return wachtwoord


class TweestapsVerwijderenView(_TweestapsView, FormView):
    """Confirm page: remove the app and the recovery codes, with the password again."""

    template_name = "registration/otp_verwijderen.html"
    form_class = WachtwoordBevestigingForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not heeft_app(request.user):
            messages.info(request, "U heeft geen authenticator-app ingesteld.")
            return redirect("otp-overzicht")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["verplicht"] = settings.REGIOZORG_OTP_VERPLICHT and otp_verplicht(self.request.user)
        return context

    def form_valid(self, form):
        user = self.request.user
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            audit.record(
                "change",
                object_type="regio.user",
                object_ids=[user.pk],
                toelichting={"tweestapsverificatie": "verwijderd"},
                request=self.request,
            )
        self.request.session.pop(DEVICE_ID_SESSION_KEY, None)
        if settings.REGIOZORG_OTP_VERPLICHT and otp_verplicht(user) and not via_oidc(self.request):
            messages.success(
                self.request,
                "De authenticator-app is verwijderd. Stel nu een nieuwe in om verder te werken.",
            )
            return redirect("otp-instellen")
        messages.success(self.request, "De authenticator-app en de herstelcodes zijn verwijderd.")
        return redirect("otp-overzicht")


# --- admin: django-otp's and axes' tables are global, so superuser-only ------------------------


def _alleen_superuser(model, admin_class):
    if not issubclass(admin_class, SuperuserOnlyAdminMixin):
        admin_class = type(admin_class.__name__, (SuperuserOnlyAdminMixin, admin_class), {})
    admin.site.unregister(model)
    admin.site.register(model, admin_class)


def beveilig_beheer():
    """Re-register the admins that django-otp and axes register on their own with
    ``SuperuserOnlyAdminMixin`` (tests/test_url_scoping.py). Idempotent."""
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.app_label in {"otp_totp", "otp_static", "axes"} and not isinstance(
            model_admin, SuperuserOnlyAdminMixin
        ):
            _alleen_superuser(model, type(model_admin))


beveilig_beheer()
