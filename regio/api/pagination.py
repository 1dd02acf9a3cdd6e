"""Keyset (cursor) pagination on a stable key, for lists a provider system polls.

The order is ``(moment, pk)`` ascending (``cursor_ordering`` on the viewset, default
``("gewijzigd_op", "pk")``); the opaque ``cursor`` holds the last row's key, and the next page is
the rows strictly after it. Nothing is skipped or repeated when rows are added or changed while a
client pages: a changed row moves behind the cursor and comes once more, as a change should.
A poller stores the highest ``gewijzigdOp`` it saw and asks ``gewijzigdSinds`` that value next
time (the filter is inclusive, so a row changed in that same microsecond is not lost).
"""

from __future__ import annotations

import base64
import datetime
import json
from collections import OrderedDict

from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class KeysetCursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "aantal"
    page_size = 50
    max_page_size = 200
    default_ordering = ("gewijzigd_op", "pk")

    # --- cursor -----------------------------------------------------------------------------

    @staticmethod
    def encode(moment, pk) -> str:
        raw = json.dumps([moment.isoformat(), pk]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str):
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            moment, pk = json.loads(raw)
            moment = datetime.datetime.fromisoformat(moment)
            if moment.tzinfo is None or not isinstance(pk, int):
                raise ValueError
        except (ValueError, TypeError, json.JSONDecodeError):
            raise ValidationError({"cursor": "Ongeldige cursor."}) from None
        return moment, pk

    # --- paging -----------------------------------------------------------------------------

    def get_page_size(self, request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            melding = f"Geef een aantal van 1 tot en met {self.max_page_size}."
            raise ValidationError({self.page_size_query_param: melding})
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        moment_field, pk_field = getattr(view, "cursor_ordering", self.default_ordering)
        self.moment_field, self.pk_field = moment_field, pk_field
        size = self.get_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            moment, pk = self.decode(cursor)
            queryset = queryset.filter(
                Q(**{f"{moment_field}__gt": moment})
                | Q(**{moment_field: moment, f"{pk_field}__gt": pk})
            )
        rows = list(queryset.order_by(moment_field, pk_field)[: size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        self.last = rows[-1] if rows else None
        return rows

    def get_next_link(self):
        if not self.has_next or self.last is None:
            return None
        pk_attr = "pk" if self.pk_field == "pk" else self.pk_field
        cursor = self.encode(getattr(self.last, self.moment_field), getattr(self.last, pk_attr))
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, cursor
        )

    def get_paginated_response(self, data):
        return Response(OrderedDict([("next", self.get_next_link()), ("results", data)]))

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "De volgende pagina; leeg op de laatste pagina.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "De cursor uit `next` van de vorige pagina.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Aantal per pagina (1 tot en met {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
