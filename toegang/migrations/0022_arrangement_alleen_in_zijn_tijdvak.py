from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def wis(apps, schema_editor):
    """An aanmelding carries an arrangement only when the catalogue of its own date has
    arrangementen (BW until 2022, seed 000); the 2023 functies vary in intensity with the
    client (seed 004). Earlier demo data gave every aanmelding one: clear it where that
    catalogue has none."""
    Aanmelding = apps.get_model("toegang", "Aanmelding")
    Product = apps.get_model("inkoop", "Product")
    arrangementen = Product.objects.filter(
        perceel__regio=OuterRef("regio"), domein="beschermd_wonen", soort="arrangement",
        begin__lte=OuterRef("aangemeld_op"),
    ).filter(Q(einde__isnull=True) | Q(einde__gte=OuterRef("aangemeld_op")))  # fmt: skip
    Aanmelding.objects.filter(arrangement__isnull=False).exclude(Exists(arrangementen)).update(
        arrangement=None
    )


class Migration(migrations.Migration):
    """Eras on the waiting list (issue 17 item 16)."""

    dependencies = [
        ("toegang", "0021_toewijzing_contract_begrensd"),
        ("inkoop", "0009_oldambt_stadskanaal_overgang_juni_2022"),
    ]

    operations = [migrations.RunPython(wis, migrations.RunPython.noop)]
