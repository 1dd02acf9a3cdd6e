"""The privacy officer's screens over the audit log (BIO 8.15, AVG): the logins of the staff of
their gemeenten, and what the client screens (``toegang.privacy.audit_views``: "who looked at this
client?") share with it: the period filter and how an audit row reads."""

from __future__ import annotations

import datetime

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.views.generic import ListView

from regio import audit
from regio.exports import FORMATS, export_response
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import AuditEntry

CAPABILITY = "regio.view_auditentry"
DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    van = forms.DateField(label="Van", required=False, widget=DATUM)
    tot = forms.DateField(label="Tot en met", required=False, widget=DATUM)
    actie = forms.ChoiceField(
        label="Actie", required=False, choices=[("", "Alle acties"), *AuditEntry.Actie.choices]
    )
    q = forms.CharField(label="Gebruiker", required=False, max_length=150)
    acties = None  # all

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.acties is not None:
            self.fields["actie"].choices = [
                ("", "Alle acties"),
                *((a, label) for a, label in AuditEntry.Actie.choices if a in self.acties),
            ]

    def clean(self):
        data = super().clean()
        if data.get("van") and data.get("tot") and data["van"] > data["tot"]:
            self.add_error("tot", "De einddatum ligt vóór de begindatum.")
        return data


def object_soort(label: str) -> str:
    """An object type in Dutch: the model's verbose name ("dossier", "beschikking")."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def lokaal(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


class InlogFilterForm(FilterForm):
    acties = ("login", "login_failed", "logout")


class PeriodeFilterMixin:
    filter_form_class = FilterForm

    def filter_form(self):
        if not hasattr(self, "_filter_form"):
            self._filter_form = self.filter_form_class(self.request.GET)
            self._filter_form.is_valid()
        return self._filter_form

    def filter_queryset(self, queryset):
        form = self.filter_form()
        f = form.cleaned_data
        if f.get("van"):
            start = datetime.datetime.combine(f["van"], datetime.time.min)
            queryset = queryset.filter(tijdstip__gte=timezone.make_aware(start))
        if f.get("tot") and "tot" not in form.errors:
            einde = datetime.datetime.combine(
                f["tot"] + datetime.timedelta(days=1), datetime.time.min
            )
            queryset = queryset.filter(tijdstip__lt=timezone.make_aware(einde))
        if f.get("actie"):
            queryset = queryset.filter(actie=f["actie"])
        return queryset

    def get_queryset(self):
        # Newest first, then the latest id within the same moment.
        ordering = self.ordering_for(self.request.GET.get("sort", ""))
        return super().get_queryset().order_by(ordering, "-pk")


class _InlogRegels:
    """Logins, logouts and failed logins of the users who hold a role inside the officer's
    gemeenten (``User.objects.visible_to``). A failed login names no user, only what was typed:
    it is shown when that is the username of such a user. Attempts on unknown usernames belong
    to no gemeente and are left to technical beheer."""

    def get_queryset(self):
        users = get_user_model().objects.visible_to(self.request.user, CAPABILITY)
        return (
            AuditEntry.objects.filter(actie__in=InlogFilterForm.acties)
            .alias(gebruikersnaam=KT("toelichting__gebruikersnaam"), actor_naam=audit.actor_naam())
            .filter(
                Q(actor_id__in=users.values("pk"))
                | Q(actor_id__isnull=True, gebruikersnaam__in=users.values("username"))
            )
        )


INLOG_COLUMNS = [
    ("Tijdstip", lambda r: lokaal(r.tijdstip)),
    ("Gebruiker", lambda r: r.door),
    ("Actie", lambda r: r.get_actie_display()),
    ("Resultaat", lambda r: r.get_resultaat_display()),
    ("Herkomst (IP)", lambda r: r.herkomst or ""),
]


class InlogpogingenView(
    PeriodeFilterMixin, SearchSortMixin, _InlogRegels, ScopedViewMixin, ListView
):
    """Logins and failed logins of the staff of the officer's gemeenten, over a period."""

    capability = CAPABILITY
    template_name = "regio/audit/inloggen.html"
    paginate_by = 50
    filter_form_class = InlogFilterForm
    search_fields = ("actor_naam__icontains", "actor__icontains", "gebruikersnaam__icontains")
    sortable = {"tijdstip": "tijdstip", "actie": "actie"}
    default_sort = "-tijdstip"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return export_response(
                fmt,
                "auditlog-inloggen",
                [header for header, _ in INLOG_COLUMNS],
                (
                    [column(r) for _, column in INLOG_COLUMNS]
                    for r in audit.met_namen(self.get_queryset(), getypt=True)
                ),
                request=request,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = audit.met_namen(context["object_list"], getypt=True)
        context["object_list"] = shown
        audit.record(
            "view", object_type="regio.auditentry", object_ids=[r.pk for r in shown],
            toelichting={"auditlog": "inloggen"},
        )  # fmt: skip
        context["filter_form"] = self.filter_form()
        context["mislukt"] = self.get_queryset().filter(actie="login_failed").count()
        return context
