from django.contrib import admin

from regio.mixins import ScopedAdminMixin

from .models import Aanbieder


@admin.register(Aanbieder)
class AanbiederAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "agb_code"]
    search_fields = ["naam", "agb_code"]
