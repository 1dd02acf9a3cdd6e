from django import forms
from django.core.exceptions import ValidationError

from inkoop.models import (
    Aanbieder,
    Bestedingsruimte,
    Contactpersoon,
    Contract,
    ContractDocument,
    Perceel,
    Verlengingsoptie,
)
from regio.models import Gemeente, Lidmaatschap, Regio

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class AanbiederForm(forms.ModelForm):
    class Meta:
        model = Aanbieder
        fields = ["naam", "agb_code", "kvk_nummer", "straat", "huisnummer", "postcode", "plaats"]

    def clean_postcode(self):
        return self.cleaned_data["postcode"].upper()


ContactpersoonFormSet = forms.inlineformset_factory(
    Aanbieder,
    Contactpersoon,
    fields=["naam", "functie", "email", "telefoon"],
    extra=1,
    can_delete=True,
)


class ContractForm(forms.ModelForm):
    """A contract; choices are limited to what the user may see (regio, aanbieder, percelen,
    gemeenten), and percelen and gemeenten must belong to the chosen regio."""

    class Meta:
        model = Contract
        fields = ["regio", "aanbieder", "kenmerk", "soort", "hoofdcontract", "percelen",
                  "gemeenten", "bekostiging", "toerekeningsbasis", "begin", "einde",
                  "signaaldrempel", "wachtlijstbeheer"]  # fmt: skip
        widgets = {
            "begin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "einde": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "percelen": forms.CheckboxSelectMultiple,
            "gemeenten": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A BDVO is for one client and is drafted with its own service (bdvo_opstellen).
        self.fields["soort"].choices = [
            c for c in self.fields["soort"].choices if c[0] != Contract.Soort.BDVO
        ]
        self.fields["regio"].queryset = Regio.objects.visible_to(user, "inkoop.add_contract")
        self.fields["aanbieder"].queryset = Aanbieder.objects.visible_to(
            user, "inkoop.view_aanbieder"
        )
        self.fields["hoofdcontract"].queryset = Contract.objects.visible_to(
            user, "inkoop.view_contract"
        ).filter(soort=Contract.Soort.RAAMOVEREENKOMST)
        self.fields["percelen"].queryset = Perceel.objects.visible_to(user, "inkoop.view_perceel")
        self.fields["gemeenten"].queryset = Gemeente.objects.visible_to(user, "regio.view_gemeente")

    def clean(self):
        cleaned = super().clean()
        regio, begin = cleaned.get("regio"), cleaned.get("begin")
        if regio is None:
            return cleaned
        if cleaned.get("wachtlijstbeheer") and regio.wachtlijstbeheer != "contractpartner":
            self.add_error(
                "wachtlijstbeheer",
                f"Regio {regio.naam} laat de wachtlijst door de Centrale Toegang bijhouden.",
            )
        vreemd = [p.naam for p in cleaned.get("percelen", []) if p.regio_id != regio.pk]
        if vreemd:
            self.add_error("percelen", f"Niet van regio {regio.naam}: {', '.join(vreemd)}.")
        if begin and cleaned.get("gemeenten"):
            leden = set(
                Lidmaatschap.objects.active_on(begin)
                .filter(regio=regio)
                .values_list("gemeente_id", flat=True)
            )
            buiten = [g.naam for g in cleaned["gemeenten"] if g.pk not in leden]
            if buiten:
                self.add_error(
                    "gemeenten",
                    f"Op {begin:%d-%m-%Y} geen lid van {regio.naam}: {', '.join(buiten)}.",
                )
        return cleaned


class VerlengingsoptieForm(forms.ModelForm):
    class Meta:
        model = Verlengingsoptie
        fields = ["duur_maanden", "besluit_uiterlijk"]
        widgets = {"besluit_uiterlijk": forms.DateInput(attrs={"type": "date"})}


class VerlengingBesluitForm(forms.Form):
    """The decision on an extension option; after its deadline the reason is required (the
    service says so at this field)."""

    reden = forms.CharField(
        label="Reden (verplicht na de uiterlijke besluitdatum)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BestedingsruimteForm(forms.ModelForm):
    class Meta:
        model = Bestedingsruimte
        fields = ["jaar", "bedrag"]

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.contract = contract

    def clean_jaar(self):
        jaar = self.cleaned_data["jaar"]
        contract = self.instance.contract
        # The unique (contract, jaar) constraint is not checked by the form (contract is not a
        # field of it); say it at the field instead of failing on save.
        andere = Bestedingsruimte.objects.filter(contract=contract, jaar=jaar)
        if andere.exclude(pk=self.instance.pk).exists():
            raise ValidationError("Dit contract heeft al een bestedingsruimte voor dit jaar.")
        if not contract.begin.year <= jaar <= contract.looptijd_einde.year:
            raise ValidationError(
                f"Het contract loopt van {contract.begin.year} tot en met "
                f"{contract.looptijd_einde.year}."
            )
        return jaar


class ContractDocumentForm(forms.ModelForm):
    class Meta:
        model = ContractDocument
        fields = ["naam", "bestand"]

    def clean_bestand(self):
        bestand = self.cleaned_data["bestand"]
        if bestand.size > MAX_DOCUMENT_BYTES:
            raise ValidationError("Het bestand is groter dan 20 MB.")
        head = bestand.read(5)
        bestand.seek(0)
        if head != b"%PDF-":
            raise ValidationError("Alleen PDF-bestanden zijn toegestaan.")
        return bestand
