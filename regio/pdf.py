"""PDF rendering with WeasyPrint (imported lazily: its import takes over a second)."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def logo_uri(gemeente) -> str:
    """The file URI of the gemeente's logo for a letterhead in a PDF, or "" without one (or when
    the storage keeps no local file, such as object storage)."""
    if not gemeente.logo:
        return ""
    try:
        return Path(gemeente.logo.path).as_uri()
    except (NotImplementedError, ValueError):
        return ""
