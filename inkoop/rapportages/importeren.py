"""The upload of a quarterly report: the published template (``sjabloon``, CSV or XLSX) and
reading a filled-in one back (``importeer``). The file is read by ``regio.tabel``, the reader of
every upload (UTF-8 or Windows-1252, ``;`` or ``,``, XLSX, no thousands separators); the format
inside it is the template's own, in two parts:

- kengetallen: the header ``veld;waarde``, then one figure per row (``KENGETALLEN``);
- regels: the header ``productcode_of_functie;gemeentecode;volume;clienten``, then one row per
  product or functie and gemeente.

Rows starting with ``#`` and empty rows are skipped. Every row is checked before anything is
stored; one error refuses the file (``ImportGeweigerd``, every error with its row and column).
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError

from inkoop.models import Product, Rapportage, Rapportageregel
from inkoop.rapportages.services import (
    KENGETALLEN,
    KENGETALLEN_OPTIONEEL,
    bewerking,
    gemeenten_voor,
    kwartaal_label,
    producten_voor,
)
from regio.exports import to_csv, xlsx_rij
from regio.tabel import (
    Foutenlijst,
    Veldfout,
    als_tekst,
    leeg,
    lees_tabel,
    parse_gemeentecode,
    parse_getal,
)

KOP_KENGETALLEN = ("veld", "waarde")
KOP_REGELS = ("productcode_of_functie", "gemeentecode", "volume", "clienten")
MAX_BESTAND_BYTES = 5 * 1024 * 1024
MAX_RIJEN = 10_000


def _kolom(index: int, naam: str = "") -> str:
    letter = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letter = chr(65 + rest) + letter
    return f"{naam} ({letter})" if naam else letter


def _waarde(model, veld: str, cel):
    """Parse and validate one value for ``model.veld``; raises Veldfout with Dutch text."""
    field = model._meta.get_field(veld)
    decimalen = getattr(field, "decimal_places", None)
    waarde = parse_getal(cel, decimalen=decimalen)
    if waarde < 0:
        raise Veldfout("Een negatief getal is hier niet toegestaan.")
    if field.get_internal_type() in {"PositiveIntegerField", "IntegerField"}:
        if waarde != waarde.to_integral_value():
            raise Veldfout("Vul een geheel getal in.")
        waarde = int(waarde)
    try:
        field.run_validators(waarde)
    except ValidationError as exc:
        raise Veldfout(" ".join(exc.messages)) from None
    return waarde


def _productzoeker(rapportage: Rapportage):
    geldig = list(producten_voor(rapportage))
    op_code = {p.code.lower(): p for p in geldig}
    op_iwmo: dict[str, list[Product]] = {}
    for p in geldig:
        if p.productcode:
            op_iwmo.setdefault(p.productcode.lower(), []).append(p)
    ongeldig = {
        p.code.lower(): p
        for p in Product.objects.filter(perceel__in=rapportage.contract.percelen.all())
        if p.code.lower() not in op_code
    }
    periode = kwartaal_label(rapportage.jaar, rapportage.kwartaal)

    def zoek(code: str) -> Product:
        sleutel = code.lower()
        if sleutel in op_code:
            return op_code[sleutel]
        if len(op_iwmo.get(sleutel, [])) == 1:
            return op_iwmo[sleutel][0]
        if len(op_iwmo.get(sleutel, [])) > 1:
            raise ValueError(
                f"De iWmo-productcode ‘{code}’ past op meer producten; gebruik de code."
            )
        if sleutel in ongeldig:
            raise ValueError(f"Product ‘{code}’ is in {periode} niet geldig.")
        raise ValueError(f"Onbekend product of functie ‘{code}’ voor de percelen van dit contract.")

    return zoek


class _Lezer:
    """Reads the rows of a filled-in template into figures and lines, collecting every error."""

    def __init__(self, rapportage: Rapportage):
        self.fouten = Foutenlijst()
        self.kengetallen: dict[str, object] = {}
        self.kengetal_rij: dict[str, int] = {}
        self.regels: dict[tuple[int, int], dict] = {}
        self.regel_rij: dict[tuple[int, int], int] = {}
        self.zoek_product = _productzoeker(rapportage)
        self.gemeenten = {g.code: g for g in rapportage.contract.gemeenten.all()}
        self.kolommen: dict[str, int] = {}
        self.delen: set[str] = set()

    def fout(self, rij, kolom, reden):
        self.fouten.add(rij, kolom, reden)

    def lees(self, rijen):
        deel = None
        for nummer, ruwe_cellen in rijen:
            # Text as text, a number or date cell as its value.
            cellen = [c.strip() if isinstance(c, str) else c for c in ruwe_cellen]
            while cellen and leeg(cellen[-1]):
                cellen.pop()
            eerste = als_tekst(cellen[0]).lower() if cellen else ""
            if not cellen or eerste.startswith("#"):
                continue
            if eerste == KOP_KENGETALLEN[0]:
                deel = "kengetallen"
                self.delen.add(deel)
            elif eerste == KOP_REGELS[0]:
                deel = "regels"
                self.delen.add(deel)
                self.kopregel(nummer, cellen)
            elif deel == "kengetallen":
                self.kengetal(nummer, cellen)
            elif deel == "regels":
                self.regel(nummer, cellen)
            else:
                kop = ";".join(KOP_REGELS)
                self.fout(
                    nummer, _kolom(0), f"Verwacht eerst de kopregel ‘veld;waarde’ of ‘{kop}’."
                )
        self.afronden()

    def kopregel(self, nummer, cellen):
        self.kolommen = {}
        for index, naam in enumerate(als_tekst(c).lower() for c in cellen):
            if naam not in KOP_REGELS:
                self.fout(nummer, _kolom(index), f"Onbekende kolom ‘{naam}’.")
            elif naam in self.kolommen:
                self.fout(nummer, _kolom(index), f"Kolom ‘{naam}’ staat er dubbel.")
            else:
                self.kolommen[naam] = index
        for naam in KOP_REGELS:
            if naam not in self.kolommen:
                self.fout(nummer, "", f"De kolom ‘{naam}’ ontbreekt.")

    def kengetal(self, nummer, cellen):
        veld = als_tekst(cellen[0]).lower()
        if veld not in KENGETALLEN:
            self.fout(nummer, _kolom(0, "veld"), f"Onbekend kengetal ‘{als_tekst(cellen[0])}’.")
            return
        if veld in self.kengetal_rij:
            eerder = self.kengetal_rij[veld]
            self.fout(nummer, _kolom(0, "veld"), f"Het kengetal ‘{veld}’ staat al op rij {eerder}.")
            return
        self.kengetal_rij[veld] = nummer
        if len(cellen) > 2:
            self.fout(nummer, _kolom(2), "Na de waarde hoort niets meer te staan.")
        waarde = cellen[1] if len(cellen) > 1 else None
        if leeg(waarde):
            if veld in KENGETALLEN_OPTIONEEL:
                self.kengetallen[veld] = None
            else:
                self.fout(nummer, _kolom(1, "waarde"), "Vul een waarde in.")
            return
        try:
            self.kengetallen[veld] = _waarde(Rapportage, veld, waarde)
        except Veldfout as exc:
            self.fout(nummer, _kolom(1, "waarde"), str(exc))

    def regel(self, nummer, cellen):
        if len(self.kolommen) < len(KOP_REGELS):
            return  # the header's errors are reported once
        for index, waarde in enumerate(cellen):
            if not leeg(waarde) and index not in self.kolommen.values():
                self.fout(nummer, _kolom(index), "Deze kolom hoort niet bij het sjabloon.")
        cel = {
            naam: (cellen[i] if i < len(cellen) else None, _kolom(i, naam))
            for naam, i in self.kolommen.items()
        }
        product = self.product(nummer, *cel["productcode_of_functie"])
        gemeente = self.gemeente(nummer, *cel["gemeentecode"])
        if leeg(cel["volume"][0]) and leeg(cel["clienten"][0]):
            return  # a template combination that does not apply
        waarden = {}
        for naam in ("volume", "clienten"):
            waarde, kolom = cel[naam]
            if leeg(waarde):
                self.fout(nummer, kolom, "Vul een waarde in (of laat volume én cliënten leeg).")
                continue
            try:
                waarden[naam] = _waarde(Rapportageregel, naam, waarde)
            except Veldfout as exc:
                self.fout(nummer, kolom, str(exc))
        if product is None or gemeente is None:
            return
        sleutel = (product.pk, gemeente.pk)
        if sleutel in self.regel_rij:
            self.fout(
                nummer,
                "",
                f"Dubbele regel: {product.code} in gemeente {gemeente.code} staat al op rij "
                f"{self.regel_rij[sleutel]}.",
            )
            return
        self.regel_rij[sleutel] = nummer
        if len(waarden) == 2:
            self.regels[sleutel] = {"product": product, "gemeente": gemeente, **waarden}

    def product(self, nummer, cel, kolom):
        code = als_tekst(cel)
        if not code:
            self.fout(nummer, kolom, "Vul een product of functie in.")
            return None
        try:
            return self.zoek_product(code)
        except ValueError as exc:
            self.fout(nummer, kolom, str(exc))
            return None

    def gemeente(self, nummer, cel, kolom):
        if leeg(cel):
            self.fout(nummer, kolom, "Vul een gemeentecode in.")
            return None
        try:
            code = parse_gemeentecode(cel)  # Excel drops the leading zero of 0307
        except Veldfout as exc:
            self.fout(nummer, kolom, str(exc))
            return None
        if code not in self.gemeenten:
            self.fout(nummer, kolom, f"Gemeente {code} valt niet onder dit contract.")
            return None
        return self.gemeenten[code]

    def afronden(self):
        if "kengetallen" not in self.delen:
            self.fout(None, "", "Het deel met kengetallen (kopregel ‘veld;waarde’) ontbreekt.")
        else:
            for veld in KENGETALLEN:
                if veld not in self.kengetal_rij and veld not in KENGETALLEN_OPTIONEEL:
                    self.fout(None, veld, "Dit kengetal ontbreekt.")
        if "regels" not in self.delen:
            kop = ";".join(KOP_REGELS)
            self.fout(None, "", f"Het deel met regels (kopregel ‘{kop}’) ontbreekt.")
        hbo, mbo = self.kengetallen.get("aandeel_hbo"), self.kengetallen.get("aandeel_mbo")
        if hbo is not None and mbo is not None and hbo + mbo > 100:
            rij = self.kengetal_rij["aandeel_mbo"]
            self.fout(rij, _kolom(1, "waarde"), "Het aandeel hbo en mbo samen is meer dan 100%.")
        for veld in KENGETALLEN_OPTIONEEL:
            self.kengetallen.setdefault(veld, None)


def _lees_rapportage(rapportage: Rapportage, rijen):
    """Validate every row; returns (kengetallen, regels) or raises ImportGeweigerd with all
    errors."""
    lezer = _Lezer(rapportage)
    lezer.lees(rijen)
    lezer.fouten.weiger()
    return lezer.kengetallen, list(lezer.regels.values())


def importeer(rapportage: Rapportage, uploaded_file, *, user) -> Rapportage:
    """Read a filled-in template (CSV or XLSX) into a concept or sent-back report.

    Everything is validated first; any error raises ImportGeweigerd listing every error with its
    row and column and nothing is stored. On success the figures are set and the lines replaced
    (kept lines keep their id, so review comments on them stay attached) in one transaction.
    """
    tabel = lees_tabel(
        uploaded_file,
        max_bytes=MAX_BESTAND_BYTES,
        max_rijen=MAX_RIJEN,
        kolomnamen=KOP_KENGETALLEN + KOP_REGELS,
        blad="Rapportage",
    )
    kengetallen, regels = _lees_rapportage(rapportage, tabel.rijen)
    naam = getattr(uploaded_file, "name", "") or ""
    with bewerking(rapportage, user, importbestand=naam[:100], regels=len(regels)) as locked:
        for veld, waarde in kengetallen.items():
            setattr(locked, veld, waarde)
        locked.save(update_fields=[*KENGETALLEN, "gewijzigd_op"])
        vervang_regels(locked, regels)
    rapportage.refresh_from_db()
    return rapportage


def vervang_regels(rapportage: Rapportage, regels: list[dict]):
    """Make ``regels`` (product, gemeente, volume, clienten) the report's lines: a line that
    stays keeps its id (and so the review comments on it); call inside ``bewerking``."""
    bestaand = {(r.product_id, r.gemeente_id): r for r in rapportage.regels.all()}
    nieuw = []
    for regel in regels:
        sleutel = (regel["product"].pk, regel["gemeente"].pk)
        huidig = bestaand.pop(sleutel, None)
        if huidig is None:
            nieuw.append(Rapportageregel(rapportage=rapportage, **regel))
        elif (huidig.volume, huidig.clienten) != (regel["volume"], regel["clienten"]):
            huidig.volume, huidig.clienten = regel["volume"], regel["clienten"]
            huidig.save(update_fields=["volume", "clienten"])
    if bestaand:
        Rapportageregel.objects.filter(pk__in=[r.pk for r in bestaand.values()]).delete()
    Rapportageregel.objects.bulk_create(nieuw)


def _sjabloon_rijen(rapportage: Rapportage) -> list[list]:
    contract = rapportage.contract
    periode = kwartaal_label(rapportage.jaar, rapportage.kwartaal)
    producten = list(producten_voor(rapportage))
    gemeenten = list(gemeenten_voor(rapportage))
    uitleg_kengetallen = [
        f"# Sjabloon periodieke rapportage {periode}, contract {contract.kenmerk} "
        f"({contract.aanbieder.naam}).",
        "# Rijen die met # beginnen en lege rijen worden overgeslagen. Wijzig de kopregels niet.",
        "# Deel 1, kengetallen: op elke rij een veld en zijn waarde.",
        "# Getallen zonder duizendtalteken, decimalen met een komma of een punt.",
        "# Verplicht: clienten_in_zorg, instroom, uitstroom, wachtenden, incidenten en",
        "# uitgaven_tot_nu (euro, dit jaar tot en met dit kwartaal).",
        "# Mag leeg: clienttevredenheid (0 tot 10), doelrealisatie, aandeel_hbo, aandeel_mbo (%).",
    ]
    uitleg_regels = [
        "# Deel 2, regels: volume en cliënten per product of functie en gemeente in dit kwartaal.",
        "# productcode_of_functie: een code uit de lijst hieronder. gemeentecode: 4 cijfers (CBS).",
        "# Laat volume en clienten allebei leeg voor een combinatie die niet van toepassing is.",
        "# Elke combinatie van product en gemeente mag maar één keer voorkomen.",
        "# Producten: " + ", ".join(f"{p.code} ({p.naam})" for p in producten),
        "# Gemeenten: " + ", ".join(f"{g.code} ({g.naam})" for g in gemeenten),
    ]
    rijen: list[list] = [[regel] for regel in uitleg_kengetallen]
    rijen.append(list(KOP_KENGETALLEN))
    for veld in KENGETALLEN:
        waarde = getattr(rapportage, veld)
        rijen.append([veld, "" if waarde is None else waarde])
    rijen.append([])
    rijen += [[regel] for regel in uitleg_regels]
    rijen.append(list(KOP_REGELS))
    bestaand = list(rapportage.regels.select_related("product", "gemeente"))
    if bestaand:
        for regel in bestaand:
            rijen.append([regel.product.code, regel.gemeente.code, regel.volume, regel.clienten])
    else:
        for product in producten:
            for gemeente in gemeenten:
                rijen.append([product.code, gemeente.code, "", ""])
    return rijen


def sjabloon(rapportage: Rapportage, fmt: str) -> tuple[bytes, str]:
    """The published template for this report, pre-filled with its figures and lines (or every
    product × gemeente combination of the contract). Returns (content, filename)."""
    rijen = _sjabloon_rijen(rapportage)
    bestandsnaam = (
        f"rapportage-{rapportage.contract.kenmerk}-{rapportage.jaar}-k{rapportage.kwartaal}.{fmt}"
    )
    if fmt == "csv":
        return to_csv(None, rijen), bestandsnaam
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Rapportage"
        for rij in rijen:
            cellen = xlsx_rij(sheet, rij)
            if not cellen:
                continue
            eerste = cellen[0].value
            if isinstance(eerste, str) and eerste.startswith("#"):
                cellen[0].font = Font(italic=True, color="555555")
            elif eerste in (KOP_KENGETALLEN[0], KOP_REGELS[0]):
                for cell in cellen:
                    cell.font = Font(bold=True)
        for cell in sheet["B"]:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # gemeentecode keeps its leading zero
        for letter, breedte in zip("ABCD", (26, 16, 12, 12), strict=True):
            sheet.column_dimensions[letter].width = breedte
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), bestandsnaam
    raise ValueError(f"Unknown template format {fmt!r}")
