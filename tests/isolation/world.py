"""Two symmetric worlds for the isolation matrix: a HOME side (where the role users work) and a
FOREIGN side (a regio, gemeente and aanbieder of their own) holding one object of every model a
URL can address. Every text a foreign object carries contains the marker ``Qzxf`` (home:
``Qzxh``), so a response that shows any of it is caught by one case-insensitive search; the
foreign client's BSN is a marker too. Two things carry no marker on purpose: the regio slug
("buitenland", it is part of URLs and the API's 404 echoes the path) and the gemeente name
("Buitendorp", public reference data that forms list; the matrix checks it only in answers
about one foreign object).

Nothing here is shared with tests/factories/ on purpose (this world must not change when they do);
the few helpers it would give are written out below.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from financien.models import (
    Jaarparameters,
    Kostenregel,
    Verdeelmodel,
    VerdeelmodelAandeel,
    Vereveningsregel,
    Vereveningsrun,
    Voorschot,
)
from inkoop.apisleutels import services as api_sleutel_services
from inkoop.models import (
    Aanbieder,
    Bestedingsruimte,
    Capaciteit,
    Certificaat,
    Contract,
    ContractDocument,
    Kwaliteitssignaal,
    Locatie,
    Onderaanneming,
    Perceel,
    Product,
    Rapportage,
    Rapportageopmerking,
    Rapportageregel,
    Verlengingsoptie,
    VrijePlaatsenMelding,
)
from inkoop.models import Melding as InkoopMelding
from regio.models import (
    Gemeente,
    JobResultaat,
    JobRun,
    Lidmaatschap,
    Notificatie,
    Regio,
    User,
)
from regio.roles import ROLLEN
from regio.validators import is_valid_bsn
from tests.factories import grant
from toegang.models import (
    Aanmelding,
    Aanvraag,
    Adres,
    Beschikking,
    BeschiktProduct,
    Bezwaar,
    Client,
    Declaratie,
    Document,
    Dossier,
    Evaluatie,
    IngediendBericht,
    Melding,
    Persoon,
    Relatie,
    Toewijzing,
    Trajectdoel,
    Trajectplan,
    Vernietigingslijst,
    Vernietigingsregel,
    Verwijderverzoek,
    Verzoek,
    Wachtstatusbericht,
    Zorgperiode,
)
from toegang.wachtlijst import services as ws

D = datetime.date
VANDAAG = datetime.date.today()
JAAR = 2025  # a closed year with parameters and a verevening run

FOREIGN_MARKER = "Qzxf"
HOME_MARKER = "Qzxh"

# Users without a role of their own, besides the role users.
NO_ROLE = "geen-rol"
ANONYMOUS = "anoniem"


def bsn(n: int) -> str:
    candidate = 987_000_000 + n * 37
    while not is_valid_bsn(str(candidate)):
        candidate += 1
    return str(candidate)


@dataclass
class Side:
    """One side of the world: its marker and the object of every kind, by name."""

    marker: str
    objects: dict = field(default_factory=dict)
    bsn: str = ""

    def __getitem__(self, name):
        return self.objects[name]

    def __setitem__(self, name, value):
        self.objects[name] = value


def grant_role(user, rol_code: str, side: Side) -> None:
    """The role for the side's gemeente, regio or aanbieder, as its scope asks."""
    scope = next(r.scope for r in ROLLEN if r.code == rol_code)
    if scope == "gemeente":
        grant(user, rol_code, gemeente=side["gemeente"])
    elif scope in {"regio", "gemeente_of_regio"}:
        grant(user, rol_code, regio=side["regio"])
    elif scope == "aanbieder":
        grant(user, rol_code, aanbieder=side["aanbieder"])
    else:  # pragma: no cover - a new kind of scope must be taught here
        raise AssertionError(f"unknown scope {scope!r} of rol {rol_code}")


def _file(name: str, text: str) -> ContentFile:
    return ContentFile(text.encode(), name=name)


def _pdf_bytes(text: str) -> bytes:
    # Not a real PDF: the download views serve the stored bytes as they are.
    return f"%PDF-1.4\n% {text}\n%%EOF\n".encode()


def build_side(tag: str, nummer: int) -> Side:
    """All objects of one side. ``tag`` is 'f' (foreign) or 'h' (home)."""
    m = FOREIGN_MARKER if tag == "f" else HOME_MARKER
    low = m.lower()
    side = Side(marker=m, bsn=bsn(nummer))
    s = side

    # --- regio, gemeente, users that act inside the side ---------------------------------------
    # Gemeente names are public reference data (a gemeente van herkomst may be any gemeente, so
    # forms list them all): the foreign gemeente is recognised by its objects, not its name.
    g = Gemeente.objects.create(
        code=f"99{nummer:02d}", naam="Buitendorp" if tag == "f" else "Thuisdorp"
    )
    s["gemeente"] = g
    r = Regio.objects.create(
        code="buitenland" if tag == "f" else "thuisland", naam=f"{m} regio", centrumgemeente=g
    )
    s["regio"] = r
    for domein in ("beschermd_wonen", "begeleiding"):
        s["lidmaatschap"] = Lidmaatschap.objects.create(gemeente=g, regio=r, domein=domein)

    aanbieder = Aanbieder.objects.create(
        naam=f"{m} Zorggroep",
        agb_code=f"{99000000 + nummer:08d}",
        kvk_nummer=f"{98000000 + nummer:08d}",
    )
    s["aanbieder"] = aanbieder

    def actor(rol_code):
        user = User.objects.create_user(username=f"{low}-actor-{rol_code}", password="x")
        grant_role(user, rol_code, side)
        return user

    consulent = actor("consulent")
    ct = actor("centrale-toegang")
    beheerder = actor("functioneel-beheerder")
    s["actor-consulent"] = consulent
    s["actor-ct"] = ct
    s["roltoekenning"] = ct.roltoekenningen.get()
    s["totpdevice"] = TOTPDevice.objects.create(user=ct, name=f"{m} telefoon")
    s["staticdevice"] = StaticDevice.objects.create(user=ct, name=f"{m} herstelcodes")

    # --- inkoop --------------------------------------------------------------------------------
    perceel = Perceel.objects.create(
        regio=r, code=f"{low}-perceel", naam=f"{m} perceel", bekostiging="taakgericht",
        begin=D(2020, 1, 1),
    )  # fmt: skip
    s["perceel"] = perceel
    bw = Product.objects.create(
        perceel=perceel, code="bw", naam=f"{m} Beschermd wonen", soort="functie",
        domein="beschermd_wonen", productcategorie="15", begin=D(2020, 1, 1),
    )  # fmt: skip
    s["product"] = bw
    contract = Contract(
        aanbieder=aanbieder, regio=r, kenmerk=f"{m}-K-1", soort="raamovereenkomst",
        bekostiging="taakgericht", begin=D(2020, 1, 1), einde=VANDAAG + datetime.timedelta(400),
    )  # fmt: skip
    contract.save()
    contract.gemeenten.set([g])
    contract.percelen.set([perceel])
    s["contract"] = contract
    s["verlengingsoptie"] = Verlengingsoptie.objects.create(
        contract=contract, volgnummer=1, duur_maanden=12,
        besluit_uiterlijk=VANDAAG + datetime.timedelta(200),
    )  # fmt: skip
    Bestedingsruimte.objects.create(contract=contract, jaar=VANDAAG.year, bedrag=100000)
    s["contractdocument"] = ContractDocument.objects.create(
        contract=contract, naam=f"{m}-contractdocument.pdf",
        bestand=_file(f"{low}-contractdocument.pdf", f"{m} contracttekst"),
    )  # fmt: skip
    s["onderaanneming"] = Onderaanneming.objects.create(
        contract=contract, naam=f"{m} Onderaannemer", begin=D(2024, 1, 1)
    )
    locatie = Locatie.objects.create(
        aanbieder=aanbieder, naam=f"{m} Huize", straat=f"{m}straat", huisnummer="1",
        postcode="9999ZZ", plaats=f"{m}plaats", gemeente=g,
    )  # fmt: skip
    locatie.functies.set([bw])
    s["locatie"] = locatie
    s["capaciteit"] = Capaciteit.objects.create(locatie=locatie, begin=D(2020, 1, 1), plaatsen=10)
    VrijePlaatsenMelding.objects.create(locatie=locatie, vrije_plaatsen=5)
    s["certificaat"] = Certificaat.objects.create(
        aanbieder=aanbieder, soort=f"{m} HKZ", geldig_tot=VANDAAG + datetime.timedelta(300)
    )
    s["inkoopmelding"] = InkoopMelding.objects.create(
        aanbieder=aanbieder, soort="calamiteit", datum=VANDAAG - datetime.timedelta(3),
        omschrijving=f"{m} calamiteit", contract=contract,
    )  # fmt: skip
    s["kwaliteitssignaal"] = Kwaliteitssignaal.objects.create(
        regio=r, aanbieder=aanbieder, onderwerp="zorginhoud", omschrijving=f"{m} signaal",
        gemeld_door=ct, locatie=locatie,
    )  # fmt: skip
    rapportage = Rapportage.objects.create(contract=contract, jaar=VANDAAG.year, kwartaal=1)
    Rapportageregel.objects.create(
        rapportage=rapportage, product=bw, gemeente=g, volume=3, clienten=2
    )
    s["rapportage"] = rapportage
    s["rapportageopmerking"] = Rapportageopmerking.objects.create(
        rapportage=rapportage, onderdeel="algemeen", tekst=f"{m} opmerking", door=beheerder
    )
    sleutel, _token = api_sleutel_services.maak(aanbieder, f"{m} sleutel", beheerder)
    s["apisleutel"] = sleutel

    # --- toegang: the client's dossier and its chain -------------------------------------------
    client = Client.objects.create()
    dossier = Dossier.objects.create(
        client=client, verantwoordelijke_gemeente=g, gemeente_herkomst=g, geopend_op=D(2026, 1, 15)
    )
    persoon = Persoon.objects.create(
        client=client, bsn=side.bsn, voornamen=f"{m}jan", geslachtsnaam=f"{m}sma",
        gemeente_woonplaats=g,
    )  # fmt: skip
    Adres.objects.create(
        persoon=persoon, soort="01", straat=f"{m}laan", huisnummer="2", postcode="9999ZY",
        plaats=f"{m}plaats",
    )  # fmt: skip
    Relatie.objects.create(persoon=persoon, soort="03", geslachtsnaam=f"{m}vertegenwoordiger")
    s["client"] = client
    s["dossier"] = dossier
    melding = Melding.objects.create(
        dossier=dossier, ontvangen_op=D(2026, 2, 1), hulpvraag=f"{m} hulpvraag", consulent=consulent
    )
    s["melding"] = melding
    aanvraag = Aanvraag.objects.create(
        melding=melding, dossier=dossier, ontvangen_op=D(2026, 2, 20)
    )
    s["aanvraag"] = aanvraag
    s["document"] = Document.objects.create(
        dossier=dossier, naam=f"{m}-verslag.pdf",
        bestand=_file(f"{low}-verslag.pdf", f"{m} verslag"), aangemaakt_door=consulent,
    )  # fmt: skip
    brief_inhoud = _pdf_bytes(f"{m} beschikkingsbrief {side.bsn}")
    brief = Document.objects.create(
        dossier=dossier, soort="beschikking", naam=f"{m}-beschikking.pdf",
        bestand=ContentFile(brief_inhoud, name=f"{low}-beschikking.pdf"),
        sha256=hashlib.sha256(brief_inhoud).hexdigest(), aangemaakt_door=consulent,
    )  # fmt: skip
    beschikking = Beschikking.objects.create(
        dossier=dossier, aanvraag=aanvraag, perceel=perceel, besluit="toekenning",
        motivering=f"{m} motivering", ingangsdatum=VANDAAG - datetime.timedelta(30),
        einddatum=VANDAAG + datetime.timedelta(300), opgesteld_door=consulent,
    )  # fmt: skip
    bp = BeschiktProduct.objects.create(
        beschikking=beschikking, product=bw, ingangsdatum=beschikking.ingangsdatum,
        einddatum=beschikking.einddatum, client=client, productcategorie="15",
    )  # fmt: skip
    Beschikking.objects.filter(pk=beschikking.pk).update(
        status="bekendgemaakt",
        vastgesteld_op=timezone.now(),
        brief=brief,
        bekendgemaakt_op=VANDAAG - datetime.timedelta(10),
    )
    BeschiktProduct.objects.filter(pk=bp.pk).update(actief=True)
    beschikking.refresh_from_db()
    bp.refresh_from_db()
    s["beschikking"] = beschikking
    s["beschiktproduct"] = bp
    s["bezwaar"] = Bezwaar.objects.create(
        beschikking=beschikking, dossier=dossier, ontvangen_op=VANDAAG - datetime.timedelta(5)
    )
    toewijzing = Toewijzing.objects.create(
        beschikt_product=bp, aanbieder=aanbieder, contract=contract, gemeente=g,
        nummer=990_000_000 + nummer, ingangsdatum=beschikking.ingangsdatum,
        einddatum=beschikking.einddatum,
    )  # fmt: skip
    s["toewijzing"] = toewijzing
    s["zorgperiode"] = Zorgperiode.objects.create(
        toewijzing=toewijzing, begindatum=beschikking.ingangsdatum, bron="api"
    )
    s["verzoek"] = Verzoek.objects.create(
        soort="toewijzing", aanbieder=aanbieder, gemeente=g, dossier=dossier,
        referentie=f"{m}-VZ-1", producten=[], bron="api",
    )  # fmt: skip
    s["verzoek-wijziging"] = Verzoek.objects.create(
        soort="wijziging", aanbieder=aanbieder, gemeente=g, dossier=dossier,
        referentie=f"{m}-VW-1", producten=[], bron="api", toewijzing=toewijzing,
    )  # fmt: skip
    declaratie = Declaratie.objects.create(
        aanbieder=aanbieder, gemeente=g, nummer=f"{m}-D-1", bron="api"
    )
    s["declaratie"] = declaratie
    s["ingediendbericht"] = IngediendBericht.objects.create(
        aanbieder=aanbieder, gemeente=g, berichttype="305", identificatie=f"{m}-B-1", bron="xml",
        status="goedgekeurd", retour={"bericht": "WMO306", "kenmerk": f"{m}-R-1"},
    )  # fmt: skip

    # --- waiting list, placement, regie ---------------------------------------------------------
    aanmelding = ws.aanmelden(
        dossier, ct, r, Aanmelding.Route.CRISIS, aangemeld_op=VANDAAG - datetime.timedelta(60)
    )
    aanmelding = ws.beoordelen(aanmelding, ct, bw, None, Aanmelding.Urgentie.REGULIER, "", g)
    aanmelding = ws.op_wachtlijst(aanmelding, ct, VANDAAG - datetime.timedelta(50))
    s["aanmelding"] = aanmelding
    plaatsing = ws.bevestigen(ws.reserveren(aanmelding, locatie, ct, VANDAAG), ct)
    plaatsing, _ = ws.plaatsen(plaatsing, ct, VANDAAG, crisis_reden="Acute crisis.")
    s["plaatsing"] = plaatsing
    trajectplan = Trajectplan.objects.create(
        plaatsing=plaatsing, opgesteld_op=VANDAAG, opgesteld_door=ct
    )
    s["trajectplan"] = trajectplan
    s["trajectdoel"] = Trajectdoel.objects.create(
        trajectplan=trajectplan, leefgebied="wonen", omschrijving=f"{m} doel"
    )
    s["evaluatie"] = Evaluatie.objects.create(
        trajectplan=trajectplan, gepland_op=VANDAAG + datetime.timedelta(30)
    )
    s["wachtstatusbericht"] = Wachtstatusbericht.objects.create(
        aanmelding=aanmelding, ontvanger="client", aanleiding="periodiek", datum=VANDAAG,
        tekst=f"{m} wachtstatus", sleutel=f"{low}-wachtstatus-1",
    )  # fmt: skip

    # Objects in the other states the screens act on: a waiting client, one with a reserved
    # place, and a concept beschikking (so those forms are requested in a state they accept).
    for n, naam in ((1, "wachtend"), (2, "gereserveerd")):
        ander = Client.objects.create()
        ander_dossier = Dossier.objects.create(
            client=ander, verantwoordelijke_gemeente=g, geopend_op=D(2026, 3, 1)
        )
        Persoon.objects.create(
            client=ander, bsn=bsn(nummer * 10 + n), voornamen=f"{m}piet",
            geslachtsnaam=f"{m}{naam}",
        )  # fmt: skip
        ander_a = ws.aanmelden(
            ander_dossier,
            ct,
            r,
            Aanmelding.Route.CRISIS,
            aangemeld_op=VANDAAG - datetime.timedelta(20),
        )
        ander_a = ws.beoordelen(ander_a, ct, bw, None, Aanmelding.Urgentie.REGULIER, "", g)
        s[f"aanmelding-{naam}"] = ws.op_wachtlijst(ander_a, ct, VANDAAG - datetime.timedelta(10))
    s["plaatsing-gereserveerd"] = ws.reserveren(s["aanmelding-gereserveerd"], locatie, ct, VANDAAG)
    s["beschikking-concept"] = Beschikking.objects.create(
        dossier=dossier, perceel=perceel, besluit="toekenning", motivering=f"{m} concept",
        ingangsdatum=VANDAAG, einddatum=VANDAAG + datetime.timedelta(200), opgesteld_door=consulent,
    )  # fmt: skip

    # --- jobs with result files ----------------------------------------------------------------
    def jobrun(soort, parameters=None):
        run = JobRun.objects.create(
            soort=soort, regio=r, gestart_door=ct, status="klaar", voortgang=100,
            parameters=parameters or {}, resultaat={"tekst": f"{m} resultaat"},
            afgerond_op=timezone.now(),
        )  # fmt: skip
        JobResultaat.objects.create(
            jobrun=run, naam=f"{m}-resultaat.csv",
            bestand=_file(f"{low}-resultaat.csv", f"naam\n{m}sma;{side.bsn}\n"),
        )  # fmt: skip
        return run

    s["jobrun"] = jobrun("regio.ledenoverzicht", {"regio_id": r.pk})
    s["jobresultaat"] = s["jobrun"].bestanden.get()
    s["jobrun-wachtlijstrapport"] = jobrun(
        "toegang.wachtlijstrapport", {"regio_id": r.pk, "maand": "2026-10", "maanden": 12}
    )
    s["jobrun-verevening"] = jobrun("financien.verevening", {"regio_id": r.pk, "jaar": JAAR})
    # A notification is its user's own: the other side's opens and marks read for nobody.
    s["notificatie"] = Notificatie.objects.create(
        user=ct, tekst=f"{m} notificatie", url=f"/toegang/aanmeldingen/{m}/",
        sleutel=f"{low}-notificatie",
    )  # fmt: skip

    # --- financien -----------------------------------------------------------------------------
    verdeelmodel = Verdeelmodel.objects.create(regio=r, jaar=JAAR)
    s["verdeelmodel"] = verdeelmodel
    VerdeelmodelAandeel.objects.create(verdeelmodel=verdeelmodel, gemeente=g, percentage=100)
    parameters = Jaarparameters.objects.create(
        regio=r, jaar=JAAR, peildatum_nieuw=D(2022, 1, 1), alpha="0.5",
        centrumgemeentebudget=1_000_000,
    )  # fmt: skip
    s["jaarparameters"] = parameters
    Voorschot.objects.create(parameters=parameters, gemeente=g, bedrag=1000)
    Kostenregel.objects.create(
        regio=r, jaar=JAAR, client=client, gemeente_herkomst=g, bron="handmatig",
        referentie=f"{m}-KR-1", periode_begin=D(JAAR, 1, 1), periode_einde=D(JAAR, 1, 31),
        bedrag=1234, functie=bw, aanbieder=aanbieder,
    )  # fmt: skip
    run = Vereveningsrun.objects.create(
        regio=r, jaar=JAAR, strategie="solidariteit",
        invoer={
            "gemeenten": [{"code": g.code, "aandeel": "100"}], "alpha": "0.5",
            "centrumgemeentebudget": "1000000.00", "opmerking": f"{m} invoer",
        },
        invoer_hash=f"{low}{nummer}", totale_kosten=1234, centrumgemeente_deel=1234, restant=0,
        job=s["jobrun-verevening"], gestart_door=ct,
    )  # fmt: skip
    Vereveningsregel.objects.create(
        run=run, gemeente=g, aandeel_verdeelmodel=1, kosten_nieuw=0, aandeel_nieuw=1,
        toegerekend=0, voorschot=1000, verrekening=-1000,
    )  # fmt: skip
    s["vereveningsrun"] = run

    # --- privacy -------------------------------------------------------------------------------
    s["verwijderverzoek"] = Verwijderverzoek.objects.create(
        gemeente=g, client=client, ontvangen_op=VANDAAG,
        antwoord_uiterlijk=VANDAAG + datetime.timedelta(30),
    )  # fmt: skip
    lijst = Vernietigingslijst.objects.create(gemeente=g, peildatum=VANDAAG)
    s["vernietigingslijst"] = lijst
    s["vernietigingsregel"] = Vernietigingsregel.objects.create(
        lijst=lijst, dossier=dossier, grondslag="niets", einde=D(2019, 1, 1),
        bewaren_tot=D(2024, 1, 1),
    )  # fmt: skip
    return side


ROLE_CODES = [r.code for r in ROLLEN]
PRINCIPALS = [*ROLE_CODES, NO_ROLE, ANONYMOUS]


@dataclass
class World:
    home: Side
    foreign: Side
    users: dict  # principal -> User (None for anonymous)


def build_world() -> World:
    from regio.roles import sync_roles

    sync_roles()
    foreign = build_side("f", 1)
    home = build_side("h", 2)
    users = {ANONYMOUS: None}
    for code in ROLE_CODES:
        user = User.objects.create_user(
            username=f"matrix-{code}", password="x", is_staff=code == "functioneel-beheerder"
        )
        grant_role(user, code, home)
        users[code] = user
    users[NO_ROLE] = User.objects.create_user(username="matrix-geen-rol", password="x")
    return World(home=home, foreign=foreign, users=users)
