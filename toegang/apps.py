from django.apps import AppConfig


class ToegangConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "toegang"
    verbose_name = "Toegang"

    def ready(self):
        # What lower apps ask of toegang without importing it (regio.haken).
        from inkoop.contracten.services import verlenging_benut
        from toegang.toewijzingen.services import rek_op_na_verlenging

        verlenging_benut.aanbieden(rek_op_na_verlenging)
