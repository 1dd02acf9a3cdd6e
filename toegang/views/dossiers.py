from django.urls import path
from django.views.generic import DetailView, ListView

from regio.lists import SearchSortMixin
from regio.mixins import ScopedViewMixin

from ..models import Dossier


class DossierListView(SearchSortMixin, ScopedViewMixin, ListView):
    """The consulent's dossiers: only those of the gemeenten where the user is consulent."""

    model = Dossier
    capability = "toegang.view_dossier"
    paginate_by = 25
    template_name = "toegang/dossier_list.html"
    search_fields = (
        "client__persoon__geslachtsnaam__icontains",
        "client__persoon__voornamen__icontains",
    )
    sortable = {
        "geopend": "geopend_op",
        "-geopend": "-geopend_op",
        "gemeente": "verantwoordelijke_gemeente__naam",
        "naam": "client__persoon__geslachtsnaam",
    }
    default_sort = "-geopend_op"

    def filter_queryset(self, queryset):
        queryset = queryset.select_related("verantwoordelijke_gemeente", "client__persoon")
        status = self.request.GET.get("status")
        return queryset.filter(status=status) if status in Dossier.Status.values else queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            statussen=Dossier.Status.choices, status=self.request.GET.get("status", ""), **kwargs
        )


class DossierDetailView(ScopedViewMixin, DetailView):
    model = Dossier
    capability = "toegang.view_dossier"
    template_name = "toegang/dossier_detail.html"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("verantwoordelijke_gemeente", "client__persoon")
        )


urlpatterns = [
    path("dossiers/", DossierListView.as_view(), name="dossier-list"),
    path("dossiers/<int:pk>/", DossierDetailView.as_view(), name="dossier-detail"),
]
