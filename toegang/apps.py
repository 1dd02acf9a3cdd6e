from django.apps import AppConfig


class ToegangConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "toegang"
    verbose_name = "Toegang"

    def ready(self):
        # What lower apps ask of toegang without importing it (regio.haken).
        from inkoop.contracten.services import verlenging_benut
        from inkoop.locaties.services import bezet_volgens_plaatsingen
        from toegang.toewijzingen.services import rek_op_na_verlenging
        from toegang.wachtlijst.services import bezet_per_locatie

        verlenging_benut.aanbieden(rek_op_na_verlenging)
        bezet_volgens_plaatsingen.aanbieden(bezet_per_locatie)
