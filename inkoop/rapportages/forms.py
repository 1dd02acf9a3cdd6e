"""Forms of the quarterly report screens: create, figures, lines, upload, transition, comment."""

import datetime

from django import forms
from django.forms import inlineformset_factory

from inkoop.models import Contract, Rapportage, Rapportageregel
from inkoop.rapportages.importeren import MAX_BESTAND_BYTES
from inkoop.rapportages.services import (
    DIEN_IN,
    KENGETALLEN,
    kwartaal_begin,
    kwartaal_einde,
    kwartaal_label,
)
from regio.tabel import omvang

KWARTALEN = [(1, "1e kwartaal"), (2, "2e kwartaal"), (3, "3e kwartaal"), (4, "4e kwartaal")]


class ContractKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.kenmerk} — {obj.aanbieder.naam} ({obj.regio.naam})"


class RapportageAanmaakForm(forms.ModelForm):
    """A new concept report for one of the aanbieder's own contracts and a started quarter."""

    contract = ContractKeuze(queryset=Contract.objects.none(), label="Contract")
    jaar = forms.IntegerField(label="Jaar", min_value=2000, max_value=2999)
    kwartaal = forms.TypedChoiceField(choices=KWARTALEN, coerce=int, label="Kwartaal")

    class Meta:
        model = Rapportage
        fields = ["contract", "jaar", "kwartaal"]

    def __init__(self, *args, user, vandaag=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vandaag = vandaag or datetime.date.today()
        # Only contracts this user may report on, through the scoping layer.
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user, DIEN_IN)
            .select_related("aanbieder", "regio")
            .order_by("kenmerk")
        )
        self.fields["jaar"].widget.attrs["max"] = self.vandaag.year

    def clean(self):
        cleaned = super().clean()
        contract, jaar, kwartaal = (cleaned.get(k) for k in ("contract", "jaar", "kwartaal"))
        if contract is None or not jaar or not kwartaal:
            return cleaned
        begin, einde = kwartaal_begin(jaar, kwartaal), kwartaal_einde(jaar, kwartaal)
        if begin > self.vandaag:
            self.add_error("kwartaal", "Dit kwartaal is nog niet begonnen.")
        elif contract.begin > einde or contract.looptijd_einde < begin:
            self.add_error(
                "kwartaal",
                f"Het contract liep niet in {kwartaal_label(jaar, kwartaal)} "
                f"(looptijd {contract.begin:%d-%m-%Y} tot en met "
                f"{contract.looptijd_einde:%d-%m-%Y}).",
            )
        return cleaned


class KengetallenForm(forms.ModelForm):
    class Meta:
        model = Rapportage
        fields = list(KENGETALLEN)

    def clean(self):
        cleaned = super().clean()
        hbo, mbo = cleaned.get("aandeel_hbo"), cleaned.get("aandeel_mbo")
        if hbo is not None and mbo is not None and hbo + mbo > 100:
            # Checked here, at the field: the model constraint's own message cannot be rendered
            # (its '%' is read as a format character), and an error on the field skips it.
            self.add_error("aandeel_mbo", "Het aandeel hbo en mbo samen is meer dan 100%.")
        return cleaned


class RegelForm(forms.ModelForm):
    class Meta:
        model = Rapportageregel
        fields = ["product", "gemeente", "volume", "clienten"]

    def __init__(self, *args, producten, gemeenten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = producten
        self.fields["product"].label = "Product of functie"
        self.fields["gemeente"].queryset = gemeenten
        self.fields["gemeente"].label_from_instance = lambda g: f"{g.naam} ({g.code})"


RegelFormSet = inlineformset_factory(
    Rapportage,
    Rapportageregel,
    form=RegelForm,
    extra=3,
    can_delete=True,
    max_num=500,
    validate_max=True,
)


class UploadForm(forms.Form):
    bestand = forms.FileField(
        label="Bestand (CSV of XLSX)",
        help_text="Gebruik het sjabloon van deze rapportage. Bij een fout wordt niets opgeslagen.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_bestand(self):
        bestand = self.cleaned_data["bestand"]
        if not bestand.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Kies een CSV- of XLSX-bestand.")
        if bestand.size > MAX_BESTAND_BYTES:
            raise forms.ValidationError(f"Het bestand is groter dan {omvang(MAX_BESTAND_BYTES)}.")
        return bestand


class OvergangForm(forms.Form):
    toelichting = forms.CharField(
        label="Toelichting",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, verplicht=False, **kwargs):
        super().__init__(*args, **kwargs)
        if verplicht:
            self.fields["toelichting"].help_text = (
                "Verplicht als er geen open opmerkingen zijn: de aanbieder moet weten wat er "
                "anders moet."
            )


class OpmerkingForm(forms.Form):
    onderdeel = forms.ChoiceField(label="Over")
    tekst = forms.CharField(
        label="Opmerking", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, onderdelen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["onderdeel"].choices = onderdelen

    def clean_tekst(self):
        tekst = self.cleaned_data["tekst"].strip()
        if not tekst:
            raise forms.ValidationError("Vul een opmerking in.")
        return tekst
