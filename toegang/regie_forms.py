"""Forms of the regie screens: trajectplan, goals, evaluations, the worklist's filters and the
kwaliteitssignaal the Centrale Toegang passes to RISB. The rules live in the services
(regie_services, inkoop.kwaliteitssignaal_services); these forms only collect the input."""

from __future__ import annotations

from django import forms

from inkoop.kwaliteitssignaal_services import BSN_FOUT, bevat_bsn
from inkoop.models import Aanbieder, Kwaliteitssignaal, Locatie
from regio.models import Regio
from toegang.models import Evaluatie, Trajectdoel
from toegang.wachtlijst_forms import DATUM


class TrajectplanForm(forms.Form):
    opgesteld_op = forms.DateField(label="Opgesteld op", widget=DATUM)
    client_akkoord_op = forms.DateField(
        label="Akkoord cliënt op",
        widget=DATUM,
        required=False,
        help_text="Het plan is samen met de cliënt gemaakt; leeg zolang de cliënt niet akkoord is.",
    )
    aanbieder_akkoord_op = forms.DateField(
        label="Akkoord aanbieder op", widget=DATUM, required=False
    )
    toelichting = forms.CharField(
        label="Toelichting", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    eerste_evaluatie = forms.DateField(
        label="Eerste evaluatie op",
        widget=DATUM,
        required=False,
        help_text="Voorstel: drie maanden na de plaatsing. Leeg laten kan; plan hem dan later.",
    )

    def __init__(self, *args, nieuw=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not nieuw:
            del self.fields["eerste_evaluatie"]


class TrajectdoelForm(forms.Form):
    leefgebied = forms.ChoiceField(
        label="Leefgebied", choices=[("", "— kies —"), *Trajectdoel.Leefgebied.choices]
    )
    omschrijving = forms.CharField(
        label="Doel",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Wat wil de cliënt bereiken?",
    )
    streefdatum = forms.DateField(label="Streefdatum", widget=DATUM, required=False)
    status = forms.ChoiceField(
        label="Status", choices=Trajectdoel.Status.choices, initial=Trajectdoel.Status.LOPEND
    )


class EvaluatiePlanForm(forms.Form):
    gepland_op = forms.DateField(label="Evaluatie gepland op", widget=DATUM)


class EvaluatieVastleggenForm(forms.Form):
    uitgevoerd_op = forms.DateField(label="Gehouden op", widget=DATUM)
    uitkomst = forms.ChoiceField(
        label="Uitkomst", choices=[("", "— kies —"), *Evaluatie.Uitkomst.choices]
    )
    verslag = forms.CharField(label="Verslag", widget=forms.Textarea(attrs={"rows": 6}))
    volgende_op = forms.DateField(
        label="Volgende evaluatie op",
        widget=DATUM,
        required=False,
        help_text="Voorstel: drie maanden later. Leeg laten als er geen volgende evaluatie komt.",
    )


class KwaliteitssignaalForm(forms.Form):
    """A signal about the aanbieder of a plaatsing (the aanbieder is fixed by the plaatsing)."""

    locatie = forms.ModelChoiceField(
        label="Locatie",
        queryset=Locatie.objects.none(),
        required=False,
        empty_label="— de aanbieder in het algemeen —",
    )
    onderwerp = forms.ChoiceField(
        label="Onderwerp", choices=[("", "— kies —"), *Kwaliteitssignaal.Onderwerp.choices]
    )
    omschrijving = forms.CharField(
        label="Omschrijving",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Wat is er gezien of gehoord? Noem geen naam of BSN van een cliënt.",
    )

    def __init__(self, *args, locaties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locatie"].queryset = locaties

    def clean_omschrijving(self):
        tekst = self.cleaned_data["omschrijving"]
        if bevat_bsn(tekst):
            raise forms.ValidationError(BSN_FOUT, code="bsn")
        return tekst


TERMIJNEN = [
    ("", "Alle open evaluaties"),
    ("te_laat", "Te laat"),
    ("binnen_30", "Binnen 30 dagen"),
]


class EvaluatieFilterForm(forms.Form):
    q = forms.CharField(label="Zoeken (naam)", required=False)
    regio = forms.ModelChoiceField(
        label="Regio", queryset=Regio.objects.none(), required=False, empty_label="Alle regio's"
    )
    aanbieder = forms.ModelChoiceField(
        label="Aanbieder",
        queryset=Aanbieder.objects.none(),
        required=False,
        empty_label="Alle aanbieders",
    )
    termijn = forms.ChoiceField(label="Termijn", choices=TERMIJNEN, required=False)

    def __init__(self, *args, regios, aanbieders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regio"].queryset = regios
        self.fields["aanbieder"].queryset = aanbieders
