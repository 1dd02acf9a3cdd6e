"""Uploading the finance imports (financien.imports, format in financien/IMPORT.md): realised
costs (pgb, handmatig) and the conversie of the existing caseload. A file with any error is
refused whole and every error is shown with its row and column; nothing is written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views.generic import FormView

from financien.imports.conversie import importeer_conversie
from financien.imports.kostenregels import importeer_kostenregels
from financien.views.common import mag_regio
from regio.mixins import ScopedViewMixin
from regio.models import Regio

CAPABILITY = "financien.add_kostenregel"
SOORTEN = {
    "kostenregels": ("Gerealiseerde kosten (pgb, handmatig)", importeer_kostenregels),
    "conversie": ("Bestaand cliëntenbestand bij de peildatum (conversie)", importeer_conversie),
}


class ImportForm(forms.Form):
    soort = forms.ChoiceField(
        label="Wat importeert u?", choices=[(k, label) for k, (label, _) in SOORTEN.items()]
    )
    bestand = forms.FileField(
        label="Bestand (CSV of XLSX)",
        help_text="Kolommen en voorbeelden: zie de importhandleiding. Een bestand met een fout "
        "wordt in zijn geheel geweigerd.",
        error_messages={"required": "Kies een bestand."},
    )


class ImportView(ScopedViewMixin, FormView):
    """Upload for one regio; only a regio-wide finance role (404 outside the scope, 403 for a
    gemeente's role)."""

    model = Regio
    capability = CAPABILITY
    form_class = ImportForm
    template_name = "financien/import.html"

    def regio(self) -> Regio:
        if not hasattr(self, "_regio"):
            self._regio = get_object_or_404(
                Regio.objects.visible_to(self.request.user, CAPABILITY), code=self.kwargs["regio"]
            )
            if not mag_regio(self.request.user, CAPABILITY, self._regio):
                raise PermissionDenied("Alleen wie voor de hele regio werkt, importeert kosten.")
        return self._regio

    def get_initial(self):
        # A run's list of clients without a first BW start links here with ?soort=conversie.
        soort = self.request.GET.get("soort")
        return {"soort": soort} if soort in SOORTEN else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(regio=self.regio(), **kwargs)

    def form_valid(self, form):
        regio = self.regio()
        _, importeer = SOORTEN[form.cleaned_data["soort"]]
        bestand = form.cleaned_data["bestand"]
        resultaat = importeer(regio, bestand, bestand.name, user=self.request.user)
        if not resultaat.gelukt:
            return self.render_to_response(self.get_context_data(form=form, resultaat=resultaat))
        for regel in resultaat.samenvatting():
            messages.success(self.request, regel)
        return HttpResponseRedirect(reverse("financien:import", args=[regio.code]))


urlpatterns = [
    path("import/<slug:regio>/", ImportView.as_view(), name="import"),
]
