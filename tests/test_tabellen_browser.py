"""A wide table on a narrow screen: it scrolls inside its own box, not the page, stays a real table
for screen readers, and a keyboard user can reach and scroll it (WCAG 1.4.10 reflow, 2.1.1)."""

import pytest

from tests.browser import login
from tests.factories import UserFactory, dossier_in, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRAP = "main .tabel-wrap"


def test_a_wide_table_scrolls_in_its_box_and_takes_the_focus(page, live_server, refdata):
    user = UserFactory(username="smal", first_name="Sam", last_name="Smal")
    grant(user, "consulent", gemeente="0342")
    dossier_in("0342", persoon__geslachtsnaam="Breedveld-Langeweg van Oosterhout")
    login(page, live_server, user.username)

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/toegang/dossiers/")
    wrap = page.locator(WRAP).first
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    # The page does not scroll sideways (the menu wraps); only the table's box does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Still a table (display:block on <table> made some screen readers drop its rows and columns).
    assert wrap.locator("table").evaluate("t => getComputedStyle(t).display") == "table"
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    assert "schuift horizontaal" in wrap.get_attribute("aria-label")

    wrap.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('main .tabel-wrap').scrollLeft > 0", timeout=5000
    )

    # On a wide screen the same table fits and stays out of the Tab order.
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_function(
        "() => !document.querySelector('main .tabel-wrap').hasAttribute('tabindex')", timeout=5000
    )
    assert wrap.get_attribute("role") is None
