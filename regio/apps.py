from django.apps import AppConfig


class RegioConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "regio"
    verbose_name = "Regio's, gemeenten en rollen"

    def ready(self):
        from django.db.models.signals import post_migrate

        from regio import audit, audit_seal, login, roles  # noqa: F401  (login: otp/axes admins)

        post_migrate.connect(roles.sync_roles, sender=self)
        post_migrate.connect(audit_seal.basis_bijwerken, sender=self)
        audit.connect_auth_signals()
