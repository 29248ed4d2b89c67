"""Accessible bar charts as server-side SVG. Pure: no Django imports, no scripts, no styles.

The chart is a picture of a ``PublishedTable`` that is always shown beside it, so it repeats no
figure that the table hides: a suppressed bar is not drawn and is labelled ``[c]``. The SVG has
``role="img"`` with a title and a description naming the table. Colours and fonts come from CSS
classes (``app-chart__…`` in ``application.scss``): the Content Security Policy forbids inline
styles.
"""

from __future__ import annotations

from html import escape

from safeshare.oversight.disclosure import SUPPRESSED_MARK
from safeshare.oversight.tables import PublishedTable

__all__ = ["bar_chart"]

_LABEL_WIDTH = 210
_BAR_AREA = 300
_VALUE_WIDTH = 70
_ROW = 26
_BAR = 18
_TOP = 8
_MAX_ROWS = 60


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(table: PublishedTable, *, column: int = -1, chart_id: str = "") -> str:
    """A horizontal bar chart of one column of ``table`` (by default its total column).

    Returns SVG markup, escaped and safe to insert into a page.
    """
    chart_id = chart_id or f"chart-{table.slug}"
    rows = table.rows[:_MAX_ROWS]
    values = [row.cells[column].value for row in rows]
    largest = max((v for v in values if v is not None), default=0)
    height = _TOP * 2 + _ROW * max(len(rows), 1)
    width = _LABEL_WIDTH + _BAR_AREA + _VALUE_WIDTH
    column_name = table.columns[column]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(table.title)}: bar chart</title>',
        f'<desc id="{chart_id}-desc">Bars show {escape(column_name.lower())} for each '
        f"{escape(table.row_heading.lower())}. The same figures are in the table "
        f"&#8220;{escape(table.title)}&#8221;; {SUPPRESSED_MARK} marks a figure that is not "
        "shown.</desc>",
    ]
    for position, (row, value) in enumerate(zip(rows, values, strict=True)):
        top = _TOP + position * _ROW
        middle = top + _ROW // 2
        parts.append(
            f'<text class="app-chart__label" x="{_LABEL_WIDTH - 8}" y="{middle}" '
            f'text-anchor="end" dominant-baseline="middle">{escape(_shorten(row.label))}</text>'
        )
        if value is None:
            parts.append(
                f'<text class="app-chart__value app-chart__value--suppressed" '
                f'x="{_LABEL_WIDTH + 4}" y="{middle}" dominant-baseline="middle">'
                f"{SUPPRESSED_MARK}</text>"
            )
            continue
        length = 0 if largest == 0 else round(_BAR_AREA * value / largest)
        if length:
            parts.append(
                f'<rect class="app-chart__bar" x="{_LABEL_WIDTH}" '
                f'y="{top + (_ROW - _BAR) // 2}" width="{length}" height="{_BAR}"/>'
            )
        parts.append(
            f'<text class="app-chart__value" x="{_LABEL_WIDTH + length + 6}" y="{middle}" '
            f'dominant-baseline="middle">{value:,}</text>'
        )
    parts.append(
        f'<line class="app-chart__axis" x1="{_LABEL_WIDTH}" y1="{_TOP - 2}" '
        f'x2="{_LABEL_WIDTH}" y2="{height - _TOP + 2}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
