"""Start and stop of care on a toewijzing (iWmo WMO305 / WMO307 semantics), for the REST API and
the iWmo XML import alike: every rule of the standard on start and stop lives here once.

Rules (shared/iwmo/README.md, issue 8, issue 19):
- care starts and stops only on a toewijzing that was not withdrawn (an ingetrokken toewijzing
  was sent in error); a beëindigde toewijzing (replaced by a new version) still takes reports
  within its own, shortened, period;
- the period lies within the toewijzing: begindatum on or after its ingangsdatum, einddatum on
  or before its einddatum (when set); no date lies in the future (TR134/TR137: not after the
  Dagtekening);
- a stop only follows a start (OP072) and carries the begindatum of the start it ends (TR382:
  the key), that of the *last* start on the toewijzing (OP155); it ends on or after it (TR018)
  and has a RedenBeeindiging (WMO588);
- a temporary stop (reden 20) may be followed by the definitive stop (any other reden) without
  a new start (OP377/OP378), with an einddatum not before the temporary one (TR414); a second
  temporary stop is refused (TR413), and so is any stop after a definitive one (TR415). The
  period keeps the last stop in ``einddatum``/``reden_beeindiging`` and the temporary one in
  ``einddatum_tijdelijke_stop``: the care was delivered up to the temporary stop only
  (``Zorgperiode.levering_tot``, which financien counts). A new start after a (temporary) stop
  is a new period;
- several start/stop pairs per toewijzing are legal, overlapping periods are not (the database's
  exclusion constraint backs this up);
- no change in place (StatusAanlevering 2 is not allowed, OP033x2; the API and the XML import
  accept 1 and 3 only): a correction deletes (StatusAanlevering 3) and delivers anew, also in
  one message (the XML import applies its deletions first). A stop's key includes its
  RedenBeeindiging (iWmo 3.2): deleting the definitive stop that followed a temporary one
  leaves the temporary stop, deleting the temporary one leaves the definitive stop. Deleting a
  start deletes the period (it must have no stop, or the stop is deleted first); deleting the
  only stop reopens the period. Deleted periods keep their row (``verwijderd_op``).

Every refusal is a ``ValidationError`` at the field, its ``code`` the WJ001 retourcode (the XML
import answers it per record, the API puts it in ``invalidParams[].code``):

====  =============================================================================================
code  when
====  =============================================================================================
9019  the toewijzing was ingetrokken, or the date lies outside the toewijzing (TR019)
0001  a date in the future (TR134/TR137), an einddatum before the begindatum (TR018), a reden
      outside WMO588, an unreadable date
9074  a start with this begindatum exists already (delete it first to correct it)
9326  a start while the current delivery was not stopped yet (TR326)
9361  the period would overlap another, stopped, period of the toewijzing
9069  no current start with this begindatum (TR382, OP072), or it is not the last start (OP155)
9413  a temporary stop on a period that is temporarily stopped already (TR413)
9414  the definitive stop ends before the temporary stop it follows (TR414)
9415  a stop on a period that is definitively stopped already (TR415)
9071  deleting the start of a stopped period (delete the stop first)
9063  deleting a stop that was not delivered (none, or none with this reden)
====  =============================================================================================

Every change takes a row lock on the toewijzing, so two messages for one toewijzing are applied
one after the other, and is audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from regio import audit
from regio.iwmo import codelijst
from regio.query import vereis
from toegang.models import Toewijzing, Zorgperiode
from toegang.toewijzingen.models import TIJDELIJKE_STOP

ADD = "toegang.add_zorgperiode"
REDENEN_BEEINDIGING = "WMO588_Reden_beeindiging"
# RedenWijziging (WMO002) of a toewijzing the gemeente shortened after a withdrawal or change of
# the beschikking: a later stop is then accepted, with a signal.
VERKORT_DOOR_GEMEENTE = ("02", "05", "06", "07", "09")
# WJ001 retourcodes of the refusals (see the table above).
TECHNISCH = "0001"
GEEN_TOEWIJZING = "9019"
GEEN_EERDER_BERICHT = "9063"
GEEN_ACTUELE_START = "9069"
START_AL_GESTOPT = "9071"
DUBBELE_SLEUTEL = "9074"
NIET_GESTOPT = "9326"
OVERLAP = "9361"
TWEEDE_TIJDELIJKE_STOP = "9413"
DEFINITIEF_VOOR_TIJDELIJK = "9414"
AL_DEFINITIEF_GESTOPT = "9415"


def _d(value: datetime.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else "onbepaalde tijd"


def fout(veld: str, melding: str, code: str) -> ValidationError:
    """A refusal at ``veld`` carrying its WJ001 retourcode as the error's code."""
    return ValidationError({veld: ValidationError(melding, code=code)})


def _datum(value, veld: str) -> datetime.date:
    """A date, or an ISO string (YYYY-MM-DD, as in an iWmo message) made into one."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise fout(veld, "Geef een datum als JJJJ-MM-DD.", TECHNISCH) from None


def _vergrendel(toewijzing: Toewijzing, user) -> Toewijzing:
    """The toewijzing under a row lock, when ``user`` may report care on it (``None``: a system
    caller with its own scope)."""
    vereis(user, ADD, toewijzing)
    t = Toewijzing.objects.select_for_update(of=("self",)).get(pk=toewijzing.pk)
    # Every caller changes the toewijzing's care in this transaction (or rolls back): a provider
    # polling toewijzingen ``gewijzigdSinds`` then sees the care it reported.
    Toewijzing.objects.filter(pk=t.pk).update(gewijzigd_op=timezone.now())
    return t


def _niet_ingetrokken(t: Toewijzing) -> None:
    if t.status == Toewijzing.Status.INGETROKKEN:
        raise fout(
            "toewijzing",
            f"Toewijzing {t.nummer} is ingetrokken (ten onrechte verstuurd): hierop kan geen "
            "zorg worden gestart of gestopt.",
            GEEN_TOEWIJZING,
        )


def _niet_in_de_toekomst(datum: datetime.date, veld: str, wat: str) -> None:
    if datum > timezone.localdate():
        raise fout(veld, f"De {wat} ligt in de toekomst ({_d(datum)}).", TECHNISCH)


def _perioden(t: Toewijzing):
    return Zorgperiode.objects.filter(toewijzing=t, verwijderd_op__isnull=True)


def _overlappend(t: Toewijzing, begin: datetime.date, eind: datetime.date | None, *, behalve=None):
    qs = _perioden(t).filter(Q(einddatum__isnull=True) | Q(einddatum__gte=begin))
    if eind is not None:
        qs = qs.filter(begindatum__lte=eind)
    if behalve is not None:
        qs = qs.exclude(pk=behalve.pk)
    return qs.order_by("begindatum").first()


def _overlap_melding(andere: Zorgperiode) -> str:
    tot = f" tot en met {_d(andere.einddatum)}" if andere.einddatum else ""
    return (
        f"Deze periode overlapt de zorgperiode vanaf {_d(andere.begindatum)}{tot} van deze "
        "toewijzing."
    )


def _opslaan(periode: Zorgperiode, veld: str, **kwargs) -> None:
    """Save inside a savepoint: the exclusion constraint (a concurrent delivery) becomes the
    Dutch ValidationError instead of a broken transaction."""
    try:
        with transaction.atomic():
            periode.save(**kwargs)
    except IntegrityError:
        raise fout(
            veld, "Deze periode overlapt een andere zorgperiode van deze toewijzing.", OVERLAP
        ) from None


def _periode(t: Toewijzing, begindatum: datetime.date, wat: str) -> Zorgperiode:
    periode = _perioden(t).select_for_update(of=("self",)).filter(begindatum=begindatum).first()
    if periode is None:
        raise fout(
            "begindatum",
            f"Er is geen start zorg met begindatum {_d(begindatum)} op toewijzing {t.nummer} "
            f"om {wat}.",
            GEEN_ACTUELE_START,
        )
    return periode


def _reden(code: str) -> str:
    return f"{code} ({codelijst(REDENEN_BEEINDIGING).get(code, 'onbekend')})"


def start_zorg(toewijzing: Toewijzing, begindatum, *, user, bron="api") -> Zorgperiode:
    """WMO305, StatusAanlevering 1: care started on ``begindatum``."""
    begindatum = _datum(begindatum, "begindatum")
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        _niet_ingetrokken(t)
        if begindatum < t.ingangsdatum:
            raise fout(
                "begindatum",
                f"De startdatum ligt vóór de ingangsdatum van toewijzing {t.nummer} "
                f"({_d(t.ingangsdatum)}).",
                GEEN_TOEWIJZING,
            )
        if t.einddatum and begindatum > t.einddatum:
            raise fout(
                "begindatum",
                f"De startdatum ligt na de einddatum van toewijzing {t.nummer} "
                f"({_d(t.einddatum)}).",
                GEEN_TOEWIJZING,
            )
        _niet_in_de_toekomst(begindatum, "begindatum", "startdatum")
        andere = _overlappend(t, begindatum, None)
        if andere is not None:
            if andere.begindatum == begindatum:
                raise fout(
                    "begindatum",
                    f"Er is al een start zorg met begindatum {_d(begindatum)}. Een correctie: "
                    "verwijder eerst die start (StatusAanlevering 3) en lever daarna opnieuw aan.",
                    DUBBELE_SLEUTEL,
                )
            if andere.einddatum is None:
                raise fout(
                    "begindatum",
                    f"De zorg vanaf {_d(andere.begindatum)} op toewijzing {t.nummer} is nog niet "
                    "gestopt: stuur eerst de stop van die levering, dan de nieuwe start (TR326).",
                    NIET_GESTOPT,
                )
            raise fout("begindatum", _overlap_melding(andere), OVERLAP)
        periode = Zorgperiode(toewijzing=t, begindatum=begindatum, bron=bron)
        _opslaan(periode, "begindatum")
        audit.record(
            "create", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum), "bron": bron},
        )  # fmt: skip
    return periode


def _laatste_start(t: Toewijzing, periode: Zorgperiode) -> None:
    """OP155: a stop refers to the last start on the toewijzing (after a restart, the stop of
    the earlier period can no longer change)."""
    laatste = _perioden(t).order_by("-begindatum").first()
    if laatste.pk != periode.pk:
        raise fout(
            "begindatum",
            f"Een stop verwijst naar de laatste start zorg op toewijzing {t.nummer}: die van "
            f"{_d(laatste.begindatum)}, niet die van {_d(periode.begindatum)} (OP155).",
            GEEN_ACTUELE_START,
        )


def _na_tijdelijke_stop(periode: Zorgperiode, einddatum, reden: str) -> datetime.date | None:
    """The rules for a stop on a period that was stopped already (TR413, TR414, TR415); returns
    the temporary stop's einddatum that the definitive stop follows (None on a running
    period)."""
    if periode.einddatum is None:
        return None
    if periode.reden_beeindiging != TIJDELIJKE_STOP:
        raise fout(
            "einddatum",
            f"Deze zorgperiode is al gestopt op {_d(periode.einddatum)} (definitief, reden "
            f"{_reden(periode.reden_beeindiging)}). Een correctie: verwijder eerst de stop "
            "(StatusAanlevering 3) en lever daarna opnieuw aan (TR415).",
            AL_DEFINITIEF_GESTOPT,
        )
    if reden == TIJDELIJKE_STOP:
        raise fout(
            "reden_beeindiging",
            f"Deze zorgperiode is al tijdelijk gestopt op {_d(periode.einddatum)}: daarna volgt "
            "een definitieve stop (een andere reden dan 20) of een nieuwe start zorg (TR413).",
            TWEEDE_TIJDELIJKE_STOP,
        )
    if einddatum < periode.einddatum:
        raise fout(
            "einddatum",
            f"De definitieve stop ligt vóór de tijdelijke stop van {_d(periode.einddatum)}: "
            "geef die datum of een latere (TR414).",
            DEFINITIEF_VOOR_TIJDELIJK,
        )
    return periode.einddatum


def _signaal(t: Toewijzing, einddatum: datetime.date, *, weigeren: bool = True) -> str:
    """Refuses a stop after the toewijzing's einddatum (unless not ``weigeren``: a stop already
    accepted), unless the gemeente shortened the toewijzing (a withdrawn or changed
    beschikking): then the aanbieder reports the real stop, which may come later; accepted,
    with this signal."""
    if not t.einddatum or einddatum <= t.einddatum:
        return ""
    if weigeren and t.reden_wijziging not in VERKORT_DOOR_GEMEENTE:
        raise fout(
            "einddatum",
            f"De stopdatum ligt na de einddatum van toewijzing {t.nummer} ({_d(t.einddatum)}).",
            GEEN_TOEWIJZING,
        )
    return (
        f"Stop op {_d(einddatum)} gemeld, na de einddatum {_d(t.einddatum)} die de gemeente de "
        "toewijzing gaf; declaraties na die einddatum worden afgewezen."
    )


def stop_zorg(
    toewijzing: Toewijzing, begindatum, einddatum, reden_beeindiging, *, user, bron="api"
) -> Zorgperiode:
    """WMO307, StatusAanlevering 1: the care started on ``begindatum`` (the key) stopped on
    ``einddatum`` for ``reden_beeindiging`` (WMO588; 20 is a temporary stop)."""
    begindatum = _datum(begindatum, "begindatum")
    einddatum = _datum(einddatum, "einddatum")
    if reden_beeindiging not in codelijst(REDENEN_BEEINDIGING):
        raise fout(
            "reden_beeindiging", "Kies een reden beëindiging uit de iWmo-codelijst WMO588.",
            TECHNISCH,
        )  # fmt: skip
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        _niet_ingetrokken(t)
        periode = _periode(t, begindatum, "te stoppen")
        _laatste_start(t, periode)
        tijdelijk = _na_tijdelijke_stop(periode, einddatum, reden_beeindiging)
        if einddatum < begindatum:
            raise fout("einddatum", "De stopdatum ligt vóór de startdatum (TR018).", TECHNISCH)
        periode.signaal = _signaal(t, einddatum)
        _niet_in_de_toekomst(einddatum, "einddatum", "stopdatum")
        periode.einddatum = einddatum
        periode.reden_beeindiging = reden_beeindiging
        periode.einddatum_tijdelijke_stop = tijdelijk
        periode.gestopt_op = timezone.now()
        _opslaan(
            periode, "einddatum",
            update_fields=["einddatum", "reden_beeindiging", "einddatum_tijdelijke_stop",
                           "gestopt_op", "signaal"],
        )  # fmt: skip
        audit.record(
            "change", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum),
                         "stop": str(einddatum), "reden_beeindiging": reden_beeindiging,
                         "na_tijdelijke_stop": str(tijdelijk) if tijdelijk else "",
                         "bron": bron, "signaal": periode.signaal},
        )  # fmt: skip
    return periode


def verwijder_start(toewijzing: Toewijzing, begindatum, *, user) -> Zorgperiode:
    """WMO305, StatusAanlevering 3: the start (and so the period) is deleted; a period with a
    stop keeps it until the stop is deleted first."""
    begindatum = _datum(begindatum, "begindatum")
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        periode = _periode(t, begindatum, "te verwijderen")
        if periode.einddatum is not None:
            raise fout(
                "begindatum",
                f"Deze zorgperiode is gestopt op {_d(periode.einddatum)}: verwijder eerst de stop.",
                START_AL_GESTOPT,
            )
        periode.verwijderd_op = timezone.now()
        periode.save(update_fields=["verwijderd_op"])
        audit.record(
            "delete", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum)},
        )  # fmt: skip
    return periode


def verwijder_stop(
    toewijzing: Toewijzing, begindatum, reden_beeindiging: str | None = None, *, user
) -> Zorgperiode:
    """WMO307, StatusAanlevering 3: a stop of the period started on ``begindatum`` is deleted —
    the one with ``reden_beeindiging`` (part of the key since iWmo 3.2), or without it the last
    one. Deleting the definitive stop that followed a temporary one leaves the temporary stop;
    deleting the temporary one leaves the definitive stop; deleting the only stop lets the
    period run again (refused when it would then overlap a later period)."""
    begindatum = _datum(begindatum, "begindatum")
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        periode = _periode(t, begindatum, "de stop van te verwijderen")
        if periode.einddatum is None:
            raise fout(
                "einddatum", "Deze zorgperiode heeft geen stop om te verwijderen.",
                GEEN_EERDER_BERICHT,
            )  # fmt: skip
        stops = {periode.reden_beeindiging: periode.einddatum}
        if periode.einddatum_tijdelijke_stop is not None:
            stops[TIJDELIJKE_STOP] = periode.einddatum_tijdelijke_stop
        reden = reden_beeindiging or periode.reden_beeindiging
        if reden not in stops:
            raise fout(
                "reden_beeindiging",
                f"Deze zorgperiode heeft geen stop met reden {_reden(reden)} om te verwijderen.",
                GEEN_EERDER_BERICHT,
            )
        oud = {"stop": str(stops[reden]), "reden_beeindiging": reden}
        if periode.einddatum_tijdelijke_stop is None:
            andere = _overlappend(t, begindatum, None, behalve=periode)
            if andere is not None:
                raise fout(
                    "einddatum",
                    "Zonder deze stop loopt de zorgperiode door in de zorgperiode vanaf "
                    f"{_d(andere.begindatum)}: verwijder eerst die.",
                    OVERLAP,
                )
            periode.einddatum = None
            periode.reden_beeindiging = ""
            periode.gestopt_op = None
            periode.signaal = ""
        elif reden == TIJDELIJKE_STOP and periode.reden_beeindiging != TIJDELIJKE_STOP:
            # The definitive stop stays; the care ran up to it after all.
            periode.einddatum_tijdelijke_stop = None
        else:
            # The definitive stop goes: the period is temporarily stopped again.
            periode.einddatum = periode.einddatum_tijdelijke_stop
            periode.reden_beeindiging = TIJDELIJKE_STOP
            periode.einddatum_tijdelijke_stop = None
            periode.signaal = _signaal(t, periode.einddatum, weigeren=False)
        _opslaan(
            periode, "einddatum",
            update_fields=["einddatum", "reden_beeindiging", "einddatum_tijdelijke_stop",
                           "gestopt_op", "signaal"],
        )  # fmt: skip
        audit.record(
            "change", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum),
                         "stop_verwijderd": oud},
        )  # fmt: skip
    return periode
