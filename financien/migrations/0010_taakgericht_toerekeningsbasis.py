from django.db import migrations, models


def bestaande_toerekening(apps, schema_editor):
    """Every taakgericht line so far was allocated by toewijzing periods."""
    Kostenregel = apps.get_model("financien", "Kostenregel")
    Kostenregel.objects.filter(bron="taakgericht", toerekeningsbasis="").update(
        toerekeningsbasis="toewijzingen"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('financien', '0009_kostenregel_contract'),
    ]

    operations = [
        migrations.AddField(
            model_name='kostenregel',
            name='toerekeningsbasis',
            field=models.CharField(blank=True, max_length=12),
        ),
        migrations.AddField(
            model_name='vereveningsrun',
            name='toerekening',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(bestaande_toerekening, migrations.RunPython.noop),
    ]
