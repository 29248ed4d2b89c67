"""The whole loop of the issue's "done when", through the actions layer."""

import pytest

from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Protection
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


def test_refer_clear_review_block_and_transition():
    officer = h.police()
    caseworker = h.ie()
    case = h.new_case(officer)
    party = h.add_victim(case, officer)
    h.event(case, officer, "investigation_opened")
    referral = h.refer(party, officer)
    protection = Protection.objects.get(person=party.person)
    assert protection.status == "active"
    assert referral.protection == protection
    assert "crime_narrative" not in referral.payload

    result = h.clearance(
        caseworker, given_names="Mst Fatimma", family_name="Begom", date_of_birth="1991-03-14"
    )
    assert result.clearance.decision in {"blocked", "hold"}

    held = h.clearance(
        caseworker,
        given_names="Fatema",
        family_name="Khatun",  # one name in common and a placeholder date: a possible match
        date_of_birth="1991-01-01",
        nationality="Bangladeshi",
    )
    assert held.clearance.decision == "hold"
    if held.clearance.decision == "hold":
        review = held.clearance.reviews.get()
        protocol = h.actor(Role.PROTOCOL_OFFICER, "WMP")
        protocol_actions.do_resolve_review(
            review,
            protocol,
            verdict="same_person",
            reasons="Same date of arrival and same force case.",
        )
        held.clearance.refresh_from_db()
        assert held.clearance.decision == "blocked"

    h.event(case, officer, "suspect_charged")
    h.event(case, officer, "prosecution_started")
    h.event(case, officer, "trial_started")
    h.event(case, officer, "verdict")
    h.event(case, officer, "sentenced")
    h.event(case, officer, "case_concluded")
    protection.refresh_from_db()
    assert protection.status == "transition", protection.status_reasons
    still_blocked = h.clearance(caseworker)
    assert still_blocked.clearance.decision == "blocked"
    assert LedgerEntry.objects.count() > 5


def test_override_after_a_confirmed_match_keeps_the_verdict():
    officer, caseworker = h.police(), h.ie()
    senior = h.actor(Role.IE_SENIOR_APPROVER, "IE-NCCU")
    case = h.new_case(officer)
    party = h.add_victim(case, officer)
    h.event(case, officer, "investigation_opened")
    h.refer(party, officer)
    held = h.clearance(
        caseworker,
        given_names="Fatema",
        family_name="Khatun",  # one name in common and a placeholder date: a possible match
        date_of_birth="1991-01-01",
        nationality="Bangladeshi",
    ).clearance
    assert held.decision == "hold"
    protocol = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    protocol_actions.do_resolve_review(
        held.reviews.get(),
        protocol,
        verdict="same_person",
        reasons="Same arrival record and same force case.",
    )
    held.refresh_from_db()
    assert held.decision == "blocked"
    assert held.ie_protection_reference
    override = protocol_actions.do_request_override(
        held,
        caseworker,
        category="national_security_or_public_protection",
        reasons="Intelligence indicates a serious and immediate public-protection risk.",
    )
    protocol_actions.do_decide_override(
        override,
        senior,
        approve=True,
        reasons="Reviewed the intelligence report and the protection record in full.",
    )
    held.refresh_from_db()
    assert held.decision == "clear", held.reasons
    assert "override" in held.ie_message


def test_not_the_same_person_clears_and_is_remembered():
    officer, caseworker = h.police(), h.ie()
    case = h.new_case(officer)
    party = h.add_victim(case, officer)
    h.event(case, officer, "investigation_opened")
    h.refer(party, officer)
    held = h.clearance(
        caseworker,
        given_names="Fatema",
        family_name="Khatun",  # one name in common and a placeholder date: a possible match
        date_of_birth="1991-01-01",
        nationality="Bangladeshi",
    ).clearance
    protocol = h.actor(Role.PROTOCOL_OFFICER, "WMP")
    protocol_actions.do_resolve_review(
        held.reviews.get(),
        protocol,
        verdict="not_same_person",
        reasons="Different arrival date and different parents.",
    )
    held.refresh_from_db()
    assert held.decision == "clear", held.reasons
    assert not held.reviews.filter(status="open").exists()
