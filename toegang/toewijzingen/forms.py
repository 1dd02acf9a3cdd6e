"""Forms for toewijzingen: assign a beschikt product, change the einddatum (same number), change
anything else (a new toewijzing), and the list filters."""

import datetime
from decimal import Decimal

from django import forms

from inkoop.models import Aanbieder
from regio.iwmo import choices
from toegang.models import BeschiktProduct, Toewijzing
from toegang.toewijzingen.services import (
    REDENEN_WIJZIGING,
    Omvang,
    aanbieders_met_contract,
    taakgericht,
)

DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def product_label(bp: BeschiktProduct) -> str:
    einde = f"{bp.einddatum:%d-%m-%Y}" if bp.einddatum else "onbepaald"
    return f"{bp.product.naam} ({bp.ingangsdatum:%d-%m-%Y} – {einde})"


class ToewijzingForm(forms.Form):
    """A toewijzing of ``beschikt_product``. Under taakgerichte bekostiging it names the functie
    (the product) and has no omvang fields; under P×Q volume, eenheid and frequentie."""

    aanbieder = forms.ModelChoiceField(
        queryset=Aanbieder.objects.none(),
        empty_label="— kies —",
        help_text=(
            "Aanbieders met een contract dat dit product in deze gemeente dekt op de eerste "
            "dag dat de toewijzing kan ingaan."
        ),
    )
    ingangsdatum = forms.DateField(widget=DATUM)
    einddatum = forms.DateField(
        widget=DATUM,
        required=False,
        help_text=(
            "Leeg: de einddatum van het beschikte product. Ligt die na het einde van het "
            "contract, dan loopt de toewijzing tot het einde van het contract en loopt zij mee "
            "als het contract wordt verlengd."
        ),
    )
    volume = forms.IntegerField(min_value=1, required=False, help_text="Een heel getal (iWmo).")
    eenheid = forms.ChoiceField(choices=[("", "—"), *choices("WJ756_Eenheid")], required=False)
    frequentie = forms.ChoiceField(
        choices=[("", "—"), *choices("WMO757_Frequentie")], required=False
    )

    def __init__(self, *args, beschikt_product: BeschiktProduct, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.beschikt_product = bp = beschikt_product
        self.user = user
        self.fields["aanbieder"].queryset = aanbieders_met_contract(
            [bp], Aanbieder.objects.visible_to(user, "inkoop.view_aanbieder")
        )
        vandaag = datetime.date.today()
        ingang = max(bp.ingangsdatum, vandaag)
        if bp.einddatum and ingang > bp.einddatum:
            ingang = bp.ingangsdatum
        self.fields["ingangsdatum"].initial = ingang
        self.fields["einddatum"].initial = bp.einddatum
        if self.taakgericht:
            for naam in ("volume", "eenheid", "frequentie"):
                del self.fields[naam]
        else:
            self.fields["volume"].required = True
            self.fields["eenheid"].required = True
            self.fields["frequentie"].required = True
            self.fields["volume"].initial = int(bp.volume) if bp.volume is not None else None
            self.fields["eenheid"].initial = bp.eenheid or bp.product.eenheid
            self.fields["frequentie"].initial = bp.frequentie

    @property
    def taakgericht(self) -> bool:
        return taakgericht(self.beschikt_product)

    def omvang(self) -> Omvang:
        if self.taakgericht:
            return Omvang()
        volume = self.cleaned_data.get("volume")
        return Omvang(
            volume=None if volume is None else Decimal(volume),
            eenheid=self.cleaned_data.get("eenheid", ""),
            frequentie=self.cleaned_data.get("frequentie", ""),
        )

    def clean(self):
        cleaned = super().clean()
        begin, eind = cleaned.get("ingangsdatum"), cleaned.get("einddatum")
        if begin and eind and eind < begin:
            self.add_error("einddatum", "De einddatum ligt vóór de ingangsdatum.")
        return cleaned


class WijzigingForm(ToewijzingForm):
    """Any change but the einddatum: it ends the current toewijzing and makes a new one."""

    field_order = ["beschikt_product", "aanbieder", "ingangsdatum", "einddatum", "volume",
                   "eenheid", "frequentie", "reden_wijziging"]  # fmt: skip

    beschikt_product = forms.ModelChoiceField(
        queryset=BeschiktProduct.objects.none(), label="Beschikt product", empty_label="— kies —"
    )
    reden_wijziging = forms.ChoiceField(
        label="Reden van de wijziging",
        choices=[("", "— kies —"), *REDENEN_WIJZIGING],
        help_text="iWmo RedenWijziging (WMO002); komt op de huidige toewijzing.",
    )

    def __init__(self, *args, toewijzing: Toewijzing, producten, **kwargs):
        super().__init__(*args, beschikt_product=toewijzing.beschikt_product, **kwargs)
        self.toewijzing = toewijzing
        veld = self.fields["beschikt_product"]
        veld.queryset = producten
        self.fields["aanbieder"].queryset = aanbieders_met_contract(
            [toewijzing.beschikt_product, *producten],
            Aanbieder.objects.visible_to(self.user, "inkoop.view_aanbieder"),
        )
        veld.label_from_instance = product_label
        veld.initial = toewijzing.beschikt_product_id
        vandaag = datetime.date.today()
        self.fields["aanbieder"].initial = toewijzing.aanbieder_id
        self.fields["ingangsdatum"].initial = max(vandaag, toewijzing.ingangsdatum)
        self.fields["ingangsdatum"].help_text = (
            "De huidige toewijzing eindigt de dag ervoor; begint de nieuwe op of vóór de "
            "ingangsdatum van de huidige, dan wordt de huidige ingetrokken."
        )
        self.fields["einddatum"].initial = toewijzing.einddatum
        if not self.taakgericht:
            self.fields["volume"].initial = (
                int(toewijzing.volume) if toewijzing.volume is not None else None
            )
            self.fields["eenheid"].initial = toewijzing.eenheid
            self.fields["frequentie"].initial = toewijzing.frequentie

    def clean(self):
        cleaned = super().clean()
        bp = cleaned.get("beschikt_product")
        if bp is not None and taakgericht(bp) != self.taakgericht:
            self.add_error(
                "beschikt_product",
                "Kies een product met dezelfde bekostiging (taakgericht of P×Q); maak anders "
                "een nieuwe toewijzing.",
            )
        return cleaned


class EinddatumForm(forms.Form):
    einddatum = forms.DateField(label="Nieuwe einddatum", widget=DATUM)
    reden_wijziging = forms.ChoiceField(
        label="Reden van de wijziging",
        choices=[("", "— kies —"), *REDENEN_WIJZIGING],
        help_text=(
            "iWmo RedenWijziging (WMO002). Verlengen: 04 (dezelfde toewijzing loopt langer, "
            "tenzij haar einddatum al verstreken is of haar volume een totaal is: dan volgt een "
            "nieuwe toewijzing), verkorten: 05."
        ),
    )

    def __init__(self, *args, toewijzing: Toewijzing, **kwargs):
        super().__init__(*args, **kwargs)
        self.toewijzing = toewijzing
        self.fields["einddatum"].initial = toewijzing.einddatum

    def clean(self):
        cleaned = super().clean()
        eind = cleaned.get("einddatum")
        if eind and eind < self.toewijzing.ingangsdatum:
            self.add_error("einddatum", "De einddatum ligt vóór de ingangsdatum.")
        return cleaned


class ToewijzingFilterForm(forms.Form):
    q = forms.CharField(label="Zoek op nummer, aanbieder of cliënt", required=False)
    aanbieder = forms.ModelChoiceField(
        queryset=Aanbieder.objects.none(), required=False, empty_label="Alle"
    )
    status = forms.ChoiceField(choices=[("", "Alle"), *Toewijzing.Status.choices], required=False)

    def __init__(self, *args, aanbieders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aanbieder"].queryset = aanbieders
