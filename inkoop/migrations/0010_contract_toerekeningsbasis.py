from django.db import migrations, models

KEUZES = [
    ("zorgperioden", "Zorgperioden zoals gemeld (start en stop zorg)"),
    ("toewijzingen", "Toewijzingsperioden"),
]
HELP = (
    "Alleen bij taakgerichte bekostiging: over welke dagen het budget aan cliënten wordt "
    "toegerekend. Zorgperioden volgen de gemelde start en stop zorg (een aanbieder die geen "
    "start meldt, krijgt dan niets toegerekend); toewijzingsperioden tellen de hele toewijzing."
)


class Migration(migrations.Migration):
    """Existing contracts keep the basis they were allocated on (toewijzingsperioden), so a
    month recomputed later does not move; new contracts default to the care as reported. RISB
    switches an existing contract deliberately, in the contract form."""

    dependencies = [
        ("inkoop", "0009_oldambt_stadskanaal_overgang_juni_2022"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="toerekeningsbasis",
            field=models.CharField(
                choices=KEUZES, default="toewijzingen", help_text=HELP, max_length=12,
                verbose_name="basis taakgerichte toerekening",
            ),  # fmt: skip
        ),
        migrations.AlterField(
            model_name="contract",
            name="toerekeningsbasis",
            field=models.CharField(
                choices=KEUZES, default="zorgperioden", help_text=HELP, max_length=12,
                verbose_name="basis taakgerichte toerekening",
            ),  # fmt: skip
        ),
    ]
