from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django_celery_beat import admin as beat_admin
from django_celery_beat import models as beat_models

from regio.mixins import ReadOnlyAdminMixin, ScopedAdminMixin, SuperuserOnlyAdminMixin
from regio.models import AuditEntry, Gemeente, JobRun, Lidmaatschap, Regio, Rol, Roltoekenning, User


@admin.register(Gemeente)
class GemeenteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "code", "provincie"]
    search_fields = ["naam", "code"]
    list_filter = ["provincie"]


class LidmaatschapInline(ScopedAdminMixin, admin.TabularInline):
    model = Lidmaatschap
    extra = 0


@admin.register(Regio)
class RegioAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "code", "centrumgemeente"]
    search_fields = ["naam", "code"]
    inlines = [LidmaatschapInline]


@admin.register(Lidmaatschap)
class LidmaatschapAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["gemeente", "regio", "domein", "begin", "einde"]
    list_filter = ["domein", "regio"]
    search_fields = ["gemeente__naam", "regio__naam"]


class RoltoekenningInline(ScopedAdminMixin, admin.TabularInline):
    model = Roltoekenning
    extra = 0


NAAM_VERPLICHT = {
    "first_name": "Vul de voornaam in: collega's zien elkaar bij naam, niet bij gebruikersnaam.",
    "last_name": "Vul de achternaam in: collega's zien elkaar bij naam, niet bij gebruikersnaam.",
}


class _NaamVerplicht:
    """A person is known by name: the admin saves no user without a first and a last name (a
    technical account made by the application, such as an API key's, is given one there)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for veld, melding in NAAM_VERPLICHT.items():
            if veld in self.fields:
                self.fields[veld].required = True
                self.fields[veld].error_messages["required"] = melding


class GebruikerForm(_NaamVerplicht, UserChangeForm):
    pass


class NieuweGebruikerForm(_NaamVerplicht, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    form = GebruikerForm
    add_form = NieuweGebruikerForm
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Persoon", {"fields": ["first_name", "last_name", "functie", "team", "email"]}),
    ]
    inlines = [RoltoekenningInline]
    list_display = ["username", "first_name", "last_name", "functie", "is_active", "last_login"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Persoon", {"fields": ["first_name", "last_name", "functie", "team", "email"]}),
        ("Status", {"fields": ["is_active", "is_staff", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Roltoekenning)
class RoltoekenningAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "rol", "gemeente", "regio", "aanbieder", "begin", "einde"]
    list_filter = ["rol"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    # Plain selects, not select2 autocompletes: select2's box has no accessible name (axe), and
    # 342 gemeenten fit a select. Users are many: their id, with the lookup.
    raw_id_fields = ["user"]


@admin.register(JobRun)
class JobRunAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["soort", "status", "voortgang", "regio", "gestart_door", "aangemaakt_op"]
    list_filter = ["status", "soort"]


@admin.register(Rol)
class RolAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "code", "scope"]


@admin.register(AuditEntry)
class AuditEntryAdmin(SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # The privacy officer's search screen comes with the security issue; until then technical
    # beheer only. The table refuses UPDATE and DELETE anyway.
    list_display = ["tijdstip", "actor", "actie", "object_type", "resultaat", "herkomst"]
    list_filter = ["actie", "resultaat"]
    search_fields = ["actor", "object_type"]


# Global technical tables: technical beheer (superuser) only.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    filter_horizontal = ["permissions"]


for _model, _admin in [
    (beat_models.PeriodicTask, beat_admin.PeriodicTaskAdmin),
    (beat_models.CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (beat_models.IntervalSchedule, admin.ModelAdmin),
    (beat_models.SolarSchedule, admin.ModelAdmin),
    (beat_models.ClockedSchedule, beat_admin.ClockedScheduleAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(
        _model, type(f"{_model.__name__}Admin", (SuperuserOnlyAdminMixin, _admin), {})
    )
