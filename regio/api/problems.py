"""API errors as application/problem+json (RFC 9457), with ``invalidParams`` per field.

The one way from a service's refusal to the API's answer: a viewset lets the service's Django
``ValidationError`` (400, each field under the API's name: the viewset's ``api_veldnamen``, a
mapping or a function of the service's field name) and ``PermissionDenied`` (403, with the
service's Dutch reason) propagate; ``Http404`` answers 404 as DRF does.

Every text is Dutch (``regio.api.foutteksten``): DRF's default field messages, its parse, 404,
405, 415 and 401 texts are replaced; each kind of error has one ``code`` and ``type`` whatever
the method or where it was raised; a body over ``API_MAX_BODY_BYTES`` answers 413.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from regio.api import foutteksten

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


class TeGrootVerzoek(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "Het verzoek is te groot."


def _te_groot_detail() -> str:
    return (
        f"De body is groter dan {settings.API_MAX_BODY_BYTES} bytes, het maximum van de API; "
        "stuur minder tegelijk."
    )


def _als_drf_fout(exc):
    """Django's exceptions as DRF's, so each kind of error has one code and type whatever the
    method or the place that raised it (a view's get_object, a service, the URL resolver)."""
    if isinstance(exc, DjangoValidationError):
        return exc  # converted with the view's field names
    if isinstance(exc, Http404):
        return exceptions.NotFound()  # never Django's "No Toewijzing matches the given query."
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc)) if exc.args else exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return TeGrootVerzoek(_te_groot_detail())
    return exc


def _waarde(request, naam: str):
    """What the request sent for the parameter ``naam`` (``regels.0.volume``), if findable."""
    if request is None:
        return foutteksten._ONBEKEND
    try:
        data = request.data
    except Exception:  # noqa: BLE001 - the body itself was the error
        data = None
    waarde = data
    for deel in naam.split("."):
        if isinstance(waarde, dict) and deel in waarde:
            waarde = waarde[deel]
        elif isinstance(waarde, list) and deel.isdigit() and int(deel) < len(waarde):
            waarde = waarde[int(deel)]
        else:
            waarde = foutteksten._ONBEKEND
            break
    if waarde is foutteksten._ONBEKEND and naam in request.query_params:
        waarde = request.query_params.get(naam)
    return waarde


def _is_drf_standaard(exc) -> bool:
    """The exception carries DRF's own default detail (English or DRF's Dutch)."""
    if type(exc).__module__ != "rest_framework.exceptions":
        return False
    tekst = str(getattr(exc, "detail", ""))
    standaard = exc.default_detail
    with translation.override("en"):
        engels = str(standaard)
    with translation.override("nl"):
        nederlands = str(standaard)
    return tekst in (engels, nederlands) or "{" in engels and tekst.startswith(engels.split("{")[0])


def _detail(exc, request) -> str:
    code = exc.default_code
    tekst = str(getattr(exc, "detail", exc))
    if type(exc) is exceptions.ParseError:
        return foutteksten.parsefout(tekst)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        soort = request.content_type if request is not None else ""
        return f'Het mediatype "{soort}" wordt niet ondersteund; stuur application/json.'
    if isinstance(exc, exceptions.MethodNotAllowed):
        methode = request.method if request is not None else ""
        return f"De methode {methode} is op deze URL niet toegestaan."
    if type(exc) is exceptions.Throttled:  # ours (regio.api.throttle) says it in Dutch
        return (
            f"Probeer het over {exc.wait} seconden opnieuw."
            if exc.wait
            else "Probeer het later opnieuw."
        )
    standaard = foutteksten.PROBLEMEN.get(code, (None, None))[1]
    if standaard and _is_drf_standaard(exc):
        return standaard
    return tekst


def problem_exception_handler(exc, context):
    # A refused iWmo-like POST carries its retour (toegang.toewijzingen.retour) along.
    retour = getattr(exc, "retour", None)
    exc = _als_drf_fout(exc)
    if isinstance(exc, DjangoValidationError):
        exc = als_api_fout(exc, getattr(context.get("view"), "api_veldnamen", None))
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    code = getattr(exc, "default_code", "error")
    titel = foutteksten.PROBLEMEN.get(code, (None,))[0]
    if titel is None or type(exc).__module__ != "rest_framework.exceptions":
        # Our own exceptions (429 per API key, 409 idempotency) carry a Dutch title.
        titel = str(getattr(exc, "default_detail", "Fout"))
    body = {
        "type": f"https://regiozorg.nl/problemen/{code}",
        "code": code,
        "title": titel,
        "status": response.status_code,
        "instance": request.path if request is not None else "",
    }
    if isinstance(exc, exceptions.ValidationError):
        body["title"] = foutteksten.PROBLEMEN["invalid"][0]
        body["invalidParams"] = [
            {
                **param,
                "reason": foutteksten.veldfout(param["reason"], _waarde(request, param["name"])),
            }
            for param in _invalid_params(exc.detail)
        ]
    else:
        body["detail"] = _detail(exc, request)
    if response.status_code == status.HTTP_404_NOT_FOUND:
        body["title"] = "Niet gevonden."
    if retour is not None:
        body["retour"] = retour
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


class BodyLimietMiddleware:
    """A request to /api/ announcing a body over ``API_MAX_BODY_BYTES`` answers 413
    problem+json before anything reads it (Django would answer an HTML 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                lengte = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                lengte = 0
            if lengte > settings.API_MAX_BODY_BYTES:
                return problem_response(
                    request, 413, "request_too_large", "Het verzoek is te groot.",
                    _te_groot_detail(),
                )  # fmt: skip
        return self.get_response(request)


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
