"""Waiting for work another thread or process does (a Celery worker, a live server)."""

import time


def wait_for(predicate, timeout: float = 15.0):
    """The first truthy value of ``predicate()``, polled every 50 ms; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s")
