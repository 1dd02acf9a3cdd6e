import re

from django.db import migrations

# Regio Amersfoort's 2023 perceel "Wmo begeleiding en beschermd wonen" (seed 004) after OMNV
# (seed 000): vinger aan de pols and beschermd thuis (extramural), stabilisatie en observatie /
# time-out and beschermd wonen (intramural) are BW domein; begeleiding and begeleid wonen are
# begeleiding (DOMAIN.md "The setting"). Matched by code, or else by name, so a catalogue
# entered by hand (another code, "Time-out" spelled otherwise) is found too.
BW, BEG = "beschermd_wonen", "begeleiding"
FUNCTIES = [
    (BW, {"vinger-aan-de-pols"}, r"^vinger aan de pols"),
    (BW, {"stabilisatie-en-observatie"}, r"^(stabilisatie en observatie|time-out|time out)"),
    (BW, {"beschermd-thuis"}, r"^beschermd thuis"),
    (BW, {"beschermd-wonen"}, r"^beschermd wonen"),
    (BEG, {"begeleid-wonen"}, r"^begeleid wonen"),
    (BEG, {"begeleiding"}, r"^begeleiding$"),
]


def _naam(tekst: str) -> str:
    return re.sub(r"[\s/_-]+", " ", tekst.strip().lower())


def domein_bij_functie(apps, schema_editor):
    Product = apps.get_model("inkoop", "Product")
    functies = Product.objects.filter(perceel__regio__code="amersfoort", soort="functie")
    for product in functies:
        for domein, codes, patroon in FUNCTIES:
            if product.code in codes or re.match(patroon, _naam(product.naam)):
                if product.domein != domein:
                    product.domein = domein
                    product.save(update_fields=["domein"])
                break


class Migration(migrations.Migration):
    """Domain per functie (issue 17 item 4): vinger aan de pols and stabilisatie en observatie /
    time-out of regio Amersfoort's 2023 perceel are BW domein, so Nijkerk (a member for BW only)
    can be granted them and their costs enter the BW verevening."""

    dependencies = [("inkoop", "0007_contract_bdvo_en_verlengingsbesluit")]

    operations = [migrations.RunPython(domein_bij_functie, migrations.RunPython.noop)]
