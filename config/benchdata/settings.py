"""Settings of the gunicorn server the benchmark measures: the test settings (DEBUG off, OTP not
required so a session made by the harness is enough) pointed at the bench database through the
POSTGRES_* variables, with persistent connections as in production and no API rate limit."""

import os

os.environ.setdefault("REGIOZORG_API_RATE", "1000000/min")
os.environ.setdefault("REGIOZORG_API_VERZOEK_RATE", "1000000/min")

from config.settings.test import *  # noqa: E402,F403

DEBUG = False
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
REGIOZORG_SERVER_TIMING = True  # each page's SQL time, its floor (config/benchdata/measure.py)
