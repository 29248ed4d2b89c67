"""Letters as print-ready A4 PDF, the address placed for a windowed envelope."""

from __future__ import annotations

import datetime as dt
import html

from safeshare.kernel.long_dates import long_date
from safeshare.notifications.messages import split_english

# The address area of GOV.UK Notify's letter specification, which fits the window of a C5 or
# DL windowed envelope: 24.6 mm from the left edge, 39.5 mm from the top, 95.6 by 26.8 mm.
ADDRESS_LEFT_MM = 24.6
ADDRESS_TOP_MM = 39.5
ADDRESS_WIDTH_MM = 95.6
ADDRESS_HEIGHT_MM = 26.8

# Right-to-left languages (their `bidi` in locale/languages.toml; a test keeps the two equal).
RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "ckb"})
# The script's font for each language; Noto Sans for Latin, Cyrillic and Vietnamese.
FONTS = {
    "ar": '"Noto Naskh Arabic", "Noto Sans Arabic"',
    "fa": '"Noto Naskh Arabic", "Noto Sans Arabic"',
    "ckb": '"Noto Naskh Arabic", "Noto Sans Arabic"',
    "ur": '"Noto Nastaliq Urdu", "Noto Naskh Arabic"',
    "bn": '"Noto Sans Bengali"',
    "pa": '"Noto Sans Gurmukhi"',
    "ti": '"Noto Sans Ethiopic"',
}


def deemed_delivered(posted: dt.date) -> dt.date:
    """The second working day after posting (weekends skipped)."""
    day = posted
    working = 0
    while working < 2:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            working += 1
    return day


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if p
    )


def letter_html(*, address: str, subject: str, body: str, language: str, sent_on: dt.date) -> str:
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    address_html = "<br>".join(html.escape(line) for line in lines[:7])
    translated, english = split_english(body)
    paragraphs = _paragraphs(translated)
    if english:
        subject = subject.partition(" / ")[0]
        label, _, rest = english.partition("\n\n")
        paragraphs += (
            f'<div class="app-english-beside"><p class="label">{html.escape(label)}</p>'
            f'<div lang="en" dir="ltr">{_paragraphs(rest)}</div></div>'
        )
    direction = "rtl" if language in RTL_LANGUAGES else "ltr"
    font = FONTS.get(language, "")
    font = f"{font}, " if font else ""
    return f"""<!doctype html>
<html lang="{html.escape(language)}"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }}
body {{ font-family: {font}"Noto Sans", "DejaVu Sans", sans-serif; font-size: 11pt; margin: 0; }}
[lang="en"] {{ font-family: "Noto Sans", "DejaVu Sans", sans-serif; }}
.app-english-beside {{ margin-top: 6mm; border-top: 0.5pt solid #b1b4b6; padding-top: 3mm; }}
.app-english-beside .label {{ font-weight: bold; }}
.address {{ position: absolute; left: {ADDRESS_LEFT_MM}mm; top: {ADDRESS_TOP_MM}mm;
  width: {ADDRESS_WIDTH_MM}mm; height: {ADDRESS_HEIGHT_MM}mm; overflow: hidden;
  direction: ltr; line-height: 1.2; }}
.date {{ position: absolute; right: 20mm; top: {ADDRESS_TOP_MM}mm; }}
.content {{ position: absolute; left: {ADDRESS_LEFT_MM}mm; right: 20mm; top: 95mm;
  direction: {direction}; }}
h1 {{ font-size: 14pt; }}
</style></head><body>
<div class="address" lang="en">{address_html}</div>
<div class="date">{html.escape(long_date(sent_on, language))}</div>
<div class="content" dir="{direction}"><h1>{html.escape(subject)}</h1>{paragraphs}</div>
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
