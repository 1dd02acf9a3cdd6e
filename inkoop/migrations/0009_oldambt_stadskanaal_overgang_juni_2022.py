import datetime
import re

from dateutil.relativedelta import relativedelta
from django.db import migrations
from django.db.models import Q

D = datetime.date
# Seed 002: the old products (Ommelander overeenkomst) ran until 2021-12-31, extended by at most
# six months; the new contract was planned from 2022-06-01 for 4 years + 2 x 1. So the old
# products end on 2022-05-31 and the new ones start on 2022-06-01. Earlier reference data had
# the switch on 2023-01-01. These are plans, so they stay editable data: only rows still
# carrying the earlier dates move; a date someone has since entered by hand is left alone.
OUD_EINDE_WAS, OUD_EINDE = D(2022, 12, 31), D(2022, 5, 31)
NIEUW_BEGIN_WAS, NIEUW_BEGIN = D(2023, 1, 1), D(2022, 6, 1)
NIEUW_EINDE_WAS, NIEUW_EINDE = D(2025, 12, 31), D(2026, 5, 31)  # 4 years from 2022-06-01
BESLUIT = {D(2025, 6, 30): D(2025, 11, 30), D(2026, 6, 30): D(2026, 11, 30)}

OUDE_CODES = {"02B01", "02B02", "07G01", "07G02", "04K01"}
OUDE_NAMEN = r"\((bi-b|bi-s|bg-b|bg-s|kv)\)"
NIEUWE_CODES = {"02R01", "02P01", "07G10", "04K10"}
NIEUWE_NAMEN = {
    "begeleiding individueel regulier", "begeleiding individueel plus", "begeleiding groep",
    "kortdurend verblijf",
}  # fmt: skip


def _producten(Product, codes, past):
    producten = Product.objects.filter(perceel__regio__code="oldambt-stadskanaal")
    return [p for p in producten if p.productcode in codes or past(p.naam.strip().lower())]


def _looptijd_einde(contract):
    maanden = sum(o.duur_maanden for o in contract.verlengingsopties.all() if o.benut is True)
    return contract.einde + relativedelta(months=maanden)


def overgang(apps, schema_editor):
    Product = apps.get_model("inkoop", "Product")
    Tarief = apps.get_model("inkoop", "Tarief")
    Perceel = apps.get_model("inkoop", "Perceel")
    Contract = apps.get_model("inkoop", "Contract")

    oud = _producten(Product, OUDE_CODES, lambda naam: re.search(OUDE_NAMEN, naam))
    nieuw = _producten(Product, NIEUWE_CODES, lambda naam: naam in NIEUWE_NAMEN)
    oud_ids = [p.pk for p in oud if p.einde == OUD_EINDE_WAS]
    nieuw_ids = [p.pk for p in nieuw if p.begin == NIEUW_BEGIN_WAS]

    Tarief.objects.filter(product__in=oud_ids, einde=OUD_EINDE_WAS).update(einde=OUD_EINDE)
    Product.objects.filter(pk__in=oud_ids).update(einde=OUD_EINDE)
    Tarief.objects.filter(product__in=nieuw_ids, begin=NIEUW_BEGIN_WAS).update(begin=NIEUW_BEGIN)
    Product.objects.filter(pk__in=nieuw_ids).update(begin=NIEUW_BEGIN)

    oude_percelen = Perceel.objects.filter(producten__in=[p.pk for p in oud]).distinct()
    nieuwe_percelen = Perceel.objects.filter(producten__in=[p.pk for p in nieuw]).distinct()
    # A perceel moves with its products once none of them keeps the earlier date.
    for perceel in oude_percelen.filter(einde=OUD_EINDE_WAS):
        if not perceel.producten.filter(Q(einde__isnull=True) | Q(einde__gt=OUD_EINDE)).exists():
            perceel.einde = OUD_EINDE
            perceel.save(update_fields=["einde"])
    for perceel in nieuwe_percelen.filter(begin=NIEUW_BEGIN_WAS):
        if not perceel.producten.filter(begin__lt=NIEUW_BEGIN).exists():
            perceel.begin = NIEUW_BEGIN
            perceel.save(update_fields=["begin"])

    regio = Q(regio__code="oldambt-stadskanaal")
    for contract in Contract.objects.filter(
        regio, percelen__in=oude_percelen, einde=OUD_EINDE_WAS
    ).distinct():
        contract.einde = OUD_EINDE
        contract.looptijd_einde = _looptijd_einde(contract)
        contract.save(update_fields=["einde", "looptijd_einde"])
    for contract in Contract.objects.filter(
        regio, percelen__in=nieuwe_percelen, begin=NIEUW_BEGIN_WAS
    ).distinct():
        contract.begin = NIEUW_BEGIN
        if contract.einde == NIEUW_EINDE_WAS:
            contract.einde = NIEUW_EINDE
            for optie in contract.verlengingsopties.filter(besluit_uiterlijk__in=BESLUIT):
                optie.besluit_uiterlijk = BESLUIT[optie.besluit_uiterlijk]
                optie.save(update_fields=["besluit_uiterlijk"])
        contract.looptijd_einde = _looptijd_einde(contract)
        contract.save(update_fields=["begin", "einde", "looptijd_einde"])


class Migration(migrations.Migration):
    """Reference data (issue 17 item 15): Oldambt-Stadskanaal's old products end on 2022-05-31,
    the new contract runs from 2022-06-01 for 4 years + 2 x 1 (seed 002)."""

    dependencies = [("inkoop", "0008_functie_domein_volgens_omnv")]

    operations = [migrations.RunPython(overgang, migrations.RunPython.noop)]
