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


# Keyboard only: axe cannot tell whether a person without a mouse can work. The keyboard tests
# walk the main flows with Tab, typing and Enter, and check at every step that the focus is
# visible: a focus ring (outline or shadow) with a contrast of at least 3:1 against the
# background around the element (WCAG 1.4.11; of two rings one must have it), on an element that
# is on screen, not one clipped to nothing (.visually-hidden) or outside the window.
ACTIEF = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const rgb = (tekst) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(tekst || '');
    if (!m) return null;
    const d = m[1].split(',').map(parseFloat);
    return { r: d[0], g: d[1], b: d[2], a: d.length > 3 ? d[3] : 1 };
  };
  const lum = (c) => ['r', 'g', 'b'].map((k) => {
    const v = c[k] / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }).reduce((som, v, i) => som + v * [0.2126, 0.7152, 0.0722][i], 0);
  const verhouding = (a, b) => {
    const [x, y] = [lum(a), lum(b)];
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  let achtergrond = { r: 255, g: 255, b: 255, a: 1 };
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c && c.a > 0) { achtergrond = c; break; }
  }
  const ringen = [];
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) ringen.push(rgb(s.outlineColor));
  if (s.boxShadow !== 'none') ringen.push(rgb(s.boxShadow));
  const contrast = Math.max(0, ...ringen.filter(Boolean).map((c) => verhouding(c, achtergrond)));
  const label = (el.labels && el.labels[0] && el.labels[0].innerText)
    || el.getAttribute('aria-label') || el.innerText || el.value || '';
  const tabbaar = Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])'
  )).filter(e => !e.disabled && e.getClientRects().length > 0
    && getComputedStyle(e).visibility !== 'hidden');
  const r = el.getBoundingClientRect();
  let inBeeld = r.width > 2 && r.height > 2 && r.bottom > 0 && r.right > 0
    && r.top < window.innerHeight && r.left < window.innerWidth;
  for (let p = el; inBeeld && p && p !== document.body; p = p.parentElement) {
    const ps = getComputedStyle(p);
    if (ps.clip !== 'auto' && ps.position === 'absolute') inBeeld = false;
    if (p !== el && ps.overflow !== 'visible') {
      const pr = p.getBoundingClientRect();
      inBeeld = r.right > pr.left && r.left < pr.right && r.bottom > pr.top && r.top < pr.bottom;
    }
  }
  return {
    label: label.trim().replace(/\\s+/g, ' '),
    zichtbaar: contrast >= 3 && inBeeld,
    contrast: Math.round(contrast * 10) / 10,
    index: tabbaar.indexOf(el),
    aantal: tabbaar.length,
  };
}"""


def _actief(page) -> dict | None:
    actief = page.evaluate(ACTIEF)
    if actief is not None:
        assert actief["zichtbaar"], (
            f"geen zichtbare focus op {actief['label']!r} (contrast {actief['contrast']}:1, "
            f"{page.url})"
        )
    return actief


def tab_tot(page, label: str, *, max_stappen: int = 150) -> dict:
    """Press Tab until the element whose label starts with ``label`` has the focus; every element
    passed on the way shows where the focus is."""
    for _ in range(max_stappen):
        page.keyboard.press("Tab")
        actief = _actief(page)
        if actief is not None and actief["label"].startswith(label):
            return actief
    raise AssertionError(f"{label!r} is met Tab niet te bereiken op {page.url}")


def loopt_rond_zonder_val(page):
    """From the top of the page, Tab visits the elements in document order with a visible focus
    and reaches the last one: no keyboard trap, no jumping back. Shift+Tab then walks the same
    way back to the first one."""
    page.evaluate(
        "() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }"
    )
    vorige, laatste, herhaald = -1, None, 0
    for _ in range(400):
        page.keyboard.press("Tab")
        actief = _actief(page)
        if actief is None:
            continue
        # A date field takes four Tabs (day, month, year, calendar); more is a trap.
        herhaald = herhaald + 1 if actief["index"] == vorige else 0
        assert herhaald < 4, f"focus blijft hangen op {actief['label']!r} ({page.url})"
        assert actief["index"] >= vorige, (
            f"focus springt terug naar {actief['label']!r} ({page.url})"
        )
        vorige, laatste = actief["index"], actief
        if actief["index"] == actief["aantal"] - 1:
            break
    else:
        raise AssertionError(f"Tab bereikt het laatste element niet (val?) op {page.url}")
    herhaald = 0
    while vorige > 0:
        page.keyboard.press("Shift+Tab")
        actief = _actief(page)
        assert actief is not None, f"Shift+Tab verlaat de pagina na {laatste['label']!r}"
        herhaald = herhaald + 1 if actief["index"] == vorige else 0
        assert herhaald < 4, f"Shift+Tab blijft hangen op {actief['label']!r} ({page.url})"
        assert actief["index"] <= vorige, (
            f"Shift+Tab springt vooruit naar {actief['label']!r} ({page.url})"
        )
        vorige, laatste = actief["index"], actief
