from django.apps import AppConfig


class InkoopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inkoop"
    verbose_name = "Inkoop en contractmanagement"
