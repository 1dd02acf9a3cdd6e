"""Idempotent POSTs: ``Idempotency-Key`` header (issue 8).

``IdempotentCreateMixin`` goes first in a viewset's bases. For a POST carrying the header:

- the first request runs, and its successful response (status < 400) is stored in
  ``regio.IdempotentVerzoek`` in the same transaction as its effect, so a crash leaves neither;
- the same key with the same body (SHA-256 of the canonical JSON) and path gives the stored status
  and body again (header ``Idempotent-Replayed: true``), with no second effect;
- the same key with another body or path answers 409 (problem+json).

Keys are per user, i.e. per API credential (each credential is its own technical user). Requests
with the same key are serialised by a transaction-level advisory lock, so two concurrent retries
cannot both have the effect. A refused request (4xx) is not stored: it had no effect, and the
client may correct the cause and retry with the same key. Without the header a POST just runs.
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, connection, transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = (
        "Deze Idempotency-Key is al gebruikt voor een ander verzoek; gebruik een nieuwe sleutel."
    )


def body_hash(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_id(user_pk: int, key: str) -> int:
    digest = hashlib.sha256(f"{user_pk}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class IdempotentAutoSchema(AutoSchema):
    """Documents the optional ``Idempotency-Key`` header on every POST."""

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(
                OpenApiParameter(
                    HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "Unieke sleutel van dit verzoek (bijv. een UUID). Dezelfde sleutel met "
                        "dezelfde body geeft hetzelfde antwoord zonder tweede effect; met een "
                        "andere body antwoordt de API 409."
                    ),
                )
            )
        return params


class IdempotentCreateMixin:
    """Put first in the bases of a viewset whose POSTs must be idempotent."""

    schema = IdempotentAutoSchema()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "POST" or HEADER not in request.headers:
            return
        key = request.headers[HEADER].strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                {HEADER: f"Geef een Idempotency-Key van 1 tot {MAX_KEY_LENGTH} tekens."}
            )
        handler = getattr(self, "post", None)
        if handler is not None:
            self.post = self._idempotent(handler, key)

    def _idempotent(self, handler, key):
        from regio.models import IdempotentVerzoek

        def run(request, *args, **kwargs):
            user = request.user
            digest = body_hash(request.data)
            pad = request.path[:300]
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(user.pk, key)])
                    eerder = IdempotentVerzoek.objects.filter(user=user, sleutel=key).first()
                    if eerder is not None:
                        return self._replay(eerder, digest, pad)
                    response = handler(request, *args, **kwargs)
                    if response.status_code >= 400:
                        transaction.set_rollback(True)  # a refusal leaves nothing behind
                    else:
                        data = response.data
                        stored = None if data is None else json.loads(JSONRenderer().render(data))
                        IdempotentVerzoek.objects.create(
                            user=user,
                            sleutel=key,
                            methode=request.method,
                            pad=pad,
                            body_hash=digest,
                            status=response.status_code,
                            antwoord=stored,
                        )
                    return response
            except IntegrityError:
                # Only when the advisory lock was bypassed (another code path stored the key).
                eerder = IdempotentVerzoek.objects.filter(user=user, sleutel=key).first()
                if eerder is None:
                    raise
                return self._replay(eerder, digest, pad)

        return run

    def _replay(self, eerder, digest: str, pad: str):
        if eerder.body_hash != digest or eerder.pad != pad:
            raise IdempotencyConflict()
        return Response(
            eerder.antwoord, status=eerder.status, headers={"Idempotent-Replayed": "true"}
        )
