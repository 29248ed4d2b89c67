"""Every endpoint refuses bad input with the standard error body and stores nothing."""

from __future__ import annotations

import copy
import json

import pytest
from django.apps import apps

from tests import api_client as api

pytestmark = pytest.mark.django_db

STATE_MODELS = [
    "cases.Case",
    "cases.Party",
    "cases.CaseEvent",
    "people.Person",
    "people.Identity",
    "referrals.Referral",
    "protocol.Protection",
    "protocol.Clearance",
    "protocol.Review",
    "protocol.Override",
    "ledger.LedgerEntry",
    "matching.RegisterEntry",
]


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in STATE_MODELS}


def assert_refused(response, status: int, before: dict[str, int]) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert counts() == before
    return body["error"]


@pytest.fixture
def world():
    police, ie = api.police(), api.ie()
    case = api.new_case(police)
    party = api.add_party(police, case)
    api.event(police, case, "investigation_opened")
    return {"police": police, "ie": ie, "case": case, "party": party}


def _endpoints(world):
    case, party = world["case"], world["party"]
    valid_referral = {
        "case_id": case["id"],
        "party_id": party["id"],
        "triggers": ["safeguarding"],
        "source_of_information": "police",
        **api.BASIS,
    }
    return {
        "cases": (
            world["police"],
            "/cases",
            {"crime_reference": "20/9/26", "offence_category": "hate_crime"},
        ),
        "parties": (
            world["police"],
            f"/cases/{case['id']}/parties",
            {**api.FATEMA, "given_names": "Ana", "role": "witness"},
        ),
        "events": (world["police"], f"/cases/{case['id']}/events", {"event": "suspect_charged"}),
        "referrals": (world["police"], "/referrals", valid_referral),
        "clearances": (
            world["ie"],
            "/clearances",
            {
                **api.FATEMA,
                "given_names": "Someone",
                "action": "operational_visit",
                "information_sources": ["police"],
            },
        ),
    }


MUTATIONS = {
    "cases": [
        ("missing", "offence_category", None),
        ("enum", "offence_category", "burglary"),
        ("type", "crime_reference", ["x"]),
    ],
    "parties": [
        ("missing", "role", None),
        ("enum", "role", "bystander"),
        ("date", "date_of_birth", "14/03/1991"),
        ("date", "date_of_birth", "1991-02-30"),
        ("type", "aliases", "not a list"),
        ("extra", "crime_narrative", "text"),
    ],
    "events": [
        ("missing", "event", None),
        ("enum", "event", "arrested"),
        ("date", "occurred_on", "yesterday"),
    ],
    "referrals": [
        ("missing", "lawful_basis", None),
        ("enum", "triggers", ["curiosity"]),
        ("type", "party_id", "first"),
        ("empty", "dpia_version", ""),
        ("extra", "current_address", "1 High Street"),
    ],
    "clearances": [
        ("missing", "information_sources", None),
        ("enum", "action", "arrest"),
        ("date", "date_of_birth", "1991-13-01"),
        ("date", "scheduled_for", "soon"),
        ("enum", "information_sources", ["neighbour"]),
    ],
}
CASES = [(name, *m) for name, ms in MUTATIONS.items() for m in ms]


@pytest.mark.parametrize(
    ("endpoint", "kind", "field", "value"), CASES, ids=[f"{e}-{k}-{f}" for e, k, f, _ in CASES]
)
def test_bad_field_is_refused_and_nothing_is_stored(world, endpoint, kind, field, value):
    client, path, body = _endpoints(world)[endpoint]
    body = copy.deepcopy(body)
    if kind == "missing":
        body.pop(field)
    else:
        body[field] = value
    before = counts()
    error = assert_refused(client.post(path, body), 422, before)
    assert field in error["fields"] or field in json.dumps(error), error


@pytest.mark.parametrize("endpoint", list(MUTATIONS))
def test_malformed_json_oversize_and_wrong_token(world, endpoint):
    client, path, body = _endpoints(world)[endpoint]
    before = counts()
    error = assert_refused(client.post(path, raw=b'{"crime_reference": '), 400, before)
    assert error["message"] == "The request body is not valid JSON."
    assert_refused(client.post(path, raw=b"[1, 2, 3]"), 422, before)
    big = json.dumps({**body, "padding": "x" * (2 * 1024 * 1024)}).encode()
    assert_refused(client.post(path, raw=big), 413, before)
    wrong_role = world["ie"] if client is world["police"] else world["police"]
    assert_refused(wrong_role.post(path, body), 403, before)


def test_another_forces_case_is_not_found_and_untouched(world):
    other = api.police("GMP")
    before = counts()
    case_id = world["case"]["id"]
    assert_refused(other.get(f"/cases/{case_id}"), 404, before)
    assert_refused(
        other.post(f"/cases/{case_id}/events", {"event": "suspect_charged"}), 404, before
    )
    assert_refused(
        other.post(f"/cases/{case_id}/parties", {**api.FATEMA, "role": "victim"}), 404, before
    )
    referral = {
        "case_id": case_id,
        "party_id": world["party"]["id"],
        "triggers": ["safeguarding"],
        "source_of_information": "police",
        **api.BASIS,
    }
    assert_refused(other.post("/referrals", referral), 404, before)


def test_event_that_makes_no_sense_is_refused_with_the_reason(world):
    before = counts()
    error = assert_refused(
        world["police"].post(f"/cases/{world['case']['id']}/events", {"event": "verdict"}),
        422,
        before,
    )
    assert "event" in error["fields"]


def test_duplicate_crime_reference_in_the_same_force_is_refused(world):
    before = counts()
    body = {"crime_reference": world["case"]["crime_reference"], "offence_category": "other"}
    error = assert_refused(world["police"].post("/cases", body), 422, before)
    assert "crime_reference" in error["fields"]


def test_idempotency_key_replays_and_never_acts_twice(world):
    police = world["police"]
    body = {"crime_reference": "20/777/26", "offence_category": "modern_slavery_trafficking"}
    first = police.post("/cases", body, key="create-777")
    second = police.post("/cases", body, key="create-777")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    from safeshare.cases.models import Case

    assert Case.objects.filter(crime_reference="20/777/26").count() == 1
    before = counts()
    reused = police.post("/cases", {**body, "crime_reference": "20/778/26"}, key="create-777")
    assert_refused(reused, 422, before)


@pytest.mark.parametrize(
    "subject",
    [
        {"given_names": "Ali"},
        {"family_name": "Khan", "sex": "male", "nationality": "PAK"},
        {"given_names": "A", "family_name": "B"},
    ],
)
def test_a_subject_too_thin_to_search_is_refused_with_the_fields_it_needs(world, subject):
    """Neither clear nor hold: a clear must mean that a protected person would have been found."""
    before = counts()
    body = {"action": "operational_visit", "information_sources": ["police"], **subject}
    error = assert_refused(world["ie"].post("/clearances", body), 422, before)
    assert error["code"] == "subject_too_thin"
    assert {"date_of_birth", "passport_number", "home_office_reference"} <= set(error["fields"])
    assert "a full date of birth" in error["message"]


def test_one_name_with_a_year_of_birth_can_be_searched(world):
    body = {
        "action": "operational_visit",
        "information_sources": ["police"],
        "given_names": "Zebedee",
        "date_of_birth": "1990",
    }
    response = world["ie"].post("/clearances", body)
    assert response.status_code == 201, response.content.decode()
    assert "evidence_requested" in response.json()
