"""The privacy officer's screen over the audit log (BIO 8.15, AVG): "who looked at this client?"

The officer finds a client by BSN (a POST form: a BSN never travels in a URL) or by dossier
number, among the clients of their own gemeenten only (``visible_to``; anything else is "niet
gevonden", whether or not the person exists elsewhere), and lands on a page addressed by the
client's pseudonymous key with every audit row that lists that key, newest first, filtered by
period, action and user, downloadable as CSV or XLSX. Looking and downloading are audited too.
The login screen and what both share live in ``regio.audit_views``.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import ListView, TemplateView

from regio import audit
from regio.audit_views import CAPABILITY, PeriodeFilterMixin, lokaal, object_soort
from regio.exports import FORMATS, export_response
from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin
from regio.models import AuditEntry
from toegang.dossiers.forms import BsnField
from toegang.models import Dossier, Persoon, bsn_hash

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


def zichtbare_dossiers(user):
    return Dossier.objects.visible_to(user, CAPABILITY)


class AuditZoekView(ScopedViewMixin, TemplateView):
    """Find the client whose audit trail the officer wants to see."""

    model = Dossier
    capability = CAPABILITY
    template_name = "toegang/privacy/audit_zoek.html"

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


EXPORT_COLUMNS = [
    ("Tijdstip", lambda r: lokaal(r.tijdstip)),
    ("Gebruiker", lambda r: r.door or "(onbekend)"),
    ("Actie", lambda r: r.get_actie_display()),
    ("Soort object", lambda r: object_soort(r.object_type)),
    ("Objecten", lambda r: ", ".join(r.object_ids)),
    ("Resultaat", lambda r: r.get_resultaat_display()),
    ("Herkomst (IP)", lambda r: r.herkomst or ""),
    ("Pad", lambda r: r.pad),
]


class _AuditRegels:
    """The audit rows of one client, once the client is known to be the officer's."""

    def get_queryset(self):
        return AuditEntry.objects.filter(client_ids__contains=[self.client_id]).alias(
            actor_naam=audit.actor_naam()
        )


class AuditClientView(PeriodeFilterMixin, SearchSortMixin, _AuditRegels, ScopedViewMixin, ListView):
    """Wie heeft dit dossier ingezien? Every audit row that names the client, newest first."""

    capability = CAPABILITY
    template_name = "toegang/privacy/audit_client.html"
    paginate_by = 50
    search_fields = ("actor_naam__icontains", "actor__icontains")
    sortable = {"tijdstip": "tijdstip", "gebruiker": "actor_naam", "actie": "actie"}
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
        rows = audit.met_namen(self.get_queryset())
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
        shown = audit.met_namen(context["object_list"])
        context["object_list"] = shown
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
