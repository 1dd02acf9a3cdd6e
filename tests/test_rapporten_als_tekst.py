"""Reports read as text (issue 18): charts of percentages run to at least 100% with the 70% and
100% lines drawn, euro amounts never wrap, wide tables scroll inside their box. (The
wachtlijstrapport's names instead of codes: tests/test_toegang_wachtlijstrapport.py.)"""

import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from regio.charts import bar_chart
from regio.templatetags.regiozorg import euro


def _aslabels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#333">([^<]*)</text>', svg)


def test_a_percentage_chart_runs_to_at_least_100_with_reference_lines():
    svg = bar_chart(["A", "B"], {"Besteed (%)": [12.0, 40.0]}, title="t", unit="%", lines=(70, 100))
    assert _aslabels(svg) == ["0%", "25%", "50%", "75%", "100%"]  # steps of 25
    lijnen = re.findall(r'<line class="chart-reference"[^>]*y1="([\d.]+)"', svg)
    assert len(lijnen) == 2 and float(lijnen[0]) > float(lijnen[1])  # 70% lies below 100%
    assert ">70%</text>" in svg and ">100%</text>" in svg


def test_a_percentage_chart_over_100_keeps_its_peak_rounded_up():
    svg = bar_chart(["A"], {"Besteed (%)": [137.0]}, title="t", unit="%")
    assert _aslabels(svg)[-1] == "150%"
    assert "chart-reference" not in svg


def test_a_chart_of_counts_keeps_its_own_scale():
    svg = bar_chart(["A"], {"Plaatsen": [8.0]}, title="t")
    assert _aslabels(svg)[-1] == "8"


def test_the_chart_tag_passes_the_lines():
    html = Template("{% load regiozorg %}{% bar_chart chart %}").render(
        Context({"chart": {"title": "t", "categories": ["A"], "series": {"x": [5]},
                           "unit": "%", "lines": (70, 100)}})
    )  # fmt: skip
    assert html.count('class="chart-reference"') == 2


def test_euro_amounts_never_wrap_and_wide_tables_scroll():
    assert euro(Decimal("-6765.57")) == '<span class="euro">€ -6.765,57</span>'
    assert euro(None) == ""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "regiozorg.css").read_text()
    assert re.search(r"\.euro \{[^}]*white-space: nowrap", css)
    # The box around a table scrolls (tests/test_tabellen_browser.py shows it in a browser).
    assert re.search(r"\.tabel-wrap \{[^}]*overflow-x: auto", css)
