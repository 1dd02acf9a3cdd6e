"""A URLconf of its own for tests/test_snelle_url.py: one namespaced route elsewhere."""

from django.http import HttpResponse
from django.urls import include, path


def _leeg(request, pk):
    return HttpResponse()


toegang = ([path("meldingen/<int:pk>/", _leeg, name="melding-detail")], "toegang")
urlpatterns = [path("eigen/", include(toegang))]
