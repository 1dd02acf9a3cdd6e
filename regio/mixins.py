"""The one way views, API viewsets and the admin reach scoped data.

Each mixin takes its rows from ``Model.objects.visible_to(user, capability)`` (regio.query), so a
detail outside the user's scope answers 404, and writes the audit log through regio.audit: one
row per request for reads of personal data (listing the objects shown) and one per change.
``tests/test_url_scoping.py`` walks every URL and fails on a view that reaches a scoped model
without these mixins.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.views.generic.edit import BaseDeleteView
from rest_framework import permissions
from rest_framework.exceptions import ValidationError

from regio import audit
from regio.query import ScopedQuerySet


def is_scoped_model(model) -> bool:
    return isinstance(model._default_manager.all(), ScopedQuerySet)


def reads_personal_data(model) -> bool:
    return getattr(model, "audit_reads", False)


def unscoped(reason: str):
    """Mark a view that touches no scoped model, with the reason (checked by the URL walk)."""

    def mark(view):
        view.unscoped_reason = reason
        return view

    return mark


class ScopedViewMixin(LoginRequiredMixin):
    """For Django class-based views over a scoped model: list, detail, update, download."""

    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not self.capability:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a capability.")
        if request.user.is_authenticated and not self.may_enter(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_enter(self, user) -> bool:
        # Lists need the capability somewhere; a single object may also come from a grant.
        return user.has_perm(self.capability) or "pk" in self.kwargs or "slug" in self.kwargs

    def get_queryset(self):
        model = self.model or self.queryset.model
        return model._default_manager.visible_to(self.request.user, self.capability)

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            model = self.model or self.get_queryset().model
            if reads_personal_data(model):
                # A refused look at a dossier is as much the privacy officer's business.
                audit.record(
                    "view",
                    object_type=audit.object_label(model),
                    object_ids=[self.kwargs.get(self.pk_url_kwarg) or self.kwargs.get("slug")],
                    resultaat="denied",
                    request=self.request,
                )
            raise

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.model or self.get_queryset().model
        if reads_personal_data(model):
            shown = context.get("object_list")
            if shown is None and context.get("object") is not None:
                shown = [context["object"]]
            if shown is not None:
                audit.record(
                    "view",
                    objects=list(shown),
                    object_type=audit.object_label(model),
                    request=self.request,
                )
        return context

    def form_valid(self, form):
        # Create/update/delete views: every change is audited.
        if isinstance(self, BaseDeleteView):
            audit.record("delete", objects=[self.object], request=self.request)
            return super().form_valid(form)
        creating = getattr(self, "object", None) is None
        response = super().form_valid(form)
        if getattr(self, "object", None) is not None:
            audit.record(
                "create" if creating else "change", objects=[self.object], request=self.request
            )
        return response


class CapabilityPermission(permissions.BasePermission):
    """DRF: the viewset's capability for this action must be held somewhere."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if view.action in {"retrieve"}:
            return True  # the scoped queryset decides (404 outside scope)
        return request.user.has_perm(view.get_capability())


class ScopedViewSetMixin:
    """For DRF viewsets over a scoped model. ``capabilities`` maps action → capability."""

    capabilities: dict[str, str] = {}
    permission_classes = [CapabilityPermission]
    # Query parameters the endpoint understands; any other answers 400 (a typo in a filter
    # must not silently return everything).
    query_params: frozenset[str] = frozenset({"page"})

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - self.query_params)
        if unknown:
            raise ValidationError({name: "Onbekende parameter." for name in unknown})

    def get_capability(self) -> str:
        action = getattr(self, "action", None) or "list"
        try:
            return self.capabilities.get(action) or self.capabilities["default"]
        except KeyError as exc:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: no capability for {action}"
            ) from exc

    def get_queryset(self):
        model = self.queryset.model
        return model._default_manager.visible_to(self.request.user, self.get_capability())

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._audit_shown = list(page) if page is not None else list(queryset)
        return page

    def get_object(self):
        obj = super().get_object()
        self._audit_shown = [obj]
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        shown = getattr(self, "_audit_shown", None)
        model = self.queryset.model
        if shown is not None and reads_personal_data(model) and response.status_code < 400:
            audit.record(
                "view", objects=shown, object_type=audit.object_label(model), request=request
            )
        return response

    def perform_create(self, serializer):
        super().perform_create(serializer)
        audit.record("create", objects=[serializer.instance], request=self.request)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        audit.record("change", objects=[serializer.instance], request=self.request)

    def perform_destroy(self, instance):
        audit.record("delete", objects=[instance], request=self.request)
        super().perform_destroy(instance)


class ScopedAdminMixin:
    """For ModelAdmins of scoped models: rows and permissions per capability, changes audited."""

    def capability(self, action: str) -> str:
        meta = self.model._meta
        return f"{meta.app_label}.{action}_{meta.model_name}"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user, self.capability("view"))

    def get_list_filter(self, request):
        # Django's filter on a relation lists every related row (every regio of the country);
        # offer only the values present in the rows this user may see.
        from django.contrib.admin import RelatedOnlyFieldListFilter
        from django.contrib.admin.utils import get_fields_from_path

        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A beheerder can only link to gemeenten, regio's, ... inside their own scope.
        related = db_field.remote_field.model
        if is_scoped_model(related) and "queryset" not in kwargs:
            meta = related._meta
            kwargs["queryset"] = related._default_manager.visible_to(
                request.user, f"{meta.app_label}.view_{meta.model_name}"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        """Inlines: Django's tabular inline shows a column header, no label per field. Each field
        (and the delete box) gets its label as ``aria-label``, so a screen reader names it
        (WCAG 1.3.1, 4.1.2). Only inlines have formsets; a ModelAdmin never calls this."""
        formset = super().get_formset(request, obj, **kwargs)

        class MetLabels(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    # A relation's select sits inside the admin's RelatedFieldWidgetWrapper.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", str(field.label or name))

        return MetLabels

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if (
            reads_personal_data(self.model)
            and request.method == "GET"
            and response.status_code == 200
        ):
            audit.record("view", object_type=audit.object_label(self.model), object_ids=[object_id])
        return response

    def log_addition(self, request, obj, message):
        audit.record("create", objects=[obj], request=request)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record("change", objects=[obj], request=request)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        audit.record("delete", objects=list(queryset), request=request)
        return super().log_deletions(request, queryset)


class SuperuserOnlyAdminMixin:
    """For ModelAdmins of global, unscoped tables (roles, schedules): technical beheer only."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_delete_permission = has_change_permission


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "regiozorg — functioneel beheer"
admin.site.site_title = "regiozorg beheer"
admin.site.index_title = "Beheer"
