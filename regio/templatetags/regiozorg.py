from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html

from regio.aggregates import suppress
from regio.charts import bar_chart as render_bar_chart
from regio.iwmo import omschrijving

register = template.Library()


@register.simple_tag
def bar_chart(chart):
    """Render a chart dict {categories, series, title, unit, lines} as inline SVG."""
    return render_bar_chart(
        chart["categories"],
        chart["series"],
        title=chart["title"],
        unit=chart.get("unit", ""),
        lines=chart.get("lines", ()),
    )


@register.filter
def onderdrukt(count):
    """Small-cell suppression for client counts shown to roles without dossier access."""
    return suppress(count)


@register.filter
def euro(amount):
    """Money as the users read it: € 41.600.000,00 (Dutch separators), in a span the style
    sheets keep on one line (``.euro { white-space: nowrap }``); empty stays empty."""
    if amount is None or amount == "":
        return ""
    return format_html('<span class="euro">€ {}</span>', floatformat(amount, "2g"))


@register.filter
def iwmo(code, lijst):
    """A code as its name, the code after it for who works with codes:
    ``{{ t.reden_wijziging|iwmo:"WMO002" }}`` → "Verlenging (04)". Empty: a dash."""
    if not code:
        return "—"
    naam = omschrijving(lijst, code)
    if naam == code:
        return code
    return format_html('{} <span class="muted">({})</span>', naam, code)


@register.filter
def persoon(user):
    """A person as colleagues know them: the full name (never the username); empty: a dash."""
    if user is None or user == "":
        return "—"
    return getattr(user, "naam", str(user))
