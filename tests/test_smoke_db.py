import pytest

from regio.models import Rol


@pytest.mark.django_db
def test_roles_exist_after_migrate():
    assert set(Rol.objects.values_list("code", flat=True)) >= {"consulent", "centrale-toegang"}
