"""Settings shared by every environment. Values that differ per deployment come from the
environment through ``config.env`` (documented in README.md)."""

import datetime
from pathlib import Path

from django.utils.csp import CSP

from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "regio",
    "toegang",
    "inkoop",
    "financien",
    # Demo data (`manage.py demo`): above the apps, refuses to run outside dev settings.
    "demo",
]

MIDDLEWARE = [
    "regio.logboek.RequestIdMiddleware",  # every log line of a request carries its id
    "regio.metrics.MetricsMiddleware",  # requests by view and status, their time and queries
    "django.middleware.security.SecurityMiddleware",
    # First after security: an /api/ body over API_MAX_BODY_BYTES answers 413 problem+json.
    "regio.api.problems.BodyLimietMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "regio.login.SessieVerlengenMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # The Kubernetes probes: after the security headers (CSP too), before the host check.
    "regio.health.SondeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After OTPMiddleware: an unverified session reaches only the two-factor pages (regio.login).
    "regio.login.TweestapsverificatieMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "regio.audit.AuditContextMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the Dutch lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "regio.context_processors.notificaties",
            ],
            # {% url %} without a full reverse() per row (regio/templatetags/snelle_url.py).
            "builtins": ["regio.templatetags.snelle_url"],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": env("POSTGRES_DB", "regiozorg"),
        "USER": env("POSTGRES_USER", "postgres"),
        "PASSWORD": env("POSTGRES_PASSWORD", ""),
        "HOST": env("POSTGRES_HOST", "localhost"),
        "PORT": env("POSTGRES_PORT", "5432"),
        "CONN_MAX_AGE": env_int("POSTGRES_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "regio.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Password login; capabilities come only from roles (RolBackend).
    "regio.roles.WachtwoordBackend",
    "regio.roles.RolBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "mijn-werk"
LOGOUT_REDIRECT_URL = "login"
# Guardian: no anonymous user row; anonymous visitors see nothing scoped.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "nl"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Idle timeout in every environment: 15 minutes after the last request (BIO). The session is
# renewed by regio.login.SessieVerlengenMiddleware at most once a minute, not written on every
# request.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 15 * 60)
SESSION_SAVE_EVERY_REQUEST = False
REGIOZORG_SESSIE_VERLENGEN_NA = 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Strict CSP from the start: no inline scripts or styles anywhere; charts are server-side SVG.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Login hardening (regio/login.py). Two-factor (TOTP, with one-time recovery codes) is required
# of every user holding a role that sees personal data, and of staff; OIDC logins are exempt
# because the gemeente's identity provider does the MFA. Dev and test settings switch it off.
REGIOZORG_OTP_VERPLICHT = True
OTP_TOTP_ISSUER = "regiozorg"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP secret or recovery code
# django-axes: lock a username+IP after this many failed logins (password or two-factor code),
# for this many minutes.
AXES_FAILURE_LIMIT = env_int("REGIOZORG_LOGIN_MAX_POGINGEN", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("REGIOZORG_LOGIN_BLOKKADE_MINUTEN", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And a softer lock of the username from every address (someone trying one account from many
# addresses): after this many failures in a row of the last minutes, for those minutes. Softer,
# so that nobody can keep another person out of their account for long.
REGIOZORG_LOGIN_MAX_POGINGEN_PER_NAAM = env_int("REGIOZORG_LOGIN_MAX_POGINGEN_PER_NAAM", 20)
REGIOZORG_LOGIN_BLOKKADE_NAAM_MINUTEN = env_int("REGIOZORG_LOGIN_BLOKKADE_NAAM_MINUTEN", 5)
AXES_HANDLER = "regio.login.Inlogslot"
AXES_RESET_ON_SUCCESS = True
# The lock runs from the moment it is set; attempts while locked do not prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "regio.login.geblokkeerd"
AXES_CLIENT_IP_CALLABLE = "regio.login.axes_client_ip"
AXES_USERNAME_CALLABLE = "regio.login.axes_gebruikersnaam"  # a BSN typed as username is masked
AXES_WHITELIST_CALLABLE = "regio.login.axes_vrijgesteld"  # the OIDC callback (regio/login.py)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log (regio.audit)
AXES_VERBOSE = False
# The reverse proxies and load balancers in front of regiozorg (addresses or networks, e.g.
# "10.0.0.0/8,172.16.0.5"). Only a request that comes from one of them may say through
# X-Forwarded-For where it came from; any other request's origin is its own address
# (regio.audit.client_ip: the audit log's herkomst and the login lock).
REGIOZORG_TRUSTED_PROXIES = env_list("REGIOZORG_TRUSTED_PROXIES")

# Prometheus (regio/metrics.py): /metrics answers the bearer token, or a request straight from
# these networks (default: this machine only); a worker shows its counts on its own port (0: no).
REGIOZORG_METRICS_TOKEN = env("REGIOZORG_METRICS_TOKEN", "")
# The benchmark's Server-Timing header (db and app time per response); off in production.
REGIOZORG_SERVER_TIMING = False
REGIOZORG_METRICS_NETWERKEN = env_list("REGIOZORG_METRICS_NETWERKEN", "127.0.0.1/32,::1/128")
REGIOZORG_WORKER_METRICS_PORT = env_int("REGIOZORG_WORKER_METRICS_PORT", 0)
# Several processes (gunicorn, a prefork worker) add up their counts in this directory
# (prometheus_client reads the variable itself; made here so it exists before any process).
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR", "")
if PROMETHEUS_MULTIPROC_DIR:
    Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

# Optional OIDC login with the gemeente's identity provider (regio/oidc.py). Nothing of it is
# installed or shown unless OIDC_RP_CLIENT_ID is set. Register
# https://<host>/accounts/oidc/callback/ as the redirect URI at the identity provider.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_GEBRUIKERSNAAM_CLAIM = env("OIDC_GEBRUIKERSNAAM_CLAIM", "preferred_username")
OIDC_ACTIEF = bool(OIDC_RP_CLIENT_ID)
if OIDC_ACTIEF:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("regio.oidc.GemeenteOIDCBackend")
    OIDC_RP_SCOPES = "openid profile email"
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False  # the functioneel beheerder creates users and gives roles
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"

# The key of the keyed hash that recognises one person across gemeenten by BSN.
BSN_HASH_KEY = env("REGIOZORG_BSN_HASH_KEY")

# E-mail about notifications (regio.notificaties): Django's mail framework over SMTP. An e-mail
# links to SITE_URL (the address users open regiozorg at) and never holds personal data.
SITE_URL = env("REGIOZORG_SITE_URL", "http://localhost:8000")
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "regiozorg <noreply@regiozorg.nl>")

REDIS_URL = env("REDIS_URL", "redis://localhost:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 55 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
# With acks_late the task of a worker that died is redelivered once the visibility timeout has
# passed: keep it above the hard limit. Workers look for such tasks every 10 s (kombu's default
# throttle would make that every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Workers log through the LOGGING below (request id, BSN mask, JSON in production), not their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Two queues, each with its own workers, so that a long verevening never keeps a small export,
# the audit seal or a notification waiting: "interactive" (what someone waits for, or what must
# run every few seconds) and "batch" (reports, settlements, nightly and monthly scans, retention).
# A task not named here is interactive. Exact names win over the patterns.
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_ROUTES = {
    "jobs.regio.ledenoverzicht": {"queue": "interactive"},
    "jobs.vastgelopen_afsluiten": {"queue": "interactive"},
    "jobs.*": {"queue": "batch"},
    "toegang.*": {"queue": "batch"},
    "financien.*": {"queue": "batch"},
}

# Requests per API credential (regio.api.throttle), e.g. "120/min".
REGIOZORG_API_RATE = env("REGIOZORG_API_RATE", "120/min")
# Verzoeken om toewijzing per API key (each may name a person without a dossier).
REGIOZORG_API_VERZOEK_RATE = env("REGIOZORG_API_VERZOEK_RATE", "30/hour")
# The largest request body the API reads (bytes); a larger one answers 413 problem+json
# (regio.api.problems.BodyLimietMiddleware). Django's own limit is never below it.
API_MAX_BODY_BYTES = env_int("REGIOZORG_API_MAX_BODY_BYTES", 2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, API_MAX_BODY_BYTES)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an unauthenticated call answers 401 with WWW-Authenticate: Bearer.
        "inkoop.apisleutels.auth.ApiSleutelAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["regio.api.throttle.ApiSleutelRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_sleutel": REGIOZORG_API_RATE},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "regio.api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "regiozorg API",
    "DESCRIPTION": "REST API van regiozorg; begrippen en codes volgen iWmo 3.2.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the installed sidecar package: no CDN, and our strict CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "regio.api.schema.probleem_antwoorden",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "regio.logboek.JsonFormatter"},
    },
    # The filter gives every line its request id and masks BSNs (regio/logboek.py).
    "filters": {"request_id": {"()": "regio.logboek.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO, django-axes every login (the audit log
    # has those): keep their warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Regiozorg's own knobs.
REGIOZORG_DEMO_PASSWORDS = False  # only dev settings allow the demo users' password "demo"
EMBEDDED_SERVICES = False  # dev settings: the database and broker are the ones `make run` starts

# Retention (Selectielijst gemeenten, DOMAIN.md "Law"): a Wmo dossier is destroyed this many years
# after the support ended, or after it was closed where nothing was granted; an erasure request
# (AVG) is answered within a month.
REGIOZORG_BEWAARTERMIJN_JAREN = env_int("REGIOZORG_BEWAARTERMIJN_JAREN", 15)
REGIOZORG_BEWAARTERMIJN_NIETS_TOEGEKEND_JAREN = env_int(
    "REGIOZORG_BEWAARTERMIJN_NIETS_TOEGEKEND_JAREN", 5
)
# Audit rows are sealed into the hash chain within 30 seconds of their transaction's end
# (regio.audit_seal); `manage.py audit verify` warns about rows of ended transactions older than
# this (seconds) that are still unsealed: the sealing task is not running.
REGIOZORG_AUDIT_ZEGEL_WACHTTIJD = env_int("REGIOZORG_AUDIT_ZEGEL_WACHTTIJD", 5 * 60)

# Imports of the finance workplace (financien.imports): larger files or more rows are
# refused whole with the reason.
FINANCIEN_IMPORT_MAX_BYTES = 20 * 1024 * 1024
FINANCIEN_IMPORT_MAX_REGELS = 200_000
