from django.apps import AppConfig


class FinancienConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "financien"
    verbose_name = "Financiën en verevening"
