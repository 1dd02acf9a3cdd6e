"""The privacy officer's screen over the audit log (BIO 8.15, AVG): "who looked at this client?"

The officer finds a client by BSN (a POST form: a BSN never travels in a URL) or by dossier
number, among the clients of their own gemeenten only (``visible_to``; anything else is "niet
gevonden", whether or not the person exists elsewhere), and lands on a page addressed by the
client's pseudonymous key with every audit row that lists that key, newest first, filtered by
period, action and user, downloadable as CSV or XLSX. Looking and downloading are audited too.
"""

from __future__ import annotations

import datetime

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.fields.json import KT
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from regio import audit
from regio.exports import FORMATS, export_response
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import AuditEntry
from toegang.dossiers.forms import BsnField
from toegang.models import Dossier, Persoon, bsn_hash

CAPABILITY = "regio.view_auditentry"
DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NIET_GEVONDEN = (
    "Niet gevonden: er is geen cliënt met dit {wat} binnen uw gemeente(n). Een cliënt van een "
    "andere gemeente zoekt de privacyfunctionaris van die gemeente op."
)


class BsnForm(forms.Form):
    bsn = BsnField(help_text="Negen cijfers; een voorloopnul hoort erbij.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "bsn_%s")
        super().__init__(*args, **kwargs)


class DossierForm(forms.Form):
    dossier = forms.IntegerField(label="Dossiernummer", min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "dossier_%s")
        super().__init__(*args, **kwargs)


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


def zichtbare_dossiers(user):
    return Dossier.objects.visible_to(user, CAPABILITY)


class AuditZoekView(ScopedViewMixin, TemplateView):
    """Find the client whose audit trail the officer wants to see."""

    model = Dossier
    capability = CAPABILITY
    template_name = "regio/audit/zoek.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(bsn_form=BsnForm(), dossier_form=DossierForm())
        )

    def post(self, request, *args, **kwargs):
        bsn_form, dossier_form = BsnForm(), DossierForm()
        client_id = None
        if "bsn" in request.POST:
            bsn_form = BsnForm(request.POST)
            if bsn_form.is_valid():
                client_id = self.op_bsn(bsn_form)
        else:
            dossier_form = DossierForm(request.POST)
            if dossier_form.is_valid():
                client_id = self.op_dossier(dossier_form)
        if client_id is not None:
            return HttpResponseRedirect(reverse("audit:client", args=[client_id]))
        return self.render_to_response(
            self.get_context_data(bsn_form=bsn_form, dossier_form=dossier_form)
        )

    def op_bsn(self, form):
        user = self.request.user
        hashed = bsn_hash(form.cleaned_data["bsn"])
        persoon = Persoon.objects.visible_to(user, CAPABILITY).filter(bsn_hash=hashed).first()
        if persoon is not None:
            audit.record("view", objects=[persoon], toelichting={"zoeken": "bsn", "doel": "audit"})
            return persoon.pk
        # The same answer whether the person is unknown or someone else's; the officer of that
        # other gemeente does see that this search was made.
        elders = Persoon.objects.filter(bsn_hash=hashed).values_list("pk", flat=True).first()
        audit.record(
            "view", object_type="toegang.persoon", object_ids=[elders] if elders else [],
            resultaat="denied" if elders else "ok",
            toelichting={"zoeken": "bsn", "doel": "audit", "uitkomst": "niet gevonden"},
        )  # fmt: skip
        form.add_error("bsn", NIET_GEVONDEN.format(wat="BSN"))
        return None

    def op_dossier(self, form):
        nummer = form.cleaned_data["dossier"]
        dossier = zichtbare_dossiers(self.request.user).filter(pk=nummer).first()
        if dossier is not None:
            audit.record(
                "view", objects=[dossier], toelichting={"zoeken": "dossier", "doel": "audit"}
            )
            return dossier.client_id
        audit.record(
            "view", object_type="toegang.dossier", object_ids=[nummer], resultaat="denied",
            toelichting={"zoeken": "dossier", "doel": "audit", "uitkomst": "niet gevonden"},
        )  # fmt: skip
        form.add_error("dossier", NIET_GEVONDEN.format(wat="dossiernummer"))
        return None


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


EXPORT_COLUMNS = [
    ("Tijdstip", lambda r: lokaal(r.tijdstip)),
    ("Gebruiker", lambda r: r.actor or "(onbekend)"),
    ("Actie", lambda r: r.get_actie_display()),
    ("Soort object", lambda r: object_soort(r.object_type)),
    ("Objecten", lambda r: ", ".join(r.object_ids)),
    ("Resultaat", lambda r: r.get_resultaat_display()),
    ("Herkomst (IP)", lambda r: r.herkomst or ""),
    ("Pad", lambda r: r.pad),
]


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


class _AuditRegels:
    """The audit rows of one client, once the client is known to be the officer's."""

    def get_queryset(self):
        return AuditEntry.objects.filter(client_ids__contains=[self.client_id])


class AuditClientView(PeriodeFilterMixin, SearchSortMixin, _AuditRegels, ScopedViewMixin, ListView):
    """Wie heeft dit dossier ingezien? Every audit row that names the client, newest first."""

    capability = CAPABILITY
    template_name = "regio/audit/client.html"
    paginate_by = 50
    search_fields = ("actor__icontains",)
    sortable = {"tijdstip": "tijdstip", "gebruiker": "actor", "actie": "actie"}
    default_sort = "-tijdstip"

    def dispatch(self, request, *args, **kwargs):
        self.client_id = kwargs["client"]
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.dossiers = list(
            zichtbare_dossiers(request.user)
            .filter(client_id=self.client_id)
            .select_related("verantwoordelijke_gemeente", "client__persoon")
            .order_by("pk")
        )
        if not self.dossiers:
            audit.record(
                "view", object_type="regio.auditentry", client_ids=[self.client_id],
                resultaat="denied", toelichting={"auditlog": "cliënt"},
            )  # fmt: skip
            raise Http404("Niet gevonden.")
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return self.export(fmt)
        return super().get(request, *args, **kwargs)

    def export(self, fmt):
        rows = list(self.get_queryset())
        with audit.voor_clienten([self.client_id]):
            return export_response(
                fmt,
                "auditlog-client",
                [header for header, _ in EXPORT_COLUMNS],
                ([column(r) for _, column in EXPORT_COLUMNS] for r in rows),
                request=self.request,
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = list(context["object_list"])
        for row in shown:
            row.soort = object_soort(row.object_type)
        audit.record(
            "view", object_type="regio.auditentry", object_ids=[r.pk for r in shown],
            client_ids=[self.client_id], toelichting={"auditlog": "cliënt"},
        )  # fmt: skip
        persoon = getattr(self.dossiers[0].client, "persoon", None)
        context.update(
            filter_form=self.filter_form(),
            dossiers=self.dossiers,
            persoon=persoon,
            client_id=self.client_id,
        )
        return context


class _InlogRegels:
    """Logins, logouts and failed logins of the users who hold a role inside the officer's
    gemeenten (``User.objects.visible_to``). A failed login names no user, only what was typed:
    it is shown when that is the username of such a user. Attempts on unknown usernames belong
    to no gemeente and are left to technical beheer."""

    def get_queryset(self):
        users = get_user_model().objects.visible_to(self.request.user, CAPABILITY)
        return (
            AuditEntry.objects.filter(actie__in=InlogFilterForm.acties)
            .alias(gebruikersnaam=KT("toelichting__gebruikersnaam"))
            .filter(
                Q(actor_id__in=users.values("pk"))
                | Q(actor_id__isnull=True, gebruikersnaam__in=users.values("username"))
            )
        )


INLOG_COLUMNS = [
    ("Tijdstip", lambda r: lokaal(r.tijdstip)),
    ("Gebruiker", lambda r: r.actor or r.toelichting.get("gebruikersnaam", "")),
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
    search_fields = ("actor__icontains", "gebruikersnaam__icontains")
    sortable = {"tijdstip": "tijdstip", "actie": "actie"}
    default_sort = "-tijdstip"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return export_response(
                fmt,
                "auditlog-inloggen",
                [header for header, _ in INLOG_COLUMNS],
                ([column(r) for _, column in INLOG_COLUMNS] for r in self.get_queryset()),
                request=request,
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = list(context["object_list"])
        for row in shown:
            row.gebruiker = row.actor or row.toelichting.get("gebruikersnaam", "")
        audit.record(
            "view", object_type="regio.auditentry", object_ids=[r.pk for r in shown],
            toelichting={"auditlog": "inloggen"},
        )  # fmt: skip
        context["filter_form"] = self.filter_form()
        context["mislukt"] = self.get_queryset().filter(actie="login_failed").count()
        return context
