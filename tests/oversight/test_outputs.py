"""Pure output pieces: CSV injection, the ODS file, the SVG chart, and module purity."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from safeshare.oversight.charts import bar_chart
from safeshare.oversight.exports import neutralise, tables_to_csv, tables_to_ods
from safeshare.oversight.tables import Cell, PublishedRow, PublishedTable

PURE_MODULES = [
    "safeshare.oversight.disclosure",
    "safeshare.oversight.tables",
    "safeshare.oversight.charts",
    "safeshare.oversight.exports",
    "safeshare.oversight.comparison",
    "safeshare.oversight.comparison_tables",
]


def table(labels, values, title="Referrals by channel <&>") -> PublishedTable:
    rows = tuple(
        PublishedRow(label, (Cell(v),), f"c{i}")
        for i, (label, v) in enumerate(zip(labels, values, strict=True))
    )
    total = sum(v for v in values if v is not None)
    return PublishedTable(
        "t", title, "Channel", ("Referrals",), rows, PublishedRow("Total", (Cell(total),))
    )


def test_pure_modules_do_not_import_django():
    script = (
        "import importlib, sys\n"
        f"for name in {PURE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, f"django modules imported: {result.stdout}{result.stderr}"


@given(st.text())
def test_no_csv_cell_starts_a_formula(text):
    value = neutralise(text)
    assert not str(value).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_keeps_numbers_and_neutralises_labels():
    data = table(['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Web"], [5, None, 0, 7, 9])
    rows = list(csv.reader(io.StringIO(tables_to_csv([data], preamble=["=cmd"]))))
    assert rows[0] == ["'=cmd"]
    body = {r[0]: r[1] for r in rows if len(r) == 2}
    assert body['\'=HYPERLINK("http://x")'] == "5"
    assert body["'+1"] == "[c]"
    assert body["'-2"] == "0"
    assert body["'@SUM(A1)"] == "7"
    assert body["Total"] == "21"


def test_ods_is_valid_and_escapes_text():
    data = table(["<b>&amp;</b>", "Phone"], [5, None])
    blob = tables_to_ods([data], preamble=["About these figures"])
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert archive.namelist()[0] == "mimetype"
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        content = archive.read("content.xml").decode()
    ElementTree.fromstring(content)  # noqa: S314 (our own output)
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in content
    assert 'office:value-type="float" office:value="5"' in content
    assert "[c]" in content


def test_chart_is_accessible_and_hides_suppressed_bars():
    svg = bar_chart(table(["Web", "Phone", "Email <script>"], [12, None, 0]))
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    assert root.get("role") == "img"
    ids = root.get("aria-labelledby").split()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").get("id") == ids[0]
    assert "the table" in root.find(f"{ns}desc").text
    bars = root.findall(f"{ns}rect")
    assert len(bars) == 1  # only the published, non-zero figure is drawn
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "[c]" in texts
    assert "12" in texts
    assert "Email <script>" in texts
    assert "<script>" not in svg
    assert "style=" not in svg
