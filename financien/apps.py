from django.apps import AppConfig


class FinancienConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "financien"
    verbose_name = "Financiën en verevening"

    def ready(self):
        # What lower apps ask of financien without importing it (regio.haken).
        from financien import kosten, services
        from inkoop.contracten.services import verdeelsleutel
        from toegang.toewijzingen.declaraties import declaratieregels_toegekend

        verdeelsleutel.aanbieden(services.verdeelsleutel)
        declaratieregels_toegekend.aanbieden(kosten.uit_declaratieregels)
