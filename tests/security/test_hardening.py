"""Hardening: transport and cookie settings, CSP, staff session time-out, brute-force lockout on
every sign-in (staff, victims, API), scoped tokens, and logs without personal data."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from safeshare.accounts import actions
from safeshare.accounts.middleware import LAST_SEEN_KEY
from safeshare.kernel.roles import Role, Scope
from tests import api_client as api
from tests.accounts.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


# --- Transport, cookies, CSP --------------------------------------------------------------------


def test_hsts_is_sent_over_https(client):
    response = client.get(reverse("web:accessibility"), secure=True)
    header = response["Strict-Transport-Security"]
    assert "includeSubDomains" in header
    max_age = int(header.split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000


def test_the_session_cookie_is_secure_http_only_and_same_site(client):
    user = make_user(Role.POLICE_OFFICER)
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_the_content_security_policy_is_strict(client):
    policy = client.get(reverse("accounts:sign-in"))["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert "'nonce-" in directives["script-src"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_api_responses_are_not_framed_or_sniffed():
    response = api.police().get("/whoami")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


# --- Staff session time-out ---------------------------------------------------------------------


def test_staff_are_signed_out_after_a_period_without_activity(client, settings):
    settings.SAFESHARE_STAFF_SESSION_MINUTES = 30
    client.force_login(make_user(Role.POLICE_OFFICER))
    assert client.get(reverse("web:home")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))
    assert client.get(reverse("web:home")).status_code == 302


# --- Lockout on every sign-in -------------------------------------------------------------------


def test_staff_sign_in_locks_after_repeated_failures(client, settings):
    settings.SAFESHARE_LOCKOUT_THRESHOLD = 3
    user = make_user(Role.PROTOCOL_OFFICER)
    for _ in range(3):
        response = client.post(
            reverse("accounts:sign-in"), {"email": user.email, "password": "wrong password!"}
        )
        assert response.status_code == 400
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert "too many attempts" in response.content.decode()


def test_victim_sign_in_locks_after_repeated_failures(client):
    from safeshare.advice import actions as advice_actions
    from tests.security.conftest import ChosenMatcher, _side

    side = _side("own", ChosenMatcher())
    issued = advice_actions.do_issue_protection_letter(
        side.protection,
        side.police,
        language="en",
        delivery="handed_over",
        view_url="http://testserver/my-protection/",
    )
    wrong = "0000 0000 0000" if issued.passcode != "0000 0000 0000" else "1111 1111 1111"
    url = reverse("advice:victim-sign-in")
    statuses = [
        client.post(url, {"reference": side.protection.reference, "passcode": wrong}).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    right = client.post(url, {"reference": side.protection.reference, "passcode": issued.passcode})
    assert right.status_code == 429


# Wrong API tokens are counted per token, never per address alone: tests/security/test_lockouts.py


# --- Scoped tokens ------------------------------------------------------------------------------


def test_a_token_cannot_have_scopes_beyond_its_role():
    from django.core.exceptions import ValidationError

    from tests.accounts.factories import organisation_for

    with pytest.raises(ValidationError):
        actions.do_create_api_token(
            organisation=organisation_for(Role.IE_CASEWORKER),
            role=Role.IE_CASEWORKER,
            name="too much",
            scopes=[Scope.CASES_READ],
            system_name="Case system",
            system_owner=make_user(Role.IE_CASEWORKER),
        )


def test_a_revoked_token_stops_working():
    client = api.police()
    assert client.get("/whoami").status_code == 200
    from safeshare.accounts.models import ApiToken

    actions.do_revoke_api_token(ApiToken.objects.get(organisation=client.organisation))
    assert client.get("/whoami").status_code == 401


# --- Logs ---------------------------------------------------------------------------------------

PERSONAL = ["Fatema", "Begum", "1991-03-14", "K1234567", "X9876543"]


def test_logs_carry_no_personal_data(caplog, client):
    caplog.set_level(logging.DEBUG)
    police, ie = api.police(), api.ie()
    case = api.new_case(police)
    party = api.add_party(police, case, passport_number="K1234567")
    api.event(police, case, "investigation_opened")
    api.refer(police, case, party)
    api.clearance(ie, home_office_reference="X9876543")
    api.clearance(ie, date_of_birth="1991-13-14")  # refused: logged as a 422
    police.post("/cases", raw=b'{"crime_reference": "Fatema Begum"')  # malformed
    client.post(reverse("accounts:sign-in"), {"email": "fatema@x.test", "password": "Begum"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "expected some logging"
    for value in PERSONAL:
        assert value not in text, value


def test_structured_logs_are_one_json_object_a_line_with_the_request_id():
    from safeshare.operations.logs import JsonFormatter, RequestIdFilter, bind_request_id

    record = logging.LogRecord(
        "safeshare.x", logging.WARNING, __file__, 1, "Refused %s", ("x",), None
    )
    with bind_request_id("req-12345678"):
        RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "Refused x"
    assert entry["request_id"] == "req-12345678"
    assert entry["level"] == "WARNING"


def test_structured_logs_drop_exception_messages():
    import sys

    from safeshare.operations.logs import JsonFormatter

    name = "".join(["Fat", "ema"])
    try:
        raise ValueError(f"duplicate key value (given_names)=({name})")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exception"]["type"] == "builtins.ValueError"
    assert "raise ValueError" in entry["exception"]["stack"]
    assert name not in json.dumps(entry)
