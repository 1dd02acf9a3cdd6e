"""The waiting-list report screen of the Centrale Toegang: choose a regio and month, start the
report job, and follow earlier reports (JobRuns of that kind, the monthly ones included) with
their progress and CSV/PDF downloads. Runs are read through the scoping layer with the report's
capability, so another regio's reports answer 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views.generic import DetailView, ListView

from regio.jobs import start_job
from regio.mixins import ScopedViewMixin
from regio.models import JobRun, Regio
from toegang.query import wachtlijst_regios
from toegang.wachtlijst import rapport as wachtlijstrapport
from toegang.wachtlijst.tasks import SOORT

CAPABILITY = wachtlijstrapport.CAPABILITY


class RapportForm(forms.Form):
    regio = forms.ModelChoiceField(
        queryset=Regio.objects.none(),
        label="Regio",
        empty_label=None,
        error_messages={"invalid_choice": "Kies een regio waarvan u de wachtlijst mag zien."},
    )
    maand = forms.CharField(
        label="Maand",
        help_text="De rapportmaand (JJJJ-MM); de trend toont de twaalf maanden tot en met deze.",
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "JJJJ-MM"}),
        error_messages={"required": "Kies een maand."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regio"].queryset = wachtlijst_regios(user, CAPABILITY)
        if not self.is_bound:
            vorige = wachtlijstrapport.plus_maanden(timezone.localdate().replace(day=1), -1)
            self.initial.setdefault("maand", f"{vorige:%Y-%m}")

    def clean_maand(self):
        try:
            maand = wachtlijstrapport.parse_maand(self.cleaned_data["maand"])
        except ValueError:
            raise forms.ValidationError(
                "Vul een maand in als JJJJ-MM, bijvoorbeeld 2025-03."
            ) from None
        if maand > timezone.localdate().replace(day=1):
            raise forms.ValidationError("Deze maand ligt in de toekomst.")
        if maand.year < 2000:
            raise forms.ValidationError("Kies een maand vanaf 2000.")
        return f"{maand:%Y-%m}"


class RapportRunsMixin(ScopedViewMixin):
    model = JobRun
    capability = CAPABILITY

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(soort=SOORT)
            .select_related("regio", "gestart_door")
            .prefetch_related("bestanden")
        )


class WachtlijstrapportView(RapportRunsMixin, ListView):
    """GET: the form and the earlier reports; POST: start a report job."""

    template_name = "toegang/wachtlijst/wachtlijstrapport.html"
    context_object_name = "runs"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", RapportForm(user=self.request.user))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = RapportForm(request.POST, user=request.user)
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(form=form), status=400)
        regio = form.cleaned_data["regio"]
        with transaction.atomic():
            run = start_job(
                SOORT,
                user=request.user,
                regio=regio,
                regio_id=regio.pk,
                maand=form.cleaned_data["maand"],
                maanden=12,
            )
        messages.success(request, "De wachtlijstrapportage wordt gemaakt.")
        return redirect("toegang:wachtlijstrapport-detail", pk=run.pk)


class WachtlijstrapportDetailView(RapportRunsMixin, DetailView):
    template_name = "toegang/wachtlijst/wachtlijstrapport_detail.html"
    context_object_name = "run"


urlpatterns = [
    path("wachtlijst/rapport/", WachtlijstrapportView.as_view(), name="wachtlijstrapport"),
    path(
        "wachtlijst/rapport/<int:pk>/",
        WachtlijstrapportDetailView.as_view(),
        name="wachtlijstrapport-detail",
    ),
]
