"""Declaratieregel no longer points at financien.Kostenregel: the link lives on the kostenregel
(financien 0006 copied every one first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("toegang", "0018_toewijzing_aanbieder_gewijzigd"),
        ("financien", "0006_kostenregel_declaratieregel"),
    ]

    operations = [
        migrations.RemoveField(model_name="declaratieregel", name="kostenregel"),
    ]
