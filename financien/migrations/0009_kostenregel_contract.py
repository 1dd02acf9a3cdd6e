import django.db.models.deletion
from django.db import migrations, models


def contract_invullen(apps, schema_editor):
    """Existing lines: a declaratie's from its toewijzing's contract, a taakgerichte
    toerekening's from its referentie ``tg-<contract>-<yyyy-mm>-<toewijzing>``."""
    Kostenregel = apps.get_model("financien", "Kostenregel")
    Contract = apps.get_model("inkoop", "Contract")
    Declaratieregel = apps.get_model("toegang", "Declaratieregel")
    Kostenregel.objects.filter(bron="declaratie", declaratieregel__isnull=False).update(
        contract=models.Subquery(
            Declaratieregel.objects.filter(pk=models.OuterRef("declaratieregel")).values(
                "toewijzing__contract"
            )[:1]
        )
    )
    bestaand = set(Contract.objects.values_list("pk", flat=True))
    per_contract = {}
    for pk, referentie in Kostenregel.objects.filter(bron="taakgericht").values_list(
        "pk", "referentie"
    ):
        deel = referentie.split("-")
        if len(deel) >= 2 and deel[1].isdigit() and int(deel[1]) in bestaand:
            per_contract.setdefault(int(deel[1]), []).append(pk)
    for contract_id, pks in per_contract.items():
        Kostenregel.objects.filter(pk__in=pks).update(contract_id=contract_id)


class Migration(migrations.Migration):

    dependencies = [
        ('financien', '0008_vereveningsregel_zonder_eerste_start'),
        ('inkoop', '0006_rapportage_contract_status'),
        ('regio', '0010_audit_verzegelen'),
        ('toegang', '0019_declaratieregel_kostenregel_naar_financien'),
    ]

    operations = [
        migrations.AddField(
            model_name='kostenregel',
            name='contract',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inkoop.contract'),
        ),
        migrations.RunPython(contract_invullen, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='kostenregel',
            index=models.Index(condition=models.Q(('contract__isnull', False)), fields=['contract', 'jaar'], include=('bedrag',), name='kostenregel_contract_jaar'),
        ),
    ]
