"""Forms of the melding → onderzoek → aanvraag screens and the document upload.

The forms only parse and check the shape of the input; the rules (dates against each other,
one verdaging, an open suspension) live in toegang.meldingen.services, whose Dutch errors the
views put at the same field names.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from toegang.meldingen.services import MAX_VERDAGING_WEKEN, consulenten_van, controleer_upload
from toegang.models import Document


class DatumInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def datumveld(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DatumInput(),
        help_text=help_text,
        error_messages={"invalid": "Vul een geldige datum in.", "required": "Vul de datum in."},
    )


def tekstveld(label: str, *, required: bool = True, rows: int = 4, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        error_messages={"required": "Dit veld is verplicht."},
    )


class ConsulentKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.naam


class MeldingForm(forms.Form):
    ontvangen_op = datumveld("Melding ontvangen op")
    hulpvraag = tekstveld("Hulpvraag", help_text="Wat vraagt de cliënt, in eigen woorden?")
    consulent = ConsulentKeuze(
        label="Consulent",
        queryset=None,
        required=False,
        empty_label="Ikzelf",
        error_messages={"invalid_choice": "Kies een consulent van deze gemeente."},
    )
    urgent = forms.BooleanField(
        label="Spoed: tijdelijke voorziening nodig (art. 2.3.3 Wmo 2015)", required=False
    )
    tijdelijke_voorziening = tekstveld(
        "Tijdelijke voorziening", required=False, rows=3,
        help_text="Alleen bij spoed: wat wordt er geregeld tot het onderzoek klaar is?",
    )  # fmt: skip

    def __init__(self, *args, dossier, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only colleagues who are consulent of the dossier's gemeente can be chosen; the one
        # registering is "Ikzelf" (the empty choice) and not listed a second time by name.
        consulenten = consulenten_van(dossier.verantwoordelijke_gemeente)
        if user is not None:
            consulenten = consulenten.exclude(pk=user.pk)
        self.fields["consulent"].queryset = consulenten


class OnderzoekForm(forms.Form):
    gesprek_op = datumveld("Datum van het gesprek", required=False)
    gespreksverslag = tekstveld("Gespreksverslag", required=False, rows=8)
    persoonlijk_plan_ontvangen_op = datumveld(
        "Persoonlijk plan ontvangen op", required=False,
        help_text="Leeg als de cliënt geen persoonlijk plan heeft ingediend.",
    )  # fmt: skip
    onderzoek_afgerond_op = datumveld("Onderzoek afgerond op", required=False)
    verslag_versturen = forms.BooleanField(
        label="Het verslag nu als brief (PDF) maken en versturen",
        required=False,
        help_text="Naar de cliënt, of naar de vertegenwoordiger die de post ontvangt.",
    )

    def clean(self):
        data = super().clean()
        if data.get("verslag_versturen") and not data.get("onderzoek_afgerond_op"):
            self.add_error(
                "onderzoek_afgerond_op",
                "Vul in wanneer het onderzoek is afgerond; pas dan kan het verslag uit.",
            )
        return data


class AanvraagForm(forms.Form):
    ontvangen_op = datumveld("Aanvraag ontvangen op")
    functies = forms.ModelMultipleChoiceField(
        label="Aangevraagde functies of producten",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    omschrijving = tekstveld("Wat wordt aangevraagd", required=False, rows=3)

    def __init__(self, *args, producten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["functies"].queryset = producten


class OpschortingStartForm(forms.Form):
    van = datumveld(
        "Informatie gevraagd op",
        help_text="De beslistermijn is opgeschort vanaf de dag daarna (Awb 4:15).",
    )
    reden = forms.CharField(
        label="Welke informatie is gevraagd",
        max_length=300,
        error_messages={"required": "Noem welke informatie is gevraagd."},
    )


class OpschortingEindeForm(forms.Form):
    tot = datumveld("Informatie ontvangen op")


class VerdagingForm(forms.Form):
    verdaagd_op = datumveld("Verdagingsbericht verstuurd op")
    weken = forms.IntegerField(
        label="Verdaging in weken",
        min_value=1,
        max_value=MAX_VERDAGING_WEKEN,
        error_messages={
            "required": "Vul het aantal weken in.",
            "invalid": "Vul een heel aantal weken in.",
            "min_value": f"Kies een verdaging van 1 tot en met {MAX_VERDAGING_WEKEN} weken.",
            "max_value": f"Kies een verdaging van 1 tot en met {MAX_VERDAGING_WEKEN} weken.",
        },
    )
    reden = tekstveld("Reden van de verdaging", rows=3)


UPLOAD_SOORTEN = [
    (Document.Soort.UPLOAD, "Document"),
    (Document.Soort.PERSOONLIJK_PLAN, Document.Soort.PERSOONLIJK_PLAN.label),
    (Document.Soort.BRIEF, "Brief (ontvangen of verstuurd)"),
]


class DocumentUploadForm(forms.Form):
    naam = forms.CharField(
        label="Naam", max_length=200, required=False,
        help_text="Leeg: de bestandsnaam. Zet geen BSN in de naam.",
    )  # fmt: skip
    soort = forms.ChoiceField(label="Soort", choices=UPLOAD_SOORTEN)
    bestand = forms.FileField(
        label="Bestand",
        help_text="PDF, afbeelding (PNG of JPEG) of Word-document, hoogstens 20 MB.",
        error_messages={"required": "Kies een bestand.", "empty": "Het bestand is leeg."},
    )

    def clean_bestand(self):
        bestand = self.cleaned_data["bestand"]
        controleer_upload(bestand)
        return bestand

    def clean_naam(self):
        from regio.audit import scrub

        naam = self.cleaned_data["naam"].strip()
        if scrub(naam) != naam:
            raise ValidationError("Zet geen BSN (of ander nummer van 9 cijfers) in de naam.")
        return naam
