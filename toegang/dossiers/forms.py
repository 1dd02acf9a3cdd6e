"""Forms for clients: BSN search (POST), registration, the person's iWmo details, addresses and
relaties (formsets), and the gemeente van herkomst of a dossier."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory

from regio.models import Gemeente
from regio.validators import validate_bsn
from toegang.dossiers.services import normaliseer_bsn
from toegang.models import Adres, Dossier, Persoon, Relatie

DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NEDERLAND = "NL"


class KiesLabelMixin:
    """Django's blank choice "---------" reads as "— kies —" in a Dutch form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == "---------":
                    field.empty_label = "— kies —"
            elif isinstance(field, forms.ChoiceField):
                keuzes = list(field.choices)
                if keuzes and keuzes[0][0] == "" and keuzes[0][1] == "---------":
                    field.choices = [("", "— kies —"), *keuzes[1:]]


def alle_gemeenten():
    # Herkomst and woonplaats may be any CBS gemeente, also outside the user's scope and the
    # regio: it is reference data (the CBS list), not another gemeente's client data.
    return Gemeente.objects.order_by("naam")


class BsnField(forms.CharField):
    """Nine digits with the elfproef; spaces, dots and dashes as typed are removed, leading zeros
    kept."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "BSN")
        kwargs.setdefault("max_length", 15)
        kwargs.setdefault("validators", [validate_bsn])
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        )

    def to_python(self, value):
        return normaliseer_bsn(super().to_python(value))


class BsnZoekForm(forms.Form):
    bsn = BsnField(help_text="Negen cijfers; een voorloopnul hoort erbij.")

    def __init__(self, *args, **kwargs):
        # Shown on one page with the registration form, which has a BSN field too.
        kwargs.setdefault("auto_id", "zoek_%s")
        super().__init__(*args, **kwargs)


class NaamZoekForm(forms.Form):
    naam = forms.CharField(label="Achternaam", max_length=200, required=False)
    geboortedatum = forms.DateField(required=False, widget=DATUM)


class NieuwDossierForm(forms.Form):
    """The BSN and the dossier part of a registration (or of opening a dossier for a person
    known elsewhere)."""

    bsn = BsnField()
    verantwoordelijke_gemeente = forms.ModelChoiceField(
        queryset=Gemeente.objects.none(),
        help_text="De gemeente die beschikt en wiens dossier dit is.",
    )
    gemeente_herkomst = forms.ModelChoiceField(
        queryset=Gemeente.objects.none(),
        required=False,
        label="Gemeente van herkomst",
        empty_label="Onbekend",
        help_text="Woonplaats vóór beschermd wonen; mag buiten de regio liggen.",
    )
    geopend_op = forms.DateField(label="Dossier geopend op", widget=DATUM)

    def __init__(self, *args, gemeenten, **kwargs):
        super().__init__(*args, **kwargs)
        # A consulent of several gemeenten chooses; of one, it is preselected.
        veld = self.fields["verantwoordelijke_gemeente"]
        veld.queryset = gemeenten
        eigen = list(gemeenten)
        veld.empty_label = None if len(eigen) == 1 else "— kies —"
        if len(eigen) == 1:
            veld.initial = eigen[0].pk
        self.fields["gemeente_herkomst"].queryset = alle_gemeenten()
        self.fields["geopend_op"].initial = datetime.date.today()

    def clean_geopend_op(self):
        datum = self.cleaned_data["geopend_op"]
        if datum > datetime.date.today():
            raise ValidationError("Een dossier kan niet in de toekomst geopend worden.")
        return datum


class PersoonForm(KiesLabelMixin, forms.ModelForm):
    """The person's iWmo details (Client in WMO301): naam with naamgebruik, geboortedatum with
    datumgebruik, geslacht, communicatievorm, woonplaats."""

    class Meta:
        model = Persoon
        fields = [
            "voornamen", "voorletters", "voorvoegsel", "geslachtsnaam", "naamgebruik",
            "partner_voorvoegsel", "partner_geslachtsnaam",
            "geboortedatum", "datumgebruik", "geslacht", "communicatievorm", "communicatietaal",
            "gemeente_woonplaats", "telefoon", "email",
        ]  # fmt: skip
        labels = {"gemeente_woonplaats": "Woont in gemeente", "email": "E-mailadres"}
        widgets = {"geboortedatum": DATUM}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gemeente_woonplaats"].queryset = alle_gemeenten()
        self.fields["gemeente_woonplaats"].empty_label = "Onbekend"
        self.fields["datumgebruik"].label = "Deels onbekende geboortedatum"
        datumgebruik = self.fields["datumgebruik"]
        datumgebruik.choices = [("", "Nee, volledig bekend"), *list(datumgebruik.choices)[1:]]
        tolk = self.fields["communicatievorm"]
        tolk.choices = [("", "Geen tolk nodig"), *list(tolk.choices)[1:]]
        self.fields["geboortedatum"].help_text = (
            "Bij een deels onbekende datum: vul een datum in met het bekende deel (bijvoorbeeld "
            "1-1-1970 als alleen het jaar bekend is) en kies hieronder wat onbekend is."
        )

    def clean_voorletters(self):
        return self.cleaned_data["voorletters"].upper()

    def clean(self):
        cleaned = super().clean()
        datum, gebruik = cleaned.get("geboortedatum"), cleaned.get("datumgebruik")
        vandaag = datetime.date.today()
        if datum:
            if datum > vandaag:
                self.add_error("geboortedatum", "De geboortedatum ligt in de toekomst.")
            elif datum.year < vandaag.year - 120:
                # iWmo TR002: not more than 120 years ago.
                self.add_error("geboortedatum", "De geboortedatum ligt meer dan 120 jaar terug.")
        elif gebruik in ("1", "2"):
            self.add_error("geboortedatum", "Vul het bekende deel van de geboortedatum in.")
        if cleaned.get("communicatievorm") == "1" and not cleaned.get("communicatietaal"):
            # iWmo CD007: the WMO301 carries the language with a tolk (taal).
            self.add_error("communicatietaal", "Vul de taal in waarvoor een tolk nodig is.")
        elif cleaned.get("communicatievorm") != "1":
            cleaned["communicatietaal"] = ""
        return cleaned


class AdresForm(KiesLabelMixin, forms.ModelForm):
    class Meta:
        model = Adres
        fields = ["soort", "straat", "huisnummer", "huisletter", "toevoeging", "postcode",
                  "plaats", "land"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's default (a GBA code) is not in the ISO list of COD032.
        if not self.instance.pk and "land" in self.fields:
            self.initial.setdefault("land", NEDERLAND)
            self.fields["land"].initial = NEDERLAND

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip().upper().replace(" ", "")
        return f"{postcode[:4]} {postcode[4:]}" if len(postcode) == 6 else postcode


class BrpAdresForm(AdresForm):
    """The optional BRP address at registration: all of it or nothing."""

    VERPLICHT = ("straat", "huisnummer", "postcode", "plaats")

    class Meta(AdresForm.Meta):
        fields = ["straat", "huisnummer", "huisletter", "toevoeging", "postcode", "plaats"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_permitted = True
        self.use_required_attribute = False
        ingevuld = self.is_bound and self.has_changed()
        for naam in self.VERPLICHT:
            self.fields[naam].required = ingevuld

    def has_changed(self):
        return any(str(self.data.get(self.add_prefix(n), "")).strip() for n in self.fields)

    def gegevens(self) -> dict | None:
        if not self.has_changed():
            return None
        adres = {n: self.cleaned_data[n] for n in self.Meta.fields}
        return {**adres, "soort": "01", "land": NEDERLAND}


class DutchFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Verwijderen"


class AdresFormSetBase(DutchFormSet):
    def clean(self):
        super().clean()
        soorten = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            soort = form.cleaned_data.get("soort")
            if not soort:
                continue
            if soort in soorten:
                label = dict(form.fields["soort"].choices).get(soort, soort).split(" ", 1)[-1]
                form.add_error("soort", f"Er is al een {label}: één adres per soort.")
            soorten[soort] = form


AdresFormSet = inlineformset_factory(
    Persoon, Adres, form=AdresForm, formset=AdresFormSetBase, extra=1, can_delete=True
)


class RelatieForm(KiesLabelMixin, forms.ModelForm):
    class Meta:
        model = Relatie
        fields = [
            "soort", "vertegenwoordiging", "voornamen", "voorvoegsel", "geslachtsnaam",
            "organisatie", "straat", "huisnummer", "postcode", "plaats", "telefoon", "email",
            "ontvangt_post",
        ]  # fmt: skip
        labels = {"email": "E-mailadres", "ontvangt_post": "Ontvangt de post"}

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip().upper().replace(" ", "")
        return f"{postcode[:4]} {postcode[4:]}" if len(postcode) == 6 else postcode

    def validate_constraints(self):
        # One postontvanger per person is checked by the formset over all its forms (the
        # database still holds the row being switched off while this form validates); the
        # database constraint stays the backstop.
        pass

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ontvangt_post"):
            ontbreekt = [
                n for n in ("straat", "huisnummer", "postcode", "plaats") if not cleaned.get(n)
            ]
            if ontbreekt:
                self.add_error(
                    "ontvangt_post",
                    "Wie de post ontvangt heeft een volledig adres nodig (straat, huisnummer, "
                    "postcode en plaats).",
                )
        return cleaned


class RelatieFormSetBase(DutchFormSet):
    def clean(self):
        super().clean()
        ontvangers = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and form.cleaned_data.get("ontvangt_post")
            and not form.cleaned_data.get("DELETE")
        ]
        if len(ontvangers) > 1:
            for form in ontvangers:
                form.add_error("ontvangt_post", "Er kan maar één relatie de post ontvangen.")
            raise ValidationError("Er kan maar één relatie de post ontvangen.")


RelatieFormSet = inlineformset_factory(
    Persoon, Relatie, form=RelatieForm, formset=RelatieFormSetBase, extra=1, can_delete=True
)


class HerkomstForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["gemeente_herkomst"]
        labels = {"gemeente_herkomst": "Gemeente van herkomst"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gemeente_herkomst"].queryset = alle_gemeenten()
        self.fields["gemeente_herkomst"].empty_label = "Onbekend"
