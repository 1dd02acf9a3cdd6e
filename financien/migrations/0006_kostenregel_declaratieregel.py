"""The link between an accepted declaratieregel and its kostenregel moves to financien
(``Kostenregel.declaratieregel``), so that toegang holds no foreign key into a higher layer and
the model cycle toegang <-> financien is gone. Every existing link is copied before toegang
drops its column (toegang 0019); the related name follows in 0007. The foreign keys are checked
at once after the copy: a column of a table with pending checks cannot be dropped in the same
transaction (the way back drops ``declaratieregel_id`` right after copying)."""

from django.db import migrations, models

KOPIEER = """
UPDATE financien_kostenregel k
   SET declaratieregel_id = d.id
  FROM toegang_declaratieregel d
 WHERE d.kostenregel_id = k.id;
SET CONSTRAINTS ALL IMMEDIATE
"""
TERUG = """
UPDATE toegang_declaratieregel d
   SET kostenregel_id = k.id
  FROM financien_kostenregel k
 WHERE k.declaratieregel_id = d.id;
SET CONSTRAINTS ALL IMMEDIATE
"""


class Migration(migrations.Migration):
    dependencies = [
        ("financien", "0005_kostenregel_dekkende_index"),
        ("toegang", "0018_toewijzing_aanbieder_gewijzigd"),
    ]

    operations = [
        migrations.AddField(
            model_name="kostenregel",
            name="declaratieregel",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="toegang.declaratieregel",
            ),
        ),
        migrations.RunSQL(KOPIEER, TERUG),
    ]
