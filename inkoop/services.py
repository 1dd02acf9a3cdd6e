"""The inkoop rules other apps call: which contracts cover a gemeente for a product on a date,
the tariff on a date, and extension decisions."""

import datetime

from django.db import transaction

from regio import audit
from regio.models import Lidmaatschap

from .models import Contract, Product, Tarief, Verlengingsoptie


def product_geldig_op(product: Product, datum: datetime.date) -> bool:
    return product.begin <= datum and (product.einde is None or product.einde >= datum)


def contracten_voor(gemeente, product: Product, datum: datetime.date, queryset=None):
    """The contracts that cover ``gemeente`` for ``product`` on ``datum``: the product is valid
    then, the gemeente is a member of the product's regio for the product's domein then, and the
    contract runs then (extensions used included), for the product's perceel and that gemeente.

    ``queryset`` lets the caller pass its scoped contracts (``Contract.objects.visible_to``).
    """
    contracts = Contract.objects.all() if queryset is None else queryset
    regio_id = product.perceel.regio_id
    member = (
        Lidmaatschap.objects.active_on(datum)
        .filter(regio_id=regio_id, gemeente=gemeente, domein=product.domein)
        .exists()
    )
    if not (member and product_geldig_op(product, datum)):
        return contracts.none()
    return (
        contracts.lopend_op(datum)
        .filter(regio_id=regio_id, percelen=product.perceel_id, gemeenten=gemeente)
        .distinct()
    )


def tarief_op(product: Product, datum: datetime.date) -> Tarief | None:
    return Tarief.objects.filter(product=product).active_on(datum).first()


@transaction.atomic
def verlenging_besluiten(optie: Verlengingsoptie, benut: bool, *, user=None) -> Contract:
    """Record the decision on an extension option and move the contract's end accordingly."""
    optie.benut = benut
    optie.save(update_fields=["benut"])
    contract = Contract.objects.select_for_update().get(pk=optie.contract_id)
    contract.save()  # recomputes looptijd_einde from the options used
    audit.record(
        "change",
        objects=[contract],
        actor=user,
        toelichting={"verlenging": optie.volgnummer, "benut": benut},
    )
    return contract
