"""Forms for the kwaliteit of a contractpartner: certificates, calamiteiten and incidenten, and
onderaannemers. Choice fields hold only what the user may see (``visible_to``)."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from inkoop.locaties.forms import DatumInput, aanbieder_keuzes
from inkoop.models import Aanbieder, Certificaat, Contract, Melding, Onderaanneming
from regio.validators import is_valid_bsn

_NEGEN_CIJFERS = re.compile(r"(?<!\d)\d{9}(?!\d)")


class AanbiederVastMixin:
    """The aanbieder field: the aanbieders the user may act for; fixed once the row exists."""

    def stel_aanbieder_in(self, user, capability: str):
        field = self.fields["aanbieder"]
        if self.instance.pk:
            field.queryset = Aanbieder.objects.filter(pk=self.instance.aanbieder_id)
            field.disabled = True
            return
        aanbieders = aanbieder_keuzes(user, capability)
        field.queryset = aanbieders
        if len(aanbieders) == 1:
            field.empty_label = None
            field.initial = aanbieders[0].pk


class CertificaatForm(AanbiederVastMixin, forms.ModelForm):
    class Meta:
        model = Certificaat
        fields = ["aanbieder", "soort", "nummer", "geldig_tot"]
        widgets = {"geldig_tot": DatumInput()}
        labels = {"geldig_tot": "Geldig tot en met", "nummer": "Certificaatnummer"}

    def __init__(self, *args, user, capability: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.stel_aanbieder_in(user, capability)

    def clean_soort(self):
        return self.cleaned_data["soort"].strip()


class MeldingForm(AanbiederVastMixin, forms.ModelForm):
    """A calamiteit or incident as the aanbieder reports it; about what happened, never who."""

    class Meta:
        model = Melding
        fields = ["aanbieder", "contract", "soort", "datum", "omschrijving"]
        widgets = {"datum": DatumInput(), "omschrijving": forms.Textarea(attrs={"rows": 6})}
        labels = {"datum": "Datum van het voorval", "soort": "Soort melding"}
        help_texts = {
            "omschrijving": (
                "Beschrijf wat er gebeurde en welke maatregelen zijn genomen. "
                "Noem geen naam of BSN van een cliënt."
            ),
            "contract": "Het contract waaronder de zorg werd geleverd, als dat bekend is.",
        }

    def __init__(self, *args, user, capability: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.stel_aanbieder_in(user, capability)
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user, capability)
            .select_related("aanbieder")
            .order_by("aanbieder__naam", "kenmerk")
        )

    def clean_datum(self):
        datum = self.cleaned_data["datum"]
        if datum > timezone.localdate():
            raise forms.ValidationError("De datum ligt in de toekomst.")
        return datum

    def clean_omschrijving(self):
        tekst = self.cleaned_data["omschrijving"].strip()
        if any(is_valid_bsn(n) for n in _NEGEN_CIJFERS.findall(tekst)):
            raise forms.ValidationError(
                "De omschrijving lijkt een BSN te bevatten. Laat gegevens van de cliënt weg."
            )
        return tekst

    def clean(self):
        cleaned = super().clean()
        aanbieder, contract = cleaned.get("aanbieder"), cleaned.get("contract")
        if aanbieder and contract and contract.aanbieder_id != aanbieder.pk:
            self.add_error("contract", "Dit contract is niet van de gekozen aanbieder.")
        return cleaned


class MeldingAfhandelForm(forms.Form):
    """Follow-up of a melding by the regio: save it, or close the melding with it. The service
    checks what closing needs (follow-up text, a date between the melding and today)."""

    opvolging = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Wat heeft de regio met de melding gedaan (gesprek, verbeterplan, toezicht)?",
    )
    afgehandeld_op = forms.DateField(
        label="Afgehandeld op",
        widget=DatumInput(),
        required=False,
        help_text="Alleen nodig bij afhandelen.",
    )


class OnderaannemingForm(forms.ModelForm):
    class Meta:
        model = Onderaanneming
        fields = ["naam", "agb_code", "kvk_nummer", "begin", "einde"]
        widgets = {"begin": DatumInput(), "einde": DatumInput()}
        labels = {"begin": "Vanaf", "einde": "Tot en met"}
        help_texts = {"einde": "Leeg: voor de duur van het contract."}

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.contract = contract

    def clean(self):
        cleaned = super().clean()
        begin, einde = cleaned.get("begin"), cleaned.get("einde")
        contract = self.instance.contract
        if begin and einde and einde < begin:
            self.add_error("einde", "De einddatum ligt vóór de begindatum.")
        if begin and begin > contract.looptijd_einde:
            self.add_error(
                "begin",
                f"Het contract loopt tot en met {contract.looptijd_einde:%d-%m-%Y}; "
                "een onderaanneming kan niet later beginnen.",
            )
        if einde and einde < contract.begin:
            self.add_error(
                "einde",
                f"Het contract begint op {contract.begin:%d-%m-%Y}; "
                "een onderaanneming kan niet eerder eindigen.",
            )
        return cleaned
