"""Production settings: everything from the environment (see README.md, "Omgevingsvariabelen")."""

from config.env import env_bool, env_int, env_list
from config.settings.base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Container healthchecks call /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The 15-minute idle timeout (SESSION_COOKIE_AGE, SessieVerlengenMiddleware) comes from base;
# so do X-Frame-Options DENY, nosniff, the referrer policy, the CSP and REGIOZORG_OTP_VERPLICHT.

# One JSON object per log line, for the platform's log collector (regio/logboek.py).
LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One cache for all web processes (the API's rate limit per credential counts across gunicorn
# workers and containers), in the same Redis/Valkey as the broker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,  # noqa: F405
        "KEY_PREFIX": "regiozorg",
    }
}
