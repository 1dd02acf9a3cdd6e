"""Verdeelmodel rules: shares entered as rounded percentages are normalised to exactly 1 when
they add up to 100 ± 0.05 percentage point; further off is refused (DOMAIN.md)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from financien.models import Verdeelmodel, VerdeelmodelAandeel
from inkoop.contracten.services import Verdeelsleutel
from regio import audit
from regio.models import Domein, Lidmaatschap
from regio.query import vereis

TOLERANTIE = Decimal("0.05")


@dataclass(frozen=True)
class Aandelen:
    fracties: dict  # gemeente -> Decimal fraction, summing to exactly 1 in exact arithmetic
    som: Decimal  # the sum of the percentages as entered
    genormaliseerd: bool


def normaliseer(percentages: dict) -> Aandelen:
    """Fractions per gemeente from percentages; refuses a sum further than 0.05 from 100."""
    som = sum(percentages.values(), Decimal("0"))
    if abs(som - 100) > TOLERANTIE:
        raise ValidationError(
            f"De aandelen tellen op tot {som:.4f}% in plaats van 100%; het verschil is groter "
            f"dan {TOLERANTIE}%-punt. Controleer de invoer."
        )
    return Aandelen(
        fracties={g: Decimal(p) / som for g, p in percentages.items()},
        som=som,
        genormaliseerd=som != 100,
    )


def aandelen_van(verdeelmodel: Verdeelmodel) -> Aandelen:
    return normaliseer(
        {a.gemeente: a.percentage for a in verdeelmodel.aandelen.select_related("gemeente")}
    )


@transaction.atomic
def verdeelmodel_vastleggen(regio, jaar: int, percentages: dict, *, user, bron="") -> Verdeelmodel:
    """Store (or replace) the verdeelmodel of ``regio`` for ``jaar``: every share belongs to a
    BW member of the regio on 1 January of that year, and the shares add up to 100 ± 0.05.
    A regio's business: ``user`` holds the capability for the regio itself."""
    vereis(user, "financien.change_verdeelmodel", regio, openbaar=True)
    leden = set(
        Lidmaatschap.objects.active_on(datetime.date(jaar, 1, 1))
        .filter(regio=regio, domein=Domein.BESCHERMD_WONEN)
        .values_list("gemeente_id", flat=True)
    )
    buiten = sorted(g.naam for g in percentages if g.pk not in leden)
    if buiten:
        raise ValidationError(
            f"Op 1 januari {jaar} geen lid van {regio.naam} voor beschermd wonen: "
            f"{', '.join(buiten)}."
        )
    normaliseer(percentages)
    model, _ = Verdeelmodel.objects.update_or_create(
        regio=regio, jaar=jaar, defaults={"bron": bron}
    )
    model.aandelen.all().delete()
    VerdeelmodelAandeel.objects.bulk_create(
        VerdeelmodelAandeel(verdeelmodel=model, gemeente=g, percentage=p)
        for g, p in percentages.items()
    )
    audit.record("change", objects=[model], actor=user, toelichting={"jaar": jaar})
    return model


def geldend_verdeelmodel(verdeelmodellen, jaar: int) -> Verdeelmodel | None:
    """The verdeelmodel of ``jaar``, or else the newest one before it."""
    return next(iter(geldende_verdeelmodellen(verdeelmodellen, jaar).values()), None)


def geldende_verdeelmodellen(verdeelmodellen, jaar: int) -> dict[int, Verdeelmodel]:
    """{regio id: its verdeelmodel of ``jaar``, or else the newest one before it}, one query."""
    geldend = verdeelmodellen.filter(jaar__lte=jaar).order_by("regio_id", "-jaar")
    return {m.regio_id: m for m in geldend.distinct("regio_id")}


def verdeelsleutel(user, regio, jaar: int) -> Verdeelsleutel | None:
    """The verdeelmodel of ``regio`` that holds for ``jaar`` as far as ``user`` may see it, for
    the inkoop dashboard's spreiding (provided to ``inkoop.contracten.services.verdeelsleutel``
    by ``FinancienConfig.ready``)."""
    model = geldend_verdeelmodel(
        Verdeelmodel.objects.visible_to(user, "financien.view_verdeelmodel").filter(regio=regio),
        jaar,
    )
    if model is None:
        return None
    aandelen = aandelen_van(model)
    return Verdeelsleutel(str(model), aandelen.fracties, aandelen.genormaliseerd)
