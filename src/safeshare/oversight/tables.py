"""Published tables: what a page, a download or the API shows, after disclosure control.

Pure: no Django imports. A ``PublishedTable`` holds no raw count that was suppressed: a
suppressed cell carries ``value=None``, so nothing downstream (template, CSV, ODS, JSON) can
print it by mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from safeshare.oversight.disclosure import MARGIN, SUPPRESSED_MARK

__all__ = ["Cell", "PublishedRow", "PublishedTable", "cell", "line_table", "matrix_table"]

SUPPRESSION_NOTE = (
    "[c] means the figure is not shown: it is a count of 1 to 4, or it is hidden so that a "
    "count of 1 to 4 cannot be worked out from the totals."
)


@dataclass(frozen=True)
class Cell:
    """One published figure: a count, or ``None`` where it is suppressed."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return SUPPRESSED_MARK if self.value is None else f"{self.value:,}"

    def as_json(self) -> int | None:
        return self.value


def cell(values: Mapping[Hashable, int], suppressed: frozenset, key: Hashable) -> Cell:
    """The published form of one cell of a protected structure."""
    return Cell(None if key in suppressed else values[key])


@dataclass(frozen=True)
class PublishedRow:
    label: str
    cells: tuple[Cell, ...]
    code: str = ""


@dataclass(frozen=True)
class PublishedTable:
    """A table after disclosure control. ``columns`` name the cells of each row."""

    slug: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[PublishedRow, ...]
    total: PublishedRow | None = None
    notes: tuple[str, ...] = field(default=(SUPPRESSION_NOTE,))

    @property
    def one_dimensional(self) -> bool:
        return len(self.columns) == 1

    @property
    def has_suppression(self) -> bool:
        rows = (*self.rows, self.total) if self.total else self.rows
        return any(c.suppressed for row in rows for c in row.cells)

    def header(self) -> list[str]:
        return [self.row_heading, *self.columns]

    def body(self) -> list[list[str | int | None]]:
        """Rows for a download: label, then each figure (``None`` where suppressed)."""
        rows = [*self.rows, *([self.total] if self.total else [])]
        return [[row.label, *(c.value for c in row.cells)] for row in rows]

    def as_json(self) -> dict[str, object]:
        def row(r: PublishedRow) -> dict[str, object]:
            return {
                "label": r.label,
                "code": r.code or None,
                "values": [c.as_json() for c in r.cells],
            }

        return {
            "id": self.slug,
            "title": self.title,
            "row_heading": self.row_heading,
            "columns": list(self.columns),
            "rows": [row(r) for r in self.rows],
            "total": row(self.total) if self.total else None,
            "suppressed_marker": None,
            "notes": list(self.notes),
        }


def line_table(
    *,
    slug: str,
    title: str,
    row_heading: str,
    column: str,
    labels: Sequence[tuple[str, str]],
    keys: Sequence[Hashable],
    total_key: Hashable,
    values: Mapping[Hashable, int],
    suppressed: frozenset,
    notes: Sequence[str] = (),
) -> PublishedTable:
    """A one-column table: one row per ``(code, label)`` and a total row."""
    rows = tuple(
        PublishedRow(label, (cell(values, suppressed, key),), code)
        for (code, label), key in zip(labels, keys, strict=True)
    )
    return PublishedTable(
        slug=slug,
        title=title,
        row_heading=row_heading,
        columns=(column,),
        rows=rows,
        total=PublishedRow("Total", (cell(values, suppressed, total_key),), "total"),
        notes=(SUPPRESSION_NOTE, *notes),
    )


def matrix_table(
    *,
    slug: str,
    title: str,
    row_heading: str,
    row_labels: Sequence[tuple[str, str]],
    column_labels: Sequence[tuple[str, str]],
    key: Callable[[int, int], Hashable],
    values: Mapping[Hashable, int],
    suppressed: frozenset,
    notes: Sequence[str] = (),
) -> PublishedTable:
    """A two-way table with a total column and a total row. ``key(r, c)`` gives the cell key,
    with ``MARGIN`` for totals."""
    columns = (*(label for _, label in column_labels), "Total")
    positions = [*range(len(column_labels)), MARGIN]

    def make_row(r: int, code: str, label: str) -> PublishedRow:
        return PublishedRow(
            label, tuple(cell(values, suppressed, key(r, c)) for c in positions), code
        )

    rows = tuple(make_row(r, code, label) for r, (code, label) in enumerate(row_labels))
    return PublishedTable(
        slug=slug,
        title=title,
        row_heading=row_heading,
        columns=columns,
        rows=rows,
        total=make_row(MARGIN, "total", "Total"),
        notes=(SUPPRESSION_NOTE, *notes),
    )
