"""The verevening (risk equalisation) of a regio's beschermd-wonen costs, as DOMAIN.md "The
verevening (risk equalisation) model" defines it: pure computation, no database.

``bereken(invoer)`` follows the steps of DOMAIN.md:

1. ``T`` is given (the sum of all realised BW costs in the year);
2. ``C = min(T, B_c)``, ``R = T - C``;
3. ``N_g`` is given per gemeente, ``u_g = N_g / sum(N)`` (``u_g = s_g`` when ``sum(N)`` is 0),
   ``s_g`` are the verdeelmodel percentages normalised by ``financien.services.normaliseer``;
4. the regio's *strategie* gives each gemeente its unrounded part of ``R``; the parts are rounded
   to cents by largest remainder (ties: gemeente name ascending), so ``sum(A) = R`` exactly;
5. ``D_g = A_g - V_g``, so ``sum(D) = R - sum(V)``.

Money enters and leaves as ``Decimal`` euros with at most two decimals and is distributed in
whole cents; shares are fractions of 1, computed in a fixed 50-digit context so the result does
not depend on the caller's decimal context. Bad input raises ``VereveningFout`` with one Dutch
sentence naming the problem.

The settlement rule differs per regio (DOMAIN.md), so step 4 is a strategy. Another region's rule
is one subclass of ``Vereveningsstrategie`` with a ``naam``, registered with ``@registreer``; its
parameters come from ``VereveningInvoer.strategie_parameters`` (stored per regio per year). For
example, a split of ``R`` by the number of indicaties per gemeente::

    @registreer
    class PerIndicatie(Vereveningsstrategie):
        naam = "indicaties"
        omschrijving = "Het restant naar rato van het aantal indicaties per gemeente."

        def controleer(self, invoer):
            aantallen = invoer.strategie_parameters.get("indicaties")
            codes = {g.code for g in invoer.gemeenten}
            if not isinstance(aantallen, dict) or set(aantallen) != codes:
                raise VereveningFout("Geef per gemeente het aantal indicaties.")
            if not all(isinstance(n, int) and n >= 0 for n in aantallen.values()) or not any(
                aantallen.values()
            ):
                raise VereveningFout("Het aantal indicaties moet geheel en niet negatief zijn.")

        def delen(self, grondslag):
            aantallen = grondslag.invoer.strategie_parameters["indicaties"]
            totaal = sum(aantallen.values())
            return {code: grondslag.R * aantallen[code] / totaal for code in grondslag.s}

(tests/test_financien_verevening.py runs that class, registered for the test only.)
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    localcontext,
)
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from financien.services import Aandelen, normaliseer

CENT = Decimal("0.01")
NUL = Decimal("0")
EEN = Decimal("1")
# Amounts above this are typing errors, and keep every computation well inside the context.
MAXIMUM_BEDRAG = Decimal("999999999999.99")
# A fresh context: results must not depend on whatever context the caller has set.
REKENCONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
# Remainders are compared at this resolution (in cents): differences below it are rounding noise
# of the 50-digit arithmetic, so such remainders count as a tie and the name decides.
_RESTRESOLUTIE = Decimal("1e-15")

STANDAARDSTRATEGIE = "solidariteit"


class VereveningFout(ValueError):
    """Input the verevening cannot be computed from; the message is one Dutch sentence."""


@dataclass(frozen=True)
class GemeenteInvoer:
    """One gemeente's input: verdeelmodel share as entered (percent, may be rounded), ``N_g`` (the
    realised costs of its new clients in the year) and ``V_g`` (the voorschot it paid), in euros."""

    code: str
    naam: str
    aandeel: Decimal
    kosten_nieuw: Decimal
    voorschot: Decimal


@dataclass(frozen=True)
class VereveningInvoer:
    """Everything one verevening of regio ``regio`` for ``jaar`` is computed from.

    ``centrumgemeentebudget`` is ``B_c``, ``totale_kosten`` is ``T``; ``alpha`` is the
    solidariteitsfactor (strategies that have no use for it ignore it)."""

    regio: str
    jaar: int
    alpha: Decimal
    centrumgemeentebudget: Decimal
    totale_kosten: Decimal
    gemeenten: tuple[GemeenteInvoer, ...]
    strategie: str = STANDAARDSTRATEGIE
    strategie_parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GemeenteVerevening:
    """One gemeente's line: the DOMAIN.md quantities. ``aandeel`` is the percentage as entered,
    ``s_g`` and ``u_g`` are fractions of 1, the rest are euros with two decimals."""

    code: str
    naam: str
    aandeel: Decimal
    s_g: Decimal
    N_g: Decimal
    u_g: Decimal
    A_g: Decimal
    V_g: Decimal
    D_g: Decimal


@dataclass(frozen=True)
class Verevening:
    """The outcome: regional figures, one line per gemeente (by name) and remarks for the report.

    ``C`` is what the centrumgemeentebudget pays, ``R`` the remainder that is split;
    ``aandelen_som`` is the sum of the percentages as entered."""

    regio: str
    jaar: int
    strategie: str
    alpha: Decimal
    B_c: Decimal
    T: Decimal
    C: Decimal
    R: Decimal
    aandelen_som: Decimal
    genormaliseerd: bool
    gemeenten: tuple[GemeenteVerevening, ...]
    som_N: Decimal
    som_A: Decimal
    som_V: Decimal
    som_D: Decimal
    opmerkingen: tuple[str, ...]


@dataclass(frozen=True)
class Grondslag:
    """What every strategy may use: the input and DOMAIN.md steps 1-3, by gemeente code."""

    invoer: VereveningInvoer
    R: Decimal
    s: Mapping[str, Decimal]
    N: Mapping[str, Decimal]
    u: Mapping[str, Decimal]


class Vereveningsstrategie(ABC):
    """How a regio splits the remainder ``R`` over its gemeenten (DOMAIN.md step 4)."""

    naam: ClassVar[str]
    omschrijving: ClassVar[str]

    def controleer(self, invoer: VereveningInvoer) -> None:  # noqa: B027 (optional hook)
        """Refuse unusable ``strategie_parameters`` with a VereveningFout; default: none."""
        if invoer.strategie_parameters:
            onbekend = ", ".join(sorted(map(str, invoer.strategie_parameters)))
            raise VereveningFout(
                f"De vereveningsstrategie {self.naam!r} kent geen parameters ({onbekend})."
            )

    @abstractmethod
    def delen(self, grondslag: Grondslag) -> Mapping[str, Decimal]:
        """Each gemeente's unrounded part of ``grondslag.R`` in euros, by code; the parts add up
        to ``R``. Rounding to cents is done by the caller."""


STRATEGIEEN: dict[str, type[Vereveningsstrategie]] = {}


def registreer(cls: type[Vereveningsstrategie]) -> type[Vereveningsstrategie]:
    """Class decorator: make a strategy available under its ``naam``."""
    if cls.naam in STRATEGIEEN and STRATEGIEEN[cls.naam] is not cls:
        raise ValueError(f"Er is al een vereveningsstrategie {cls.naam!r}.")
    STRATEGIEEN[cls.naam] = cls
    return cls


def strategie_voor(naam: str) -> Vereveningsstrategie:
    try:
        return STRATEGIEEN[naam]()
    except KeyError:
        bekend = ", ".join(sorted(STRATEGIEEN))
        raise VereveningFout(
            f"Onbekende vereveningsstrategie {naam!r} (bekend: {bekend})."
        ) from None


@registreer
class Solidariteit(Vereveningsstrategie):
    """DOMAIN.md: ``A_g = R * (alpha * s_g + (1 - alpha) * u_g)``."""

    naam = "solidariteit"
    omschrijving = (
        "Het restant naar het verdeelmodel (alpha) en naar de kosten van nieuwe cliënten "
        "(1 - alpha)."
    )

    def delen(self, grondslag):
        alpha = grondslag.invoer.alpha
        return {
            code: grondslag.R * (alpha * grondslag.s[code] + (EEN - alpha) * grondslag.u[code])
            for code in grondslag.s
        }


# --- rounding -------------------------------------------------------------------------------


def grootste_rest(totaal: int, exact: Mapping[str, Decimal], namen: Mapping[str, str]) -> dict:
    """Whole cents per key from unrounded cent amounts that add up to ``totaal``: every amount
    rounded down, then one cent more for the largest remainders (ties: name, then key), so the
    result adds up to exactly ``totaal``."""
    with localcontext(REKENCONTEXT):
        centen = {k: int(v.to_integral_value(rounding=ROUND_FLOOR)) for k, v in exact.items()}
        over = totaal - sum(centen.values())
        if not 0 <= over <= len(centen):
            raise ValueError(f"De delen tellen niet op tot {totaal} cent.")
        rest = {k: (exact[k] - centen[k]).quantize(_RESTRESOLUTIE) for k in exact}
        for k in sorted(exact, key=lambda k: (-rest[k], namen[k], k))[:over]:
            centen[k] += 1
    return centen


def verdeel_bedrag(bedrag: Decimal, gewichten: Mapping[str, Decimal], namen: Mapping[str, str]):
    """``bedrag`` (euros) split by ``gewichten`` (fractions adding up to 1) in whole cents by
    largest remainder; euros with two decimals per key."""
    with localcontext(REKENCONTEXT):
        totaal = in_centen(bedrag)
        exact = {k: totaal * w for k, w in gewichten.items()}
        return {k: in_euro(c) for k, c in grootste_rest(totaal, exact, namen).items()}


def in_centen(bedrag: Decimal) -> int:
    return int(bedrag.quantize(CENT) * 100)


def in_euro(centen: int) -> Decimal:
    return (Decimal(centen) / 100).quantize(CENT)


# --- validation ------------------------------------------------------------------------------


def _getal(waarde, omschrijving: str) -> Decimal:
    if isinstance(waarde, bool) or not isinstance(waarde, Decimal | int):
        raise TypeError(f"{omschrijving}: Decimal verwacht, niet {type(waarde).__name__}.")
    waarde = Decimal(waarde)
    if not waarde.is_finite():
        raise VereveningFout(f"Voor {omschrijving} is geen getal opgegeven ({waarde}).")
    return waarde


def controleer_bedrag(waarde, omschrijving: str) -> Decimal:
    """A non-negative amount in euros with at most two decimals; ``omschrijving`` names it in the
    message, e.g. "het centrumgemeentebudget"."""
    bedrag = _getal(waarde, omschrijving)
    if bedrag < 0:
        raise VereveningFout(f"Een negatief bedrag voor {omschrijving} kan niet ({bedrag}).")
    if bedrag > MAXIMUM_BEDRAG:
        raise VereveningFout(f"Het bedrag voor {omschrijving} is te groot ({bedrag}).")
    if bedrag != bedrag.quantize(CENT):
        raise VereveningFout(
            f"Het bedrag voor {omschrijving} heeft meer dan twee decimalen ({bedrag})."
        )
    return bedrag


def controleer_gemeenten(gemeenten: Iterable[GemeenteInvoer]) -> None:
    """At least one gemeente, each once (by code and by name), shares not negative."""
    gemeenten = tuple(gemeenten)
    if not gemeenten:
        raise VereveningFout("Er zijn geen gemeenten opgegeven.")
    codes, namen = set(), set()
    for g in gemeenten:
        if not isinstance(g.code, str) or not g.code.strip():
            raise VereveningFout("Een gemeente heeft geen code.")
        if not isinstance(g.naam, str) or not g.naam.strip():
            raise VereveningFout(f"Gemeente {g.code} heeft geen naam.")
        if g.code in codes:
            raise VereveningFout(f"Gemeente {g.code} komt twee keer voor.")
        if g.naam in namen:
            raise VereveningFout(f"De gemeentenaam {g.naam!r} komt twee keer voor.")
        codes.add(g.code)
        namen.add(g.naam)
        aandeel = _getal(g.aandeel, f"het aandeel van {g.naam} in het verdeelmodel")
        if aandeel < 0:
            raise VereveningFout(
                f"Het aandeel van {g.naam} in het verdeelmodel mag niet negatief zijn ({aandeel}%)."
            )


def normaliseer_aandelen(gemeenten: Iterable[GemeenteInvoer]) -> Aandelen:
    """``financien.services.normaliseer`` over the gemeenten (fractions by code), in the fixed
    context; a sum further than 0.05 percentage point from 100 raises VereveningFout."""
    with localcontext(REKENCONTEXT):
        try:
            return normaliseer({g.code: Decimal(g.aandeel) for g in gemeenten})
        except ValidationError as exc:
            raise VereveningFout(" ".join(exc.messages)) from None


def voorschotten_naar_verdeelmodel(
    gemeenten: Iterable[GemeenteInvoer], totaal: Decimal
) -> tuple[GemeenteInvoer, ...]:
    """The gemeenten with ``totaal`` split over their voorschotten by the normalised shares
    (largest remainder, ties by name)."""
    gemeenten = tuple(gemeenten)
    controleer_gemeenten(gemeenten)
    totaal = controleer_bedrag(totaal, "het totaal van de voorschotten")
    aandelen = normaliseer_aandelen(gemeenten)
    delen = verdeel_bedrag(totaal, aandelen.fracties, {g.code: g.naam for g in gemeenten})
    return tuple(replace(g, voorschot=delen[g.code]) for g in gemeenten)


def controleer(invoer: VereveningInvoer) -> None:
    """Every input rule of DOMAIN.md; raises VereveningFout on the first problem."""
    if isinstance(invoer.jaar, bool) or not isinstance(invoer.jaar, int):
        raise VereveningFout(f"Het jaar moet een geheel getal zijn ({invoer.jaar!r}).")
    controleer_gemeenten(invoer.gemeenten)
    alpha = _getal(invoer.alpha, "de solidariteitsfactor alpha")
    if not NUL <= alpha <= EEN:
        raise VereveningFout(f"De solidariteitsfactor alpha moet tussen 0 en 1 liggen ({alpha}).")
    controleer_bedrag(invoer.centrumgemeentebudget, "het centrumgemeentebudget")
    totale_kosten = controleer_bedrag(invoer.totale_kosten, "de totale kosten")
    for g in invoer.gemeenten:
        controleer_bedrag(g.kosten_nieuw, f"de kosten van nieuwe cliënten van {g.naam}")
        controleer_bedrag(g.voorschot, f"het voorschot van {g.naam}")
    som_nieuw = sum((Decimal(g.kosten_nieuw) for g in invoer.gemeenten), NUL)
    if som_nieuw > totale_kosten:
        raise VereveningFout(
            f"De kosten van nieuwe cliënten ({som_nieuw:.2f}) zijn hoger dan de totale kosten "
            f"({totale_kosten:.2f}), terwijl die de nieuwe cliënten omvatten."
        )


# --- the computation -------------------------------------------------------------------------


def _procent(waarde: Decimal) -> str:
    tekst = f"{waarde.normalize():f}"
    return tekst.replace(".", ",")


def bereken(invoer: VereveningInvoer) -> Verevening:
    """The verevening of ``invoer`` (DOMAIN.md); same input, same output."""
    with localcontext(REKENCONTEXT):
        return _bereken(invoer)


def _bereken(invoer: VereveningInvoer) -> Verevening:
    controleer(invoer)
    strategie = strategie_voor(invoer.strategie)
    strategie.controleer(invoer)
    aandelen = normaliseer_aandelen(invoer.gemeenten)
    opmerkingen = []
    if aandelen.genormaliseerd:
        opmerkingen.append(
            f"Aandelen verdeelmodel genormaliseerd van {_procent(aandelen.som)}% naar 100%."
        )

    gemeenten = sorted(invoer.gemeenten, key=lambda g: (g.naam, g.code))
    namen = {g.code: g.naam for g in gemeenten}
    B_c = Decimal(invoer.centrumgemeentebudget).quantize(CENT)
    T = Decimal(invoer.totale_kosten).quantize(CENT)
    C = min(T, B_c)
    R = T - C
    if R == 0:
        opmerkingen.append(
            "Het centrumgemeentebudget dekt alle kosten (T ≤ B_c): er is geen restant te verdelen."
        )
    s = dict(aandelen.fracties)
    N = {g.code: Decimal(g.kosten_nieuw).quantize(CENT) for g in gemeenten}
    som_N = sum(N.values(), NUL)
    if som_N == 0:
        u = dict(s)
        opmerkingen.append(
            "Geen kosten van nieuwe cliënten: het aandeel nieuw (u_g) is het aandeel in het "
            "verdeelmodel (s_g)."
        )
    else:
        u = {code: n / som_N for code, n in N.items()}

    delen = strategie.delen(Grondslag(invoer=invoer, R=R, s=s, N=N, u=u))
    if set(delen) != set(namen) or abs(sum(delen.values(), NUL) - R) >= CENT / 2:
        raise ValueError(
            f"Strategie {strategie.naam!r} verdeelt het restant niet precies over de gemeenten."
        )
    A = grootste_rest(in_centen(R), {k: d * 100 for k, d in delen.items()}, namen)

    regels = []
    for g in gemeenten:
        A_g = in_euro(A[g.code])
        V_g = Decimal(g.voorschot).quantize(CENT)
        regels.append(
            GemeenteVerevening(
                code=g.code, naam=g.naam, aandeel=Decimal(g.aandeel), s_g=s[g.code],
                N_g=N[g.code], u_g=u[g.code], A_g=A_g, V_g=V_g, D_g=A_g - V_g,
            )
        )  # fmt: skip
    som_A = sum((r.A_g for r in regels), NUL.quantize(CENT))
    som_V = sum((r.V_g for r in regels), NUL.quantize(CENT))
    return Verevening(
        regio=invoer.regio, jaar=invoer.jaar, strategie=strategie.naam,
        alpha=Decimal(invoer.alpha), B_c=B_c, T=T, C=C, R=R, aandelen_som=aandelen.som,
        genormaliseerd=aandelen.genormaliseerd, gemeenten=tuple(regels), som_N=som_N,
        som_A=som_A, som_V=som_V, som_D=sum((r.D_g for r in regels), NUL.quantize(CENT)),
        opmerkingen=tuple(opmerkingen),
    )  # fmt: skip
