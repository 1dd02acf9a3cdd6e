"""Proactive updates on a client's waiting status ("wachtstatus", issue 6) to the client (a
letter) and the lokaal team (a Wachtstatusbericht plus an in-app Notificatie).

What is due is derived from the aanmelding's state, its plaatsingen, its list events and the
berichten already sent, never from a flag that a caller must remember to set; each bericht's
``sleutel`` is unique per aanmelding and ontvanger, so calling ``bijwerken`` twice (the hook after
a status change and the daily job on the same day, a redelivered task) sends nothing twice.

- A status change is news for one interval (``Regio.wachtstatus_interval_weken``): on the list
  (``op_de_lijst``), a place reserved for the client (``gereserveerd``, per plaatsing), that
  reservation lapsed while the client still waits (``gewijzigd``, per plaatsing), the functie
  changed while waiting (``gewijzigd``, per list event), placed (``geplaatst``), off the list
  with a reason (``van_de_lijst``). Only the current state is told: a client placed before any
  run gets the ``geplaatst`` letter, not also a stale "you are on the list". A change older than
  the interval (history from before this feature, a failed hook) is no longer news; the periodic
  bericht covers a waiting client.
- While the client waits (wachtend, gereserveerd) a periodic bericht goes out when the last one
  (or, without any, the start of the wait) is at least the interval old.
- A client who died gets no letter; the lokaal team is told.

Both ontvangers always receive the same aanleiding with the same sleutel in one transaction, so
"sent" is decided on the lokaal team's berichten in the set-based selection of ``versturen``.
Writers lock the aanmelding rows first (the daily batch skips rows a user is changing right
now: their own hook follows on commit), so two runs never compute from the same stale state.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from regio import audit, notificaties
from regio.models import Notificatie, Regio, User
from toegang.models import (
    Aanmelding,
    Plaatsing,
    Uitstroomreden,
    Wachtlijstgebeurtenis,
    Wachtstatusbericht,
)
from toegang.wachtlijst.services import OP_DE_LIJST, boven_norm, wachtdagen

VIEW = "toegang.view_wachtstatusbericht"
ADD = "toegang.add_wachtstatusbericht"

Aanleiding = Wachtstatusbericht.Aanleiding
Ontvanger = Wachtstatusbericht.Ontvanger
RESERVERING = (Plaatsing.Status.GERESERVEERD, Plaatsing.Status.BEVESTIGD)


def _datum(d: datetime.date) -> str:
    return date_format(d, "j F Y")


def grens(regio: Regio, peildatum: datetime.date) -> datetime.date:
    """A change after this date is still news; a last bericht on or before it makes the
    periodic one due (the same rule as ``te_versturen``)."""
    return peildatum - datetime.timedelta(days=7 * regio.wachtstatus_interval_weken)


# --- what is due (per aanmelding, in Python, on prefetched rows) -------------------------------


@dataclass
class Te:
    """One bericht to send (to both ontvangers unless ``alleen_team``)."""

    aanleiding: str
    sleutel: str
    plaatsing: Plaatsing | None = None
    alleen_team: bool = False


def _lokaal(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def verschuldigd(a: Aanmelding, peildatum: datetime.date) -> list[Te]:
    """What ``a`` is owed on ``peildatum``, in the order to send it. Expects the prefetches of
    ``_met_gegevens`` (berichten, plaatsingen, instroom events) to avoid queries."""
    g = grens(a.regio, peildatum)
    team = [b for b in a.wachtstatusberichten.all() if b.ontvanger == Ontvanger.LOKAAL_TEAM]
    verstuurd = {b.sleutel for b in team}
    uit: list[Te] = []

    def nieuw(te: Te):
        if te.sleutel not in verstuurd:
            uit.append(te)
            verstuurd.add(te.sleutel)

    if a.wachtend_sinds is None:
        return uit  # never on the list: nothing to tell about it
    if a.status in (Aanmelding.Status.GEPLAATST, Aanmelding.Status.UITGESTROOMD):
        if a.uitstroom_op and a.uitstroom_op > g:
            if a.status == Aanmelding.Status.GEPLAATST:
                plaats = next(
                    (p for p in a.plaatsingen.all() if p.status == Plaatsing.Status.GEPLAATST), None
                )
                nieuw(Te(Aanleiding.GEPLAATST, "geplaatst", plaatsing=plaats))
            else:
                nieuw(
                    Te(
                        Aanleiding.VAN_DE_LIJST,
                        "van_de_lijst",
                        alleen_team=a.uitstroomreden == Uitstroomreden.OVERLEDEN,
                    )
                )
        return uit
    if a.status not in OP_DE_LIJST:
        return uit
    if a.wachtend_sinds > g:
        nieuw(Te(Aanleiding.OP_DE_LIJST, "op_de_lijst"))
    op_de_lijst_nu = bool(uit)
    instroom = sorted(a.instroom, key=lambda e: e.pk)
    if len(instroom) > 1 and not op_de_lijst_nu:
        laatste = instroom[-1]
        al_gemeld = any(b.verstuurd_op >= laatste.vastgelegd_op for b in team)
        if laatste.datum > g and not al_gemeld:
            nieuw(Te(Aanleiding.GEWIJZIGD, f"gewijzigd:{laatste.pk}"))
    for p in sorted(a.plaatsingen.all(), key=lambda p: p.pk):
        if (
            p.status == Plaatsing.Status.VERVALLEN
            and p.beeindigd_op
            and p.beeindigd_op > g
            and f"gereserveerd:{p.pk}" in verstuurd
        ):
            nieuw(Te(Aanleiding.GEWIJZIGD, f"vervallen:{p.pk}", plaatsing=p))
    if a.status == Aanmelding.Status.GERESERVEERD:
        for p in a.plaatsingen.all():
            if p.status in RESERVERING and _lokaal(p.gereserveerd_op) > g:
                nieuw(Te(Aanleiding.GERESERVEERD, f"gereserveerd:{p.pk}", plaatsing=p))
    if not uit:
        laatste_datum = max((b.datum for b in team), default=None)
        if a.wachtend_sinds <= g and (laatste_datum is None or laatste_datum <= g):
            nieuw(Te(Aanleiding.PERIODIEK, f"periodiek:{peildatum.isoformat()}"))
    return uit


# --- the set-based selection ---------------------------------------------------------------------


def _team_bericht(**filters):
    return Wachtstatusbericht.objects.filter(
        aanmelding=OuterRef("pk"), ontvanger=Ontvanger.LOKAAL_TEAM, **filters
    )


def _sleutel_van(prefix: str, pk_ref: str = "pk"):
    return Concat(Value(prefix), Cast(OuterRef(pk_ref), CharField()))


def _verschuldigd_q(g: datetime.date) -> Q:
    """SQL for 'something is due' for aanmeldingen whose regio has ``g`` as grens: the same
    rules as ``verschuldigd`` (a superset only in back-dated corner cases, where the Python
    rule then sends nothing)."""
    lijst = Q(status__in=OP_DE_LIJST, wachtend_sinds__isnull=False)
    periodiek = lijst & Q(wachtend_sinds__lte=g) & ~Q(Exists(_team_bericht(datum__gt=g)))
    op_de_lijst = lijst & Q(wachtend_sinds__gt=g) & ~Q(Exists(_team_bericht(sleutel="op_de_lijst")))
    bericht_bij_plaatsing = Wachtstatusbericht.objects.filter(
        aanmelding=OuterRef("aanmelding"), ontvanger=Ontvanger.LOKAAL_TEAM
    )
    gereserveerd = Q(status=Aanmelding.Status.GERESERVEERD) & Q(
        Exists(
            Plaatsing.objects.filter(
                aanmelding=OuterRef("pk"), status__in=RESERVERING, gereserveerd_op__date__gt=g
            ).exclude(Exists(bericht_bij_plaatsing.filter(sleutel=_sleutel_van("gereserveerd:"))))
        )
    )
    vervallen = lijst & Q(
        Exists(
            Plaatsing.objects.filter(
                aanmelding=OuterRef("pk"), status=Plaatsing.Status.VERVALLEN, beeindigd_op__gt=g
            )
            .filter(Exists(bericht_bij_plaatsing.filter(sleutel=_sleutel_van("gereserveerd:"))))
            .exclude(Exists(bericht_bij_plaatsing.filter(sleutel=_sleutel_van("vervallen:"))))
        )
    )
    functie = lijst & Q(
        Exists(
            Wachtlijstgebeurtenis.objects.filter(
                aanmelding=OuterRef("pk"), soort=Wachtlijstgebeurtenis.Soort.INSTROOM, datum__gt=g
            )
            .filter(
                Exists(
                    Wachtlijstgebeurtenis.objects.filter(
                        aanmelding=OuterRef("aanmelding"),
                        soort=Wachtlijstgebeurtenis.Soort.INSTROOM,
                        pk__lt=OuterRef("pk"),
                    )
                )
            )
            .exclude(
                Exists(bericht_bij_plaatsing.filter(verstuurd_op__gte=OuterRef("vastgelegd_op")))
            )
        )
    )
    afgesloten = Q(wachtend_sinds__isnull=False, uitstroom_op__gt=g)
    geplaatst = (
        afgesloten
        & Q(status=Aanmelding.Status.GEPLAATST)
        & ~Q(Exists(_team_bericht(sleutel="geplaatst")))
    )
    van_de_lijst = (
        afgesloten
        & Q(status=Aanmelding.Status.UITGESTROOMD)
        & ~Q(Exists(_team_bericht(sleutel="van_de_lijst")))
    )
    return periodiek | op_de_lijst | gereserveerd | vervallen | functie | geplaatst | van_de_lijst


def te_versturen(peildatum: datetime.date, regios=None):
    """The aanmeldingen (of all regio's, or of the Regio queryset ``regios``) owed a bericht on
    ``peildatum``: one query, whatever the number of aanmeldingen. Regio's differ only by
    their interval, so the condition is written once per distinct interval."""
    if regios is None:
        regios = Regio.objects.all()
    per_interval: dict[int, list[int]] = {}
    for pk, weken in regios.values_list("pk", "wachtstatus_interval_weken"):
        per_interval.setdefault(weken, []).append(pk)
    if not per_interval:
        return Aanmelding.objects.none()
    conditie = Q(pk__in=[])
    for weken, regio_ids in sorted(per_interval.items()):
        g = peildatum - datetime.timedelta(days=7 * weken)
        conditie |= Q(regio_id__in=sorted(regio_ids)) & _verschuldigd_q(g)
    return Aanmelding.objects.filter(conditie)


# --- the texts -----------------------------------------------------------------------------------


def _aanhef_en_rol(a: Aanmelding) -> tuple[str, str, str]:
    """(aanhef, the sentence for a representative, the client's name) from prefetched rows."""
    persoon = getattr(a.dossier.client, "persoon", None)
    if persoon is None:
        return "Geachte heer, mevrouw", "", ""
    achternaam = " ".join(p for p in (persoon.voorvoegsel, persoon.geslachtsnaam) if p)
    clientnaam = " ".join(p for p in (persoon.voorletters, achternaam) if p) or persoon.naam
    relatie = next((r for r in persoon.relaties.all() if r.ontvangt_post), None)
    if relatie is not None:
        return (
            f"Geachte {relatie.naam}",
            f"U ontvangt deze brief als vertegenwoordiger van {clientnaam}.",
            clientnaam,
        )
    aanhef = {"1": f"Geachte heer {achternaam}", "2": f"Geachte mevrouw {achternaam}"}.get(
        persoon.geslacht, f"Geachte heer/mevrouw {achternaam}"
    )
    return aanhef, "", clientnaam


def _plek(p: Plaatsing | None) -> str:
    if p is None:
        return "een locatie van een zorgaanbieder"
    return f"{p.locatie.naam} van {p.locatie.aanbieder.naam} in {p.locatie.plaats}"


REDEN_CLIENT = {
    Uitstroomreden.INGETROKKEN: "omdat de aanmelding is ingetrokken",
    Uitstroomreden.WLZ: "omdat u zorg krijgt vanuit de Wet langdurige zorg (Wlz)",
    Uitstroomreden.VERHUISD: "omdat u bent verhuisd",
    Uitstroomreden.ANDERS: "",
}


def _functie(a: Aanmelding) -> str:
    return (a.functie.naam if a.functie_id else "beschermd wonen").lower()


def _afzender(a: Aanmelding) -> str:
    if a.regio.wachtlijstbeheer == "contractpartner":
        return f"Wachtlijstbeheer namens de gemeenten van regio {a.regio.naam}"
    return f"Centrale Toegang regio {a.regio.naam}"


def clienttekst(a: Aanmelding, te: Te, peildatum: datetime.date) -> str:
    """The letter to the client, from the aanhef to the signature (the PDF adds the
    letterhead and the address). Plain Dutch; never a BSN (free text is scrubbed)."""
    aanhef, rol, _ = _aanhef_en_rol(a)
    dagen = wachtdagen(a, peildatum)
    sinds = _datum(a.wachtend_sinds)
    functie = _functie(a)
    norm = a.regio.wachtlijst_norm_maanden
    delen = [f"{aanhef},"]
    if rol:
        delen.append(rol)
    afgesloten = te.aanleiding in (Aanleiding.GEPLAATST, Aanleiding.VAN_DE_LIJST)
    if te.aanleiding == Aanleiding.OP_DE_LIJST:
        delen.append(
            f"U staat sinds {sinds} op de wachtlijst voor {functie}. Er is op dit moment geen "
            "passende plaats vrij. Met deze brief vertellen wij u hoe het wachten gaat."
        )
    elif te.aanleiding == Aanleiding.PERIODIEK:
        delen.append(
            f"U staat nog op de wachtlijst voor {functie}. Wij laten u regelmatig weten hoe het "
            "staat. Er is nog geen plaats voor u vrij."
        )
    elif te.aanleiding == Aanleiding.GERESERVEERD:
        delen.append(
            f"Goed nieuws: er is een plaats voor u gereserveerd bij {_plek(te.plaatsing)}. "
            "U staat nog op de wachtlijst tot u daar echt begint."
        )
    elif te.aanleiding == Aanleiding.GEWIJZIGD and te.plaatsing is not None:
        delen.append(
            f"De plaats die voor u was gereserveerd bij {_plek(te.plaatsing)} gaat niet door. "
            "U staat weer op de wachtlijst. U gaat niet achteraan: uw wachttijd loopt door."
        )
    elif te.aanleiding == Aanleiding.GEWIJZIGD:
        delen.append(
            f"Wij hebben opnieuw bekeken welke ondersteuning u nodig hebt. U wacht nu op een "
            f"plaats voor {functie}. U gaat niet achteraan: uw wachttijd loopt door."
        )
    elif te.aanleiding == Aanleiding.GEPLAATST:
        op = f" op {_datum(a.uitstroom_op)}" if a.uitstroom_op else ""
        delen.append(
            f"U kunt{op} terecht bij {_plek(te.plaatsing)}. U staat daarom niet meer op de "
            "wachtlijst."
        )
    else:
        reden = REDEN_CLIENT.get(a.uitstroomreden, "")
        sinds_uit = f" sinds {_datum(a.uitstroom_op)}" if a.uitstroom_op else ""
        reden = f" {reden}" if reden else ""
        delen.append(f"U staat{sinds_uit} niet meer op de wachtlijst voor {functie}{reden}.")
    if afgesloten:
        delen.append(f"U hebt {dagen} dagen op de wachtlijst gestaan, sinds {sinds}.")
    else:
        delen.append(
            f"Hoe lang wacht u al?\nU staat sinds {sinds} op de wachtlijst. Dat is nu {dagen} "
            f"dagen. Er is geen wettelijke maximale wachttijd. De gemeenten in regio "
            f"{a.regio.naam} vinden dat u niet langer dan {norm} maanden hoort te wachten."
        )
        if boven_norm(a, peildatum):
            delen.append(
                "U wacht al langer dan dat. Dat vinden wij vervelend. Wij blijven zoeken naar een "
                "plaats die bij u past."
            )
        overbrugging = audit.scrub(a.overbruggingszorg.strip())
        if overbrugging:
            delen.append(
                f"Hulp terwijl u wacht\nZolang u wacht, krijgt u deze hulp: {overbrugging}"
            )
        else:
            delen.append(
                "Hulp terwijl u wacht\nZolang u wacht, bespreekt uw consulent van het lokaal team "
                "met u welke hulp u in de tussentijd nodig hebt."
            )
    vervolg = {
        Aanleiding.GERESERVEERD: "De zorgaanbieder neemt contact met u op voor een "
        "kennismaking. Daarna hoort u wanneer u kunt beginnen.",
        Aanleiding.GEPLAATST: "De zorgaanbieder spreekt met u af wanneer u begint. Samen maakt "
        "u een plan met uw doelen.",
        Aanleiding.VAN_DE_LIJST: "U hoeft niets te doen. Hebt u toch weer hulp nodig? Neem dan "
        "contact op met het lokaal team.",
    }.get(
        te.aanleiding,
        "Komt er een plaats vrij die bij u past, dan nemen wij contact met u op. Tot die tijd "
        f"krijgt u minstens elke {a.regio.wachtstatus_interval_weken} weken een brief van ons.",
    )
    delen.append(f"Wat gebeurt er nu?\n{vervolg}")
    gemeente = a.dossier.verantwoordelijke_gemeente
    bel = f" (telefoon {gemeente.telefoon})" if gemeente.telefoon else ""
    delen.append(
        f"Hebt u vragen?\nNeem dan contact op met uw consulent van het lokaal team van de "
        f"gemeente {gemeente.naam}{bel}. Noem het nummer van uw aanmelding: {a.pk}."
    )
    delen.append(f"Met vriendelijke groet,\n{_afzender(a)}")
    return "\n\n".join(delen)


def teamtekst(a: Aanmelding, te: Te, peildatum: datetime.date) -> str:
    """The note to the lokaal team. No client name (the aanmelding page shows who it is, and the
    note outlives an erasure of the person's data)."""
    gemeente = a.dossier.verantwoordelijke_gemeente.naam
    kop = f"Aanmelding {a.pk} ({gemeente}), {_functie(a)}"
    if te.aanleiding == Aanleiding.GEWIJZIGD and te.plaatsing is not None:
        wat = (
            f"de gereserveerde plaats bij {_plek(te.plaatsing)} is vervallen; de cliënt wacht weer"
        )
    elif te.aanleiding == Aanleiding.GEWIJZIGD:
        wat = f"de functie is gewijzigd; de cliënt wacht nu op {_functie(a)}"
    elif te.aanleiding == Aanleiding.GERESERVEERD:
        wat = f"plaats gereserveerd bij {_plek(te.plaatsing)}"
    elif te.aanleiding == Aanleiding.GEPLAATST:
        wat = f"geplaatst bij {_plek(te.plaatsing)}"
    elif te.aanleiding == Aanleiding.VAN_DE_LIJST:
        wat = f"van de wachtlijst af (reden: {a.get_uitstroomreden_display().lower()})"
    elif te.aanleiding == Aanleiding.OP_DE_LIJST:
        wat = "op de wachtlijst geplaatst"
    else:
        wat = "wacht nog"
    regels = [f"{kop}: {wat}."]
    dagen = wachtdagen(a, peildatum)
    norm = f"norm {a.regio.wachtlijst_norm_maanden} maanden"
    if boven_norm(a, peildatum):
        norm += ", boven de norm"
    regels.append(f"Wachtend sinds {_datum(a.wachtend_sinds)}: {dagen} dagen ({norm}).")
    if te.aanleiding not in (Aanleiding.GEPLAATST, Aanleiding.VAN_DE_LIJST):
        overbrugging = audit.scrub(a.overbruggingszorg.strip()) or "niet vastgelegd"
        regels.append(f"Overbruggingszorg: {overbrugging}")
    if te.alleen_team:
        regels.append("De cliënt krijgt hierover geen brief.")
    else:
        regels.append("De cliënt krijgt hierover een brief.")
    return "\n".join(regels)


def notificatietekst(a: Aanmelding, te: Te, dagen: int | None) -> str:
    gemeente = a.dossier.verantwoordelijke_gemeente.naam
    label = Aanleiding(te.aanleiding).label.lower()
    if te.sleutel.startswith("vervallen:"):
        label = "gereserveerde plaats vervallen"
    return f"Wachtstatus aanmelding {a.pk} ({gemeente}): {label}; {dagen} dagen gewacht."[:300]


# --- sending -------------------------------------------------------------------------------------


def _met_gegevens(ids):
    return (
        Aanmelding.objects.filter(pk__in=ids)
        .select_related(
            "regio",
            "functie",
            "dossier__verantwoordelijke_gemeente",
            "dossier__client__persoon",
            "aangemeld_door",
            "aanvraag__melding__consulent",
        )
        .prefetch_related(
            "wachtstatusberichten",
            Prefetch(
                "plaatsingen",
                queryset=Plaatsing.objects.select_related("locatie__aanbieder"),
            ),
            Prefetch(
                "gebeurtenissen",
                queryset=Wachtlijstgebeurtenis.objects.filter(
                    soort=Wachtlijstgebeurtenis.Soort.INSTROOM
                ),
                to_attr="instroom",
            ),
            "dossier__client__persoon__relaties",
        )
        .order_by("pk")
    )


def ontvangers_lokaal_team(a: Aanmelding) -> list[User]:
    """Who gets the in-app notice: the one who registered the aanmelding, and the consulent of
    the melding behind its aanvraag (who follows the client). Checked against the scope below."""
    users = [a.aangemeld_door]
    melding = getattr(a.aanvraag, "melding", None) if a.aanvraag_id else None
    if melding is not None and melding.consulent_id:
        users.append(melding.consulent)
    uniek = {u.pk: u for u in users if u is not None and u.is_active}
    return list(uniek.values())


def _verstuur(
    ids, peildatum: datetime.date, user=None, *, wachten: bool
) -> list[Wachtstatusbericht]:
    with transaction.atomic():
        vergrendeld = list(
            Aanmelding.objects.filter(pk__in=ids)
            .select_for_update(skip_locked=not wachten)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not vergrendeld:
            return []
        nieuw: list[Wachtstatusbericht] = []
        notities: dict[int, list[tuple[Aanmelding, Te, int | None]]] = {}
        kandidaten: dict[int, User] = {}
        for a in _met_gegevens(vergrendeld):
            bestaand = {(b.ontvanger, b.sleutel) for b in a.wachtstatusberichten.all()}
            for te in verschuldigd(a, peildatum):
                dagen = wachtdagen(a, peildatum)
                soorten = [(Ontvanger.LOKAAL_TEAM, teamtekst)]
                if not te.alleen_team:
                    soorten.insert(0, (Ontvanger.CLIENT, clienttekst))
                for ontvanger, tekst in soorten:
                    if (ontvanger, te.sleutel) in bestaand:
                        continue
                    nieuw.append(
                        Wachtstatusbericht(
                            aanmelding=a, ontvanger=ontvanger, aanleiding=te.aanleiding,
                            datum=peildatum, wachtdagen=dagen, sleutel=te.sleutel,
                            tekst=tekst(a, te, peildatum),
                        )
                    )  # fmt: skip
                for u in ontvangers_lokaal_team(a):
                    kandidaten[u.pk] = u
                    notities.setdefault(u.pk, []).append((a, te, dagen))
        if not nieuw:
            return []
        Wachtstatusbericht.objects.bulk_create(nieuw)
        # A notice only for who may (still) see the aanmelding's berichten: one scoped query per
        # recipient, not per aanmelding.
        meldingen = []
        for pk, u in sorted(kandidaten.items()):
            betrokken = {a.pk for a, _, _ in notities[pk]}
            zichtbaar = set(
                Aanmelding.objects.visible_to(u, VIEW)
                .filter(pk__in=sorted(betrokken))
                .values_list("pk", flat=True)
            )
            for a, te, dagen in notities[pk]:
                if a.pk in zichtbaar:
                    meldingen.append(
                        Notificatie(
                            user=u,
                            soort=Notificatie.Soort.WACHTSTATUS,
                            tekst=notificatietekst(a, te, dagen),
                            url=reverse("toegang:aanmelding_detail", args=[a.pk]),
                            sleutel=f"wachtstatus:{a.pk}:{te.sleutel}"[:200],
                        )
                    )
        notificaties.meld_rijen(meldingen)
        audit.record(
            "create",
            objects=nieuw,
            actor=user,
            toelichting={"wachtstatus": peildatum.isoformat(), "notificaties": len(meldingen)},
        )
    return nieuw


def bijwerken(aanmelding, peildatum: datetime.date | None = None, *, user=None):
    """Send what ``aanmelding`` (an Aanmelding or its pk) is owed on ``peildatum`` (default
    today) to the client and the lokaal team; returns the new Wachtstatusberichten (empty when
    nothing was due). Idempotent; safe to call from ``transaction.on_commit`` after any change
    on the list. ``user``: who asked (for the audit), None for the system."""
    pk = getattr(aanmelding, "pk", aanmelding)
    return _verstuur([pk], peildatum or timezone.localdate(), user, wachten=True)


def versturen(peildatum: datetime.date | None = None) -> dict:
    """The daily run for all regio's: select the aanmeldingen owed a bericht set-based, send
    them; returns counts. Rows being changed right now are skipped (their hook sends)."""
    peildatum = peildatum or timezone.localdate()
    ids = list(te_versturen(peildatum).order_by("pk").values_list("pk", flat=True))
    berichten = _verstuur(ids, peildatum, None, wachten=False) if ids else []
    return {
        "peildatum": peildatum.isoformat(),
        "aanmeldingen": len({b.aanmelding_id for b in berichten}),
        "client": sum(1 for b in berichten if b.ontvanger == Ontvanger.CLIENT),
        "lokaal_team": sum(1 for b in berichten if b.ontvanger == Ontvanger.LOKAAL_TEAM),
    }
