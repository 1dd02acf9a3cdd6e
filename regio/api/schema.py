"""The error answers every operation can give, added to the OpenAPI description in one place:
``application/problem+json`` bodies (regio/api/problems.py) for 400 (invalid input or an unknown
query parameter), 401 (no or a revoked credential), 403, 404 (outside the caller's scope), 409
(an Idempotency-Key reused with another body), 413 (a body over API_MAX_BODY_BYTES), 415 (a
body that is not JSON) and 429 (rate limit)."""

PROBLEEM = {
    "type": "object",
    "description": "Een fout als application/problem+json (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
                "required": ["name", "code", "reason"],
            },
        },
    },
    "required": ["type", "title", "status"],
}

OMSCHRIJVING = {
    "400": "Ongeldige invoer of een onbekende queryparameter (invalidParams noemt het veld).",
    "401": "Geen, een onbekende of een ingetrokken API-sleutel.",
    "403": "Deze sleutel mag dit niet.",
    "404": "Niet gevonden (of buiten wat deze sleutel mag zien).",
    "409": "Deze Idempotency-Key is al gebruikt voor een ander verzoek.",
    "413": "De body is groter dan het maximum van de API (REGIOZORG_API_MAX_BODY_BYTES).",
    "415": "Dit mediatype wordt niet ondersteund; stuur application/json.",
    "429": "Te veel verzoeken; probeer het na Retry-After seconden opnieuw.",
}


def probleem_antwoorden(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    result.setdefault("components", {}).setdefault("schemas", {})["Probleem"] = PROBLEEM
    inhoud = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Probleem"}}}
    for operaties in result.get("paths", {}).values():
        for methode, operatie in operaties.items():
            if methode not in {"get", "post", "put", "patch", "delete"}:
                continue
            # 404 also for a POST: the toewijzing it names may lie outside the caller's scope.
            codes = ["400", "401", "403", "404", "429"]
            if methode == "post":
                codes += ["409", "413", "415"]
            antwoorden = operatie.setdefault("responses", {})
            for code in codes:
                antwoorden.setdefault(code, {"description": OMSCHRIJVING[code], "content": inhoud})
    return result
