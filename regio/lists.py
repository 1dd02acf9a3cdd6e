"""Search and sorting for list views, the same way in every list.

``?q=`` searches ``search_fields`` (lookups such as ``naam__icontains``, combined with OR);
``?sort=`` picks an ordering from ``sortable`` (its name → an order_by expression; ``-name``
reverses it), else ``default_sort``; ``sorteer`` in the template holds each column's link and
aria-sort value (``sorteerlinks``). Views add their own filters in ``filter_queryset``. The
template also gets ``zoek`` and ``sort``. Put it before ScopedViewMixin in the bases: it narrows
the scoped queryset.
"""

from functools import reduce
from operator import or_

from django.db.models import Q


def as_int(value) -> int | None:
    """A query-string id, or None for anything that is not one (bad input never crashes)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def sorteerlinks(request, kolommen) -> dict[str, dict]:
    """Per sortable column the query string that sorts on it (again: the other way round) and
    its aria-sort value, keeping the search and filters."""
    huidig = request.GET.get("sort", "")
    links = {}
    for kolom in kolommen:
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        params["sort"] = f"-{kolom}" if huidig == kolom else kolom
        aria = {kolom: "ascending", f"-{kolom}": "descending"}.get(huidig, "none")
        links[kolom] = {"url": f"?{params.urlencode()}", "aria": aria}
    return links


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
        return queryset.order_by(self.ordering_for(self.request.GET.get("sort", "")), "pk")

    def ordering_for(self, key: str) -> str:
        """``naam`` sorts by the column's expression, ``-naam`` the other way round."""
        expression = self.sortable.get(key.removeprefix("-"))
        if expression is None:
            return self.default_sort
        if key.startswith("-"):
            return expression[1:] if expression.startswith("-") else f"-{expression}"
        return expression

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            zoek=self.request.GET.get("q", ""),
            sort=self.request.GET.get("sort", ""),
            sorteer=sorteerlinks(self.request, list(self.sortable)),
            **kwargs,
        )
