"""Letters as print-ready A4 PDF, the address placed for a windowed envelope."""

from __future__ import annotations

import datetime as dt
import html

# The address area of GOV.UK Notify's letter specification, which fits the window of a C5 or
# DL windowed envelope: 24.6 mm from the left edge, 39.5 mm from the top, 95.6 by 26.8 mm.
ADDRESS_LEFT_MM = 24.6
ADDRESS_TOP_MM = 39.5
ADDRESS_WIDTH_MM = 95.6
ADDRESS_HEIGHT_MM = 26.8

RTL_LANGUAGES = frozenset({"ar"})


def deemed_delivered(posted: dt.date) -> dt.date:
    """The second working day after posting (weekends skipped)."""
    day = posted
    working = 0
    while working < 2:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            working += 1
    return day


def letter_html(*, address: str, subject: str, body: str, language: str, sent_on: dt.date) -> str:
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    address_html = "<br>".join(html.escape(line) for line in lines[:7])
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n") if p
    )
    direction = "rtl" if language in RTL_LANGUAGES else "ltr"
    return f"""<!doctype html>
<html lang="{html.escape(language)}"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }}
body {{ font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 11pt; margin: 0; }}
.address {{ position: absolute; left: {ADDRESS_LEFT_MM}mm; top: {ADDRESS_TOP_MM}mm;
  width: {ADDRESS_WIDTH_MM}mm; height: {ADDRESS_HEIGHT_MM}mm; overflow: hidden;
  direction: ltr; line-height: 1.2; }}
.date {{ position: absolute; right: 20mm; top: {ADDRESS_TOP_MM}mm; }}
.content {{ position: absolute; left: {ADDRESS_LEFT_MM}mm; right: 20mm; top: 95mm;
  direction: {direction}; }}
h1 {{ font-size: 14pt; }}
</style></head><body>
<div class="address">{address_html}</div>
<div class="date">{sent_on:%d/%m/%Y}</div>
<div class="content"><h1>{html.escape(subject)}</h1>{paragraphs}</div>
</body></html>"""


def render_letter(
    *, address: str, subject: str, body: str, language: str, sent_on: dt.date
) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=letter_html(
            address=address, subject=subject, body=body, language=language, sent_on=sent_on
        )
    ).write_pdf()
