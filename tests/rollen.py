"""A role made for one test, with exactly the capabilities it names (e.g. a reader who may see
but not change), for checking that services refuse what a role does not hold."""

from django.contrib.auth.models import Group, Permission

from regio.models import Rol


def rol_met(code: str, *capabilities: str, scope: str = "gemeente") -> Rol:
    group = Group.objects.create(name=f"test-{code}")
    for capability in capabilities:
        app_label, codename = capability.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return Rol.objects.create(code=code, naam=code, scope=scope, group=group)
