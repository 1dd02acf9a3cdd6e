from django.contrib import admin

from financien.models import Verdeelmodel, VerdeelmodelAandeel
from regio.mixins import ScopedAdminMixin


class AandeelInline(ScopedAdminMixin, admin.TabularInline):
    model = VerdeelmodelAandeel
    extra = 0


@admin.register(Verdeelmodel)
class VerdeelmodelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["regio", "jaar", "bron"]
    list_filter = ["regio"]
    inlines = [AandeelInline]
