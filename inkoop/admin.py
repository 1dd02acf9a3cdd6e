from django.contrib import admin

from inkoop.models import Aanbieder, Contactpersoon, Perceel, Product, Tarief
from regio.mixins import ScopedAdminMixin


class ContactpersoonInline(ScopedAdminMixin, admin.TabularInline):
    model = Contactpersoon
    extra = 0


@admin.register(Aanbieder)
class AanbiederAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "agb_code", "kvk_nummer", "plaats"]
    search_fields = ["naam", "agb_code", "kvk_nummer"]
    inlines = [ContactpersoonInline]


class ProductInline(ScopedAdminMixin, admin.TabularInline):
    model = Product
    extra = 0
    fields = ["code", "naam", "soort", "domein", "productcategorie", "productcode", "eenheid",
              "begin", "einde"]  # fmt: skip


@admin.register(Perceel)
class PerceelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "regio", "bekostiging", "begin", "einde"]
    list_filter = ["regio", "bekostiging"]
    inlines = [ProductInline]


class TariefInline(ScopedAdminMixin, admin.TabularInline):
    model = Tarief
    extra = 0


@admin.register(Product)
class ProductAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "perceel", "soort", "productcategorie", "productcode", "begin", "einde"]
    list_filter = ["perceel__regio", "soort", "domein"]
    search_fields = ["naam", "code", "productcode"]
    inlines = [TariefInline]
