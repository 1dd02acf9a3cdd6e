"""In-, door- and uitstroom of care (zorgbewegingen), direct placements outside the list,
buitenregionale plaatsing with approval, and the monitoring screen."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.generic import FormView, ListView

from inkoop.models import Locatie, Product
from regio.exports import FORMATS, export_response
from regio.forms import fouten_op_formulier
from regio.mixins import ScopedViewMixin
from regio.query import mag as mag_voor
from toegang.models import Aanmelding, BuitenregionaalStatus, Plaatsing, Zorgbeweging
from toegang.query import wachtlijst_regios
from toegang.wachtlijst import doorstroom as ds
from toegang.wachtlijst import services as ws
from toegang.wachtlijst.forms import (
    BeeindigenForm,
    BuitenregionaalAanvraagForm,
    BuitenregionaalBeoordelingForm,
    DirectPlaatsenForm,
    MonitoringForm,
)
from toegang.wachtlijst.views.basis import AanmeldingMixin, PlaatsingMixin, meld_plaatsing

VIEW = "toegang.view_zorgbeweging"
ADD = "toegang.add_zorgbeweging"
ADD_PLAATSING = "toegang.add_plaatsing"
CHANGE_PLAATSING = "toegang.change_plaatsing"
CHANGE_AANMELDING = "toegang.change_aanmelding"

Soort = Zorgbeweging.Soort
Bestemming = Zorgbeweging.Bestemming


def vandaag() -> datetime.date:
    return datetime.date.today()


def naam_gebruiker(user) -> str:
    if user is None:
        return ""
    return user.naam


# --- direct placement ----------------------------------------------------------------------------


class DirectPlaatsenView(AanmeldingMixin, FormView):
    """Record that an assessed client (not on the list) was placed directly."""

    capability = ADD_PLAATSING
    form_class = DirectPlaatsenForm
    template_name = "toegang/wachtlijst/doorstroom_direct.html"

    def get_initial(self):
        return {"datum": vandaag()}

    def get_form_kwargs(self):
        from toegang.wachtlijst.views.wachtlijst import regio_locaties

        a, user = self.aanmelding(), self.request.user
        locaties = Locatie.objects.none()
        if a.functie_id is not None:
            locaties = (
                ws.gecontracteerde_locaties(a.regio, a.functie, vandaag(), a.client_id)
                .filter(pk__in=regio_locaties(user, a.regio).values("pk"))
                .select_related("aanbieder", "gemeente")
                .order_by("aanbieder__naam", "naam")
            )
        return {**super().get_form_kwargs(), "locaties": locaties}

    def get_context_data(self, **kwargs):
        a = self.aanmelding()
        return super().get_context_data(plaatsbaar=ds.direct_plaatsbaar(a), **kwargs)

    def form_valid(self, form):
        a = self.aanmelding()
        try:
            plaatsing, notitie = ds.direct_plaatsen(
                a, form.cleaned_data["locatie"], self.request.user, form.cleaned_data["datum"],
                crisis_reden=form.cleaned_data["crisis_reden"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        meld_plaatsing(
            self.request,
            f"De directe plaatsing op {plaatsing.locatie.naam} is vastgelegd.",
            plaatsing,
            notitie,
        )
        return HttpResponseRedirect(self.detail_url())


# --- doorstroom and uitstroom --------------------------------------------------------------------


class BeeindigenView(PlaatsingMixin, FormView):
    """Doorstroom or uitstroom of a placed client: the form, then a confirmation page saying
    what happens; only the confirmed POST ends the plaatsing."""

    capability = CHANGE_PLAATSING
    form_class = BeeindigenForm
    template_name = "toegang/wachtlijst/doorstroom_beeindigen.html"
    soort = Soort.DOORSTROOM

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"datum": vandaag()}

    def get_form_kwargs(self):
        p = self.plaatsing()
        functies = Product.objects.filter(perceel__regio=p.aanmelding.regio_id).order_by("naam")
        return {**super().get_form_kwargs(), "soort": self.soort, "functies": functies}

    def get_context_data(self, **kwargs):
        p = self.plaatsing()
        titel = (
            "Doorstroom vastleggen" if self.soort == Soort.DOORSTROOM else "Uitstroom vastleggen"
        )
        kwargs.setdefault("bevestigen", False)
        return super().get_context_data(
            titel=titel, soort=self.soort, lopend=p.status == Plaatsing.Status.GEPLAATST, **kwargs
        )

    def form_valid(self, form):
        p, data = self.plaatsing(), form.cleaned_data
        actie = self.request.POST.get("actie")
        if actie == "terug":
            return self.form_invalid(form)
        args = (self.soort, data["datum"], data["bestemming"], data["naar_functie"])
        try:
            if actie == "bevestig":
                beweging, notitie = ds.beeindigen(
                    p, self.request.user, *args, toelichting=data["toelichting"]
                )
            else:
                ds.controleer_beeindiging(p, *args)
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        if actie != "bevestig":
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    bevestigen=True,
                    bestemming=dict(Bestemming.choices)[data["bestemming"]],
                )  # fmt: skip
            )
        messages.success(
            self.request,
            f"De {beweging.get_soort_display().lower()} naar "
            f"{beweging.get_bestemming_display().lower()} is vastgelegd; de plaats op "
            f"{p.locatie.naam} is vrijgekomen.",
        )
        if notitie:
            messages.info(self.request, notitie)
        return HttpResponseRedirect(self.detail_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form, bevestigen=False))


class UitstroomView(BeeindigenView):
    soort = Soort.UITSTROOM


# --- buitenregionale plaatsing ------------------------------------------------------------------


class BuitenregionaalAanvragenView(AanmeldingMixin, FormView):
    capability = CHANGE_AANMELDING
    form_class = BuitenregionaalAanvraagForm
    template_name = "toegang/wachtlijst/doorstroom_buitenregionaal.html"
    extra_context = {"titel": "Buitenregionale plaatsing aanvragen", "knop": "Goedkeuring vragen"}

    def get_context_data(self, **kwargs):
        a = self.aanmelding()
        return super().get_context_data(mogelijk=ds.buitenregionaal_aanvraagbaar(a), **kwargs)

    def form_valid(self, form):
        try:
            ds.buitenregionaal_aanvragen(
                self.aanmelding(), self.request.user, form.cleaned_data["reden"]
            )
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            "De goedkeuring voor een buitenregionale plaatsing is gevraagd; een collega "
            "beoordeelt haar.",
        )
        return HttpResponseRedirect(self.detail_url())


class BuitenregionaalBeoordelenView(AanmeldingMixin, FormView):
    """Approve or reject (four eyes: someone else than the one who asked)."""

    capability = ds.GOEDKEUREN
    form_class = BuitenregionaalBeoordelingForm
    template_name = "toegang/wachtlijst/doorstroom_buitenregionaal.html"
    extra_context = {"titel": "Buitenregionale plaatsing beoordelen", "knop": "Beoordeling opslaan"}

    def get_context_data(self, **kwargs):
        a = self.aanmelding()
        return super().get_context_data(
            mogelijk=a.buitenregionaal_status == BuitenregionaalStatus.AANGEVRAAGD,
            beoordelen=True,
            zelf_aangevraagd=a.buitenregionaal_aangevraagd_door_id == self.request.user.pk,
            aanvrager=naam_gebruiker(a.buitenregionaal_aangevraagd_door),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            a = ds.buitenregionaal_beoordelen(
                self.aanmelding(), self.request.user, data["besluit"] == "goedkeuren",
                data["toelichting"],
            )  # fmt: skip
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"De buitenregionale plaatsing is {a.get_buitenregionaal_status_display().lower()}.",
        )
        return HttpResponseRedirect(self.detail_url())


# --- monitoring ----------------------------------------------------------------------------------

# The columns of the monitoring table: key, header, the rows they count.
KOLOMMEN = [
    ("instroom_wachtlijst", "Instroom via de wachtlijst",
     Q(soort=Soort.INSTROOM, via_wachtlijst=True)),
    ("instroom_direct", "Instroom direct", Q(soort=Soort.INSTROOM, via_wachtlijst=False)),
    *[
        (f"doorstroom_{b}", f"Doorstroom {label.lower()}", Q(soort=Soort.DOORSTROOM, bestemming=b))
        for b, label in Bestemming.choices
        if b in ds.BESTEMMINGEN[Soort.DOORSTROOM]
    ],
    *[
        (f"uitstroom_{b}", f"Uitstroom {label.lower()}", Q(soort=Soort.UITSTROOM, bestemming=b))
        for b, label in Bestemming.choices
        if b in ds.BESTEMMINGEN[Soort.UITSTROOM]
    ],
]  # fmt: skip
MAANDEN = [
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december",
]  # fmt: skip


def tellingen(bewegingen):
    """Per month and functie the counts of every column (one GROUP BY in SQL)."""
    telling = {key: Count("pk", filter=q) for key, _, q in KOLOMMEN}
    return (
        bewegingen.annotate(maand=ExtractMonth("datum"))
        .values("maand", "functie__naam")
        .annotate(**telling)
        .order_by("maand", "functie__naam")
    )


def totalen(bewegingen) -> dict:
    return bewegingen.aggregate(**{key: Count("pk", filter=q) for key, _, q in KOLOMMEN})


class ZorgbewegingenView(ScopedViewMixin, ListView):
    """In-, door- en uitstroom per regio, month and functie, and the buitenregionale
    plaatsingen (listed, paginated); ``?export=csv&tabel=bewegingen|buitenregionaal``."""

    model = Zorgbeweging
    capability = VIEW
    paginate_by = 25
    template_name = "toegang/wachtlijst/doorstroom_monitoring.html"

    def regios(self):
        if not hasattr(self, "_regios"):
            self._regios = list(wachtlijst_regios(self.request.user, VIEW))
        return self._regios

    def filter_form(self) -> MonitoringForm:
        if not hasattr(self, "_form"):
            regios = self.regios()
            gekozen = self.request.GET.get("regio")
            self._regio = next((r for r in regios if r.code == gekozen), None) or (
                regios[0] if regios else None
            )
            data = self.request.GET.copy()
            if self._regio is not None:
                data["regio"] = self._regio.code
            self._form = MonitoringForm(data, regios=regios)
            self._jaar = self._form.gekozen_jaar()
        return self._form

    def bewegingen(self):
        self.filter_form()
        if self._regio is None:
            return Zorgbeweging.objects.none()
        return super().get_queryset().filter(regio=self._regio, datum__year=self._jaar)

    def get_queryset(self):
        return (
            self.bewegingen()
            .filter(soort=Soort.INSTROOM, buitenregionaal=True)
            .select_related("functie", "aanbieder", "plaatsing__locatie__gemeente", "aanmelding")
            .order_by("datum", "pk")
        )

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in FORMATS:
            return self.export(fmt, request.GET.get("tabel"))
        return super().get(request, *args, **kwargs)

    def export(self, fmt, tabel):
        jaar, regio = self._jaar_en_regio()
        code = regio.code if regio else "geen"
        if tabel == "buitenregionaal":
            headers = ["datum", "functie", "aanbieder", "gemeente_locatie", "reden"]
            rows = (
                [z.datum, z.functie.naam, z.aanbieder.naam if z.aanbieder else "",
                 gemeente_locatie(z), z.aanmelding.buitenregionaal_reden]
                for z in self.get_queryset()
            )  # fmt: skip
            naam = f"buitenregionale-plaatsingen-{code}-{jaar}"
        else:
            headers = ["maand", "functie", *(key for key, _, _ in KOLOMMEN)]
            rows = (
                [f"{jaar}-{r['maand']:02d}", r["functie__naam"], *(r[k] for k, _, _ in KOLOMMEN)]
                for r in tellingen(self.bewegingen())
            )
            naam = f"zorgbewegingen-{code}-{jaar}"
        return export_response(fmt, naam, headers, rows, request=self.request)

    def _jaar_en_regio(self):
        self.filter_form()
        return self._jaar, self._regio

    def get_context_data(self, **kwargs):
        jaar, regio = self._jaar_en_regio()
        rijen = list(tellingen(self.bewegingen()))
        for r in rijen:
            r["maandnaam"] = MAANDEN[r["maand"] - 1]
            r["cellen"] = [r[key] for key, _, _ in KOLOMMEN]
        totaal = totalen(self.bewegingen()) if rijen else {}
        context = super().get_context_data(
            filter_form=self.filter_form(),
            regio=regio,
            jaar=jaar,
            kolommen=[(key, kop) for key, kop, _ in KOLOMMEN],
            rijen=rijen,
            totaal=[totaal.get(key, 0) for key, _, _ in KOLOMMEN],
            **kwargs,
        )
        for z in context["object_list"]:
            z.gemeente_locatie = gemeente_locatie(z)
        return context


def gemeente_locatie(z: Zorgbeweging) -> str:
    if z.plaatsing_id and z.plaatsing.locatie.gemeente_id:
        return z.plaatsing.locatie.gemeente.naam
    return ""


# --- the aanmelding's detail page ---------------------------------------------------------------


def aanmelding_context(aanmelding, user) -> dict:
    """What the aanmelding's detail page shows of this part (``_aanmelding_doorstroom.html``):
    the actions that apply and the client's zorgbewegingen, under the one key ``doorstroom``."""
    a = aanmelding

    def mag(capability) -> bool:
        return user.has_perm(capability) and mag_voor(user, capability, a)

    lopend = None
    if a.status == Aanmelding.Status.GEPLAATST and mag(CHANGE_PLAATSING) and user.has_perm(ADD):
        lopend = (
            Plaatsing.objects.visible_to(user, CHANGE_PLAATSING)
            .filter(aanmelding=a, status=Plaatsing.Status.GEPLAATST)
            .select_related("locatie")
            .first()
        )
    bewegingen = (
        Zorgbeweging.objects.visible_to(user, VIEW)
        .filter(aanmelding=a)
        .select_related("functie", "naar_functie", "aanbieder")
        .order_by("datum", "pk")
    )
    return {
        "doorstroom": {
            "zichtbaar": user.has_perm(VIEW),
            "bewegingen": list(bewegingen),
            "direct_plaatsen": ds.direct_plaatsbaar(a) and mag(ADD_PLAATSING),
            "lopende_plaatsing": lopend,
            "buitenregionaal_aanvragen": ds.buitenregionaal_aanvraagbaar(a)
            and mag(CHANGE_AANMELDING),
            "buitenregionaal_beoordelen": ds.mag_beoordelen(a, user),
            "aanvrager": naam_gebruiker(a.buitenregionaal_aangevraagd_door),
            "beoordelaar": naam_gebruiker(a.buitenregionaal_beoordeeld_door),
        }
    }


urlpatterns = [
    path("zorgbewegingen/", ZorgbewegingenView.as_view(), name="zorgbewegingen"),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/direct-plaatsen/",
        DirectPlaatsenView.as_view(),
        name="doorstroom_direct_plaatsen",
    ),
    path(
        "wachtlijst/plaatsingen/<int:pk>/doorstroom/",
        BeeindigenView.as_view(),
        name="plaatsing_doorstroom",
    ),
    path(
        "wachtlijst/plaatsingen/<int:pk>/uitstroom/",
        UitstroomView.as_view(),
        name="plaatsing_uitstroom",
    ),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/buitenregionaal/",
        BuitenregionaalAanvragenView.as_view(),
        name="buitenregionaal_aanvragen",
    ),
    path(
        "wachtlijst/aanmeldingen/<int:pk>/buitenregionaal/beoordelen/",
        BuitenregionaalBeoordelenView.as_view(),
        name="buitenregionaal_beoordelen",
    ),
]
