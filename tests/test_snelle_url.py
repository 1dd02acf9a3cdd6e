"""``{% url %}`` (regio/templatetags/snelle_url.py) gives what Django's ``reverse()`` gives, for
every named route of the product, also when it takes a number without reversing per call."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.base import set_script_prefix

from regio.templatetags import snelle_url


def named_routes(patterns=None, namespaces=(), params=()):
    """(view name, the route's parameter names) of every named route, through namespaces."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        names = (*params, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            space = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from named_routes(pattern.url_patterns, space, names)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespaces, pattern.name)), names


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_every_named_route_with_numbers_as_reverse_gives_it():
    routes = sorted(set(named_routes()))
    assert len(routes) > 300
    fast = 0
    for name, params in routes:
        source = "{% url name " + " ".join(f"{p}=v" for p in params) + " %}"
        for value in (0, 7, 123456):
            try:
                expected = reverse(name, kwargs=dict.fromkeys(params, value))
            except NoReverseMatch:
                with pytest.raises(NoReverseMatch):
                    render(source, name=name, v=value)
                continue
            assert render(source, name=name, v=value) == expected, name
            if len(params) == 1:
                assert render("{% url name v %}", name=name, v=value) == expected, name
        if snelle_url.vorm(name, 0, tuple(params), None, "/", None) is not None:
            fast += 1
    # Nearly every route takes the fast way (the rest: str/slug routes with a shape that
    # a number does not fit, reversed as before).
    assert fast > 0.8 * len(routes), (fast, len(routes))


def test_a_row_link_fills_in_the_number_without_reversing(monkeypatch):
    source = "{% for pk in ids %}{% url 'toegang:melding-detail' pk %} {% endfor %}"
    expected = " ".join(reverse("toegang:melding-detail", args=[pk]) for pk in (1, 22, 333))
    render(source, ids=[9])  # the shape is made once
    calls = []
    monkeypatch.setattr(snelle_url, "reverse", lambda *a, **k: calls.append(a))
    assert render(source, ids=[1, 22, 333]).strip() == expected
    assert calls == []


def test_other_values_and_errors_behave_as_djangos_tag():
    # A string, a negative number, True: reversed as before (and refused where Django refuses).
    assert render("{% url 'regio:detail' 'utrecht' %}") == reverse("regio:detail", args=["utrecht"])
    with pytest.raises(NoReverseMatch):
        render("{% url 'toegang:melding-detail' -5 %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'toegang:melding-detail' ja %}", ja=True)
    with pytest.raises(NoReverseMatch):
        render("{% url 'bestaat-niet' 1 %}")
    assert render("{% url 'bestaat-niet' 1 as link %}[{{ link }}]") == "[]"
    assert render("{% url 'toegang:melding-detail' 4 as link %}<{{ link }}>") == (
        f"<{reverse('toegang:melding-detail', args=[4])}>"
    )
    with pytest.raises(TemplateSyntaxError):
        Template("{% url %}")


def test_the_script_prefix_is_part_of_the_shape():
    try:
        set_script_prefix("/regiozorg/")
        assert render("{% url 'toegang:melding-detail' 3 %}") == "/regiozorg/toegang/meldingen/3/"
    finally:
        set_script_prefix("/")
    assert render("{% url 'toegang:melding-detail' 3 %}") == "/toegang/meldingen/3/"


def test_another_urlconf_outside_a_request_gets_its_own_shape(settings):
    assert render("{% url 'toegang:melding-detail' 3 %}") == "/toegang/meldingen/3/"
    settings.ROOT_URLCONF = "tests.urls_eigen"
    assert render("{% url 'toegang:melding-detail' 3 %}") == "/eigen/meldingen/3/"
