"""Search and sorting for list views, the same way in every list.

``?q=`` searches ``search_fields`` (lookups such as ``naam__icontains``, combined with OR);
``?sort=`` picks an ordering from ``sortable`` (its name → an order_by expression), else
``default_sort``. Views add their own filters in ``filter_queryset``. The template gets ``zoek``
and ``sort``. Put it before ScopedViewMixin in the bases: it narrows the scoped queryset.
"""

from functools import reduce
from operator import or_

from django.db.models import Q


class SearchSortMixin:
    search_fields: tuple[str, ...] = ()
    sortable: dict[str, str] = {}
    default_sort = "pk"

    def filter_queryset(self, queryset):
        return queryset

    def get_queryset(self):
        queryset = self.filter_queryset(super().get_queryset())
        zoek = self.request.GET.get("q", "").strip()
        if zoek and self.search_fields:
            queryset = queryset.filter(reduce(or_, (Q(**{f: zoek}) for f in self.search_fields)))
        sort = self.sortable.get(self.request.GET.get("sort", ""), self.default_sort)
        return queryset.order_by(sort, "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            zoek=self.request.GET.get("q", ""), sort=self.request.GET.get("sort", ""), **kwargs
        )
