"""Forms of the finance screens: a year's parameters, the voorschotten, budgets and functie
weights per year, the verdeelmodel, and the dashboard filter. Errors are Dutch and at the field;
amounts accept a decimal comma ("1234,56") as well as a point."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from financien.models import Budget, Functiegewicht, Jaarparameters, Voorschot
from financien.verevening import STRATEGIEEN, GemeenteInvoer, VereveningFout, VereveningInvoer
from regio import audit
from regio.models import Domein, Gemeente, Lidmaatschap

NUL = Decimal("0")
GELDFOUTEN = {
    "invalid": "Vul een bedrag in, bijvoorbeeld 1250000,00.",
    "max_digits": "Dit bedrag is te groot.",
    "max_decimal_places": "Een bedrag heeft hoogstens twee cijfers achter de komma.",
    "max_whole_digits": "Dit bedrag is te groot.",
    "required": "Vul een bedrag in.",
}


def geldveld(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=help_text,
        error_messages=GELDFOUTEN,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def niet_negatief(bedrag):
    if bedrag is not None and bedrag < 0:
        raise ValidationError("Een bedrag kan niet negatief zijn.")
    return bedrag


def bw_leden(regio, jaar: int):
    """The gemeenten that are members of ``regio`` for beschermd wonen on 1 January of ``jaar``
    (the regio itself was reached through the scoping layer), by name."""
    leden = Lidmaatschap.objects.active_on(datetime.date(jaar, 1, 1)).filter(
        regio=regio, domein=Domein.BESCHERMD_WONEN
    )
    return Gemeente.objects.filter(pk__in=leden.values("gemeente")).order_by("naam", "code")


def strategie_keuzes():
    return [(naam, f"{naam} — {cls.omschrijving}") for naam, cls in sorted(STRATEGIEEN.items())]


class JaarparametersForm(forms.ModelForm):
    """A regio's verevening parameters of one year. On creation also the regio (only those the
    user may edit for as a whole) and the year."""

    regio = forms.ModelChoiceField(
        queryset=None,
        label="Regio",
        empty_label=None,
        error_messages={"invalid_choice": "Kies een regio waarvoor u de parameters beheert."},
    )
    jaar = forms.IntegerField(
        label="Jaar",
        min_value=2015,
        max_value=2100,
        error_messages={
            "required": "Vul een jaar in.",
            "invalid": "Vul een jaar in, bijvoorbeeld 2026.",
            "min_value": "Kies een jaar vanaf 2015.",
            "max_value": "Kies een jaar tot en met 2100.",
        },
    )
    peildatum_nieuw = forms.DateField(
        label="Peildatum nieuwe cliënten",
        help_text=Jaarparameters._meta.get_field("peildatum_nieuw").help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Vul de peildatum in.",
            "invalid": "Vul een datum in als JJJJ-MM-DD.",
        },
    )
    alpha = forms.DecimalField(
        label="Solidariteitsfactor (alpha)",
        help_text=Jaarparameters._meta.get_field("alpha").help_text,
        max_digits=5,
        decimal_places=4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Vul alpha in (een getal van 0 tot en met 1).",
            "invalid": "Vul alpha in als getal van 0 tot en met 1, bijvoorbeeld 0,5.",
            "max_digits": "Alpha ligt tussen 0 en 1, met hoogstens vier decimalen.",
            "max_decimal_places": "Alpha heeft hoogstens vier cijfers achter de komma.",
            "max_whole_digits": "Alpha ligt tussen 0 en 1.",
        },
    )
    centrumgemeentebudget = geldveld(
        "Centrumgemeentebudget (B_c)",
        help_text="Wat de centrumgemeente dit jaar nog voor beschermd wonen beschikbaar heeft.",
    )
    strategie = forms.ChoiceField(
        label="Vereveningsstrategie",
        choices=strategie_keuzes,
        error_messages={"invalid_choice": "Kies een van de bekende vereveningsstrategieën."},
    )
    strategie_parameters = forms.JSONField(
        label="Parameters van de strategie (JSON)",
        required=False,
        help_text="Alleen voor een strategie die eigen parameters heeft; anders leeg laten.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"invalid": "Dit is geen geldige JSON."},
    )

    class Meta:
        model = Jaarparameters
        fields = [
            "regio",
            "jaar",
            "peildatum_nieuw",
            "alpha",
            "centrumgemeentebudget",
            "strategie",
            "strategie_parameters",
        ]

    def __init__(self, *args, regios=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Regio and year identify the parameters: they do not change.
            del self.fields["regio"]
            del self.fields["jaar"]
        else:
            self.fields["regio"].queryset = regios
            if not self.is_bound:
                volgend = datetime.date.today().year + 1
                self.initial.setdefault("jaar", volgend)
                self.initial.setdefault("strategie", "solidariteit")
                self.initial.setdefault("alpha", Decimal("0.5"))

    def clean_alpha(self):
        alpha = self.cleaned_data["alpha"]
        if not NUL <= alpha <= 1:
            raise ValidationError("Alpha ligt tussen 0 en 1 (0 en 1 zelf mogen ook).")
        return alpha

    def clean_centrumgemeentebudget(self):
        return niet_negatief(self.cleaned_data["centrumgemeentebudget"])

    def clean_strategie_parameters(self):
        waarde = self.cleaned_data.get("strategie_parameters")
        if waarde in (None, ""):
            return {}
        if not isinstance(waarde, dict):
            raise ValidationError('Geef de parameters als JSON-object, bijvoorbeeld {"a": 1}.')
        return waarde

    def clean(self):
        data = super().clean()
        regio = self.instance.regio if self.instance.pk else data.get("regio")
        jaar = self.instance.jaar if self.instance.pk else data.get("jaar")
        if (
            not self.instance.pk
            and regio is not None
            and jaar is not None
            and Jaarparameters.objects.filter(regio=regio, jaar=jaar).exists()
        ):
            self.add_error("jaar", f"{regio.naam} heeft al parameters voor {jaar}.")
        naam = data.get("strategie")
        if regio is not None and jaar is not None and naam in STRATEGIEEN:
            self._controleer_strategie(regio, jaar, naam, data.get("strategie_parameters") or {})
        # The model's uniqueness check would repeat the message above the form; clean() says it
        # at the year. Alpha and the budget are checked at their fields.
        self._validate_unique = False
        return data

    def _controleer_strategie(self, regio, jaar, naam, parameters):
        invoer = VereveningInvoer(
            regio=regio.code, jaar=jaar, alpha=Decimal("0.5"), centrumgemeentebudget=NUL,
            totale_kosten=NUL, strategie=naam, strategie_parameters=parameters,
            gemeenten=tuple(
                GemeenteInvoer(code=g.code, naam=g.naam, aandeel=NUL, kosten_nieuw=NUL,
                               voorschot=NUL)
                for g in bw_leden(regio, jaar)
            ),
        )  # fmt: skip
        try:
            STRATEGIEEN[naam]().controleer(invoer)
        except VereveningFout as exc:
            self.add_error("strategie_parameters", str(exc))


class PerGemeenteForm(forms.Form):
    """One amount per gemeente (field ``g<code>``), blank = none."""

    def __init__(self, *args, gemeenten, bedragen=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gemeenten = list(gemeenten)
        bedragen = bedragen or {}
        for g in self.gemeenten:
            veld = geldveld(g.naam, required=False)
            veld.initial = bedragen.get(g.pk)
            self.fields[f"g{g.code}"] = veld

    def clean(self):
        data = super().clean()
        for g in self.gemeenten:
            bedrag = data.get(f"g{g.code}")
            if bedrag is not None and bedrag < 0:
                self.add_error(f"g{g.code}", "Een voorschot kan niet negatief zijn.")
        return data

    def bedragen(self) -> dict:
        return {g: self.cleaned_data.get(f"g{g.code}") for g in self.gemeenten}


class VoorschottenForm(PerGemeenteForm):
    @transaction.atomic
    def save(self, parameters, user):
        """Write the voorschotten of ``parameters``: a blank amount removes the voorschot."""
        Jaarparameters.objects.select_for_update().get(pk=parameters.pk)
        for g, bedrag in self.bedragen().items():
            if bedrag is None:
                Voorschot.objects.filter(parameters=parameters, gemeente=g).delete()
            else:
                Voorschot.objects.update_or_create(
                    parameters=parameters, gemeente=g, defaults={"bedrag": bedrag}
                )
        audit.record(
            "change", objects=[parameters], actor=user, toelichting={"wat": "voorschotten"}
        )


class VerdeelTotaalForm(forms.Form):
    totaal = geldveld(
        "Totaal van de voorschotten",
        help_text="Wordt verdeeld naar de genormaliseerde aandelen van het verdeelmodel "
        "(grootste rest, op de cent). Controleer de uitkomst en sla daarna op.",
    )

    def clean_totaal(self):
        return niet_negatief(self.cleaned_data["totaal"])


class BudgetGemeenteForm(forms.Form):
    """The budgets of one gemeente, one field per functie (``f<pk>``); blank = no budget."""

    def __init__(self, *args, gemeente, functies, bedragen=None, **kwargs):
        super().__init__(*args, prefix=f"g{gemeente.code}", **kwargs)
        self.gemeente = gemeente
        self.functies = list(functies)
        bedragen = bedragen or {}
        for f in self.functies:
            veld = geldveld(f.naam, required=False)
            veld.initial = bedragen.get((gemeente.pk, f.pk))
            self.fields[f"f{f.pk}"] = veld

    def clean(self):
        data = super().clean()
        for f in self.functies:
            bedrag = data.get(f"f{f.pk}")
            if bedrag is not None and bedrag < 0:
                self.add_error(f"f{f.pk}", "Een budget kan niet negatief zijn.")
        return data


@transaction.atomic
def budgetten_opslaan(parameters, forms_per_gemeente, user):
    Jaarparameters.objects.select_for_update().get(pk=parameters.pk)
    for form in forms_per_gemeente:
        for f in form.functies:
            bedrag = form.cleaned_data.get(f"f{f.pk}")
            if bedrag is None:
                Budget.objects.filter(
                    parameters=parameters, gemeente=form.gemeente, functie=f
                ).delete()
            else:
                Budget.objects.update_or_create(
                    parameters=parameters, gemeente=form.gemeente, functie=f,
                    defaults={"bedrag": bedrag},
                )  # fmt: skip
    audit.record("change", objects=[parameters], actor=user, toelichting={"wat": "budgetten"})


class FunctiegewichtenForm(forms.Form):
    """The weight of each functie under taakgerichte bekostiging; blank = weight 1."""

    def __init__(self, *args, functies, gewichten=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.functies = list(functies)
        gewichten = gewichten or {}
        for f in self.functies:
            self.fields[f"f{f.pk}"] = forms.DecimalField(
                label=f.naam,
                required=False,
                max_digits=7,
                decimal_places=3,
                localize=True,
                initial=gewichten.get(f.pk),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                error_messages={
                    "invalid": "Vul een gewicht in, bijvoorbeeld 1,25.",
                    "max_digits": "Dit gewicht is te groot.",
                    "max_whole_digits": "Dit gewicht is te groot.",
                    "max_decimal_places": "Een gewicht heeft hoogstens drie decimalen.",
                },
            )

    def clean(self):
        data = super().clean()
        for f in self.functies:
            gewicht = data.get(f"f{f.pk}")
            if gewicht is not None and gewicht <= 0:
                self.add_error(f"f{f.pk}", "Een gewicht is groter dan 0 (leeg laten = 1).")
        return data

    @transaction.atomic
    def save(self, parameters, user):
        Jaarparameters.objects.select_for_update().get(pk=parameters.pk)
        for f in self.functies:
            gewicht = self.cleaned_data.get(f"f{f.pk}")
            if gewicht is None:
                Functiegewicht.objects.filter(parameters=parameters, functie=f).delete()
            else:
                Functiegewicht.objects.update_or_create(
                    parameters=parameters, functie=f, defaults={"gewicht": gewicht}
                )
        audit.record(
            "change", objects=[parameters], actor=user, toelichting={"wat": "functiegewichten"}
        )


class VerdeelmodelForm(forms.Form):
    """The verdeelmodel shares of a year in percent, one per BW member gemeente."""

    bron = forms.CharField(
        label="Bron", required=False, max_length=200, help_text="Besluit of document."
    )

    def __init__(self, *args, gemeenten, percentages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gemeenten = list(gemeenten)
        percentages = percentages or {}
        for g in self.gemeenten:
            self.fields[f"g{g.code}"] = forms.DecimalField(
                label=f"{g.naam} (%)",
                required=True,
                max_digits=7,
                decimal_places=4,
                min_value=0,
                max_value=100,
                localize=True,
                initial=percentages.get(g.pk),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                error_messages={
                    "required": "Vul het aandeel in (0 mag).",
                    "invalid": "Vul een percentage in, bijvoorbeeld 56,52.",
                    "min_value": "Een aandeel kan niet negatief zijn.",
                    "max_value": "Een aandeel is hoogstens 100%.",
                    "max_digits": "Een aandeel is hoogstens 100%.",
                    "max_whole_digits": "Een aandeel is hoogstens 100%.",
                    "max_decimal_places": "Een aandeel heeft hoogstens vier decimalen.",
                },
            )
        # The bron comes last.
        self.order_fields([f"g{g.code}" for g in self.gemeenten] + ["bron"])

    def percentages(self) -> dict:
        return {g: self.cleaned_data[f"g{g.code}"] for g in self.gemeenten}
