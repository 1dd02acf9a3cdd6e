"""The verevening screens: per regio and year the runs (status, T, R, who started and who fixed
them), "Verevening berekenen" (a job with a progress page), a run's detail (regional figures,
the table per gemeente, a chart of D_g, the CSV and a PDF statement per gemeente) and
vaststellen by a second person.

Every finance role of the regio and of its member gemeenten sees a run and all its lines
(DOMAIN.md: the regional totals and every gemeente's settlement are shared). A gemeente's role
downloads only its own gemeente's statement (another gemeente's answers 404); starting and
fixing a run is for regio-wide roles only (403 for a gemeente's role, who can see the run)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.views.generic import DetailView, FormView
from django.views.generic.detail import SingleObjectMixin

from financien import runs
from financien.models import Vereveningsregel, Vereveningsrun
from financien.pdf import afrekening_pdf
from financien.verevening import STRATEGIEEN
from financien.verevening_tasks import SOORT
from financien.views.common import JaarMixin, mag_regio
from regio import audit
from regio.exports import FORMATS, export_response
from regio.forms import fouten_op_formulier
from regio.jobs import start_job
from regio.mixins import ScopedViewMixin
from regio.models import Gemeente, JobRun
from regio.query import scope_for

VIEW = "financien.view_vereveningsrun"
IMPORTEREN = "financien.add_kostenregel"
REGELS = "financien.view_vereveningsregel"


def afrekening_gemeenten(user, run) -> frozenset[int] | None:
    """The gemeenten whose statement ``user`` may download from ``run``: None means every
    gemeente (a role for the regio itself), else the gemeenten of the user's gemeente roles."""
    scope = scope_for(user, REGELS)
    if run.regio_id in scope.regio_ids:
        return None
    return scope.gemeente_ids


class RunsView(JaarMixin, DetailView):
    """GET: the runs of the regio and year, newest first; POST: start a run (a job)."""

    capability = VIEW
    template_name = "financien/runs.html"

    def get_context_data(self, **kwargs):
        p, user = self.parameters(), self.request.user
        alle = (
            Vereveningsrun.objects.visible_to(user, VIEW)
            .filter(regio=p.regio, jaar=p.jaar)
            .select_related("gestart_door", "vastgesteld_door", "vervangen_door")
            .order_by("-gestart_op", "-pk")
        )
        page = Paginator(alle, 20).get_page(self.request.GET.get("page"))
        lopend = (
            JobRun.objects.visible_to(user, VIEW)
            .filter(soort=SOORT, regio=p.regio, parameters__jaar=p.jaar)
            .exclude(status__in=[JobRun.Status.GEREED, JobRun.Status.MISLUKT])
            .order_by("-aangemaakt_op")
        )
        return super().get_context_data(
            runs=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            lopend=list(lopend[:5]),
            mag_starten=mag_regio(user, runs.START, p.regio),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        p = self.parameters()
        if not mag_regio(request.user, runs.START, p.regio):
            raise PermissionDenied("Alleen wie voor de hele regio werkt, start een verevening.")
        with transaction.atomic():
            job = start_job(
                SOORT, user=request.user, regio=p.regio, regio_id=p.regio_id, jaar=p.jaar
            )
        messages.success(request, f"De verevening {p.regio.naam} {p.jaar} wordt berekend.")
        return redirect("financien:voortgang", pk=job.pk)


class VoortgangMixin(ScopedViewMixin, SingleObjectMixin):
    model = JobRun
    capability = VIEW
    context_object_name = "job"

    def get_queryset(self):
        return super().get_queryset().filter(soort=SOORT).select_related("regio", "gestart_door")

    def run_van(self, job):
        return Vereveningsrun.objects.visible_to(self.request.user, VIEW).filter(job=job).first()


class VoortgangView(VoortgangMixin, DetailView):
    """The progress of a verevening job (static/js/jobprogress.js polls it); when done, the link
    to the run."""

    template_name = "financien/voortgang.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(run=self.run_van(self.object), **kwargs)


class VoortgangUitkomstView(VoortgangMixin, DetailView):
    """The run the job made, once it is there; until then back to the progress page."""

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        run = self.run_van(job)
        if run is not None:
            return redirect("financien:run", pk=run.pk)
        if job.status == JobRun.Status.MISLUKT:
            messages.error(request, f"De berekening is mislukt: {job.fout}")
        else:
            messages.warning(request, "De berekening is nog niet klaar.")
        return redirect("financien:voortgang", pk=job.pk)


class RunMixin(ScopedViewMixin, SingleObjectMixin):
    model = Vereveningsrun
    capability = VIEW
    context_object_name = "run"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("regio__centrumgemeente", "gestart_door", "vastgesteld_door",
                            "vervangen_door")
        )  # fmt: skip


def d_chart(uitkomst) -> dict:
    """D_g per gemeente in thousands of euros, as two series, since bar charts here start at zero:
    what a gemeente pays extra and what it gets back (both positive)."""
    return {
        "title": f"Verrekening per gemeente {uitkomst.jaar} (× € 1.000)",
        "categories": [r.naam for r in uitkomst.gemeenten],
        "series": {
            "Betaalt bij": [float(max(r.D_g, 0)) / 1000 for r in uitkomst.gemeenten],
            "Krijgt terug": [float(max(-r.D_g, 0)) / 1000 for r in uitkomst.gemeenten],
        },
    }


class RunDetailView(RunMixin, DetailView):
    template_name = "financien/run_detail.html"

    def get_context_data(self, **kwargs):
        run, user = self.object, self.request.user
        # Every line the user may see (all of them, for the regio's and its gemeenten's roles).
        zichtbaar = set(
            Vereveningsregel.objects.visible_to(user, REGELS)
            .filter(run=run)
            .values_list("gemeente__code", flat=True)
        )
        uitkomst = runs.verevening_van(run)
        regels = [r for r in uitkomst.gemeenten if r.code in zichtbaar]
        pdf_voor = afrekening_gemeenten(user, run)
        gemeenten = dict(Gemeente.objects.filter(code__in=zichtbaar).values_list("code", "pk"))
        pdf_codes = {code for code, pk in gemeenten.items() if pdf_voor is None or pk in pdf_voor}
        return super().get_context_data(
            uitkomst=uitkomst,
            regels=[
                {
                    "r": r,
                    "s_procent": r.s_g * 100,
                    "u_procent": r.u_g * 100,
                    "pdf": r.code in pdf_codes,
                }
                for r in regels
            ],
            strategie=STRATEGIEEN.get(run.strategie),
            chart=d_chart(uitkomst),
            # The button only where the service would accept; a colleague who may fix runs
            # of the regio reads why not (the starter: four eyes; a run that must be redone).
            vaststel_weigering=runs.weigering_vaststellen(run, user),
            kan_vaststellen_elders=run.status == Vereveningsrun.Status.CONCEPT
            and mag_regio(user, runs.VASTSTELLEN, run.regio),
            zonder_start=runs.zonder_eerste_start(run),
            mag_importeren=mag_regio(user, IMPORTEREN, run.regio),
            **kwargs,
        )


class RunCsvView(RunMixin, DetailView):
    """The run as CSV (Dutch Excel) or, with ``?export=xlsx``, as XLSX (regio.exports)."""

    def get(self, request, *args, **kwargs):
        run = self.get_object()
        fmt = request.GET.get("export", "csv")
        if fmt not in FORMATS:
            raise Http404
        koppen, rijen = runs.als_tabel(run)
        return export_response(
            fmt,
            f"verevening-{run.regio.code}-{run.jaar}-run{run.pk}",
            koppen,
            rijen,
            request=request,
            objects=[run],
            datum_in_naam=False,
        )


class AfrekeningPdfView(RunMixin, DetailView):
    """The statement of one gemeente; a gemeente's role gets only its own (else 404)."""

    capability = REGELS

    def get(self, request, *args, **kwargs):
        run = self.get_object()
        regel = get_object_or_404(
            Vereveningsregel.objects.visible_to(request.user, REGELS).select_related("gemeente"),
            run=run,
            gemeente__code=kwargs["gemeente"],
        )
        toegestaan = afrekening_gemeenten(request.user, run)
        if toegestaan is not None and regel.gemeente_id not in toegestaan:
            raise Http404
        pdf = afrekening_pdf(run, regel.gemeente, timezone.localdate())
        audit.record(
            "export", objects=[run], request=request,
            toelichting={"formaat": "pdf", "gemeente": regel.gemeente.code},
        )  # fmt: skip
        response = HttpResponse(pdf, content_type="application/pdf")
        naam = f"afrekening-verevening-{run.jaar}-{regel.gemeente.code}-run{run.pk}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{naam}"'
        return response


class VaststellenForm(forms.Form):
    """The confirmation, with the reason when the year has not ended; the rules (four eyes,
    concept only, a reason before the year's end) are the service's."""

    reden = forms.CharField(
        label="Reden om vast te stellen voor het einde van het jaar",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Tot het jaar voorbij is, kunnen er nog kosten bijkomen.",
    )

    def __init__(self, *args, jaar_voorbij: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if jaar_voorbij:
            del self.fields["reden"]


class VaststellenView(RunMixin, FormView):
    capability = runs.VASTSTELLEN
    form_class = VaststellenForm
    template_name = "financien/run_vaststellen.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def run(self) -> Vereveningsrun:
        if self.object is None:
            self.object = self.get_object()
            if not mag_regio(self.request.user, runs.VASTSTELLEN, self.object.regio):
                raise PermissionDenied(
                    "Alleen wie voor de hele regio werkt, stelt een verevening vast."
                )
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "jaar_voorbij": runs.jaar_voorbij(self.run().jaar)}

    def get_context_data(self, **kwargs):
        run = self.run()
        return super().get_context_data(
            uitkomst=runs.verevening_van(run),
            weigering=runs.weigering_vaststellen(run, self.request.user),
            vorige=Vereveningsrun.objects.visible_to(self.request.user, VIEW)
            .filter(regio=run.regio, jaar=run.jaar, status=Vereveningsrun.Status.VASTGESTELD)
            .first(),
            **kwargs,
        )

    def form_valid(self, form):
        run = self.run()
        try:
            runs.vaststellen(run, self.request.user, reden=form.cleaned_data.get("reden", ""))
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"De verevening {run.regio.naam} {run.jaar} is vastgesteld.")
        return redirect("financien:run", pk=run.pk)


urlpatterns = [
    path("jaren/<slug:regio>/<int:jaar>/verevening/", RunsView.as_view(), name="runs"),
    path("taken/<int:pk>/", VoortgangView.as_view(), name="voortgang"),
    path("taken/<int:pk>/uitkomst/", VoortgangUitkomstView.as_view(), name="voortgang-uitkomst"),
    path("runs/<int:pk>/", RunDetailView.as_view(), name="run"),
    path("runs/<int:pk>/csv/", RunCsvView.as_view(), name="run-csv"),
    path(
        "runs/<int:pk>/afrekening/<str:gemeente>/",
        AfrekeningPdfView.as_view(),
        name="run-afrekening",
    ),
    path("runs/<int:pk>/vaststellen/", VaststellenView.as_view(), name="run-vaststellen"),
]
