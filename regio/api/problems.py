"""API errors as application/problem+json (RFC 9457), with ``invalidParams`` per field.

The one way from a service's refusal to the API's answer: a viewset lets the service's Django
``ValidationError`` (400, each field under the API's name: the viewset's ``api_veldnamen``, a
mapping or a function of the service's field name) and ``PermissionDenied`` (403, with the
service's Dutch reason) propagate; ``Http404`` answers 404 as DRF does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _invalid_params(detail, prefix=""):
    params = []
    if isinstance(detail, dict):
        for field, value in detail.items():
            name = f"{prefix}.{field}" if prefix else str(field)
            params.extend(_invalid_params(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                params.extend(_invalid_params(value, f"{prefix}.{index}" if prefix else str(index)))
            else:
                params.append(
                    {
                        "name": prefix or "nonFieldErrors",
                        "code": getattr(value, "code", "invalid"),
                        "reason": str(value),
                    }
                )
    else:
        params.append(
            {
                "name": prefix or "nonFieldErrors",
                "code": getattr(detail, "code", "invalid"),
                "reason": str(detail),
            }
        )
    return params


def als_api_fout(
    exc: DjangoValidationError, veldnamen: Mapping[str, str] | Callable[[str], str] | None = None
) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's: field errors keep their field (renamed to the API's
    name by ``veldnamen``), the others become nonFieldErrors; the codes stay."""
    if veldnamen is None:
        hernoem = str
    elif callable(veldnamen):
        hernoem = veldnamen
    else:
        hernoem = lambda veld: veldnamen.get(veld, veld)  # noqa: E731
    fouten = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
    detail: dict[str, list] = {}
    for veld, lijst in fouten.items():
        naam = "nonFieldErrors" if veld == "__all__" else hernoem(veld)
        detail.setdefault(naam, []).extend(
            exceptions.ErrorDetail(str(bericht), code=fout.code or "invalid")
            for fout in lijst
            for bericht in fout.messages
        )
    return exceptions.ValidationError(detail)


def problem_exception_handler(exc, context):
    # A refused iWmo-like POST carries its retour (toegang.toewijzingen.retour) along.
    retour = getattr(exc, "retour", None)
    if isinstance(exc, DjangoValidationError):
        exc = als_api_fout(exc, getattr(context.get("view"), "api_veldnamen", None))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    body = {
        "type": f"https://regiozorg.nl/problemen/{getattr(exc, 'default_code', 'error')}",
        "code": getattr(exc, "default_code", "error"),
        "title": getattr(exc, "default_detail", "Fout"),
        "status": response.status_code,
        "instance": request.path if request is not None else "",
    }
    if isinstance(exc, exceptions.ValidationError):
        body["title"] = "De invoer is ongeldig."
        body["invalidParams"] = _invalid_params(exc.detail)
    else:
        body["detail"] = str(getattr(exc, "detail", exc))
    if response.status_code == status.HTTP_404_NOT_FOUND:
        body["title"] = "Niet gevonden."
    if retour is not None:
        body["retour"] = retour
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(request, status_code: int, code: str, title: str, detail: str):
    """A problem+json answer outside DRF's exception handling, in the same shape."""
    from django.http import JsonResponse

    return JsonResponse(
        {
            "type": f"https://regiozorg.nl/problemen/{code}",
            "code": code,
            "title": title,
            "status": status_code,
            "detail": detail,
            "instance": request.path,
        },
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def api_of_pagina_404(request, exception=None):
    """Django's 404 handler (config/urls.py ``handler404``): under /api/ a URL that matches no
    route answers problem+json like every other API error; elsewhere the site's 404 page."""
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return problem_response(
            request, 404, "not_found", "Niet gevonden.", "Deze URL bestaat niet in de API."
        )
    return page_not_found(request, exception)
