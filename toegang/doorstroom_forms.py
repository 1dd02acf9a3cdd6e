"""Forms of doorstroom and uitstroom from care, direct placement, buitenregionale plaatsing and
the monitoring screen's filters."""

from __future__ import annotations

import datetime

from django import forms

from inkoop.models import Locatie, Product
from toegang.doorstroom_services import BESTEMMINGEN
from toegang.models import Zorgbeweging
from toegang.wachtlijst_forms import DATUM


class DirectPlaatsenForm(forms.Form):
    locatie = forms.ModelChoiceField(
        queryset=Locatie.objects.none(),
        empty_label="— kies —",
        error_messages={"invalid_choice": "Kies een locatie uit de lijst."},
    )
    datum = forms.DateField(label="Geplaatst op", widget=DATUM)

    def __init__(self, *args, locaties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locatie"].queryset = locaties
        self.fields["locatie"].label_from_instance = lambda loc: (
            f"{loc.naam} ({loc.aanbieder.naam}, {loc.gemeente.naam})"
        )


class BeeindigenForm(forms.Form):
    """Doorstroom or uitstroom from care; ``soort`` picks the destinations on offer."""

    datum = forms.DateField(widget=DATUM)
    bestemming = forms.ChoiceField(label="Naar")
    naar_functie = forms.ModelChoiceField(
        label="Nieuwe functie",
        queryset=Product.objects.none(),
        required=False,
        empty_label="— geen —",
        help_text="Optioneel: de functie uit de inkoop van de regio waarin de cliënt verder gaat.",
    )
    toelichting = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, soort, functies, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Zorgbeweging.Bestemming.choices)
        self.fields["bestemming"].choices = [("", "— kies —")] + [
            (b, labels[b]) for b in BESTEMMINGEN[soort]
        ]
        self.fields["naar_functie"].queryset = functies


class BuitenregionaalAanvraagForm(forms.Form):
    reden = forms.CharField(
        label="Reden van de buitenregionale plaatsing",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Geef de reden van de buitenregionale plaatsing."},
    )


class BuitenregionaalBeoordelingForm(forms.Form):
    besluit = forms.ChoiceField(
        label="Besluit",
        choices=[("", "— kies —"), ("goedkeuren", "Goedkeuren"), ("afwijzen", "Afwijzen")],
        error_messages={"required": "Kies goedkeuren of afwijzen."},
    )
    toelichting = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Geef een toelichting bij uw beoordeling."},
    )


class MonitoringForm(forms.Form):
    regio = forms.ChoiceField(label="Regio", required=False)
    jaar = forms.IntegerField(label="Jaar", required=False, min_value=2000, max_value=2100)

    def __init__(self, *args, regios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regio"].choices = [(r.code, r.naam) for r in regios]

    def gekozen_jaar(self) -> int:
        if self.is_valid() and self.cleaned_data.get("jaar"):
            return self.cleaned_data["jaar"]
        return datetime.date.today().year
