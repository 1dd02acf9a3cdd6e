"""Forms of the privacy officer: erasure requests and destruction lists."""

from __future__ import annotations

from django import forms

from regio.models import Gemeente
from toegang.dossiers.forms import BsnField

DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEKST = forms.Textarea(attrs={"rows": 4})


class BevestigForm(forms.Form):
    """A confirm page: the button is the consent, nothing to fill in."""


class RedenForm(forms.Form):
    reden = forms.CharField(
        label="Reden om dit dossier te bewaren",
        widget=TEKST,
        max_length=2000,
        help_text="Bijvoorbeeld een lopende procedure of een verzoek van de archivaris.",
    )


class ToelichtingForm(forms.Form):
    toelichting = forms.CharField(label="Toelichting", widget=TEKST, max_length=4000)

    def __init__(self, *args, label=None, help_text="", verplicht=True, **kwargs):
        super().__init__(*args, **kwargs)
        veld = self.fields["toelichting"]
        veld.required = verplicht
        if label:
            veld.label = label
        veld.help_text = help_text


class VerwijderverzoekForm(forms.Form):
    gemeente = forms.ModelChoiceField(
        label="Gemeente die het verzoek ontving", queryset=Gemeente.objects.none()
    )
    bsn = BsnField(
        label="BSN van de cliënt",
        help_text="Negen cijfers. Het BSN wordt alleen gebruikt om de cliënt te vinden en "
        "niet bij het verzoek bewaard.",
    )
    ontvangen_op = forms.DateField(label="Ontvangen op", widget=DATUM)

    def __init__(self, *args, gemeenten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gemeente"].queryset = gemeenten
        if gemeenten.count() == 1:
            self.fields["gemeente"].initial = gemeenten.first()
