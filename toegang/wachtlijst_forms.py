"""Forms of the Centrale Toegang's waiting list: filters, beoordeling, dates and reasons."""

from __future__ import annotations

from django import forms

from inkoop.models import Locatie, Product
from regio.models import Gemeente, Lidmaatschap
from toegang.models import Aanmelding, Aanvraag, Beschikking, Uitstroomreden

DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def functies_van(regio):
    """The functies (BW, BT, time-out) of the regio's inkoop: products of its BW perceel."""
    return Product.objects.filter(perceel__regio=regio, domein="beschermd_wonen").order_by("naam")


def gemeenten_van(regio):
    leden = Lidmaatschap.objects.filter(regio=regio).values("gemeente")
    return Gemeente.objects.filter(pk__in=leden).order_by("naam")


class WachtlijstFilterForm(forms.Form):
    q = forms.CharField(label="Zoeken (naam)", required=False)
    regio = forms.ChoiceField(label="Regio", required=False)
    functie = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, empty_label="Alle functies"
    )
    arrangement = forms.TypedChoiceField(
        choices=[("", "Alle arrangementen"), (1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        required=False,
        empty_value=None,
    )
    herkomst = forms.ModelChoiceField(
        label="Gemeente van herkomst",
        queryset=Gemeente.objects.none(),
        required=False,
        empty_label="Alle gemeenten",
    )
    urgentie = forms.ChoiceField(
        choices=[("", "Alle"), *Aanmelding.Urgentie.choices], required=False
    )
    status = forms.ChoiceField(
        choices=[("", "Op de wachtlijst"), ("aangemeld", "Aangemeld (beoordeling)")],
        required=False,
    )
    boven_norm = forms.BooleanField(label="Alleen boven de norm", required=False)

    def __init__(self, *args, regios, regio=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regio"].choices = [(r.code, r.naam) for r in regios]
        if regio is not None:
            self.fields["functie"].queryset = functies_van(regio)
            self.fields["herkomst"].queryset = gemeenten_van(regio)


class BeoordelingForm(forms.ModelForm):
    class Meta:
        model = Aanmelding
        fields = [
            "functie", "arrangement", "urgentie", "urgentie_reden", "gemeente_herkomst",
            "voorkeur_gemeente", "voorkeur_aanbieder", "voorkeur_locatie", "gender", "huisdieren",
            "rolstoeltoegankelijk", "uitsluitingen", "bijzonderheden", "overbruggingszorg",
        ]  # fmt: skip
        labels = {
            "urgentie_reden": "Reden van de urgentie",
            "gemeente_herkomst": "Gemeente van herkomst",
        }

    def __init__(self, *args, aanbieders, locaties, **kwargs):
        super().__init__(*args, **kwargs)
        regio = self.instance.regio
        self.fields["functie"].queryset = functies_van(regio)
        self.fields["functie"].required = True
        gemeenten = gemeenten_van(regio)
        self.fields["gemeente_herkomst"].queryset = gemeenten
        self.fields["voorkeur_gemeente"].queryset = gemeenten
        self.fields["voorkeur_aanbieder"].queryset = aanbieders
        self.fields["voorkeur_locatie"].queryset = locaties
        self.fields["uitsluitingen"].queryset = locaties
        self.fields["uitsluitingen"].required = False


class DatumForm(forms.Form):
    datum = forms.DateField(widget=DATUM)


class UitstroomForm(DatumForm):
    reden = forms.ChoiceField(label="Reden", choices=[("", "— kies —"), *Uitstroomreden.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Geplaatst goes through a plaatsing (it makes the toewijzing).
        self.fields["reden"].choices = [
            c for c in self.fields["reden"].choices if c[0] != Uitstroomreden.GEPLAATST
        ]


class ReserveringForm(forms.Form):
    locatie = forms.ModelChoiceField(queryset=Locatie.objects.none())

    def __init__(self, *args, locaties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locatie"].queryset = locaties


class AanmeldForm(forms.Form):
    """Registration with the Centrale Toegang by the lokaal team (or the crisis route)."""

    route = forms.ChoiceField(choices=Aanmelding.Route.choices)
    aangemeld_op = forms.DateField(label="Aangemeld op", widget=DATUM)
    aanvraag = forms.ModelChoiceField(
        queryset=Aanvraag.objects.none(), required=False, empty_label="— geen —"
    )
    beschikking = forms.ModelChoiceField(
        queryset=Beschikking.objects.none(),
        required=False,
        empty_label="— geen —",
        help_text="Bij de crisisroute mag de beschikking later volgen.",
    )

    def __init__(self, *args, aanvragen, beschikkingen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aanvraag"].queryset = aanvragen
        self.fields["beschikking"].queryset = beschikkingen
