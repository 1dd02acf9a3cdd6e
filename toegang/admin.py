from django.contrib import admin

from regio.mixins import ScopedAdminMixin
from toegang.models import Dossier


@admin.register(Dossier)
class DossierAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "verantwoordelijke_gemeente", "status", "geopend_op"]
    list_filter = ["status"]
    raw_id_fields = ["client"]
