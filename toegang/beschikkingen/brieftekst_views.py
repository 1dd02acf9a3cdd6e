"""The functioneel beheerder's screens for the letter texts of the gemeenten in their regio: the
blocks per kind of letter with their current version, and editing a block (validated, previewed
with sample data, saved as a new version). The rules are in ``toegang.beschikkingen.brieftekst``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from regio.forms import fouten_op_formulier
from regio.mixins import ScopedViewMixin
from regio.models import Gemeente
from toegang.beschikkingen import brieftekst
from toegang.models import Brieftekst

Soort = Brieftekst.Soort
Blok = Brieftekst.Blok


class BrieftekstForm(forms.Form):
    tekst = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Een lege regel begint een nieuwe alinea; regels die met '- ' beginnen worden "
        "een opsomming. Plaatshouders tussen accolades, zoals {gemeente}.",
    )


def _gemeenten(user):
    return Gemeente.objects.visible_to(user, brieftekst.VIEW).order_by("naam")


class BrieftekstOverzichtView(ScopedViewMixin, View):
    """Per gemeente in the beheerder's scope: every block of every letter, its version."""

    model = Gemeente
    capability = brieftekst.VIEW

    def get(self, request):
        gemeenten = list(_gemeenten(request.user))
        gekozen = next(
            (g for g in gemeenten if g.code == request.GET.get("gemeente")),
            gemeenten[0] if gemeenten else None,
        )
        soorten = []
        if gekozen is not None:
            for soort in Soort:
                teksten = brieftekst.huidige_teksten(gekozen, soort)
                soorten.append(
                    {
                        "soort": soort,
                        "blokken": [
                            {"blok": Blok(b), "rij": teksten[b]} for b in brieftekst.BLOKKEN[soort]
                        ],
                    }
                )
        return render(
            request,
            "toegang/beschikkingen/brieftekst_overzicht.html",
            {"gemeenten": gemeenten, "gemeente": gekozen, "soorten": soorten},
        )


class BrieftekstBewerkView(ScopedViewMixin, SingleObjectMixin, View):
    """Edit one block: "Voorbeeld" shows it filled in with sample data, "Opslaan" makes a new
    version. An unknown placeholder is refused at the field."""

    model = Gemeente
    capability = brieftekst.ADD
    slug_field = "code"
    slug_url_kwarg = "gemeente"

    def dispatch(self, request, *args, **kwargs):
        soort, blok = kwargs["soort"], kwargs["blok"]
        if blok not in brieftekst.BLOKKEN.get(soort, ()):
            raise Http404("Deze brief heeft zo'n tekstblok niet.")
        return super().dispatch(request, *args, **kwargs)

    def _toon(self, form, voorbeeld=None):
        gemeente, soort, blok = self.object, self.kwargs["soort"], self.kwargs["blok"]
        return render(
            self.request,
            "toegang/beschikkingen/brieftekst_bewerk.html",
            {
                "gemeente": gemeente,
                "soort": Soort(soort),
                "blok": Blok(blok),
                "form": form,
                "voorbeeld": voorbeeld,
                "huidig": brieftekst.huidige_teksten(gemeente, soort)[blok],
                "versies": Brieftekst.objects.filter(
                    gemeente=gemeente, soort=soort, blok=blok
                ).select_related("gemaakt_door"),
                "plaatshouders": brieftekst.PLAATSHOUDERS.items(),
            },
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        huidig = brieftekst.huidige_teksten(self.object, kwargs["soort"])[kwargs["blok"]]
        return self._toon(BrieftekstForm(initial={"tekst": huidig.tekst}))

    def post(self, request, *args, **kwargs):
        self.object = gemeente = self.get_object()
        form = BrieftekstForm(request.POST)
        if not form.is_valid():
            return self._toon(form)
        tekst = form.cleaned_data["tekst"]
        try:
            if "voorbeeld" in request.POST:
                brieftekst.valideer(tekst)
                voorbeeld = brieftekst.als_html(tekst, brieftekst.voorbeeldwaarden(gemeente))
                return self._toon(form, voorbeeld=voorbeeld)
            rij = brieftekst.nieuwe_versie(
                gemeente, kwargs["soort"], kwargs["blok"], tekst, request.user
            )
        except ValidationError as exc:
            fouten_op_formulier(form, exc)
            return self._toon(form)
        messages.success(
            request,
            f"Versie {rij.versie} is opgeslagen; nieuwe brieven gebruiken deze tekst, brieven "
            "die al zijn bekendgemaakt houden hun tekst.",
        )
        return redirect(f"{request.path}")


urlpatterns = [
    path("brieven/", BrieftekstOverzichtView.as_view(), name="brieftekst-overzicht"),
    path(
        "brieven/<str:gemeente>/<str:soort>/<str:blok>/",
        BrieftekstBewerkView.as_view(),
        name="brieftekst-bewerk",
    ),
]
