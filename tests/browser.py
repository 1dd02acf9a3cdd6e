"""Helpers for the Playwright tests."""

import re

from playwright.sync_api import expect


def login(page, live_server, username, password="demo"):
    """Log in through the login form, as a person would, starting from the home page."""
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def collect_csp_violations(page):
    """A list that fills with every Content-Security-Policy violation the page reports."""
    violations = []
    page.on(
        "console",
        lambda msg: (
            violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None
        ),
    )
    return violations


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)")


def has_inline_script(html: str) -> bool:
    """A <script> without src: the strict CSP forbids it (our own files under /static/ are
    allowed)."""
    return bool(_INLINE_SCRIPT.search(html))
