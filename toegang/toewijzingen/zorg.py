"""Start and stop of care on a toewijzing (iWmo WMO305 / WMO307 semantics), for the REST API and
the iWmo XML import alike.

Rules (shared/iwmo/README.md, issue 8):
- care starts and stops only on a toewijzing that was not withdrawn (an ingetrokken toewijzing
  was sent in error); a beëindigde toewijzing (replaced by a new version) still takes reports
  within its own, shortened, period;
- the period lies within the toewijzing: begindatum on or after its ingangsdatum, einddatum on
  or before its einddatum (when set); no date lies in the future (TR134/TR137: not after the
  Dagtekening);
- a stop carries the begindatum of the start it ends (TR382: the key), ends on or after it, and
  has a RedenBeeindiging (WMO588);
- several start/stop pairs per toewijzing are legal, overlapping periods are not (the database's
  exclusion constraint backs this up);
- no change in place (StatusAanlevering 2 is not allowed, OP033x2): a correction deletes
  (StatusAanlevering 3) and delivers anew. So a second stop on a stopped period is refused:
  delete the stop first. Deleting a start deletes the period (it must have no stop, or the stop
  is deleted first); deleting a stop reopens the period. Deleted periods keep their row
  (``verwijderd_op``).

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

ADD = "toegang.add_zorgperiode"
REDENEN_BEEINDIGING = "WMO588_Reden_beeindiging"
# RedenWijziging (WMO002) of a toewijzing the gemeente shortened after a withdrawal or change of
# the beschikking: a later stop is then accepted, with a signal.
VERKORT_DOOR_GEMEENTE = ("02", "05", "06", "07", "09")


def _d(value: datetime.date | None) -> str:
    return value.strftime("%d-%m-%Y") if value else "onbepaalde tijd"


def _datum(value, veld: str) -> datetime.date:
    """A date, or an ISO string (YYYY-MM-DD, as in an iWmo message) made into one."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationError({veld: "Geef een datum als JJJJ-MM-DD."}) from None


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
        raise ValidationError(
            {
                "toewijzing": f"Toewijzing {t.nummer} is ingetrokken (ten onrechte verstuurd): "
                "hierop kan geen zorg worden gestart of gestopt."
            }
        )


def _niet_in_de_toekomst(datum: datetime.date, veld: str, wat: str) -> None:
    if datum > timezone.localdate():
        raise ValidationError({veld: f"De {wat} ligt in de toekomst ({_d(datum)})."})


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
        raise ValidationError(
            {veld: "Deze periode overlapt een andere zorgperiode van deze toewijzing."}
        ) from None


def _periode(t: Toewijzing, begindatum: datetime.date, wat: str) -> Zorgperiode:
    periode = _perioden(t).select_for_update(of=("self",)).filter(begindatum=begindatum).first()
    if periode is None:
        raise ValidationError(
            {
                "begindatum": f"Er is geen start zorg met begindatum {_d(begindatum)} op "
                f"toewijzing {t.nummer} om {wat}."
            }
        )
    return periode


def start_zorg(toewijzing: Toewijzing, begindatum, *, user, bron="api") -> Zorgperiode:
    """WMO305, StatusAanlevering 1: care started on ``begindatum``."""
    begindatum = _datum(begindatum, "begindatum")
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        _niet_ingetrokken(t)
        if begindatum < t.ingangsdatum:
            raise ValidationError(
                {
                    "begindatum": "De startdatum ligt vóór de ingangsdatum van toewijzing "
                    f"{t.nummer} ({_d(t.ingangsdatum)})."
                }
            )
        if t.einddatum and begindatum > t.einddatum:
            raise ValidationError(
                {
                    "begindatum": "De startdatum ligt na de einddatum van toewijzing "
                    f"{t.nummer} ({_d(t.einddatum)})."
                }
            )
        _niet_in_de_toekomst(begindatum, "begindatum", "startdatum")
        andere = _overlappend(t, begindatum, None)
        if andere is not None:
            melding = _overlap_melding(andere)
            if andere.begindatum == begindatum:
                melding = (
                    f"Er is al een start zorg met begindatum {_d(begindatum)}. Een correctie: "
                    "verwijder eerst die start (StatusAanlevering 3) en lever daarna opnieuw aan."
                )
            raise ValidationError({"begindatum": melding})
        periode = Zorgperiode(toewijzing=t, begindatum=begindatum, bron=bron)
        _opslaan(periode, "begindatum")
        audit.record(
            "create", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum), "bron": bron},
        )  # fmt: skip
    return periode


def stop_zorg(
    toewijzing: Toewijzing, begindatum, einddatum, reden_beeindiging, *, user, bron="api"
) -> Zorgperiode:
    """WMO307, StatusAanlevering 1: the care started on ``begindatum`` (the key) stopped on
    ``einddatum`` for ``reden_beeindiging`` (WMO588)."""
    begindatum = _datum(begindatum, "begindatum")
    einddatum = _datum(einddatum, "einddatum")
    if reden_beeindiging not in codelijst(REDENEN_BEEINDIGING):
        raise ValidationError(
            {"reden_beeindiging": "Kies een reden beëindiging uit de iWmo-codelijst WMO588."}
        )
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        _niet_ingetrokken(t)
        periode = _periode(t, begindatum, "te stoppen")
        if periode.einddatum is not None:
            raise ValidationError(
                {
                    "einddatum": f"Deze zorgperiode is al gestopt op {_d(periode.einddatum)}. "
                    "Een correctie: verwijder eerst de stop (StatusAanlevering 3) en lever "
                    "daarna opnieuw aan."
                }
            )
        if einddatum < begindatum:
            raise ValidationError({"einddatum": "De stopdatum ligt vóór de startdatum."})
        if t.einddatum and einddatum > t.einddatum:
            if t.reden_wijziging not in VERKORT_DOOR_GEMEENTE:
                raise ValidationError(
                    {
                        "einddatum": "De stopdatum ligt na de einddatum van toewijzing "
                        f"{t.nummer} ({_d(t.einddatum)})."
                    }
                )
            # The gemeente shortened the toewijzing (a withdrawn or changed beschikking): the
            # aanbieder reports the real stop, which may come later; accepted and signalled.
            periode.signaal = (
                f"Stop op {_d(einddatum)} gemeld, na de einddatum {_d(t.einddatum)} die de "
                "gemeente de toewijzing gaf; declaraties na die einddatum worden afgewezen."
            )
        _niet_in_de_toekomst(einddatum, "einddatum", "stopdatum")
        periode.einddatum = einddatum
        periode.reden_beeindiging = reden_beeindiging
        periode.gestopt_op = timezone.now()
        _opslaan(
            periode, "einddatum",
            update_fields=["einddatum", "reden_beeindiging", "gestopt_op", "signaal"],
        )  # fmt: skip
        audit.record(
            "change", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum),
                         "stop": str(einddatum), "reden_beeindiging": reden_beeindiging,
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
            raise ValidationError(
                {
                    "begindatum": f"Deze zorgperiode is gestopt op {_d(periode.einddatum)}: "
                    "verwijder eerst de stop."
                }
            )
        periode.verwijderd_op = timezone.now()
        periode.save(update_fields=["verwijderd_op"])
        audit.record(
            "delete", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum)},
        )  # fmt: skip
    return periode


def verwijder_stop(toewijzing: Toewijzing, begindatum, *, user) -> Zorgperiode:
    """WMO307, StatusAanlevering 3: the stop of the period started on ``begindatum`` is deleted,
    so the period runs again (refused when it would then overlap a later period)."""
    begindatum = _datum(begindatum, "begindatum")
    with transaction.atomic():
        t = _vergrendel(toewijzing, user)
        periode = _periode(t, begindatum, "de stop van te verwijderen")
        if periode.einddatum is None:
            raise ValidationError(
                {"einddatum": "Deze zorgperiode heeft geen stop om te verwijderen."}
            )
        andere = _overlappend(t, begindatum, None, behalve=periode)
        if andere is not None:
            raise ValidationError(
                {
                    "einddatum": "Zonder deze stop loopt de zorgperiode door in de zorgperiode "
                    f"vanaf {_d(andere.begindatum)}: verwijder eerst die."
                }
            )
        oud = {"stop": str(periode.einddatum), "reden_beeindiging": periode.reden_beeindiging}
        periode.einddatum = None
        periode.reden_beeindiging = ""
        periode.gestopt_op = None
        periode.signaal = ""
        _opslaan(
            periode, "einddatum",
            update_fields=["einddatum", "reden_beeindiging", "gestopt_op", "signaal"],
        )  # fmt: skip
        audit.record(
            "change", objects=[periode], actor=user,
            toelichting={"toewijzing": t.nummer, "start": str(begindatum),
                         "stop_verwijderd": oud},
        )  # fmt: skip
    return periode
