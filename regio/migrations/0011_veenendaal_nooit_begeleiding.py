from django.db import migrations


def verwijder(apps, schema_editor):
    """Veenendaal (0345) was never a member of regio Amersfoort for begeleiding (seed 001: six
    gemeenten signed the 2019 begeleiding contracts; DOMAIN.md "The setting"). Earlier reference
    data gave it a membership until 2021-12-31; remove it, whatever its dates."""
    Lidmaatschap = apps.get_model("regio", "Lidmaatschap")
    Lidmaatschap.objects.filter(
        regio__code="amersfoort", gemeente__code="0345", domein="begeleiding"
    ).delete()


class Migration(migrations.Migration):
    """Reference data (issue 17 item 15): no begeleiding membership for Veenendaal."""

    dependencies = [("regio", "0010_audit_verzegelen")]

    operations = [migrations.RunPython(verwijder, migrations.RunPython.noop)]
