"""PDF rendering with WeasyPrint (imported lazily: its import takes over a second)."""

import base64
import mimetypes

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def logo_uri(gemeente) -> str:
    """The gemeente's logo for a letterhead in a PDF as a data URI, read through the storage
    (filesystem or S3, never a local path: regio.opslag), or "" without one."""
    if not gemeente.logo:
        return ""
    soort = mimetypes.guess_type(gemeente.logo.name)[0] or "application/octet-stream"
    try:
        with gemeente.logo.open("rb") as handle:
            inhoud = handle.read()
    except OSError:  # gone from the storage: the letter goes without it
        return ""
    return f"data:{soort};base64,{base64.b64encode(inhoud).decode('ascii')}"
