#!/usr/bin/env python
"""Django's command-line utility for regiozorg."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        from django.conf import settings

        if getattr(settings, "EMBEDDED_SERVICES", False):
            # Dev settings point at the servers `make run` starts; without them, say so in one line.
            sys.exit(
                "De database is niet bereikbaar: start eerst `make run` in een andere terminal."
            )
        raise exc


if __name__ == "__main__":
    main()
