import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import DetailView, TemplateView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin

from regio import audit
from regio.jobs import start_job
from regio.mixins import ScopedViewMixin
from regio.models import JobRun, Regio, User
from regio.opslag import download
from regio.pdf import render_pdf
from regio.services import leden_per_jaar, werkterreinen
from regio.tasks import ledenoverzicht


class MijnWerkView(LoginRequiredMixin, TemplateView):
    """Start page: the user's roles, where they apply, and what each role does here."""

    template_name = "regio/mijn_werk.html"
    unscoped_reason = "shows only the user's own Roltoekenningen"

    def get_context_data(self, **kwargs):
        return super().get_context_data(werkterreinen=werkterreinen(self.request.user), **kwargs)


class MijnInstellingenForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_notificaties"]
        widgets = {"email_notificaties": forms.RadioSelect}


class MijnInstellingenView(LoginRequiredMixin, UpdateView):
    """The user's own settings: whether and how often regiozorg e-mails about notifications."""

    template_name = "regio/mijn_instellingen.html"
    form_class = MijnInstellingenForm
    unscoped_reason = "shows and changes only the logged-in user's own settings"

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        with transaction.atomic():
            user = form.save()
            audit.record(
                "change",
                objects=[user],
                actor=user,
                toelichting={"email_notificaties": user.email_notificaties},
            )
        messages.success(self.request, "Uw instellingen zijn opgeslagen.")
        return redirect("regio:mijn-instellingen")


def _membership_years():
    this_year = datetime.date.today().year
    return range(this_year - 6, this_year + 1)


class RegioDetailView(ScopedViewMixin, DetailView):
    model = Regio
    capability = "regio.view_regio"
    slug_field = "code"
    template_name = "regio/regio_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        regio = self.object
        context["lidmaatschappen"] = regio.lidmaatschappen.select_related("gemeente").order_by(
            "domein", "gemeente__naam", "begin"
        )
        context["chart"] = leden_per_jaar(regio, _membership_years())
        context["recente_taken"] = JobRun.objects.visible_to(
            self.request.user, "regio.view_jobrun"
        ).filter(regio=regio)[:5]
        return context


class RegioPdfView(RegioDetailView):
    """The regio overview as a PDF (same chart helper as the page)."""

    template_name = "regio/regio_pdf.html"

    def render_to_response(self, context, **kwargs):
        context["gegenereerd_op"] = datetime.datetime.now()
        pdf = render_pdf(self.template_name, context)
        audit.record("export", objects=[self.object], toelichting={"formaat": "pdf"})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="regio-{self.object.code}.pdf"'
        return response


class LedenoverzichtStartView(ScopedViewMixin, SingleObjectMixin, View):
    """POST: start the ledenoverzicht job for this regio and go to its progress page."""

    model = Regio
    capability = ledenoverzicht.definitie.capability
    slug_field = "code"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        regio = self.get_object()
        run = start_job(
            ledenoverzicht.definitie.soort, user=request.user, regio=regio, regio_id=regio.pk
        )
        messages.success(request, "De taak is gestart.")
        return redirect("regio:jobrun-detail", pk=run.pk)


class JobRunDetailView(ScopedViewMixin, DetailView):
    model = JobRun
    capability = "regio.view_jobrun"
    template_name = "regio/jobrun_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["naam"] = self.object.naam
        return context


class JobRunStatusView(ScopedViewMixin, SingleObjectMixin, View):
    """JSON polled by the progress component (static/js/jobprogress.js)."""

    model = JobRun
    capability = "regio.view_jobrun"

    def get(self, request, *args, **kwargs):
        run = self.get_object()
        return JsonResponse(
            {
                "id": run.pk,
                "status": run.status,
                "statusLabel": run.get_status_display(),
                "voortgang": run.voortgang,
                "stap": run.stap,
                "klaar": run.klaar,
                "fout": run.fout if run.status == JobRun.Status.MISLUKT else "",
                "bestanden": [
                    {
                        "naam": b.naam,
                        "url": reverse("regio:jobrun-bestand", args=[run.pk, b.pk]),
                    }
                    for b in run.bestanden.all()
                ],
            }
        )


class JobResultaatDownloadView(ScopedViewMixin, SingleObjectMixin, View):
    model = JobRun
    capability = "regio.view_jobrun"

    def get(self, request, *args, **kwargs):
        run = self.get_object()
        bestand = run.bestanden.filter(pk=kwargs["bestand_id"]).first()
        if bestand is None:
            raise Http404
        # Streamed from the storage (filesystem or S3) after its SHA-256 is checked.
        return download(
            request, bestand.bestand, bestand.sha256, object=run, filename=bestand.naam,
            content_type=bestand.content_type,
            terug=reverse("regio:jobrun-detail", kwargs={"pk": run.pk}),
            toelichting={"bestand": bestand.naam},
        )  # fmt: skip
