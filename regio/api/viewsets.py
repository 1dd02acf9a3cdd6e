from rest_framework import viewsets

from regio.api.serializers import GemeenteSerializer
from regio.mixins import ScopedViewSetMixin
from regio.models import Gemeente


class GemeenteViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The gemeenten the caller may see for ``regio.view_gemeente``."""

    queryset = Gemeente.objects.all()
    serializer_class = GemeenteSerializer
    capabilities = {"default": "regio.view_gemeente"}
    lookup_field = "code"
