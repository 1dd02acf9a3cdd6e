"""What the finance screens share: a year of a regio in the URL (``<regio>/<jaar>``) reached
through the scoping layer, and who may edit a regio's figures."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.generic.detail import SingleObjectMixin

from financien import runs
from financien.forms import bw_leden
from financien.models import Jaarparameters
from inkoop.models import Product
from regio.mixins import ScopedViewMixin
from regio.models import Domein
from regio.query import regio_scope

__all__ = ["JaarMixin", "bw_leden", "bw_functies", "mag_regio"]


def mag_regio(user, capability: str, regio) -> bool:
    """Only a regio-wide finance role edits a regio's figures (runs.mag_voor_regio); a
    gemeente's finance role sees them."""
    return user is not None and runs.mag_voor_regio(user, capability, regio)


def bw_functies(regio, jaar: int):
    """The beschermd-wonen products of the regio's catalogue that run in ``jaar``. The regio has
    been reached through the scoping layer; its catalogue is read within the regio's scope."""
    begin, einde = datetime.date(jaar, 1, 1), datetime.date(jaar, 12, 31)
    return (
        Product.objects.within(regio_scope(regio.pk))
        .filter(perceel__regio=regio, domein=Domein.BESCHERMD_WONEN, begin__lte=einde)
        .exclude(einde__lt=begin)
        .order_by("naam", "pk")
    )


class JaarMixin(ScopedViewMixin, SingleObjectMixin):
    """A view of one regio's parameters of one year, by ``<regio code>/<jaar>``: outside the
    user's scope (for ``capability``) it answers 404. ``wijzig_capability`` (when set) must be
    held for the regio itself, else 403: a gemeente's finance role only looks."""

    model = Jaarparameters
    context_object_name = "parameters"
    wijzig_capability: str = ""

    def get_queryset(self):
        return super().get_queryset().select_related("regio__centrumgemeente")

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(
            queryset, regio__code=self.kwargs["regio"], jaar=self.kwargs["jaar"]
        )

    def parameters(self) -> Jaarparameters:
        if getattr(self, "object", None) is None:
            self.object = JaarMixin.get_object(self)
            if self.wijzig_capability and not mag_regio(
                self.request.user, self.wijzig_capability, self.object.regio
            ):
                raise PermissionDenied(
                    "Alleen wie voor de hele regio werkt, wijzigt de financiële gegevens."
                )
        return self.object

    def get_context_data(self, **kwargs):
        self.parameters()
        return super().get_context_data(regio=self.object.regio, jaar=self.object.jaar, **kwargs)
