"""Work reaches the next person at once: the one way to notify users of an event.

- ``meld(ontvangers, soort=, tekst=, url=, sleutel=)`` writes one ``Notificatie`` per recipient
  in the caller's transaction (an event that is rolled back leaves none), and once that
  transaction commits e-mails those who chose "direct" (``User.email_notificaties``).
- ``wie_mag(capability, obj)`` chooses recipients through the scoping layer: the active users
  who hold ``capability`` for ``obj`` (``regio.query.mag``), so nobody is told about an object
  they cannot open. ``rollen`` narrows to some roles (the lokaal team: consulenten).
- ``stuur_samenvattingen()`` is the daily digest for those who chose "dagelijks" (a beat
  schedule, regio migration 0015).

An e-mail never holds personal data: it names the kind of event (a fixed text per ``soort``,
never the notification's ``tekst``) and links to the notifications page of ``SITE_URL``;
the details are behind the login. ``gemaild_op`` keeps a notice from being mailed twice.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from regio.models import Lidmaatschap, Notificatie, Roltoekenning, User
from regio.query import CT_BESCHIKKEN, CT_MARKER, mag, split_capability

logger = logging.getLogger(__name__)

Soort = Notificatie.Soort
Email = User.Email

# What an e-mail says per kind of event: fixed texts, never a name or a number of a client.
EMAIL_TEKST = {
    Soort.OVERIG: "Er is een nieuwe notificatie voor u.",
    Soort.TERMIJN: "Een termijn van een zaak van u verloopt binnenkort.",
    Soort.TER_ACCORDERING: "Een beschikking wacht op uw accordering.",
    Soort.VASTGESTELD: "Een beschikking die u opstelde is vastgesteld.",
    Soort.TERUGGESTUURD: "Een beschikking die u opstelde is teruggestuurd naar concept.",
    Soort.AANMELDING: "Er is een nieuwe aanmelding bij de Centrale Toegang.",
    Soort.PLAATSING: "Een cliënt van uw team is geplaatst.",
    Soort.WACHTSTATUS: "De wachtstatus van een cliënt van uw team is gewijzigd.",
    Soort.UITSTROOM: "Een cliënt van uw team is uitgestroomd of doorgestroomd.",
    Soort.VERZOEK: "Een aanbieder heeft een verzoek om toewijzing of wijziging ingediend.",
    Soort.RAPPORTAGE_INGEDIEND: "Een aanbieder heeft een kwartaalrapportage ingediend.",
    Soort.RAPPORTAGE_TERUGGESTUURD: "Een kwartaalrapportage is teruggestuurd.",
    Soort.RAPPORTAGE_AKKOORD: "Een kwartaalrapportage is akkoord bevonden.",
    Soort.CRISIS_TE_LAAT: "Bij een crisisplaatsing had de beschikking er al moeten zijn.",
    Soort.TAAK_GEREED: "Een taak die u startte is gereed.",
    Soort.TAAK_MISLUKT: "Een taak die u startte is mislukt.",
}
ONDERWERP = "regiozorg: {}"
# The digest covers what is unread and not mailed yet, of at most this long ago (a missed run is
# caught up; a user who only now chose the digest does not get months of old notices).
SAMENVATTING_TERUG = datetime.timedelta(days=7)


def wie_mag(
    capability: str, obj, *, rollen: Iterable[str] = (), behalve: Iterable = (),
    gemeente=None, regio=None, aanbieder=None,
) -> list[User]:  # fmt: skip
    """The active users holding ``capability`` for ``obj`` today (through the scoping layer),
    optionally only through a role in ``rollen`` (role codes), without the users in ``behalve``
    (users or ids).

    ``gemeente``, ``regio`` and ``aanbieder`` (objects or ids) say where ``obj`` belongs, so only
    the grants there are candidates (a regio's grants count for its member gemeenten); without
    them every holder of the capability is asked. Each candidate is then checked for ``obj``
    itself (``regio.query.mag``): the hint only saves work, it never widens who is told.
    """
    app_label, codename = split_capability(capability)
    vandaag = timezone.localdate()
    toekenningen = Roltoekenning.objects.active_on(vandaag)
    markers = [(app_label, codename)]
    if capability in CT_BESCHIKKEN:
        # The Centrale Toegang beschikt through its waiting-list grant where its regio lets it.
        markers.append(split_capability(CT_MARKER))
    heeft = Q()
    for app, code in markers:
        heeft |= Q(
            rol__group__permissions__content_type__app_label=app,
            rol__group__permissions__codename=code,
        )
    kandidaat = toekenningen.filter(heeft)
    if gemeente is not None or regio is not None or aanbieder is not None:
        gemeente_id, regio_id = _id(gemeente), _id(regio)
        regios = set() if regio_id is None else {regio_id}
        if gemeente_id is not None:
            regios |= set(
                Lidmaatschap.objects.active_on(vandaag)
                .filter(gemeente_id=gemeente_id)
                .values_list("regio_id", flat=True)
            )
        waar = Q(gemeente_id=gemeente_id) if gemeente_id is not None else Q(pk__in=[])
        waar |= Q(regio_id__in=sorted(regios))
        waar |= (
            Q(aanbieder_id=_id(aanbieder)) if aanbieder is not None else Q(aanbieder__isnull=False)
        )
        kandidaat = kandidaat.filter(waar)
    rollen = list(rollen)
    if rollen:
        kandidaat = kandidaat.filter(rol__code__in=rollen)
    uitgesloten = {_id(u) for u in behalve if u is not None}
    users = (
        User.objects.filter(is_active=True, pk__in=kandidaat.values("user_id"))
        .exclude(pk__in=uitgesloten)
        .order_by("pk")
    )
    return [u for u in users if mag(u, capability, obj)]


def _id(waarde):
    return getattr(waarde, "pk", waarde)


def meld(
    ontvangers: Iterable[User], *, soort: str, tekst: str, url: str = "", sleutel: str = ""
) -> list[User]:
    """Notify ``ontvangers`` of an event, in the caller's transaction; returns who was told.

    ``sleutel`` makes the notice idempotent per user (a job that runs again tells nobody twice);
    without one every call is a new event. Whoever chose e-mail "direct" gets one after commit.
    """
    uniek = {u.pk: u for u in ontvangers if u is not None and u.is_active}
    if not uniek:
        return []
    sleutel = (sleutel or f"{soort}:{uuid.uuid4().hex}")[:200]
    Notificatie.objects.bulk_create(
        [
            Notificatie(user=u, soort=soort, tekst=tekst[:300], url=url[:300], sleutel=sleutel)
            for _, u in sorted(uniek.items())
        ],
        ignore_conflicts=True,
    )
    direct = [pk for pk, u in uniek.items() if u.email_notificaties == Email.DIRECT and u.email]
    if direct:
        transaction.on_commit(partial(_mail_direct, sorted(direct), sleutel), robust=True)
    return [u for _, u in sorted(uniek.items())]


def meld_rijen(rijen: list[Notificatie]) -> None:
    """For a job that words each notice apart (one per user and object): store the prepared
    rows at once (each ``sleutel`` once per user) and e-mail those who chose "direct" after
    commit, as ``meld`` does."""
    Notificatie.objects.bulk_create(rijen, ignore_conflicts=True)
    per_sleutel: dict[str, set[int]] = {}
    for n in rijen:
        if n.user.email_notificaties == Email.DIRECT and n.user.email:
            per_sleutel.setdefault(n.sleutel, set()).add(n.user_id)
    for sleutel, ids in sorted(per_sleutel.items()):
        transaction.on_commit(partial(_mail_direct, sorted(ids), sleutel), robust=True)


def absolute_url(pad: str) -> str:
    return settings.SITE_URL.rstrip("/") + pad


def _link() -> str:
    return absolute_url(reverse("toegang:notificaties"))


def _bericht(user: User, onderwerp: str, regels: list[str]) -> EmailMessage:
    body = "\n".join(
        [
            f"Beste {user.first_name or 'collega'},",
            "",
            *regels,
            "",
            f"Bekijk het in regiozorg (na inloggen): {_link()}",
            "",
            "U krijgt deze e-mail omdat u dat zo koos onder Mijn instellingen.",
        ]
    )
    return EmailMessage(ONDERWERP.format(onderwerp), body, to=[user.email])


def _verstuur(berichten: list[tuple[EmailMessage, list[int]]]) -> int:
    """Send each message; mark the notices it covered as mailed once it went out."""
    if not berichten:
        return 0
    verstuurd = 0
    with get_connection() as verbinding:
        for bericht, ids in berichten:
            bericht.connection = verbinding
            try:
                bericht.send()
            except Exception:  # noqa: BLE001 - one failing address must not stop the rest
                logger.exception("E-mail over notificaties niet verstuurd")
                continue
            Notificatie.objects.filter(pk__in=ids).update(gemaild_op=timezone.now())
            verstuurd += 1
    return verstuurd


def _mail_direct(user_ids: list[int], sleutel: str) -> int:
    """After commit: one e-mail per notice with ``sleutel`` not mailed yet (a user who still
    chooses "direct")."""
    notities = (
        Notificatie.objects.filter(
            user_id__in=user_ids,
            sleutel=sleutel,
            gemaild_op__isnull=True,
            user__email_notificaties=Email.DIRECT,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    berichten = []
    for n in notities:
        tekst = EMAIL_TEKST.get(n.soort, EMAIL_TEKST[Soort.OVERIG])
        berichten.append((_bericht(n.user, n.get_soort_display(), [tekst]), [n.pk]))
    return _verstuur(berichten)


def stuur_samenvattingen(nu: datetime.datetime | None = None) -> dict:
    """The daily digest: for each user who chose "dagelijks", one e-mail counting the unread
    notices not mailed yet per kind of event."""
    nu = nu or timezone.now()
    open_ = (
        Notificatie.objects.filter(
            gemaild_op__isnull=True,
            gelezen_op__isnull=True,
            aangemaakt_op__gte=nu - SAMENVATTING_TERUG,
            user__is_active=True,
            user__email_notificaties=Email.DAGELIJKS,
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "pk")
    )
    per_user: dict[int, list[Notificatie]] = {}
    for n in open_:
        per_user.setdefault(n.user_id, []).append(n)
    berichten = []
    for notities in per_user.values():
        tellingen: dict[str, int] = {}
        for n in notities:
            tellingen[n.soort] = tellingen.get(n.soort, 0) + 1
        regels = [f"U heeft {len(notities)} nieuwe notificatie(s):", ""]
        regels += [
            f"- {Soort(soort).label}: {aantal}" for soort, aantal in sorted(tellingen.items())
        ]
        bericht = _bericht(notities[0].user, "uw notificaties van vandaag", regels)
        berichten.append((bericht, [n.pk for n in notities]))
    return {"gebruikers": len(per_user), "verstuurd": _verstuur(berichten)}
