"""Stored files (letters, verslagen, uploads, contract documents, job results) are read back
only through Django's storage API, never by a local path: the storage is the local filesystem
in dev and S3-compatible object storage in production with ``REGIOZORG_S3_BUCKET`` (README
"Shared object storage"), where a file one machine wrote is read by any other.

A file with personal data is streamed through Django, never handed out as a link to the
storage: the view that serves it has passed the scoping layer and audits the access, and
``open_gecontroleerd`` refuses a file that no longer matches the SHA-256 stored with it."""

from __future__ import annotations

import hashlib
import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect

from regio import audit

GEWIJZIGD = (
    "Het opgeslagen document komt niet overeen met zijn vingerafdruk (SHA-256) en wordt niet "
    "getoond. Meld dit bij functioneel beheer."
)
# Up to this size the checked copy stays in memory, beyond it in a temporary file.
IN_GEHEUGEN = 8 * 1024 * 1024


def open_gecontroleerd(bestand, sha256: str):
    """The stored file ``bestand`` (a FieldFile), read once through its storage into a
    temporary copy while its SHA-256 is computed, positioned at its start for streaming
    (FileResponse closes it). A file that does not match ``sha256`` is refused with a
    ValidationError (code "hash") and nothing of it is returned."""
    kopie = tempfile.SpooledTemporaryFile(max_size=IN_GEHEUGEN)
    digest = hashlib.sha256()
    try:
        with bestand.open("rb") as bron:
            for stuk in bron.chunks():
                digest.update(stuk)
                kopie.write(stuk)
        if digest.hexdigest() != sha256:
            raise ValidationError(GEWIJZIGD, code="hash")
    except BaseException:
        kopie.close()
        raise
    kopie.seek(0)
    return kopie


def download(request, bestand, sha256: str, *, object, filename, content_type, terug,
             toelichting: dict | None = None):  # fmt: skip
    """The response that hands ``bestand`` (a FieldFile of ``object``) to the user who passed
    the view's scoping: streamed after its SHA-256 is checked (files stored before their hash
    was kept, without it) and audited as an export. A file that no longer matches is refused:
    the refusal is audited and the user is sent to ``terug`` (a URL) with the reason."""
    if sha256:
        try:
            inhoud = open_gecontroleerd(bestand, sha256)
        except ValidationError as exc:
            audit.record(
                "export", objects=[object], resultaat="error",
                toelichting={**(toelichting or {}), "fout": "sha256"},
            )  # fmt: skip
            messages.error(request, " ".join(exc.messages))
            return redirect(terug)
    else:
        inhoud = bestand.open("rb")
    audit.record("export", objects=[object], toelichting=toelichting)
    return FileResponse(inhoud, as_attachment=True, filename=filename, content_type=content_type)
