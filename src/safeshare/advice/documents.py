"""PDFs: the advice pack, the protection letter and the subject access export (WeasyPrint).

Each is drawn from a template in ``templates/advice/pdf/`` in the language it is for, with Noto
fonts (Noto Naskh Arabic for Arabic), and tagged as PDF/UA so screen readers can read it.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import translation

PDF_VARIANT = "pdf/ua-1"

# WeasyPrint logs every layout step at INFO; only its warnings are worth keeping.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_html(template: str, context: dict[str, object], *, language: str) -> str:
    with translation.override(language):
        return render_to_string(template, context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(template: str, context: dict[str, object], *, language: str) -> bytes:
    """Draw ``template`` in ``language`` and return the PDF bytes."""
    return html_to_pdf(render_html(template, context, language=language))
