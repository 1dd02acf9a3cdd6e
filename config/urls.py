from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from regio import health, metrics
from regio import login as regio_login
from regio import views as regio_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mijn-werk", permanent=False)),
    path("mijn-werk/", regio_views.MijnWerkView.as_view(), name="mijn-werk"),
    path("accounts/login/", regio_login.InloggenView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/tweestapsverificatie/",
        regio_login.TweestapsOverzichtView.as_view(),
        name="otp-overzicht",
    ),
    path(
        "accounts/tweestapsverificatie/instellen/",
        regio_login.TweestapsInstellenView.as_view(),
        name="otp-instellen",
    ),
    path(
        "accounts/tweestapsverificatie/controleren/",
        regio_login.TweestapsControlerenView.as_view(),
        name="otp-controleren",
    ),
    path(
        "accounts/tweestapsverificatie/herstelcodes/",
        regio_login.HerstelcodesView.as_view(),
        name="otp-herstelcodes",
    ),
    path(
        "accounts/tweestapsverificatie/verwijderen/",
        regio_login.TweestapsVerwijderenView.as_view(),
        name="otp-verwijderen",
    ),
    path(
        "accounts/wachtwoord/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/wachtwoord/gewijzigd/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("health/ready/", health.ready, name="health-ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("", include("regio.urls")),
    path("toegang/", include("toegang.urls")),
    path("privacy/audit/", include("toegang.privacy.audit_urls")),
    path("privacy/", include("toegang.privacy.urls")),
    path("inkoop/", include("inkoop.urls")),
    path("financien/", include("financien.urls")),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    path("beheer/", admin.site.urls),
]

if settings.OIDC_ACTIEF:
    from regio import oidc

    urlpatterns += oidc.urlpatterns()

handler404 = "regio.api.problems.api_of_pagina_404"
