"""Hostile input is refused with a clear error, or neutralised, and never a 500.

Oversize and malformed bodies, deep nesting, invalid UTF-8, names that hide behind other scripts
or invisible characters, spreadsheet formulas in exports, path tricks, SQL and template
injection.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from safeshare.kernel.roles import Role
from tests import api_client as api
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db

STATE = ["cases.Case", "cases.Party", "people.Person", "protocol.Clearance", "ledger.LedgerEntry"]


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in STATE}


def refused(response, status: int) -> dict:
    """The standard error body, with the status expected."""
    assert response.status_code == status, response.content.decode()[:500]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert body["error"]["request_id"] == response["X-Request-Id"]
    return body["error"]


@pytest.fixture
def police():
    return api.police()


# --- Bodies ------------------------------------------------------------------------------------

BAD_BODIES = {
    "invalid UTF-8": (b'{"crime_reference": "\xff\xfe", "offence_category": "other"}', "UTF-8"),
    "deep nesting": (b'{"crime_reference": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deep"),
    "moderately deep nesting": (
        b'{"crime_reference": "x", "offence_category": "other", "extra": '
        + b"[" * 40
        + b"]" * 40
        + b"}",
        "deep",
    ),
    "NaN": (b'{"crime_reference": NaN, "offence_category": "other"}', "NaN"),
    "Infinity": (b'{"crime_reference": "x", "n": -Infinity}', "Infinity"),
    "lone surrogate": (b'{"crime_reference": "\\ud800", "offence_category": "other"}', "Unicode"),
    "NUL character": (b'{"crime_reference": "20/1\\u0000", "offence_category": "other"}', "NUL"),
    "byte order mark": (b'\xef\xbb\xbf{"crime_reference": "x"}', "JSON"),
    "truncated": (b'{"crime_reference": "x', "JSON"),
    "huge number": (b'{"crime_reference": ' + b"9" * 5000 + b"}", "JSON"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_malformed_body_is_refused_with_the_reason(police, name):
    body, reason = BAD_BODIES[name]
    before = counts()
    error = refused(police.post("/cases", raw=body), 400)
    assert reason.lower() in error["message"].lower()
    assert counts() == before


def test_an_oversize_body_is_refused_before_it_is_read(police):
    before = counts()
    body = json.dumps({"crime_reference": "x" * (3 * 1024 * 1024)}).encode()
    error = refused(police.post("/cases", raw=body), 413)
    assert error["code"] == "payload_too_large"
    assert counts() == before


def test_an_oversize_form_is_refused_on_the_site(client):
    response = client.post(
        reverse("accounts:sign-in"),
        {"email": "a@b.test", "password": "x" * (2 * 1024 * 1024)},
    )
    assert response.status_code == 400
    assert "govuk-template" in response.content.decode()


def test_too_many_form_fields_are_refused(client):
    fields = {f"f{i}": "x" for i in range(1500)}
    response = client.post(reverse("accounts:sign-in"), fields)
    assert response.status_code == 400


def test_numbers_beyond_the_database_are_not_found_not_500(police):
    case = api.new_case(police)
    huge = 10**30
    response = api.refer(police, case, {"id": huge})
    assert response.status_code in (404, 422), response.content.decode()
    refused(police.get("/reviews"), 403)  # police cannot list reviews at all
    reviewer = api.protocol_officer()
    response = reviewer.post(
        f"/reviews/{huge}/resolve", {"verdict": "same_person", "reasons": "x"}
    )
    assert response.status_code in (404, 422)


def test_a_bad_idempotency_key_is_refused(police):
    body = {"crime_reference": "20/1/26", "offence_category": "other"}
    for key in ("x" * 201, "tab\tin key"):
        error = refused(police.post("/cases", body, key=key), 422)
        assert "Idempotency-Key" in error["fields"]


# --- Names --------------------------------------------------------------------------------------


def test_invisible_characters_are_dropped_from_names(police):
    case = api.new_case(police)
    party = api.add_party(
        police, case, given_names="Fa\u200btema\u2060", family_name="Be\u200dgum"
    )
    from safeshare.people.models import Identity

    identity = Identity.objects.filter(person__public_id=party["person_id"]).get()
    assert identity.as_fields()["given_names"] == "Fatema"
    assert identity.as_fields()["family_name"] == "Begum"


def test_control_characters_in_names_are_refused(police):
    case = api.new_case(police)
    body = {**api.FATEMA, "given_names": "Fa\x07tema", "role": "victim"}
    error = refused(police.post(f"/cases/{case['id']}/parties", body), 422)
    assert "given_names" in error["fields"]


def test_a_protected_person_cannot_hide_behind_another_script_or_invisible_characters(police):
    """IE asks about the protected person with Cyrillic look-alike letters and zero-width
    characters in the name: the answer must still not be clear."""
    ie = api.ie()
    case = api.new_case(police)
    party = api.add_party(police, case)
    api.event(police, case, "investigation_opened")
    api.ok(api.refer(police, case, party), 201)  # the referral opens her protection
    assert api.ok(api.clearance(ie), 201)["decision"] == "blocked"
    disguised = {
        "given_names": "F\u0430t\u0435ma\u200b",  # Cyrillic а and е, a zero-width space
        "family_name": "B\u0435\u200dgum",
    }
    answer = api.ok(api.clearance(ie, **disguised), 201)
    assert answer["decision"] == "blocked", answer


# --- Exports ------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x")', "+SUM(1,2)", "-2+3", "@cmd", "\t=1"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_spreadsheet_formulas_are_neutralised_in_csv_exports(client):
    from safeshare.oversight.models import Alert
    from safeshare.oversight.statistics import STATISTICS

    for formula in FORMULAS:
        Alert.objects.create(
            kind=Alert.Kind.ACTION_AGAINST_EVER_PROTECTED,
            summary=formula,
            organisation_code=formula[:30],
            details={},
        )
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    alerts = client.get(reverse("oversight:alerts"), {"format": "csv"})
    assert alerts.status_code == 200
    cells = _cells(alerts.content.decode())
    for formula in FORMULAS:
        assert "'" + formula in cells
    for name in STATISTICS:
        download = client.get(reverse("oversight:download"), {"name": name})
        assert download.status_code == 200
        cells += _cells(download.content.decode())
    dangerous = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert dangerous == []


# --- Paths and uploads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/static/../src/safeshare/settings.py",
        "/static/..%2f..%2fsrc/safeshare/settings.py",
        "/static/%2e%2e/%2e%2e/var/secret_key",
        "/static/govuk-frontend/../../../../etc/passwd",
    ],
)
def test_path_tricks_do_not_reach_files(client, path):
    response = client.get(path)
    assert response.status_code in (400, 403, 404)
    body = b"".join(response) if response.streaming else response.content
    assert b"SECRET_KEY" not in body
    assert b"root:" not in body


CASELOAD = "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"


@pytest.mark.parametrize(
    ("upload_name", "shown"),
    [
        ("../../../../tmp/safeshare-evil.csv", "safeshare-evil.csv"),
        ("..\\..\\..\\tmp\\safeshare-evil.csv", "safeshare-evil.csv"),
        ("%2e%2e%2fsafeshare-evil.csv", "%2e%2e%2fsafeshare-evil.csv"),
        ("/tmp/safeshare-evil.csv", "safeshare-evil.csv"),
        ("/etc/passwd", None),  # not a CSV file: refused with a clear error
    ],
)
def test_path_tricks_in_sweep_uploads_never_reach_the_disk(client, upload_name, shown):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeshare.register import sweeps
    from safeshare.register.models import Sweep

    client.force_login(make_user(Role.IE_CASEWORKER))
    upload = SimpleUploadedFile(
        upload_name, (CASELOAD + "Q1,Ana,Popescu,,1988,F,ROU,,\n").encode()
    )
    response = client.post(reverse("matching:sweep-new"), {"caseload": upload})
    from pathlib import Path

    assert not Path("/tmp/safeshare-evil.csv").exists()
    if shown is None:
        assert "must be a CSV file" in response.content.decode()
        assert not Sweep.objects.exists()
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    sweep = Sweep.objects.get()
    assert sweep.upload_name == shown
    assert len(sweep.stored_name) == 36
    assert sweep.stored_name.endswith(".csv")
    assert "/" not in sweep.stored_name
    assert "\\" not in sweep.stored_name
    assert sweeps.stored_path(sweep).parent == sweeps.sweep_dir()
    assert sweeps.stored_path(sweep).is_file()


def test_a_formula_in_an_uploaded_caseload_is_refused_or_neutralised(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safeshare.register.models import Sweep

    client.force_login(make_user(Role.IE_CASEWORKER))
    formula_id = CASELOAD + '=HYPERLINK("http://x"),Ana,Popescu,,1988,F,ROU,,\n'
    upload = SimpleUploadedFile("caseload.csv", formula_id.encode())
    response = client.post(reverse("matching:sweep-new"), {"caseload": upload})
    assert response.status_code in (200, 400)
    assert "govuk-error-summary" in response.content.decode()
    assert not Sweep.objects.exists()
    formula_name = CASELOAD + "Q1,=cmd|' /C calc'!A0,@SUM(1),,1988,F,ROU,,\n"
    upload = SimpleUploadedFile("caseload.csv", formula_name.encode())
    assert client.post(reverse("matching:sweep-new"), {"caseload": upload}).status_code == 302
    sweep = Sweep.objects.get()
    from safeshare.register import jobs

    jobs.run_sweep(sweep.pk)
    download = client.get(reverse("matching:sweep-download", kwargs={"sweep_id": sweep.public_id}))
    assert download.status_code == 200
    cells = _cells(b"".join(download.streaming_content).decode())
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_api_takes_no_file_uploads(police):
    """No API operation accepts multipart bodies, so no uploaded file name reaches the disk."""
    upload = io.BytesIO(b"given_names,family_name\nFatema,Begum\n")
    upload.name = "../../../../tmp/safeshare-evil.csv"
    response = Client().post(
        "/api/v1/cases",
        {"file": upload},
        headers={"Authorization": f"Bearer {police.secret}"},
    )
    assert response.status_code in (400, 415, 422)
    refused(response, response.status_code)
    from pathlib import Path

    assert not Path("/tmp/safeshare-evil.csv").exists()


# --- Injection ----------------------------------------------------------------------------------

SQL = "Robert'); DROP TABLE cases_case;--"
TEMPLATE = "{{ settings.SECRET_KEY }}{% debug %}<script>alert(1)</script>"


def test_sql_injection_is_stored_as_text(police):
    case = api.new_case(police, reference="20/99/26")
    party = api.add_party(police, case, given_names=SQL, family_name="' OR '1'='1")
    assert api.ok(police.get(f"/cases/{case['id']}"))["parties"][0]["id"] == party["id"]
    from safeshare.cases.models import Case

    assert Case.objects.count() == 1
    refused(police.get("/protections/PR-' OR '1'='1"), 404)
    analyst = api.ApiClient(Role.OVERSIGHT_ANALYST, "ASC")
    error = refused(analyst.get("/oversight/statistics/referrals", force="WMP' OR 1=1--"), 422)
    assert "force" in error["fields"]


def test_template_injection_is_shown_as_text(client, police, settings):
    case = api.new_case(police, reference="20/98/26")
    api.add_party(police, case, given_names=TEMPLATE, family_name="Begum")
    officer = make_user(Role.POLICE_OFFICER, police.organisation)
    client.force_login(officer)
    page = client.get(reverse("cases:detail", kwargs={"case_id": case["id"]}))
    assert page.status_code == 200
    html = page.content.decode()
    assert settings.SECRET_KEY not in html
    assert "<script>alert(1)</script>" not in html
    assert "{{ settings.SECRET_KEY }}" in html or "{{ settings.SECRET_KEY }}" in html.replace(
        "&#x27;", "'"
    )
