"""Test settings. tests/conftest.py starts a throw-away PostgreSQL cluster and Valkey server and
points DATABASES and Celery at them before any connection is made."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("REGIOZORG_BSN_HASH_KEY", "test-only-bsn-hash-key")

from config.settings.base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = []
REGIOZORG_DEMO_PASSWORDS = True
# Demo users log in without two-factor (README "Demo logins"); tests switch it on where needed.
REGIOZORG_OTP_VERPLICHT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
