from django.db.models import Q
from django.views.generic import DetailView, ListView

from regio.mixins import ScopedViewMixin

from .models import Dossier


class DossierListView(ScopedViewMixin, ListView):
    """The consulent's dossiers: only those of the gemeenten where the user is consulent."""

    model = Dossier
    capability = "toegang.view_dossier"
    paginate_by = 25
    template_name = "toegang/dossier_list.html"
    sortable = {
        "geopend": "geopend_op",
        "-geopend": "-geopend_op",
        "gemeente": "verantwoordelijke_gemeente__naam",
        "naam": "client__persoon__geslachtsnaam",
    }

    def get_queryset(self):
        qs = super().get_queryset().select_related("verantwoordelijke_gemeente", "client__persoon")
        zoek = self.request.GET.get("q", "").strip()
        if zoek:
            qs = qs.filter(
                Q(client__persoon__geslachtsnaam__icontains=zoek)
                | Q(client__persoon__voornamen__icontains=zoek)
            )
        status = self.request.GET.get("status")
        if status in Dossier.Status.values:
            qs = qs.filter(status=status)
        sort = self.sortable.get(self.request.GET.get("sort", ""), "-geopend_op")
        return qs.order_by(sort, "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["zoek"] = self.request.GET.get("q", "")
        context["statussen"] = Dossier.Status.choices
        context["status"] = self.request.GET.get("status", "")
        context["sort"] = self.request.GET.get("sort", "")
        return context


class DossierDetailView(ScopedViewMixin, DetailView):
    model = Dossier
    capability = "toegang.view_dossier"
    template_name = "toegang/dossier_detail.html"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("verantwoordelijke_gemeente", "client__persoon")
        )
