"""Forms of the quarterly report screens: create, figures, lines, upload, transition, comment."""

import datetime

from django import forms

from inkoop.models import Contract, Product, Rapportage
from inkoop.rapportages.importeren import MAX_BESTAND_BYTES, MAX_RIJEN
from inkoop.rapportages.services import (
    DIEN_IN,
    KENGETALLEN,
)
from regio.models import Gemeente
from regio.tabel import omvang

KWARTALEN = [(1, "1e kwartaal"), (2, "2e kwartaal"), (3, "3e kwartaal"), (4, "4e kwartaal")]


class ContractKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.kenmerk} — {obj.aanbieder.naam} ({obj.regio.naam})"


class RapportageAanmaakForm(forms.ModelForm):
    """A new concept report for one of the aanbieder's own contracts; whether the quarter has
    ended and the contract ran in it is the service's (``services.maak_rapportage``)."""

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


class RegelRijForm(forms.Form):
    """One row of the table of lines: a product or functie and a gemeente of the quarter (fixed,
    as in the downloadable template), with its volume and clients; both empty is no line."""

    product = forms.ModelChoiceField(queryset=Product.objects.none(), widget=forms.HiddenInput)
    gemeente = forms.ModelChoiceField(queryset=Gemeente.objects.none(), widget=forms.HiddenInput)
    volume = forms.DecimalField(
        label="Volume", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    clienten = forms.IntegerField(label="Cliënten", required=False, min_value=0)

    def __init__(self, *args, producten, gemeenten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = producten
        self.fields["product"].label = "Product of functie"
        self.fields["gemeente"].queryset = gemeenten

    def clean(self):
        cleaned = super().clean()
        volume, clienten = cleaned.get("volume"), cleaned.get("clienten")
        if (volume is None) != (clienten is None):
            leeg = "volume" if volume is None else "clienten"
            if leeg not in self.errors:
                self.add_error(leeg, "Vul een waarde in (of laat volume én cliënten leeg).")
        return cleaned

    def regel(self) -> dict | None:
        """The line this row holds (None when volume and clients are both empty)."""
        data = self.cleaned_data
        if data.get("volume") is None and data.get("clienten") is None:
            return None
        return {k: data[k] for k in ("product", "gemeente", "volume", "clienten")}


class BaseRegelTabel(forms.BaseFormSet):
    """Every product × gemeente row of the quarter in one table, saved at once."""

    def clean(self):
        if any(self.errors):
            return
        gezien = set()
        for form in self.forms:
            product, gemeente = form.cleaned_data.get("product"), form.cleaned_data.get("gemeente")
            if (product, gemeente) in gezien:
                raise forms.ValidationError(
                    f"Corrigeer de dubbele regel: {product.naam} in {gemeente.naam} staat er "
                    "twee keer."
                )
            gezien.add((product, gemeente))

    def regels(self) -> list[dict]:
        return [regel for form in self.forms if (regel := form.regel()) is not None]


RegelTabel = forms.formset_factory(
    RegelRijForm, formset=BaseRegelTabel, extra=0, max_num=MAX_RIJEN, validate_max=True
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
