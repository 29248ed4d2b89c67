"""Strict input: invalid UTF-8 and NUL refused on every input path with the standard error body,
duplicate JSON keys refused, every refusal a 4xx, over-long addresses answered 414 properly."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from safeshare.kernel.roles import Role
from safeshare.web.strict_input import (
    MAX_URL_LENGTH,
    DuplicateKeyError,
    InputProblem,
    check_urlencoded,
    refuse_duplicate_keys,
)
from tests import api_client as api
from tests.accounts.factories import make_user

STATE = ["cases.Case", "cases.Party", "people.Person", "protocol.Clearance", "ledger.LedgerEntry"]


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in STATE}


def refused(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content.decode(errors="replace")[:500]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert body["error"]["request_id"] == response["X-Request-Id"]
    return body["error"]


def govuk_refusal(response, status: int = 400) -> str:
    assert response.status_code == status, response.status_code
    page = response.content.decode()
    assert "govuk-template" in page
    return page


# --- Pure checks --------------------------------------------------------------------------------


@given(st.text())
def test_any_text_without_nul_passes_the_urlencoded_check(text):
    from urllib.parse import quote_plus

    if "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return
    check_urlencoded(f"field={quote_plus(text)}&{quote_plus(text)}=x".encode(), "The form")


@given(st.binary(min_size=1))
def test_bytes_that_are_not_utf8_are_refused(raw):
    from urllib.parse import quote_from_bytes

    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        with pytest.raises(InputProblem):
            check_urlencoded(b"a=" + quote_from_bytes(raw).encode(), "The form")


def test_a_key_given_twice_is_refused_and_distinct_keys_pass():
    assert refuse_duplicate_keys([("a", 1), ("b", 2)]) == {"a": 1, "b": 2}
    with pytest.raises(DuplicateKeyError):
        refuse_duplicate_keys([("a", 1), ("a", 2)])


# --- The API ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_json_keys_are_refused_and_nothing_is_stored():
    police = api.police()
    before = counts()
    body = b'{"crime_reference": "20/1/26", "offence_category": "other", "crime_reference": "x"}'
    error = refused(police.post("/cases", raw=body))
    assert "more than once" in error["message"]
    assert "crime_reference" in error["message"]
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "reason"),
    [("q=%FF%FE", "UTF-8"), ("q=a%00b", "NUL"), ("%C3=1", "UTF-8"), ("page=1&x=%80", "UTF-8")],
)
def test_a_bad_query_string_on_the_api_is_refused(query, reason):
    police = api.police()
    error = refused(police.client.get(f"/api/v1/cases?{query}", headers=police._headers()), 400)
    assert reason.lower() in error["message"].lower()


@pytest.mark.django_db
def test_a_bad_path_on_the_api_is_refused():
    police = api.police()
    error = refused(police.client.get("/api/v1/cases/%FF", headers=police._headers()))
    assert "utf-8" in error["message"].lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("HTTP_IDEMPOTENCY_KEY", "key\x00one"),
        ("HTTP_IDEMPOTENCY_KEY", "cl\xe9\xff"),
        ("HTTP_USER_AGENT", "agent\x00"),
    ],
)
def test_bad_headers_on_the_api_are_refused(header, value):
    police = api.police()
    before = counts()
    response = police.client.post(
        "/api/v1/cases",
        '{"crime_reference": "20/2/26", "offence_category": "other"}',
        content_type="application/json",
        headers=police._headers(),
        **{header: value},
    )
    refused(response)
    assert counts() == before


@pytest.mark.django_db
def test_an_over_long_address_gets_the_standard_body_on_the_api():
    police = api.police()
    error = refused(
        police.client.get("/api/v1/cases?q=" + "a" * MAX_URL_LENGTH, headers=police._headers()),
        414,
    )
    assert error["code"] == "uri_too_long"


# --- Pages --------------------------------------------------------------------------------------


@pytest.fixture
def officer_client(db):
    client = Client()
    client.force_login(make_user(Role.POLICE_OFFICER))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"crime_reference=20%2F3%2F26%FF&offence_category=other",  # percent-encoded bad byte
        b"crime_reference=20/3/26\xff\xfe&offence_category=other",  # raw bad bytes
        b"crime_reference=20%2F3%00%2F26&offence_category=other",  # NUL
    ],
)
def test_a_bad_form_on_a_page_is_refused_and_nothing_is_stored(officer_client, body):
    before = counts()
    response = officer_client.post(
        reverse("cases:create"), body, content_type="application/x-www-form-urlencoded"
    )
    govuk_refusal(response)
    assert counts() == before


@pytest.mark.django_db
def test_a_bad_multipart_field_on_a_page_is_refused(officer_client):
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="crime_reference"\r\n\r\n'
        ).encode()
        + b"20/4/26\xff"
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="offence_category"\r\n\r\n'
            f"other\r\n--{boundary}--\r\n"
        ).encode()
    )
    before = counts()
    response = officer_client.post(
        reverse("cases:create"), body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    govuk_refusal(response)
    assert counts() == before


@pytest.mark.django_db
def test_a_bad_query_string_on_a_page_is_refused(officer_client):
    govuk_refusal(officer_client.get(reverse("cases:list") + "?page=%FF"))


@pytest.mark.django_db
def test_an_over_long_address_gets_a_govuk_page(officer_client):
    page = govuk_refusal(
        officer_client.get(reverse("cases:list") + "?q=" + "a" * MAX_URL_LENGTH), 414
    )
    assert "too long" in page


@pytest.mark.django_db
def test_a_form_the_page_refuses_answers_400_not_200(officer_client):
    before = counts()
    response = officer_client.post(reverse("cases:create"), {"crime_reference": ""})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_a_refused_upload_answers_4xx(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user(Role.IE_CASEWORKER))
    upload = SimpleUploadedFile("caseload.txt", b"not a caseload", content_type="text/plain")
    response = client.post(reverse("matching:sweep-new"), {"caseload": upload})
    assert 400 <= response.status_code < 500
    assert "govuk-error-summary" in response.content.decode()
