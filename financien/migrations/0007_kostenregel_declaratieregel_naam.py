"""``declaratieregel.kostenregel`` reads the link again, now from financien's side (state only:
a related name changes no column)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("financien", "0006_kostenregel_declaratieregel"),
        ("toegang", "0019_declaratieregel_kostenregel_naar_financien"),
    ]

    operations = [
        migrations.AlterField(
            model_name="kostenregel",
            name="declaratieregel",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="kostenregel",
                to="toegang.declaratieregel",
            ),
        ),
    ]
