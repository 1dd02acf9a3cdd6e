"""Plausibility signals of a quarterly report for its reviewer: spend against the
bestedingsruimte, jumps against the previous quarter, the staff mix."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from inkoop.models import Bestedingsruimte, Rapportage
from inkoop.rapportages.services import kwartaal_label, toon_aantal, vorig_kwartaal
from regio.tabel import euro, nl_getal

SPRONG_DREMPEL_PCT = 25
PERSONEELSMIX_MARGE_PCT = 10

NIVEAUS = {"kritiek": "Kritiek", "waarschuwing": "Let op", "info": "Ter informatie"}


@dataclass(frozen=True)
class Signaal:
    niveau: str  # one of NIVEAUS
    tekst: str
    onderdeel: str = ""

    @property
    def label(self) -> str:
        return NIVEAUS[self.niveau]

    @property
    def ernstig(self) -> bool:
        return self.niveau == "kritiek"


def sprong_drempel_pct() -> Decimal:
    return Decimal(str(getattr(settings, "INKOOP_SPRONG_DREMPEL_PCT", SPRONG_DREMPEL_PCT)))


def _verschil_pct(vorig: Decimal, nu: Decimal) -> Decimal:
    return (nu - vorig) * 100 / vorig


def plausibiliteit(rapportage: Rapportage, *, exact: bool = True) -> list[Signaal]:
    """Signals for the reviewer: spend against the bestedingsruimte, jumps against the previous
    quarter, the staff mix. With ``exact=False`` client counts in the texts are suppressed."""
    signalen: list[Signaal] = []
    contract = rapportage.contract
    uitgaven = rapportage.uitgaven_tot_nu or Decimal("0")

    ruimte = Bestedingsruimte.objects.filter(contract=contract, jaar=rapportage.jaar).first()
    if ruimte is None:
        signalen.append(
            Signaal(
                "waarschuwing",
                f"Voor {rapportage.jaar} is geen bestedingsruimte van dit contract bekend: de "
                "uitgaven zijn niet te toetsen.",
                "uitgaven_tot_nu",
            )
        )
    elif ruimte.bedrag <= 0:
        if uitgaven > 0:
            signalen.append(
                Signaal(
                    "kritiek",
                    f"De bestedingsruimte {rapportage.jaar} is {euro(ruimte.bedrag)}, maar de "
                    f"uitgaven tot nu zijn {euro(uitgaven)}.",
                    "uitgaven_tot_nu",
                )
            )
    else:
        pct = uitgaven * 100 / ruimte.bedrag
        tekst = (
            f"De uitgaven tot nu ({euro(uitgaven)}) zijn {nl_getal(pct, 1)}% van de "
            f"bestedingsruimte {rapportage.jaar} ({euro(ruimte.bedrag)})"
        )
        if pct >= 100:
            signalen.append(
                Signaal(
                    "kritiek",
                    f"{tekst}: de bestedingsruimte is bereikt. Betalen boven de bestedingsruimte "
                    "kan alleen na een schriftelijke wijziging.",
                    "uitgaven_tot_nu",
                )
            )
        elif pct >= contract.signaaldrempel:
            signalen.append(
                Signaal(
                    "waarschuwing",
                    f"{tekst}: de signaaldrempel van {contract.signaaldrempel}% is bereikt.",
                    "uitgaven_tot_nu",
                )
            )

    drempel = sprong_drempel_pct()
    vorig_jaar, vorig_kw = vorig_kwartaal(rapportage.jaar, rapportage.kwartaal)
    vorige = (
        Rapportage.objects.filter(contract=contract, jaar=vorig_jaar, kwartaal=vorig_kw)
        .prefetch_related("regels__product", "regels__gemeente")
        .first()
    )
    vorig_label = kwartaal_label(vorig_jaar, vorig_kw)
    if vorige is None:
        signalen.append(
            Signaal(
                "info",
                f"Er is geen rapportage over {vorig_label} om deze mee te vergelijken.",
            )
        )
    else:
        was, nu = vorige.clienten_in_zorg, rapportage.clienten_in_zorg
        if was > 0 and abs(_verschil_pct(Decimal(was), Decimal(nu))) > drempel:
            toon_was, toon_nu = toon_aantal(was, exact), toon_aantal(nu, exact)
            if toon_was == was and toon_nu == nu:
                detail = f"{was} → {nu}, {nl_getal(_verschil_pct(Decimal(was), Decimal(nu)), 0)}%"
            else:
                detail = f"{toon_was} → {toon_nu}"
            signalen.append(
                Signaal(
                    "waarschuwing",
                    f"Het aantal cliënten in zorg wijkt meer dan {nl_getal(drempel, 0)}% af van "
                    f"{vorig_label} ({detail}).",
                    "clienten_in_zorg",
                )
            )
        nu_regels = {(r.product_id, r.gemeente_id): r for r in rapportage.regels.all()}
        for oud in vorige.regels.all():
            if oud.volume <= 0:
                continue
            nieuw = nu_regels.get((oud.product_id, oud.gemeente_id))
            volume = nieuw.volume if nieuw else Decimal("0")
            verschil = _verschil_pct(oud.volume, volume)
            if abs(verschil) > drempel:
                signalen.append(
                    Signaal(
                        "waarschuwing",
                        f"Het volume {oud.product.naam} in {oud.gemeente.naam} wijkt meer dan "
                        f"{nl_getal(drempel, 0)}% af van {vorig_label} "
                        f"({nl_getal(oud.volume, 2)} → {nl_getal(volume, 2)}, "
                        f"{nl_getal(verschil, 0)}%)."
                        + ("" if nieuw else " Deze regel ontbreekt nu."),
                        f"regel-{nieuw.pk}" if nieuw else "",
                    )
                )

    hbo, mbo = rapportage.aandeel_hbo, rapportage.aandeel_mbo
    if hbo is not None and mbo is not None:
        samen = hbo + mbo
        if abs(samen - 100) > PERSONEELSMIX_MARGE_PCT:
            signalen.append(
                Signaal(
                    "waarschuwing",
                    f"Het aandeel hbo ({nl_getal(hbo, 1)}%) en mbo ({nl_getal(mbo, 1)}%) is "
                    f"samen {nl_getal(samen, 1)}%; verwacht wordt ongeveer 100%.",
                    "aandeel_hbo",
                )
            )
    elif (hbo is None) != (mbo is None):
        signalen.append(
            Signaal("info", "Van de personeelsmix is maar één van hbo en mbo ingevuld.")
        )

    volgorde = list(NIVEAUS)
    return sorted(signalen, key=lambda s: volgorde.index(s.niveau))
