from django import template

from toegang.werkvoorraad import tabs

register = template.Library()


@register.simple_tag(takes_context=True)
def werkvoorraad_aantallen(context) -> dict:
    """The counts on the werkvoorraad tabs for the logged-in user (``tabs.aantallen``)."""
    return tabs.aantallen(context["request"].user)
