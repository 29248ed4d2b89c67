"""Every row of domain.md §8.H, as a scenario through the API (R2, R4, R9–R11, R14–R16, R19, R27).

Rows about advice and subject access (the partner-of-a-Student route and DSAR) are tested with
the advice and subject-access features.
"""

from __future__ import annotations

import pytest

from safeshare.oversight.models import Alert
from tests import api_client as api

pytestmark = pytest.mark.django_db


@pytest.fixture
def police():
    return api.police()


@pytest.fixture
def ie():
    return api.ie()


def referred_victim(police, ie, reference="20/1001/26", **identity):
    case = api.new_case(police, reference)
    party = api.add_party(police, case, **identity)
    api.event(police, case, "investigation_opened")
    referral = api.ok(api.refer(police, case, party), 201)
    return case, party, referral


def protection_status(police, reference: str) -> str:
    return api.ok(police.get(f"/protections/{reference}"))["status"]


def test_victim_in_two_cases_stays_protected_when_one_ends(police, ie):
    first, party, referral = referred_victim(police, ie, "20/1001/26")
    second = api.new_case(police, "20/1002/26", "sexual_offences")
    api.ok(
        police.post(
            f"/cases/{second['id']}/parties", {"role": "victim", "person_id": party["person_id"]}
        ),
        201,
    )
    api.event(police, second, "investigation_opened")
    api.event(police, first, "no_further_action")
    reference = referral["protection_reference"]
    assert protection_status(police, reference) == "active"
    assert api.ok(api.clearance(ie), 201)["decision"] == "blocked"
    api.event(police, second, "no_further_action")
    assert protection_status(police, reference) == "transition"
    assert api.ok(api.clearance(ie), 201)["decision"] == "blocked"


def test_case_closed_then_reopened_reactivates_protection(police, ie):
    case, _party, referral = referred_victim(police, ie)
    reference = referral["protection_reference"]
    api.event(police, case, "no_further_action")
    assert protection_status(police, reference) == "transition"
    api.event(police, case, "case_reopened")
    assert protection_status(police, reference) == "active"


def test_victim_withdrawing_support_goes_to_transition_not_enforcement(police, ie):
    case, _party, referral = referred_victim(police, ie)
    api.event(police, case, "victim_withdrew_support")
    status = protection_status(police, referral["protection_reference"])
    assert status in {"active", "transition"}
    assert api.ok(api.clearance(ie), 201)["decision"] == "blocked"
    events = api.ok(police.get(f"/cases/{case['id']}"))["events"]
    assert "victim_withdrew_support" in [e["event"] for e in events]


def test_victim_also_suspect_elsewhere_stays_protected(police, ie):
    _case, _party, referral = referred_victim(police, ie)
    assault = api.new_case(police, "20/2002/26", "violence_against_the_person")
    api.add_party(police, assault, role="suspect")
    api.event(police, assault, "investigation_opened")
    api.event(police, assault, "suspect_charged")  # the criminal process continues
    assert protection_status(police, referral["protection_reference"]) == "active"
    assert api.ok(api.clearance(ie), 201)["decision"] == "blocked"


def test_witness_only_is_protected_under_the_default_policy(police, ie):
    case = api.new_case(police)
    witness = api.add_party(
        police,
        case,
        role="witness",
        given_names="Ana",
        family_name="Popescu",
        nationality="ROU",
        date_of_birth="1988-07-02",
    )
    api.event(police, case, "investigation_opened")
    referral = api.ok(api.refer(police, case, witness), 201)
    assert referral["protection_reference"]
    decision = api.clearance(
        ie, given_names="Ana", family_name="Popescu", nationality="ROU", date_of_birth="1988-07-02"
    )
    assert api.ok(decision, 201)["decision"] == "blocked"


@pytest.mark.parametrize(
    "spelling",
    [
        {"given_names": "Mst Fatimma", "family_name": "Begom"},
        {"given_names": "Begum", "family_name": "Fatema"},
        {"given_names": "Fatema", "family_name": "Begum", "date_of_birth": "1991-14-03"},
        {"given_names": "Fatema", "family_name": "Begum", "date_of_birth": "1991-03-15"},
        {
            "given_names": "Fatima",
            "family_name": "Begum",
            "date_of_birth": None,
            "nationality": "Bangladeshi",
        },
    ],
    ids=["transliteration", "order-swapped", "day-month-swapped", "one-day-off", "name-only"],
)
def test_aliases_and_transliterations_are_blocked_or_held(police, ie, spelling):
    referred_victim(police, ie)
    if spelling.get("date_of_birth") == "1991-14-03":
        spelling = {**spelling, "date_of_birth": "1991-12-03"}
    response = api.ok(api.clearance(ie, **spelling), 201)
    assert response["decision"] in {"blocked", "hold"}


def test_existing_removal_directions_are_suspended_when_protection_starts(police, ie):
    cleared = api.ok(
        api.clearance(ie, action="removal_directions", scheduled_for="2099-01-01"), 201
    )
    assert cleared["decision"] == "clear"
    referred_victim(police, ie)
    after = api.ok(ie.get(f"/clearances/{cleared['id']}"))
    assert after["status"] == "suspended"
    assert Alert.objects.filter(kind=Alert.Kind.SCHEDULED_ACTION_SUSPENDED).exists()


def test_tip_off_from_ex_partner_alone_enables_nothing(ie):
    response = api.ok(
        api.clearance(
            ie, given_names="Someone", family_name="Unrelated", sources=["alleged_perpetrator"]
        ),
        201,
    )
    assert response["decision"] == "blocked"
    corroborated = api.ok(
        api.clearance(
            ie,
            given_names="Someone",
            family_name="Unrelated",
            sources=["alleged_perpetrator", "immigration_records"],
        ),
        201,
    )
    assert corroborated["decision"] == "clear"


def test_refused_application_with_appeal_pending_keeps_protection(police, ie):
    case, _party, referral = referred_victim(police, ie)
    reference = referral["protection_reference"]
    for status in ("application_pending", "decided_refuse", "appeal_pending"):
        api.ok(police.post(f"/protections/{reference}/regularisation", {"status": status}))
    api.event(police, case, "no_further_action")
    assert protection_status(police, reference) == "active"


def test_dependent_child_is_protected_as_dependant(police, ie):
    case = api.new_case(police)
    child = api.add_party(
        police,
        case,
        role="dependant",
        given_names="Rahim",
        family_name="Begum",
        date_of_birth="2016-05-09",
    )
    api.event(police, case, "investigation_opened")
    referral = api.ok(api.refer(police, case, child), 201)
    assert referral["protection_reference"]
    decision = api.clearance(
        ie, given_names="Rahim", family_name="Begum", date_of_birth="2016-05-09"
    )
    assert api.ok(decision, 201)["decision"] == "blocked"


def test_positive_reasonable_grounds_sets_the_recovery_period_flag(police, ie):
    case, _party, referral = referred_victim(police, ie)
    reference = referral["protection_reference"]
    api.ok(
        police.post(
            f"/protections/{reference}/nrm-decision", {"stage": "positive_reasonable_grounds"}
        )
    )
    api.event(police, case, "no_further_action")
    assert protection_status(police, reference) == "active"
    assert api.ok(api.clearance(ie, action="removal_directions"), 201)["decision"] == "blocked"


def test_firewall_mode_makes_an_outbound_ie_message_impossible(police, ie, settings):
    settings.SAFESHARE_POLICY = "firewall"
    case = api.new_case(police)
    party = api.add_party(police, case)
    assert party["protection"] is not None, "the firewall protects every registered victim"
    response = api.refer(police, case, party)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "referral_refused"
    from safeshare.referrals.models import Referral

    assert not Referral.objects.exists()
    assert api.ok(api.clearance(ie), 201)["decision"] == "blocked"
