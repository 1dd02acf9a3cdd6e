"""Environment variables read by the settings.

Every setting that comes from the environment goes through these helpers, so that the set of
variables the settings read is known (``READ``): the deployment test checks docker-compose.yml
against it and README.md documents each one.
"""

import os

from django.core.exceptions import ImproperlyConfigured

READ: dict[str, str] = {}
_MISSING = object()


def env(name: str, default=_MISSING) -> str:
    READ[name] = "" if default is _MISSING else str(default)
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    return env(name, "true" if default else "false").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, default))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]
