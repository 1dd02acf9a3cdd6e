"""Shared starting worlds, built from tests/factories and, where the tests rely on what they do,
through the real services (toewijzingen, the waiting list). Each builder returns a dataclass of
what it made; a module's variant of a world is a matter of arguments.

- :func:`regio_met_gebruikers`: a regio with its gemeenten and users in their roles;
- :func:`zorgaanbod`: on top of that, the regio's percelen with a taakgerichte functie and a P×Q
  product (with its tariff), aanbieders contracted for them and their technical users;
- :func:`zorgtraject`: a dossier up to a vastgestelde or bekendgemaakte beschikking of one
  product, assigned to an aanbieder through ``maak_toewijzing``;
- :func:`wachtlijst`: a regio's waiting list: a Centrale Toegang user, a BW perceel with its
  functies, a contracted aanbieder with locations and their capacity; :func:`aanmelding` and
  :func:`plaatsing` bring clients on the list and to a place through the services.

The worlds need the reference data (the ``refdata`` fixture)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from inkoop.models import Aanbieder, Contract, Locatie, Perceel, Product
from regio.models import Gemeente, Lidmaatschap, Regio, User
from tests.factories import (
    AanbiederFactory,
    ContractFactory,
    LocatieFactory,
    PerceelFactory,
    ProductFactory,
    UserFactory,
    aanbiedersysteem,
    beschikt_product,
    dossier_in,
    gemeente,
    grant,
    regio,
)
from toegang.models import Aanmelding, BeschiktProduct, Dossier, Plaatsing, Toewijzing
from toegang.toewijzingen.services import Omvang, maak_toewijzing
from toegang.wachtlijst import services as ws

D = datetime.date
SOEST, BAARN, AMERSFOORT = "0342", "0308", "0307"
JAAR_2025 = (D(2025, 1, 1), D(2025, 12, 31))
BEGIN_2020, JAN_10_2024 = D(2020, 1, 1), D(2024, 1, 10)
VANDAAG = datetime.date.today()
LOPEND = (VANDAAG - datetime.timedelta(30), VANDAAG + datetime.timedelta(300))  # running now


# --- (a) a regio with its gemeenten and users --------------------------------------------------


@dataclass(frozen=True)
class Gebruiker:
    """A user to make: a fixed username, the code of its rol (None: no rol) and the gemeenten
    (CBS codes) it holds the rol for; without gemeenten it holds the rol for the regio."""

    username: str
    rol: str | None
    gemeenten: tuple[str, ...] = ()

    def maak(self, regio_obj: Regio) -> User:
        user = UserFactory(username=self.username)
        if self.rol is None:
            return user
        for code in self.gemeenten:
            grant(user, self.rol, gemeente=code)
        if not self.gemeenten:
            grant(user, self.rol, regio=regio_obj)
        return user


def consulent_van(username: str, *gemeenten: str) -> Gebruiker:
    """A consulent of the lokaal team of each of ``gemeenten``."""
    return Gebruiker(username, "consulent", gemeenten)


@dataclass(kw_only=True)
class Regiowereld:
    """A regio and the users made for it, reachable by the name they were given:
    ``wereld.ct``, ``wereld.consulent``."""

    regio: Regio
    gebruikers: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, naam):
        gebruikers = self.__dict__.get("gebruikers", {})
        if naam in gebruikers:
            return gebruikers[naam]
        raise AttributeError(f"{type(self).__name__} has no {naam!r}")

    @property
    def gemeenten(self) -> dict[str, Gemeente]:
        """The regio's gemeenten for beschermd wonen today, by CBS code."""
        leden = Lidmaatschap.objects.active_on(VANDAAG).filter(
            regio=self.regio, domein="beschermd_wonen"
        )
        return {lid.gemeente.code: lid.gemeente for lid in leden.select_related("gemeente")}


def regio_met_gebruikers(code: str = "amersfoort", **gebruikers: Gebruiker) -> Regiowereld:
    """Regio ``code`` (reference data) with a user for every ``naam=Gebruiker(...)``."""
    regio_obj = regio(code)
    return Regiowereld(
        regio=regio_obj, gebruikers={naam: g.maak(regio_obj) for naam, g in gebruikers.items()}
    )


# --- (b) a dossier up to a (bekendgemaakte) beschikking with a toewijzing -----------------------


@dataclass
class Zorgtraject:
    dossier: Dossier
    bp: BeschiktProduct
    toewijzing: Toewijzing | None = None

    @property
    def beschikking(self):
        return self.bp.beschikking


def zorgtraject(
    consulent: User,
    product: Product,
    aanbieder: Aanbieder | None = None,
    *,
    dossier: Dossier | None = None,
    gemeente: str = SOEST,
    periode: tuple = JAAR_2025,
    omvang: Omvang | None = None,
    status: str = "vastgesteld",
    vanaf: datetime.date | None = None,
    tot: datetime.date | None = None,
) -> Zorgtraject:
    """A dossier (a new client in ``gemeente`` unless given) with a beschikking in ``status``
    ("vastgesteld", as the modules' worlds have it, or "bekendgemaakt" on its ingangsdatum)
    granting ``product`` over ``periode`` with ``omvang`` (volume, eenheid, frequentie; none
    for a functie), drawn up by ``consulent``. With an ``aanbieder`` the consulent assigns the
    product to it through ``maak_toewijzing`` (contract check, number series, audit) from
    ``vanaf`` (the beschikking's ingang) to ``tot`` (its end) with the beschikte omvang."""
    omvang = omvang or Omvang()
    dossier = dossier or dossier_in(gemeente)
    bp = beschikt_product(
        dossier, product, *periode, consulent, status=status, volume=omvang.volume,
        eenheid=omvang.eenheid, frequentie=omvang.frequentie,
        bekendgemaakt_op=periode[0] if status == "bekendgemaakt" else None,
    )  # fmt: skip
    traject = Zorgtraject(dossier=dossier, bp=bp)
    if aanbieder is not None:
        traject.toewijzing = maak_toewijzing(
            consulent, bp, aanbieder, vanaf or bp.ingangsdatum, tot,
            None if omvang.leeg else omvang,
        )  # fmt: skip
    return traject


# --- percelen, products and contracted aanbieders ----------------------------------------------


@dataclass(kw_only=True)
class Zorgaanbod(Regiowereld):
    """A taakgericht perceel with its ``functie``, a P×Q perceel with its ``product``, the
    ``aanbieders`` contracted for them (``aanbieder`` and ``ander``) and their technical users
    (``systeem`` and ``systeem_ander``); the consulent (if any) is ``consulent``."""

    taak: Perceel | None = None
    functie: Product | None = None
    pxq: Perceel | None = None
    product: Product | None = None
    aanbieders: list[Aanbieder] = field(default_factory=list)
    contracten: list[Contract] = field(default_factory=list)
    systemen: list[User] = field(default_factory=list)

    @property
    def aanbieder(self) -> Aanbieder:
        return self.aanbieders[0]

    @property
    def ander(self) -> Aanbieder:
        return self.aanbieders[1]

    @property
    def systeem(self) -> User:
        return self.systemen[0]

    @property
    def systeem_ander(self) -> User:
        return self.systemen[1]

    def traject(
        self, product: Product | None = None, aanbieder: Aanbieder | None = None, **kwargs
    ) -> Zorgtraject:
        """:func:`zorgtraject` of the consulent for ``product`` (the functie, else the
        product)."""
        return zorgtraject(
            self.consulent, product or self.functie or self.product, aanbieder, **kwargs
        )

    def toewijzing(
        self,
        bp: BeschiktProduct,
        aanbieder: Aanbieder | None = None,
        ingang: datetime.date | None = None,
        eind: datetime.date | None = None,
        omvang: Omvang | None = None,
    ) -> Toewijzing:
        """Another toewijzing of ``bp`` by the consulent, through the service."""
        return maak_toewijzing(
            self.consulent, bp, aanbieder or self.aanbieder, ingang or bp.ingangsdatum, eind,
            omvang,
        )  # fmt: skip


def zorgaanbod(
    consulent: Gebruiker | None = None,
    *,
    regio_code: str = "amersfoort",
    functie: str | dict | None = "Beschermd wonen",
    product: dict | None = None,
    aanbieders=("Huize Eemland", "De Brug Wonen"),
    gemeenten: list[str] | None = None,
    contract: dict | None = None,
    systemen=(),
    **gebruikers: Gebruiker,
) -> Zorgaanbod:
    """Percelen of regio ``regio_code`` and aanbieders contracted for them:

    - ``functie``: the name (or the ProductFactory fields) of a functie on a taakgericht
      perceel; None: no such perceel;
    - ``product``: ProductFactory fields of a product on a P×Q perceel (``begeleiding=True``
      for 'Begeleiding individueel', ``tarief=`` for its tariff); None: no such perceel;
    - ``aanbieders``: names (or AanbiederFactory fields), each with one contract (``contract``:
      further ContractFactory fields) on all these percelen for ``gemeenten`` (codes; default
      the regio's BW members);
    - ``systemen``: usernames of the aanbieders' technical users, in the same order;
    - ``consulent`` and ``gebruikers``: the users of the regio (:class:`Gebruiker`).
    """
    if consulent is not None:
        gebruikers = {"consulent": consulent, **gebruikers}
    basis = regio_met_gebruikers(regio_code, **gebruikers)
    regio_obj = basis.regio
    wereld = Zorgaanbod(regio=regio_obj, gebruikers=basis.gebruikers)
    if functie is not None:
        velden = {"naam": functie} if isinstance(functie, str) else functie
        wereld.taak = PerceelFactory(regio=regio_obj, bekostiging="taakgericht")
        wereld.functie = ProductFactory(perceel=wereld.taak, **velden)
    if product is not None:
        wereld.pxq = PerceelFactory(regio=regio_obj, bekostiging="pxq")
        wereld.product = ProductFactory(perceel=wereld.pxq, **product)
    percelen = [p for p in (wereld.taak, wereld.pxq) if p is not None]
    for aanbieder in aanbieders:
        velden = {"naam": aanbieder} if isinstance(aanbieder, str) else aanbieder
        wereld.aanbieders.append(AanbiederFactory(**velden))
        wereld.contracten.append(
            ContractFactory(
                aanbieder=wereld.aanbieders[-1],
                regio=regio_obj,
                gemeenten=gemeenten,
                percelen=percelen,
                **(contract or {}),
            )
        )
    wereld.systemen = [
        aanbiedersysteem(aanbieder, username)
        for aanbieder, username in zip(wereld.aanbieders, systemen, strict=False)
    ]
    return wereld


# --- (c) a waiting list ------------------------------------------------------------------------


BW_FUNCTIES = {"bw": "Beschermd wonen", "bt": "Beschermd thuis"}


@dataclass(kw_only=True)
class Wachtlijst(Regiowereld):
    """A regio's BW perceel with its ``functies`` (``bw``, ``bt``), the ``contract`` of one
    ``aanbieder`` on it and its ``locaties``; the Centrale Toegang user is ``ct``."""

    perceel: Perceel
    functies: dict[str, Product]
    contract: Contract | None = None
    locaties: list[Locatie] = field(default_factory=list)

    @property
    def bw(self) -> Product:
        return self.functies["bw"]

    @property
    def bt(self) -> Product:
        return self.functies["bt"]

    @property
    def aanbieder(self) -> Aanbieder:
        return self.contract.aanbieder

    @property
    def locatie(self) -> Locatie:
        return self.locaties[0]


def wachtlijst(
    regio_code: str = "amersfoort",
    *,
    ct: str | None = "ct-test",
    functies: dict[str, str] | None = None,
    perceel: dict | None = None,
    begin: datetime.date = BEGIN_2020,
    einde: datetime.date | None = None,
    contract: dict | bool = True,
    locaties=(),
    **gebruikers: Gebruiker,
) -> Wachtlijst:
    """The waiting list of regio ``regio_code``:

    - ``ct``: the username of its Centrale Toegang user (None: none);
    - a perceel (``perceel``: further PerceelFactory fields) from ``begin`` with ``functies``
      ({code: naam}; default BW and BT);
    - ``contract``: one aanbieder's contract on it from ``begin`` to ``einde`` (400 days from
      today), with further ContractFactory fields if a dict; False: no contract;
    - ``locaties``: LocatieFactory fields of the aanbieder's locations (for all functies
      unless told);
    - ``gebruikers``: further users of the regio (:class:`Gebruiker`).
    """
    if ct is not None:
        gebruikers = {"ct": Gebruiker(ct, "centrale-toegang"), **gebruikers}
    basis = regio_met_gebruikers(regio_code, **gebruikers)
    regio_obj = basis.regio
    wereld = Wachtlijst(
        regio=regio_obj,
        gebruikers=basis.gebruikers,
        perceel=PerceelFactory(regio=regio_obj, begin=begin, **(perceel or {})),
        functies={},
    )
    for code, naam in (functies or BW_FUNCTIES).items():
        wereld.functies[code] = ProductFactory(perceel=wereld.perceel, naam=naam, code=code)
    if contract is not False:
        wereld.contract = ContractFactory(
            regio=regio_obj, percelen=[wereld.perceel], begin=begin,
            einde=einde or VANDAAG + datetime.timedelta(400),
            **(contract if isinstance(contract, dict) else {}),
        )  # fmt: skip
    for velden in locaties:
        velden = {"functies": list(wereld.functies.values()), **velden}
        wereld.locaties.append(LocatieFactory(aanbieder=wereld.aanbieder, **velden))
    return wereld


def aanmelding(
    wereld: Wachtlijst,
    gemeente_code: str = AMERSFOORT,
    *,
    aangemeld_op: datetime.date = JAN_10_2024,
    route: str = Aanmelding.Route.CRISIS,
    door: User | None = None,
    dossier: Dossier | None = None,
    aanvraag=None,
    functie: Product | None = None,
    urgentie: str = Aanmelding.Urgentie.REGULIER,
    reden: str | None = None,
    beoordeeld_op: datetime.date | None = None,
    wachtend_sinds: datetime.date | None = None,
    **voorkeuren,
) -> Aanmelding:
    """A client of ``gemeente_code`` (a new dossier unless given) aangemeld on the list of
    ``wereld`` by ``door`` (the CT), through the services: assessed by the CT for ``functie``
    when given (``reden`` of a non-regular urgency defaults to "spoed"; ``voorkeuren`` as for
    ``beoordelen``), and on the list from ``wachtend_sinds`` when given."""
    a = ws.aanmelden(
        dossier or dossier_in(gemeente_code), door or wereld.ct, wereld.regio, route,
        aangemeld_op=aangemeld_op, aanvraag=aanvraag,
    )  # fmt: skip
    if functie is not None:
        if reden is None:
            reden = "spoed" if urgentie != Aanmelding.Urgentie.REGULIER else ""
        a = ws.beoordelen(
            a, wereld.ct, functie, None, urgentie, reden, gemeente(gemeente_code),
            datum=beoordeeld_op, **voorkeuren,
        )  # fmt: skip
    if wachtend_sinds is not None:
        a = ws.op_wachtlijst(a, wereld.ct, wachtend_sinds)
    return a


CRISIS_REDEN = "Acute crisis: de cliënt kan niet thuis blijven; de beschikking volgt."


def plaatsing(
    wereld: Wachtlijst,
    aanmelding: Aanmelding,
    locatie: Locatie,
    op: datetime.date,
    *,
    gereserveerd_op: datetime.date = VANDAAG,
    crisis_reden: str = CRISIS_REDEN,
) -> Plaatsing:
    """``aanmelding`` (waiting) reserved at ``locatie`` and placed there on ``op`` by the CT:
    on its covering beschikking, or else as a crisis placement with ``crisis_reden``."""
    gereserveerd = ws.reserveren(aanmelding, locatie, wereld.ct, gereserveerd_op)
    geplaatst, _ = ws.plaatsen(gereserveerd, wereld.ct, op, crisis_reden=crisis_reden)
    return geplaatst
