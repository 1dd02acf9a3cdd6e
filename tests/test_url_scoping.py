"""Walks every URL pattern of the project and fails on a view that can reach a scoped model
without the scoping layer's mixins, or that nobody classified. A new view must either use
ScopedViewMixin / ScopedViewSetMixin / ScopedAdminMixin, or say why it touches no scoped data
(``unscoped_reason``, the ``@unscoped`` decorator)."""

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView

from regio.mixins import (
    ScopedAdminMixin,
    ScopedViewMixin,
    ScopedViewSetMixin,
    SuperuserOnlyAdminMixin,
    is_scoped_model,
)

# Django's own account views: they show only the logged-in user's own account.
ACCOUNT_VIEWS = (
    auth_views.LoginView,
    auth_views.LogoutView,
    auth_views.PasswordChangeView,
    auth_views.PasswordChangeDoneView,
    RedirectView,
)


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def models_of(view_class):
    found = []
    for attr in ("model", "queryset"):
        value = getattr(view_class, attr, None)
        if value is None:
            continue
        found.append(value if isinstance(value, type) else value.model)
    return found


def classify(route, callback):
    """Returns None when fine, else the reason this route fails."""
    owner = getattr(callback, "__self__", None) or getattr(
        getattr(callback, "__wrapped__", None), "__self__", None
    )
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is None and isinstance(owner, admin.ModelAdmin):
        model_admin = owner
    if model_admin is not None:
        scoped = is_scoped_model(model_admin.model)
        if scoped and not isinstance(model_admin, ScopedAdminMixin):
            return f"admin of scoped {model_admin.model.__name__} lacks ScopedAdminMixin"
        if not scoped and not isinstance(model_admin, SuperuserOnlyAdminMixin):
            return f"admin of unscoped {model_admin.model.__name__} must be superuser-only"
        for inline in model_admin.inlines:
            if is_scoped_model(inline.model) and not issubclass(inline, ScopedAdminMixin):
                return f"inline {inline.__name__} of scoped {inline.model.__name__} lacks the mixin"
        return None
    if isinstance(getattr(callback, "admin_site", None), AdminSite) or isinstance(owner, AdminSite):
        return None  # admin index, login, autocomplete: they go through the ModelAdmins
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        if issubclass(view_class, ScopedViewMixin | ScopedViewSetMixin):
            if not all(is_scoped_model(m) for m in models_of(view_class)):
                return f"{view_class.__name__} uses the scoping mixin on an unscoped model"
            return None
        scoped = [m.__name__ for m in models_of(view_class) if is_scoped_model(m)]
        if scoped:
            return f"{view_class.__name__} reaches scoped {scoped} without the scoping mixin"
        if issubclass(view_class, ACCOUNT_VIEWS) or getattr(view_class, "unscoped_reason", ""):
            return None
        return f"{view_class.__name__} is not classified (scoping mixin or unscoped_reason)"
    if getattr(callback, "unscoped_reason", ""):
        return None
    return f"function view {callback.__module__}.{callback.__name__} is not classified"


def test_every_url_is_scoped_or_classified():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 30, "the walk found too few URL patterns"
    failures = [f"{route}: {why}" for route, cb in routes if (why := classify(route, cb))]
    assert not failures, "\n".join(failures)


def test_walk_catches_an_unscoped_view_of_a_scoped_model():
    from django.views.generic import ListView

    from toegang.models import Dossier

    class Leaky(ListView):
        model = Dossier

    assert "without the scoping mixin" in classify("x", Leaky.as_view())

    class Unclassified(RedirectView.__base__):
        pass

    assert "not classified" in classify("y", Unclassified.as_view())

    def plain(request):
        return None

    assert "not classified" in classify("z", plain)


def test_every_scoped_model_admin_uses_the_mixin():
    for model, model_admin in admin.site._registry.items():
        if is_scoped_model(model):
            assert isinstance(model_admin, ScopedAdminMixin), model.__name__
