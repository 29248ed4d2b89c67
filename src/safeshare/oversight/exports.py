"""Downloads of published tables: CSV and OpenDocument spreadsheet (ODS), with the stdlib only.

Pure: no Django imports. Only ``PublishedTable`` values are written, so a suppressed figure is
written as ``[c]`` and never as its count.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) are prefixed with an apostrophe (OWASP's advice on CSV injection).
Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from safeshare.oversight.disclosure import SUPPRESSED_MARK
from safeshare.oversight.tables import PublishedTable

__all__ = ["ODS_MIMETYPE", "neutralise", "tables_to_csv", "tables_to_ods"]

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet will run as a formula."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _rows(table: PublishedTable) -> list[list[object]]:
    rows: list[list[object]] = [[table.title], [*table.header()]]
    for row in table.body():
        rows.append([SUPPRESSED_MARK if v is None and i else v for i, v in enumerate(row)])
    rows.extend([note] for note in table.notes)
    return rows


def tables_to_csv(tables: Sequence[PublishedTable], preamble: Sequence[str] = ()) -> str:
    """All the tables in one CSV, each under its title, separated by a blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in preamble:
        writer.writerow([neutralise(line)])
    if preamble:
        writer.writerow([])
    for position, table in enumerate(tables):
        if position:
            writer.writerow([])
        for row in _rows(table):
            writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" \
manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""

_CONTENT_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"><office:body><office:spreadsheet>'
)
_CONTENT_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]*?:/\\'")[:31] or "Table"
    base, number = name, 2
    while name in used:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(name)
    return name


def _ods_cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    text = "" if value is None else str(value)
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escape(text)}</text:p>'
        "</table:table-cell>"
    )


def tables_to_ods(tables: Sequence[PublishedTable], preamble: Sequence[str] = ()) -> bytes:
    """A minimal valid ODS file: one sheet per table (and a first sheet for the preamble)."""
    used: set[str] = set()
    sheets = []
    if preamble:
        rows = "".join(
            f"<table:table-row>{_ods_cell(line)}</table:table-row>" for line in preamble
        )
        sheets.append(
            f"<table:table table:name={quoteattr(_sheet_name('About', used))}>{rows}</table:table>"
        )
    for table in tables:
        rows = "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in _rows(table)
        )
        name = quoteattr(_sheet_name(table.title, used))
        sheets.append(f"<table:table table:name={name}>{rows}</table:table>")
    content = _CONTENT_HEAD + "".join(sheets) + _CONTENT_TAIL
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The mimetype must be the first entry, stored uncompressed (OpenDocument 1.2, 3.3).
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
