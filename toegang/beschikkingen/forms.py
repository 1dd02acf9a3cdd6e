"""Forms of the beschikking screens: heading, products (a formset), confirmations, bezwaar.

Choice fields offer only what the user may see (the dossier's aanvragen, the perceel's products
through the scoping layer); the rules themselves live in toegang.beschikkingen.services.
"""

import datetime

from django import forms
from django.utils import timezone

from inkoop.models import Bekostiging
from regio.iwmo import choices
from toegang.beschikkingen import producten
from toegang.models import Aanvraag, Beschikking, Bezwaar


class DatumInput(forms.DateInput):
    """The browser's date picker; it sends and expects ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _datumveld(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DatumInput(), help_text=help_text)


class PerceelKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        periode = producten.periode_label(obj.begin, obj.einde)
        return f"{obj.naam} — {obj.regio.naam} ({obj.get_bekostiging_display()}, {periode})"


class AanvraagKeuze(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"Aanvraag van {obj.ontvangen_op:%d-%m-%Y}" + (
            f": {obj.omschrijving[:60]}" if obj.omschrijving else ""
        )


class BeschikkingKopForm(forms.Form):
    """The heading of a beschikking. ``perceel`` only when it is created."""

    perceel = PerceelKeuze(queryset=None, label="Perceel")
    aanvraag = AanvraagKeuze(
        queryset=None,
        required=False,
        label="Aanvraag",
        empty_label="(geen aanvraag: ambtshalve besluit)",
    )
    besluit = forms.ChoiceField(
        label="Besluit",
        choices=[c for c in Beschikking.Besluit.choices if c[0] != Beschikking.Besluit.INTREKKING],
    )
    ingangsdatum = _datumveld("Ingangsdatum")
    einddatum = _datumveld("Einddatum", required=False, help_text="Leeg: voor onbepaalde tijd.")
    motivering = forms.CharField(
        label="Motivering",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Waarom dit besluit: de feiten, de afweging en de regels (Awb 3:46). "
        "De motivering staat in de brief aan de cliënt.",
    )

    def __init__(self, *args, dossier, user, met_perceel=True, **kwargs):
        super().__init__(*args, **kwargs)
        if met_perceel:
            self.fields["perceel"].queryset = producten.percelen_voor(dossier, user)
        else:
            del self.fields["perceel"]
        self.fields["aanvraag"].queryset = (
            Aanvraag.objects.visible_to(user, "toegang.view_aanvraag")
            .filter(dossier=dossier)
            .order_by("-ontvangen_op")
        )

    def clean_motivering(self):
        tekst = self.cleaned_data["motivering"].strip()
        if not tekst:
            raise forms.ValidationError("Een beschikking heeft een motivering nodig.")
        return tekst

    def clean(self):
        cleaned = super().clean()
        begin, einde = cleaned.get("ingangsdatum"), cleaned.get("einddatum")
        if begin and einde and einde < begin:
            self.add_error("einddatum", "De einddatum ligt vóór de ingangsdatum.")
        return cleaned


TOEGEKEND = [("ja", "Toegekend"), ("nee", "Afgewezen")]


class ProductForm(forms.Form):
    """One product or functie of a beschikking. Under taakgerichte bekostiging there is no
    omvang (iWmo taakgericht), so those fields are left out."""

    product = forms.ModelChoiceField(queryset=None, label="Product of functie")
    toegekend = forms.ChoiceField(label="Besluit voor dit product", choices=TOEGEKEND, initial="ja")
    ingangsdatum = _datumveld(
        "Ingangsdatum", required=False, help_text="Leeg: de ingangsdatum van de beschikking."
    )
    einddatum = _datumveld(
        "Einddatum", required=False, help_text="Leeg: de einddatum van de beschikking."
    )
    volume = forms.DecimalField(
        label="Volume", required=False, max_digits=10, decimal_places=2, min_value=0
    )
    eenheid = forms.ChoiceField(
        label="Eenheid", required=False, choices=[("", "—"), *choices("WJ756_Eenheid")]
    )
    frequentie = forms.ChoiceField(
        label="Frequentie", required=False, choices=[("", "—"), *choices("WMO757_Frequentie")]
    )

    def __init__(self, *args, producten, taakgericht, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = producten
        self.fields["product"].label_from_instance = _productlabel
        if taakgericht:
            for veld in ("volume", "eenheid", "frequentie"):
                del self.fields[veld]

    def regel(self) -> producten.ProductRegel:
        data = self.cleaned_data
        return producten.ProductRegel(
            product=data["product"],
            toegekend=data["toegekend"] == "ja",
            ingangsdatum=data.get("ingangsdatum"),
            einddatum=data.get("einddatum"),
            volume=data.get("volume"),
            eenheid=data.get("eenheid") or "",
            frequentie=data.get("frequentie") or "",
        )


def _productlabel(product):
    code = f", {product.productcode}" if product.productcode else ""
    return f"{product.naam} ({product.get_soort_display().lower()}{code})"


ProductFormSet = forms.formset_factory(
    ProductForm, extra=2, can_delete=True, max_num=30, validate_max=True
)


def product_initial(beschikking) -> list[dict]:
    """The stored products as form rows; dates equal to the beschikking's period stay empty, so
    they follow when the period changes."""
    rijen = []
    for bp in beschikking.producten.select_related("product"):
        rijen.append(
            {
                "product": bp.product,
                "toegekend": "ja" if bp.toegekend else "nee",
                "ingangsdatum": None
                if bp.ingangsdatum == beschikking.ingangsdatum
                else bp.ingangsdatum,
                "einddatum": None if bp.einddatum == beschikking.einddatum else bp.einddatum,
                "volume": bp.volume,
                "eenheid": bp.eenheid,
                "frequentie": bp.frequentie,
            }
        )
    return rijen


def product_formset(beschikking, user, data=None):
    return ProductFormSet(
        data,
        prefix="producten",
        initial=product_initial(beschikking),
        form_kwargs={
            "producten": producten.producten_voor(beschikking, user),
            "taakgericht": beschikking.perceel.bekostiging == Bekostiging.TAAKGERICHT,
        },
    )


def regels_uit(formset, kop: dict, beschikking) -> tuple[list, list[str]]:
    """The products of a valid formset, checked by the service's rules; errors are put on the
    fields of the forms, errors about the combination are returned."""
    formulieren = [
        f
        for f in formset.forms
        if f.cleaned_data.get("product") and not f.cleaned_data.get("DELETE")
    ]
    regels = [f.regel() for f in formulieren]
    algemeen = producten.controleer_regels(
        beschikking.perceel,
        beschikking.dossier.verantwoordelijke_gemeente,
        kop["ingangsdatum"],
        kop.get("einddatum"),
        regels,
    )
    for formulier, regel in zip(formulieren, regels, strict=True):
        for veld, teksten in regel.fouten.items():
            for tekst in teksten:
                formulier.add_error(veld if veld in formulier.fields else None, tekst)
    return regels, algemeen


def _keuzes_reden_wijziging():
    from toegang.beschikkingen.services import REDENEN_TOEWIJZING

    lijst = dict(choices("WMO002_Reden_wijziging_toewijzing"))
    return [(code, lijst.get(code, code)) for code in REDENEN_TOEWIJZING]


class BevestigForm(forms.Form):
    """The confirmation of a step. ``intrekken`` drafts an intrekkingsbesluit (ground,
    motivering, date, the RedenWijziging for the toewijzingen); ``wijzigen`` asks the ground of
    the wijziging; ``horen`` records the hearing; ``terugsturen`` takes a note."""

    def __init__(self, *args, actie, **kwargs):
        super().__init__(*args, **kwargs)
        grond = forms.ChoiceField(
            label="Grond",
            choices=[("", "—")] + list(Beschikking.Grond.choices),
            help_text="Wmo 2015 art. 2.3.10, of op verzoek van de cliënt.",
        )
        reden = forms.ChoiceField(
            label="Reden wijziging toewijzing (iWmo WMO002)",
            choices=_keuzes_reden_wijziging(),
            help_text="Die krijgen de toewijzingen die door dit besluit eerder eindigen.",
        )
        if actie == "intrekken":
            grond.choices = [c for c in grond.choices if c[0] != Beschikking.Grond.NIEUWE_SITUATIE]
            self.fields["grond"] = grond
            self.fields["motivering"] = forms.CharField(
                label="Motivering",
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="Komt in de brief aan de cliënt.",
            )
            self.fields["per"] = _datumveld(
                "Ingetrokken met ingang van",
                help_text="Niet vóór de bekendmaking (Awb 3:40), tenzij u hieronder vastlegt "
                "waarom.",
            )
            self.fields["reden_wijziging"] = reden
            self.fields["terugwerkende_kracht"] = forms.CharField(
                label="Reden voor terugwerkende kracht",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Alleen als de intrekking vóór de bekendmaking moet ingaan.",
            )
            self.initial.setdefault("per", timezone.localdate())
        elif actie == "wijzigen":
            self.fields["grond"] = grond
            self.fields["reden_wijziging"] = reden
        elif actie == "horen":
            self.fields["gehoord_op"] = _datumveld("Gehoord op", required=False)
            self.fields["hoorverslag"] = forms.CharField(
                label="Verslag van het horen",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields["niet_gehoord_reden"] = forms.CharField(
                label="Of: waarom het horen achterwege blijft (Awb 4:11)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        elif actie == "terugsturen":
            self.fields["opmerking"] = forms.CharField(
                label="Opmerking voor de opsteller",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )


class BezwaarForm(forms.Form):
    """Register a bezwaar, or (``bijwerken``) also record its outcome."""

    ontvangen_op = _datumveld("Bezwaarschrift ontvangen op")
    uitkomst = forms.ChoiceField(
        label="Uitkomst",
        required=False,
        choices=[("", "— nog niet beslist —"), *Bezwaar.Uitkomst.choices],
    )
    besloten_op = _datumveld("Beslist op", required=False)
    adviescommissie = forms.BooleanField(
        label="Een adviescommissie (Awb 7:13) hoort het bezwaar",
        required=False,
        help_text="Dan is de beslistermijn twaalf weken in plaats van zes (Awb 7:10 lid 1).",
    )
    toelichting = forms.CharField(
        label="Toelichting", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, bijwerken=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not bijwerken:
            del self.fields["uitkomst"]
            del self.fields["besloten_op"]
            self.initial.setdefault("ontvangen_op", timezone.localdate())

    def clean_ontvangen_op(self):
        datum = self.cleaned_data["ontvangen_op"]
        if datum > timezone.localdate():
            raise forms.ValidationError("Deze datum ligt in de toekomst.")
        if datum < datetime.date(2000, 1, 1):
            raise forms.ValidationError("Controleer het jaar.")
        return datum


def _niet_in_de_toekomst(datum):
    if datum and datum > timezone.localdate():
        raise forms.ValidationError("Deze datum ligt in de toekomst.")
    return datum


class BezwaarStapForm(forms.Form):
    """One step on a bezwaar's decision term (Awb 7:10 lid 2-4); ``stap`` names it, so the
    bezwaar's page can hold every step's form and show the errors at the right one."""

    STAP = ""
    stap = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.STAP)
        super().__init__(*args, **kwargs)
        self.initial.setdefault("stap", self.STAP)

    def gegevens(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "stap"}


class VerzuimherstelForm(BezwaarStapForm):
    """Ask the indiener to repair a verzuim: the term is suspended (lid 2)."""

    STAP = "verzuim"
    verzocht_op = _datumveld("Herstel gevraagd op")
    hersteltermijn_tot = _datumveld(
        "Hersteltermijn tot en met",
        help_text="De termijn die de indiener krijgt om het verzuim te herstellen (Awb 6:6).",
    )
    verzuim = forms.CharField(
        label="Verzuim", max_length=300, help_text="Bijvoorbeeld: de gronden van het bezwaar."
    )

    def clean_verzocht_op(self):
        return _niet_in_de_toekomst(self.cleaned_data["verzocht_op"])

    def clean_verzuim(self):
        verzuim = self.cleaned_data["verzuim"].strip()
        if not verzuim:
            raise forms.ValidationError("Noem het verzuim dat hersteld moet worden.")
        return verzuim


class VerzuimHersteldForm(BezwaarStapForm):
    """The verzuim was repaired: the term runs again."""

    STAP = "hersteld"
    hersteld_op = _datumveld("Verzuim hersteld op")

    def clean_hersteld_op(self):
        return _niet_in_de_toekomst(self.cleaned_data["hersteld_op"])


class BezwaarVerdagingForm(BezwaarStapForm):
    """Verdaging by at most six weeks, once (lid 3)."""

    STAP = "verdagen"
    verdaagd_op = _datumveld("Verdagingsbericht verstuurd op")
    weken = forms.TypedChoiceField(
        label="Verdagen met",
        coerce=int,
        choices=[(w, f"{w} {'week' if w == 1 else 'weken'}") for w in range(6, 0, -1)],
        initial=6,
    )
    reden = forms.CharField(label="Reden", widget=forms.Textarea(attrs={"rows": 3}))

    def clean_verdaagd_op(self):
        return _niet_in_de_toekomst(self.cleaned_data["verdaagd_op"])

    def clean_reden(self):
        reden = self.cleaned_data["reden"].strip()
        if not reden:
            raise forms.ValidationError("Noem de reden van de verdaging; die staat in de brief.")
        return reden


class BezwaarUitstelForm(BezwaarStapForm):
    """Further uitstel with the indiener's consent (lid 4)."""

    STAP = "uitstel"
    instemming_op = _datumveld("Instemming van de indiener op")
    uitgesteld_tot = _datumveld("Nieuwe beslisdatum")
    toelichting = forms.CharField(
        label="Toelichting", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_instemming_op(self):
        return _niet_in_de_toekomst(self.cleaned_data["instemming_op"])


BEZWAAR_STAPPEN = {
    f.STAP: f
    for f in (VerzuimherstelForm, VerzuimHersteldForm, BezwaarVerdagingForm, BezwaarUitstelForm)
}
