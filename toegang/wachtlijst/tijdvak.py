"""The catalogue of an aanmelding's own date (DOMAIN.md "Eras"): which functies the CT can
choose and whether the arrangement applies. Regio Amersfoort bought beschermd wonen by
arrangement 1-3 until 2022 (seed 000); its 2023 perceel has functies whose intensity varies with
the client (seed 004). So an aanmelding of 2021 is assessed on the arrangementen, one of 2026 on
the functies, and only an aanmelding in an era whose catalogue has arrangementen carries one.

- the functies offered are the regio's BW-domein products valid on the aanmelding date (a
  functie change while waiting: on the date of the change);
- the arrangement applies only when that catalogue has products of soort arrangement.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

from inkoop.models import Product
from regio.models import Domein


def _datum(d: datetime.date) -> str:
    return f"{d:%d-%m-%Y}"


def functies_op(regio, datum: datetime.date):
    """The regio's waiting-list functies (BW domein) valid on ``datum``."""
    return (
        Product.objects.active_on(datum)
        .filter(perceel__regio=regio, domein=Domein.BESCHERMD_WONEN)
        .order_by("naam")
    )


def heeft_arrangementen(regio, datum: datetime.date) -> bool:
    return functies_op(regio, datum).filter(soort=Product.Soort.ARRANGEMENT).exists()


def controleer_functie(regio, functie, datum: datetime.date):
    if functie is not None and not functies_op(regio, datum).filter(pk=functie.pk).exists():
        raise ValidationError(
            {
                "functie": f"‘{functie.naam}’ hoort niet bij de catalogus van {_datum(datum)}; "
                "kies een functie die toen gold."
            }
        )


def controleer_arrangement(regio, arrangement, datum: datetime.date):
    if arrangement is not None and not heeft_arrangementen(regio, datum):
        raise ValidationError(
            {
                "arrangement": f"De catalogus van {_datum(datum)} kent geen arrangementen (die "
                "hoorden bij de contracten tot 2023); laat het arrangement leeg."
            }
        )
