from django.apps import AppConfig


class FinancienConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "financien"
    verbose_name = "Financiën en verevening"

    def ready(self):
        # What lower apps ask of financien without importing it (regio.haken).
        from financien import budget, kosten, services
        from inkoop.contracten.services import besteding, verdeelsleutel
        from toegang.toewijzingen.declaraties import declaratieregels_toegekend

        verdeelsleutel.aanbieden(services.verdeelsleutel)
        besteding.aanbieden(budget.besteed_expressie)
        declaratieregels_toegekend.aanbieden(kosten.uit_declaratieregels)
