"""Logs: a whole scenario, run with every log line captured, leaves no protection reference,
passcode, name, date of birth or document number in them; expected refusals are one line each,
without a traceback."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from safeshare.kernel.roles import Role
from tests import api_client as api
from tests.security.conftest import PEOPLE, user_for

pytestmark = pytest.mark.django_db


def spellings_of_date(iso: str) -> list[str]:
    year, month, day = iso.split("-")
    return [iso, f"{day}/{month}/{year}", f"{year}{month}{day}"]


def test_a_whole_scenario_logs_no_personal_data_and_no_traceback_for_refusals(
    world, caplog, settings
):
    from safeshare.advice import actions as advice_actions

    settings.SAFESHARE_LOCKOUT_THRESHOLD = 2
    caplog.set_level(logging.DEBUG)
    own, other = world.own, world.other
    reference = own.protection.reference
    issued = advice_actions.do_issue_protection_letter(
        own.protection,
        own.police,
        language="en",
        delivery="handed_over",
        view_url="http://testserver/my-protection/",
    )
    # The API: a case with a person, a referral, a clearance that hits a protection, refusals.
    police, ie = api.police(), api.ie()
    case = api.new_case(police, reference="20/555/26")
    party = api.add_party(police, case, passport_number="K1234567")
    api.event(police, case, "investigation_opened")
    api.refer(police, case, party)
    api.clearance(ie, home_office_reference="X9876543")
    api.clearance(ie, date_of_birth="1991-13-14")  # refused: 422
    police.post("/cases", raw=b'{"crime_reference": "Fatema Begum"')  # malformed: 400
    police.client.get(f"/api/v1/protections/{reference}", headers=police._headers())
    police.client.get(f"/api/v1/cases/{reference}", headers=police._headers())  # 422
    Client().get("/api/v1/whoami", headers={"Authorization": f"Bearer ss_{reference}_x"})
    # Pages: another force's officer, the wrong role, a path nobody routes, a bad sign-in.
    stranger, caseworker = Client(), Client()
    stranger.force_login(user_for(Role.POLICE_OFFICER, "other"))
    caseworker.force_login(user_for(Role.IE_CASEWORKER))
    stranger.get(reverse("protocol:protection", args=[reference]))  # another force: refused
    caseworker.get(reverse("protocol:protection", args=[reference]))  # wrong role: 403
    stranger.get(f"/nowhere/{reference}/{PEOPLE['own']['family_name']}/")  # 404
    stranger.get(f"/protections/{reference}/?q=" + "x" * 9000)  # too long: 414
    for _ in range(3):
        Client().post(
            reverse("accounts:sign-in"), {"email": "fatema.begum@x.test", "password": "Begum1991"}
        )
    victim = Client()
    for passcode in ("0000 0000 0000", issued.passcode):
        victim.post(
            reverse("advice:victim-sign-in"), {"reference": reference, "passcode": passcode}
        )

    text = caplog.text
    assert caplog.records, "expected some logging"
    secrets = [
        reference,
        issued.passcode,
        issued.passcode.replace(" ", ""),
        other.protection.reference,
        "K1234567",
        "X9876543",
    ]
    for person in PEOPLE.values():
        secrets += [person["given_names"], person["family_name"]]
        secrets += spellings_of_date(person["date_of_birth"])
    for secret in secrets:
        assert secret.lower() not in text.lower(), secret
    assert "Traceback" not in text
    refusals = [r for r in caplog.records if 400 <= getattr(r, "status_code", 0) < 500]
    statuses = {r.status_code for r in refusals}
    assert {400, 403, 404, 422} <= statuses, statuses
    for record in refusals:
        assert record.exc_info is None
        assert "\n" not in record.getMessage()


def test_request_lines_name_the_route_not_the_path(client, caplog, world):
    caplog.set_level(logging.WARNING)
    caseworker = user_for(Role.IE_CASEWORKER)
    client.force_login(caseworker)
    client.get(reverse("protocol:protection", args=[world.own.protection.reference]))
    lines = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert any(
        re.search(r"Forbidden.*: GET protections/<str:reference>/$", line) for line in lines
    )
    assert not any(world.own.protection.reference in line for line in lines)


def test_a_server_error_keeps_its_traceback(caplog):
    from safeshare.web.log_filters import RequestLogFilter

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "%s: %s", ("Error", "/x"), sys.exc_info()
        )
    record.status_code = 500
    RequestLogFilter().filter(record)
    assert record.exc_info is not None
