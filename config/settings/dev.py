"""Development settings: the embedded PostgreSQL and Valkey that `make run` starts.

The launcher writes their addresses to var/run.json; any `manage.py` command in a second terminal
reads it here, so it works against the same database and broker without extra settings.
"""

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

VAR_DIR = Path(os.environ.get("REGIOZORG_VAR_DIR") or BASE_DIR / "var")
RUN_FILE = VAR_DIR / "run.json"
_run = json.loads(RUN_FILE.read_text()) if RUN_FILE.exists() else {}
os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-not-secret")
os.environ.setdefault("REGIOZORG_BSN_HASH_KEY", "dev-only-bsn-hash-key")
os.environ.setdefault("POSTGRES_HOST", _run.get("pg_host", str(VAR_DIR / "pg")))
os.environ.setdefault("POSTGRES_PORT", str(_run.get("pg_port", 5432)))
os.environ.setdefault("REDIS_URL", _run.get("redis_url", "redis://127.0.0.1:6390/0"))

from config.settings.base import *  # noqa: E402,F403

MEDIA_ROOT = VAR_DIR / "media"
DEBUG = True
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
REGIOZORG_DEMO_PASSWORDS = True
# Demo users log in without two-factor (README "Demo logins"); tests switch it on where needed.
REGIOZORG_OTP_VERPLICHT = False
EMBEDDED_SERVICES = True
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# E-mail about notifications is printed on the console in development (no mail server).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")  # noqa: F405
