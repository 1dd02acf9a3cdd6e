"""Forms for locations, their capacity and the free places the aanbieder reports.

Every choice field is limited to what the user may see (``visible_to``): an aanbieder user can
only pick its own aanbieder, gemeenten and functies of its own contracts; posting another id is
rejected at the field like any invalid choice.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Exists, OuterRef, Q

from inkoop.models import Aanbieder, Capaciteit, Contract, Locatie, Product
from inkoop.validators import postcode_validator
from regio.models import Gemeente
from regio.query import scope_for


class DatumInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PostcodeField(forms.CharField):
    """Accepts '3811ab' and '3811 AB' alike and stores the written form '3811 AB'."""

    def to_python(self, value):
        value = super().to_python(value)
        compact = re.sub(r"\s+", "", value).upper()
        if re.fullmatch(r"\d{4}[A-Z]{2}", compact):
            return f"{compact[:4]} {compact[4:]}"
        return value.strip().upper()


def aanbieder_keuzes(user, capability: str):
    """The aanbieders the user may act for with ``capability``. A regio role also sees newly
    registered aanbieders without any contract, but what belongs to an aanbieder is scoped by
    contract (``PerAanbiederQuerySet``): a row for such an aanbieder would vanish from the
    user's sight at once, so those are left out unless they are the user's own."""
    eigen = scope_for(user, capability).aanbieder_ids
    met_contract = Exists(Contract.objects.filter(aanbieder=OuterRef("pk")))
    return (
        Aanbieder.objects.visible_to(user, capability)
        .filter(Q(met_contract) | Q(pk__in=sorted(eigen)))
        .order_by("naam")
    )


def gemeente_keuzes(user):
    """Gemeenten the user may see, and those covered by the contracts the user may see (an
    aanbieder user sees no gemeente otherwise)."""
    contracten = Contract.objects.visible_to(user, "inkoop.view_contract")
    gedekt = Contract.gemeenten.through.objects.filter(contract__in=contracten).values(
        "gemeente_id"
    )
    zichtbaar = Gemeente.objects.visible_to(user, "regio.view_gemeente").values("pk")
    return Gemeente.objects.filter(Q(pk__in=zichtbaar) | Q(pk__in=gedekt)).order_by("naam")


def functie_keuzes(user, gekozen=()):
    """Products (functies) of the percelen of the contracts the user may see, plus the catalogue
    the user may see; valid today, or already chosen for this location."""
    contracten = Contract.objects.visible_to(user, "inkoop.view_contract")
    percelen = Contract.percelen.through.objects.filter(contract__in=contracten).values(
        "perceel_id"
    )
    catalogus = Product.objects.visible_to(user, "inkoop.view_product").values("pk")
    geldig = Product.objects.filter(Q(perceel__in=percelen) | Q(pk__in=catalogus)).active_on(
        datetime.date.today()
    )
    return (
        Product.objects.filter(Q(pk__in=geldig.values("pk")) | Q(pk__in=[p.pk for p in gekozen]))
        .select_related("perceel", "perceel__regio")
        .order_by("perceel__regio__naam", "perceel__naam", "naam")
    )


class FunctieChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.naam} ({obj.perceel.naam}, {obj.perceel.regio.naam})"


class LocatieForm(forms.ModelForm):
    postcode = PostcodeField(
        max_length=7, validators=[postcode_validator], help_text="Bijvoorbeeld 3811 AB."
    )

    class Meta:
        model = Locatie
        fields = [
            "aanbieder",
            "naam",
            "straat",
            "huisnummer",
            "postcode",
            "plaats",
            "gemeente",
            "functies",
            "doelgroep",
            "gender",
            "huisdieren",
            "rolstoeltoegankelijk",
            "leeftijd_min",
            "leeftijd_max",
            "actief",
        ]
        field_classes = {"functies": FunctieChoiceField}
        labels = {
            "gender": "Voor wie",
            "doelgroep": "Doelgroep",
            "leeftijd_min": "Minimumleeftijd (jaren)",
            "leeftijd_max": "Maximumleeftijd (jaren)",
        }
        help_texts = {
            "leeftijd_min": "Leeg: geen ondergrens. De wachtlijst biedt de locatie niet aan "
            "cliënten buiten deze leeftijden aan.",
            "leeftijd_max": "Leeg: geen bovengrens. Tot en met deze leeftijd.",
            "functies": "De functies of producten die op deze locatie geboden worden.",
            "actief": "Een inactieve locatie telt niet mee in capaciteit en matching.",
        }

    def __init__(self, *args, user, aanbieder_capability: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        aanbieders = aanbieder_keuzes(user, aanbieder_capability)
        field = self.fields["aanbieder"]
        if self.instance.pk:
            # A location does not move to another aanbieder.
            field.queryset = Aanbieder.objects.filter(pk=self.instance.aanbieder_id)
            field.disabled = True
        else:
            field.queryset = aanbieders
            if len(aanbieders) == 1:
                field.empty_label = None
                field.initial = aanbieders[0].pk
        self.fields["gemeente"].queryset = gemeente_keuzes(user)
        gekozen = list(self.instance.functies.all()) if self.instance.pk else []
        self.fields["functies"].queryset = functie_keuzes(user, gekozen)

    def clean(self):
        cleaned = super().clean()
        laag, hoog = cleaned.get("leeftijd_min"), cleaned.get("leeftijd_max")
        if laag is not None and hoog is not None and hoog < laag:
            self.add_error("leeftijd_max", "De maximumleeftijd ligt onder de minimumleeftijd.")
        aanbieder = cleaned.get("aanbieder")
        functies = cleaned.get("functies")
        if aanbieder and functies:
            gecontracteerd = set(
                Contract.percelen.through.objects.filter(contract__aanbieder=aanbieder).values_list(
                    "perceel_id", flat=True
                )
            )
            zonder = [f.naam for f in functies if f.perceel_id not in gecontracteerd]
            if zonder:
                self.add_error(
                    "functies",
                    "Deze aanbieder heeft geen contract voor: " + ", ".join(sorted(zonder)) + ".",
                )
        return cleaned


class CapaciteitForm(forms.ModelForm):
    """A period of places of one location; periods of a location never overlap (the database's
    exclusion constraint, validated here so the error shows at the field)."""

    class Meta:
        model = Capaciteit
        fields = ["begin", "einde", "plaatsen"]
        widgets = {"begin": DatumInput(), "einde": DatumInput()}
        labels = {"begin": "Vanaf", "einde": "Tot en met", "plaatsen": "Aantal plaatsen"}
        help_texts = {"einde": "Leeg: tot nader order."}

    def __init__(self, *args, locatie, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.locatie = locatie

    def clean(self):
        cleaned = super().clean()
        begin, einde = cleaned.get("begin"), cleaned.get("einde")
        if begin and einde and einde < begin:
            self.add_error("einde", "De einddatum ligt vóór de begindatum.")
        return cleaned

    def validate_constraints(self):
        # The location is set by the view, not a form field; ModelForm would skip every
        # constraint that mentions it. Validate them with the location included and show a
        # period error at the field it is about.
        exclude = self._get_validation_exclusions() - {"locatie"}
        if {"begin", "einde"} & exclude:
            return  # a date is missing or invalid: its own error is already shown
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            messages = error.message_dict.get(NON_FIELD_ERRORS, [])
            for message in messages:
                self.add_error("begin", message)
            rest = {k: v for k, v in error.message_dict.items() if k != NON_FIELD_ERRORS}
            if rest:
                self._update_errors(ValidationError(rest))


class VrijePlaatsenForm(forms.Form):
    vrije_plaatsen = forms.IntegerField(
        label="Aantal vrije plaatsen",
        min_value=0,
        max_value=32767,
        help_text="Het aantal plaatsen dat nu vrij is voor een nieuwe cliënt.",
    )
