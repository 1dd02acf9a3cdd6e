"""``{% url %}`` in every template (a builtin, config/settings/base.py), the same tag as Django's
but without a full ``reverse()`` per row.

Django's tag reverses on every call, about a tenth of a millisecond here: a list of 50 rows
with a link per row spends more on its links than on its query. Most links take whole numbers
(``{% url 'toegang:melding-detail' m.pk %}``), so the URL of a view name is the same text with
other numbers in it. This tag reverses once per view name (and argument names, current app,
script prefix and URLconf) with marker numbers, keeps the text around them and fills in the
numbers after that. The shape is checked when it is made: reversing with other numbers (one
digit) must give the same text as filling them in, else the view name keeps the full reverse
(a route that takes only some numbers, or two routes under one name). Anything that is not a
whole number from 0 up (a slug, a string, None, -1) goes through Django's ``reverse()`` as
before, as do the errors: an unknown view name raises NoReverseMatch the same way.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

MARKER = 7_306_049_100  # far above any id; its digits occur nowhere else in a URL
CONTROLE = 3  # the check: the same view name reversed with small numbers


def _vul(delen: tuple, waarden: list[int]) -> str:
    """The URL text from its literal parts and the numbers in between (``delen`` alternates
    literal text and the position of a value)."""
    return "".join(deel if isinstance(deel, str) else str(waarden[deel]) for deel in delen)


def _reverse(view_name, aantal, namen, current_app, urlconf, waarden) -> str:
    return reverse(
        view_name,
        args=waarden[:aantal],
        kwargs=dict(zip(namen, waarden[aantal:], strict=True)),
        current_app=current_app,
        urlconf=urlconf,
    )


@functools.lru_cache(maxsize=4096)
def vorm(view_name: str, aantal: int, namen: tuple, current_app, prefix: str, urlconf):
    """The URL of ``view_name`` with ``aantal`` numbers as positional and ``namen`` as keyword
    arguments, as literal parts with the values' positions between them; None when that
    shape does not hold (see the module's docstring). ``prefix`` keys the cache only:
    ``reverse()`` reads the script prefix itself."""
    n = aantal + len(namen)
    markers = [MARKER + i for i in range(n)]
    try:
        url = _reverse(view_name, aantal, namen, current_app, urlconf, markers)
    except NoReverseMatch:
        return None
    plekken = []
    for i, marker in enumerate(markers):
        tekst = str(marker)
        if url.count(tekst) != 1:
            return None
        plekken.append((url.index(tekst), len(tekst), i))
    delen, begin = [], 0
    for plek, lengte, i in sorted(plekken):
        delen += [url[begin:plek], i]
        begin = plek + lengte
    delen.append(url[begin:])
    delen = tuple(delen)
    controle = [CONTROLE + i for i in range(n)]
    try:
        if _reverse(view_name, aantal, namen, current_app, urlconf, controle) != _vul(
            delen, controle
        ):
            return None
    except NoReverseMatch:
        return None
    return delen


class URLNode(defaulttags.URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        waarden = [*args, *kwargs.values()]
        delen = None
        if all(type(w) is int and w >= 0 for w in waarden):
            delen = vorm(
                view_name, len(args), tuple(kwargs), current_app, get_script_prefix(),
                get_urlconf() or settings.ROOT_URLCONF,  # outside a request too (a test's own)
            )  # fmt: skip
        if delen is not None:
            url = _vul(delen, waarden)
        else:  # as Django's tag: without ``as``, an unknown view name is an error
            url = ""
            try:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same syntax, same result), faster for whole-number arguments."""
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
