"""The environment of a fresh interpreter (a subprocess) with another settings module, most
often the production settings: the tests that import them, run `check --deploy` or start a
process as it would run deployed."""

import os

# Long and varied enough for `check --deploy` (security.W009); never a real secret.
GEHEIM = "x" * 60 + "-not-a-real-secret-but-long-and-varied-0123456789"


def subprocess_omgeving(settings_module: str = "config.settings.production", **extra) -> dict:
    """This process's environment with ``settings_module``, dummies for the secrets production
    requires, an allowed host, and ``extra`` (a value None removes that variable). Without
    DJANGO_ALLOW_ASYNC_UNSAFE, which conftest sets for Playwright and no deployment has."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_SECRET_KEY=GEHEIM,
        REGIOZORG_BSN_HASH_KEY="test",
        DJANGO_ALLOWED_HOSTS="regiozorg.example.nl",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for naam, waarde in extra.items():
        if waarde is None:
            env.pop(naam, None)
        else:
            env[naam] = waarde
    return env
