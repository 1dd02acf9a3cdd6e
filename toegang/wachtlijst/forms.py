"""Forms of the Centrale Toegang's screens. These forms only collect the input; the rules live
in the services (``services``, ``doorstroom``, ``regie``, ``inkoop.kwaliteit.signalen``).

- the waiting list: filters, beoordeling, dates and reasons;
- doorstroom and uitstroom from care, direct placement, buitenregionale plaatsing and the
  monitoring screen's filters;
- regie: trajectplan, goals, evaluations, the worklist's filters and the kwaliteitssignaal the
  Centrale Toegang passes to RISB.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q

from inkoop.kwaliteit.signalen import BSN_FOUT, bevat_bsn
from inkoop.models import Aanbieder, Kwaliteitssignaal, Locatie, Perceel, Product
from regio.iwmo import choices as iwmo_keuzes
from regio.models import Gemeente, Lidmaatschap, Regio
from toegang.models import (
    Aanmelding,
    Aanvraag,
    Beschikking,
    Evaluatie,
    Trajectdoel,
    Uitstroomreden,
    Zorgbeweging,
)
from toegang.wachtlijst import tijdvak
from toegang.wachtlijst.doorstroom import BESTEMMINGEN

DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def functies_van(regio):
    """The functies (BW, BT, time-out) of the regio's inkoop: products of its BW perceel."""
    return Product.objects.filter(perceel__regio=regio, domein="beschermd_wonen").order_by("naam")


def gemeenten_van(regio):
    leden = Lidmaatschap.objects.filter(regio=regio).values("gemeente")
    return Gemeente.objects.filter(pk__in=leden).order_by("naam")


class WachtlijstFilterForm(forms.Form):
    q = forms.CharField(label="Zoeken (naam)", required=False)
    regio = forms.ChoiceField(label="Regio", required=False)
    functie = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, empty_label="Alle functies"
    )
    arrangement = forms.TypedChoiceField(
        choices=[("", "Alle arrangementen"), (1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        required=False,
        empty_value=None,
    )
    herkomst = forms.ModelChoiceField(
        label="Gemeente van herkomst",
        queryset=Gemeente.objects.none(),
        required=False,
        empty_label="Alle gemeenten",
    )
    urgentie = forms.ChoiceField(
        choices=[("", "Alle"), *Aanmelding.Urgentie.choices], required=False
    )
    status = forms.ChoiceField(
        choices=[("", "Op de wachtlijst"), ("aangemeld", "Aangemeld (beoordeling)")],
        required=False,
    )
    boven_norm = forms.BooleanField(label="Alleen boven de norm", required=False)

    def __init__(self, *args, regios, regio=None, arrangementen=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not arrangementen:  # no aanmelding on the list is of an era with arrangementen
            del self.fields["arrangement"]
        self.fields["regio"].choices = [(r.code, r.naam) for r in regios]
        if regio is not None:
            self.fields["functie"].queryset = functies_van(regio)
            self.fields["herkomst"].queryset = gemeenten_van(regio)


class BeoordelingForm(forms.ModelForm):
    class Meta:
        model = Aanmelding
        fields = [
            "functie", "arrangement", "urgentie", "urgentie_reden", "gemeente_herkomst",
            "voorkeur_gemeente", "voorkeur_aanbieder", "voorkeur_locatie", "gender", "huisdieren",
            "rolstoeltoegankelijk", "uitsluitingen", "bijzonderheden", "overbruggingszorg",
        ]  # fmt: skip
        labels = {
            "urgentie_reden": "Reden van de urgentie",
            "gemeente_herkomst": "Gemeente van herkomst",
        }

    def __init__(self, *args, aanbieders, locaties, **kwargs):
        super().__init__(*args, **kwargs)
        a, regio = self.instance, self.instance.regio
        # The catalogue of the aanmelding's own date (``tijdvak``); a waiting client may also
        # change to a functie valid today, and the current functie stays selectable.
        functies = Q(pk__in=tijdvak.functies_op(regio, a.aangemeld_op).values("pk"))
        if a.status in (Aanmelding.Status.WACHTEND, Aanmelding.Status.GERESERVEERD):
            functies |= Q(pk__in=tijdvak.functies_op(regio, datetime.date.today()).values("pk"))
        if a.functie_id:
            functies |= Q(pk=a.functie_id)
        self.fields["functie"].queryset = Product.objects.filter(functies).order_by("naam")
        self.fields["functie"].required = True
        if not (a.arrangement or tijdvak.heeft_arrangementen(regio, a.aangemeld_op)):
            del self.fields["arrangement"]
        gemeenten = gemeenten_van(regio)
        self.fields["gemeente_herkomst"].queryset = gemeenten
        self.fields["voorkeur_gemeente"].queryset = gemeenten
        self.fields["voorkeur_aanbieder"].queryset = aanbieders
        self.fields["voorkeur_locatie"].queryset = locaties
        self.fields["uitsluitingen"].queryset = locaties
        self.fields["uitsluitingen"].required = False


class DatumForm(forms.Form):
    datum = forms.DateField(widget=DATUM)


class PlaatsenForm(DatumForm):
    """Placing a client: the date, and — only without a covering beschikking — the reason of
    the crisis placement."""

    crisis_reden = forms.CharField(
        label="Reden crisisplaatsing",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Alleen als er nog geen vastgestelde beschikking voor deze functie is: "
        "waarom de cliënt nu al wordt geplaatst. De beschikking moet dan binnen de termijn "
        "van de regio volgen.",
    )


class UitstroomForm(DatumForm):
    reden = forms.ChoiceField(label="Reden", choices=[("", "— kies —"), *Uitstroomreden.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Geplaatst goes through a plaatsing (it makes the toewijzing).
        self.fields["reden"].choices = [
            c for c in self.fields["reden"].choices if c[0] != Uitstroomreden.GEPLAATST
        ]


class ReserveringForm(forms.Form):
    locatie = forms.ModelChoiceField(queryset=Locatie.objects.none())

    def __init__(self, *args, locaties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locatie"].queryset = locaties


class AanmeldForm(forms.Form):
    """Registration with the Centrale Toegang by the lokaal team (or the crisis route)."""

    route = forms.ChoiceField(choices=Aanmelding.Route.choices)
    aangemeld_op = forms.DateField(label="Aangemeld op", widget=DATUM)
    aanvraag = forms.ModelChoiceField(
        queryset=Aanvraag.objects.none(), required=False, empty_label="— geen —"
    )
    beschikking = forms.ModelChoiceField(
        queryset=Beschikking.objects.none(),
        required=False,
        empty_label="— geen —",
        help_text="Bij de crisisroute mag de beschikking later volgen.",
    )

    def __init__(self, *args, aanvragen, beschikkingen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aanvraag"].queryset = aanvragen
        self.fields["beschikking"].queryset = beschikkingen


class DirectPlaatsenForm(forms.Form):
    locatie = forms.ModelChoiceField(
        queryset=Locatie.objects.none(),
        empty_label="— kies —",
        error_messages={"invalid_choice": "Kies een locatie uit de lijst."},
    )
    datum = forms.DateField(label="Geplaatst op", widget=DATUM)
    crisis_reden = forms.CharField(
        label="Reden crisisplaatsing",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Alleen als er nog geen vastgestelde beschikking voor deze functie is: "
        "waarom de cliënt nu al wordt geplaatst. De beschikking moet dan binnen de termijn "
        "van de regio volgen.",
    )

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


# --- the BDVO drafted from an aanmelding (toegang.wachtlijst.bdvo) ------------------------------


class PerceelKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.naam


class BdvoForm(forms.Form):
    aanbieder = forms.ModelChoiceField(
        label="Aanbieder",
        queryset=Aanbieder.objects.none(),
        required=False,
        empty_label="— kies, of vul hieronder de AGB-code in —",
        error_messages={"invalid_choice": "Kies de aanbieder."},
    )
    agb_code = forms.CharField(
        label="Of: AGB-code van een aanbieder buiten de regio",
        max_length=8,
        required=False,
        help_text="Een aanbieder die alleen elders een contract heeft, vindt u op haar AGB-code "
        "(8 cijfers, openbaar register).",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    perceel = PerceelKeuze(
        label="Perceel",
        queryset=Perceel.objects.none(),
        error_messages={"required": "Kies het perceel.", "invalid_choice": "Kies het perceel."},
    )
    begin = forms.DateField(
        label="Begindatum", widget=DATUM, error_messages={"required": "Vul de begindatum in."}
    )
    einde = forms.DateField(
        label="Einddatum", widget=DATUM, error_messages={"required": "Vul de einddatum in."}
    )
    tarief = forms.DecimalField(
        label="Tarief (€)",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Vul het tarief van de BDVO in.",
            "invalid": "Vul een bedrag in, bijvoorbeeld 245,00.",
            "min_value": "Het tarief kan niet negatief zijn.",
            "max_digits": "Dit bedrag is te groot.",
            "max_whole_digits": "Dit bedrag is te groot.",
            "max_decimal_places": "Een bedrag heeft hoogstens twee cijfers achter de komma.",
        },
    )
    eenheid = forms.ChoiceField(
        label="Per eenheid (iWmo WJ756)",
        choices=lambda: [("", "— kies —"), *iwmo_keuzes("WJ756_Eenheid")],
        error_messages={"required": "Kies de eenheid waarin het tarief geldt."},
    )
    kenmerk = forms.CharField(
        label="Kenmerk",
        max_length=50,
        required=False,
        help_text="Leeg: het volgende nummer (BDVO-jaar-volgnummer).",
    )

    def __init__(self, *args, aanbieders, percelen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aanbieder"].queryset = aanbieders
        self.fields["perceel"].queryset = percelen

    def clean(self):
        data = super().clean()
        agb = (data.get("agb_code") or "").strip()
        if agb:
            # The AGB register is public: an exact code names any aanbieder, also one contracted
            # only in other regio's, without listing those (the select shows what the user sees).
            gevonden = Aanbieder.objects.filter(agb_code=agb).first()
            if gevonden is None:
                self.add_error("agb_code", "Er is geen aanbieder met deze AGB-code.")
            elif data.get("aanbieder") and data["aanbieder"] != gevonden:
                self.add_error("agb_code", "Kies een aanbieder óf vul een AGB-code in, niet beide.")
            else:
                data["aanbieder"] = gevonden
        elif not data.get("aanbieder") and "aanbieder" not in self.errors:
            self.add_error(
                "aanbieder",
                "Kies de aanbieder, of vul de AGB-code van een aanbieder buiten de regio in.",
            )
        return data
