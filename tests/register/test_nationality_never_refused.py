"""A real record is never refused for a value the matcher can live without.

Real-world nationality values (ISO and ICAO codes, the codes in use for Kosovo, "stateless",
demonyms and descriptions, "None", free text, text in Arabic script) and names written only in
Arabic script go through every input path: the identity fields every form and API shares, the
register import (the action and ``safeshare register import``), screening (``safeshare
screen``), the sweep upload page, the clearance API and the clearance page. Each is kept as
given (normalised when SafeShare knows it), warned about when it does not, never refused.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from safeshare.people.identity import IdentityIn, resolve_nationality
from safeshare.people.models import Identity
from safeshare.protocol.models import Clearance
from safeshare.register.csvfiles import WARNINGS, IdentityCsv, IdentityRow, validate_row
from safeshare.register.models import RegisterEntry, RegisterImport, Sweep
from tests import api_client as api
from tests.accounts.factories import make_user
from tests.register.conftest import HEADER
from tests.register.test_import import import_text

NATIONALITIES = [
    "PK",  # ISO 3166 alpha-2
    "PAK",  # alpha-3
    "pak",
    "GBR",
    "XXA",  # ICAO 9303: stateless person
    "XXB",  # refugee (1951 Convention)
    "XXC",  # refugee (other)
    "XXX",  # unspecified nationality
    "XK",  # Kosovo, in common use
    "XKX",
    "RKS",
    "KOS",
    "stateless",
    "Stateless person",
    "Kurdish",
    "Bidoon",
    "Palestinian",
    "Palestinian territories",
    "Hong Kong",
    "Macau",
    "Macao SAR",
    "None",
    "Unknown",
    "N/A",
    "born in a camp in Lebanon, no papers",
    "سوري",  # Syrian, in Arabic script
    "كردي",  # Kurdish, in Arabic script
    "Afghan (Hazara)",
    "  Eritrean  ",
    "x" * 150,  # longer than is kept: shortened, not refused
]

# Names written only in Arabic script (with a Latin one for contrast).
NAMES = [
    ("فاطمة", "بيجوم"),
    ("محمد", "الحسن"),
    ("", "عبد الله"),
    ("Fatema", "Begum"),
]


def _expected(value: str) -> tuple[str, str]:
    """(code, text) as the people app resolves the cleaned value; the value is never lost."""
    cleaned = " ".join(value.split())[:100].rstrip()
    code, text = resolve_nationality(cleaned)
    return code, text or ("" if code else cleaned)


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for i, nationality in enumerate(NATIONALITIES):
        given, family = NAMES[i % len(NAMES)]
        rows.append((f"N{i}", given, family, nationality))
    return rows


def _csv(with_dates: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    out.write(HEADER + "\n")
    for i, (row_id, given, family, nationality) in enumerate(_rows()):
        dob = f"19{70 + i % 30}-0{1 + i % 9}-1{i % 10}" if with_dates else ""
        writer.writerow([row_id, given, family, "", dob, "F", nationality, "", ""])
    return out.getvalue()


def _unrecognised() -> int:
    return sum(1 for value in NATIONALITIES if not _expected(value)[0])


# --- The identity fields every form and API endpoint shares ----------------------------------


@pytest.mark.parametrize("nationality", NATIONALITIES)
def test_the_identity_fields_keep_every_nationality(nationality):
    identity = IdentityIn(given_names="فاطمة", family_name="Begum", nationality=nationality)
    assert identity.nationality
    assert identity.nationality == " ".join(nationality.split())[:100].rstrip()


@pytest.mark.parametrize(("given", "family"), NAMES)
def test_the_identity_fields_keep_names_in_arabic_script(given, family):
    identity = IdentityIn(given_names=given, family_name=family)
    assert (identity.given_names, identity.family_name) == (given, family)


# --- Reading a file --------------------------------------------------------------------------


def test_every_row_is_read_and_unknown_values_are_warnings():
    items = list(IdentityCsv(io.BytesIO(_csv().encode())))
    assert all(isinstance(item, IdentityRow) for item in items), [str(i) for i in items]
    assert len(items) == len(NATIONALITIES)
    for item, value in zip(items, NATIONALITIES, strict=True):
        code, text = _expected(value)
        assert (item.nationality, item.nationality_text) == (code, text)
        assert ("nationality_not_recognised" in item.warnings) == (not code)
        assert ("nationality_shortened" in item.warnings) == (len(value.strip()) > 100)
        assert set(item.warnings) <= set(WARNINGS)


def test_only_a_row_without_a_usable_name_or_date_of_birth_is_refused():
    index = {name: i for i, name in enumerate(HEADER.split(","))}

    def row(**values):
        base = dict.fromkeys(HEADER.split(","), "")
        base.update({"id": "R1", "given_names": "Ali", "family_name": "Khan", **values})
        return validate_row(list(base.values()), index, 2, len(base))

    assert isinstance(row(sex="femme"), IdentityRow)
    assert row(sex="femme").sex == "unknown"
    assert isinstance(row(passport_no="P" * 80), IdentityRow)
    assert row(passport_no="P" * 80).warnings == ("passport_no_left_out",)
    assert not isinstance(row(given_names="", family_name=""), IdentityRow)
    assert not isinstance(row(given_names="-", family_name="?"), IdentityRow)
    assert not isinstance(row(dob="2999-01-01"), IdentityRow)
    assert not isinstance(row(dob="31/02/1990"), IdentityRow)


# --- Register import -------------------------------------------------------------------------


def test_the_import_keeps_every_row_and_counts_the_warnings(force, importer):
    result = import_text(_csv(), force, importer)
    assert result.imported == len(NATIONALITIES)
    assert result.rejected == []
    assert result.warnings.get("nationality_not_recognised", 0) == _unrecognised()
    assert RegisterImport.objects.get().warnings == result.warnings
    stored = {
        entry.external_id: entry.identity
        for entry in RegisterEntry.objects.select_related("identity")
    }
    for row_id, given, family, value in _rows():
        identity = stored[row_id]
        assert (identity.given_names, identity.family_name) == (given, family)
        assert (identity.nationality_code, identity.nationality_text) == _expected(value)


def test_the_import_command_reports_warnings_by_kind(force, tmp_path):
    source = tmp_path / "register.csv"
    source.write_text(_csv(), encoding="utf-8")
    out = io.StringIO()
    call_command("register", "import", str(source), "--org", force.code, "--quiet", stdout=out)
    report = out.getvalue()
    assert f"Imported {len(NATIONALITIES)} protected identities" in report
    assert f"{_unrecognised()} rows: {WARNINGS['nationality_not_recognised']}" in report
    assert "not imported" not in report
    assert Identity.objects.count() == len(NATIONALITIES)


# --- Screening and sweeps --------------------------------------------------------------------


def test_screening_keeps_every_row(force, importer, ie_unit, tmp_path):
    import_text(_csv(), force, importer)
    source = tmp_path / "caseload.csv"
    source.write_text(_csv(with_dates=False), encoding="utf-8")
    out = tmp_path / "results.csv"
    report = io.StringIO()
    call_command("screen", str(source), "--out", str(out), "--quiet", stdout=report)
    assert f"Screened {len(NATIONALITIES)} people" in report.getvalue()
    assert WARNINGS["nationality_not_recognised"] in report.getvalue()
    with out.open(encoding="utf-8") as handle:
        results = list(csv.DictReader(handle))
    assert [r["query_id"] for r in results] == [r[0] for r in _rows()]
    # The same people, with the same names and nationality, are never cleared.
    assert all(r["decision"] in {"blocked", "hold"} for r in results)


@pytest.mark.django_db
def test_the_sweep_upload_keeps_every_row(
    force, importer, ie_unit, client, settings, tmp_path, monkeypatch
):
    settings.VAR_DIR = tmp_path
    settings.SAFESHARE_SWEEP_RUNNER = "inline"
    import_text(_csv(), force, importer)
    from safeshare.kernel.roles import Role

    client.force_login(make_user(Role.IE_CASEWORKER, ie_unit))
    upload = SimpleUploadedFile("caseload.csv", _csv().encode(), content_type="text/csv")
    response = client.post(reverse("matching:sweep-new"), {"caseload": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    sweep = Sweep.objects.get()
    assert sweep.total_rows == len(NATIONALITIES)
    assert sweep.warnings.get("nationality_not_recognised", 0) == _unrecognised()
    assert sweep.status == "done"
    page = client.get(response["Location"]).content.decode()
    assert WARNINGS["nationality_not_recognised"] in page


# --- Clearances ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("nationality", NATIONALITIES)
def test_the_clearance_api_keeps_every_nationality(nationality):
    response = api.clearance(api.ie(), nationality=nationality, given_names="فاطمة")
    assert response.status_code in (200, 201), response.content.decode()[:500]
    assert Clearance.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("nationality", NATIONALITIES[::3])
def test_the_clearance_page_keeps_every_nationality(nationality, client, ie_unit):
    from safeshare.kernel.roles import Role

    client.force_login(make_user(Role.IE_CASEWORKER, ie_unit))
    response = client.post(
        reverse("protocol:clearance-new"),
        {
            "action": "immigration_arrest_or_detention",
            "given_names": "فاطمة",
            "family_name": "Begum",
            "date_of_birth": "1991-03-14",
            "nationality": nationality,
            "information_sources": ["immigration_records"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Clearance.objects.count() == 1
