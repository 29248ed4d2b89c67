"""Correcting and merging people (R24) through the API: a second person approves a merge; the
merged person has one protection and a clear the merge makes wrong is suspended."""

from __future__ import annotations

import datetime as dt

import pytest

from safeshare.protocol.models import Clearance, Protection
from tests import api_client as api

pytestmark = pytest.mark.django_db
OTHER_NAME = {
    "given_names": "Rukhsana",
    "family_name": "Akhtar",
    "date_of_birth": "1985-07-02",
    "nationality": "PAK",
    "sex": "female",
}


def protected_victim(police) -> tuple[dict, dict]:
    case = api.new_case(police, "20/1/26")
    party = api.add_party(police, case)
    assert api.refer(police, case, party).status_code == 201
    return case, party


def test_a_merge_needs_a_second_person_and_suspends_a_clear_it_makes_wrong():
    police, colleague, ie = api.police(), api.police(), api.ie()
    _case, victim = protected_victim(police)
    other_case = api.new_case(police, "20/2/26")
    alias = api.add_party(police, other_case, **OTHER_NAME)
    # IE screens the alias before anyone knows it is the same person: clear, action scheduled.
    body = {
        **OTHER_NAME,
        "action": "immigration_arrest_or_detention",
        "information_sources": ["police"],
        "scheduled_for": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
    }
    cleared = api.ok(ie.post("/clearances", body), 201)
    assert cleared["decision"] == "clear"

    asked = police.post(
        f"/people/{victim['person_id']}/merges",
        {"merge_with": alias["person_id"], "reason": "Same passport in both case files"},
    )
    merge = api.ok(asked, 201)
    assert merge["status"] == "pending"
    refused = police.post(f"/people/merges/{merge['id']}/approve")
    assert refused.status_code == 422
    assert "second person" in refused.content.decode()
    approved = api.ok(colleague.post(f"/people/merges/{merge['id']}/approve"))
    assert approved["status"] == "merged"

    assert Protection.objects.filter(person__public_id=victim["person_id"]).count() == 1
    assert not Protection.objects.filter(person__public_id=alias["person_id"]).exists()
    clearance = Clearance.objects.get(public_id=cleared["id"])
    assert clearance.status == Clearance.Status.SUSPENDED
    again = colleague.post(f"/people/merges/{merge['id']}/approve")
    assert again.status_code == 422


def test_a_corrected_identity_is_protected_and_suspends_a_clear():
    police, ie = api.police(), api.ie()
    _, victim = protected_victim(police)
    body = {
        **OTHER_NAME,
        "action": "immigration_arrest_or_detention",
        "information_sources": ["police"],
        "scheduled_for": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
    }
    cleared = api.ok(ie.post("/clearances", body), 201)
    added = api.ok(police.post(f"/people/{victim['person_id']}/identities", OTHER_NAME), 201)
    assert added["identities"] == 2
    assert Clearance.objects.get(public_id=cleared["id"]).status == Clearance.Status.SUSPENDED
    screened = api.ok(ie.post("/clearances", {**body, "scheduled_for": None}), 201)
    assert screened["decision"] != "clear"


def test_bad_input_and_other_forces_people_are_refused():
    police, other = api.police(), api.police("GMP")
    api.ie()  # the unit referrals go to
    _, victim = protected_victim(police)
    assert other.post(f"/people/{victim['person_id']}/identities", OTHER_NAME).status_code == 404
    assert police.post(f"/people/{victim['person_id']}/identities", {"shoe": 9}).status_code == 422
    short = police.post(
        f"/people/{victim['person_id']}/merges", {"merge_with": victim["person_id"], "reason": "x"}
    )
    assert short.status_code == 422
    same = police.post(
        f"/people/{victim['person_id']}/merges",
        {"merge_with": victim["person_id"], "reason": "The very same person"},
    )
    assert same.status_code == 422
    assert "same person" in same.content.decode()
