"""Override rules: named exceptions, reasons, four eyes and a senior approver (R7, R13, N5)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.protocol.clearance import ClearanceOutcome, MatchDecision, decide_clearance
from safeshare.protocol.overrides import (
    Approval,
    ImmigrationStatusOffence,
    OverrideRefused,
    OverrideRequest,
    SuspectedOffence,
    approve_override,
    check_approval,
    is_immigration_status_offence,
    validate_override_request,
)
from safeshare.protocol.policy import ExceptionCategory, Jurisdiction
from tests.protocol.builders import (
    POLICY_IDS,
    candidate,
    derived_policy,
    outcome,
    policy,
    snapshot,
)

REASONS = "Charged with wounding with intent; victim of that assault is at continuing risk."
ASSAULT = SuspectedOffence("wounding_with_intent", "Wounding with intent (s.18 OAPA 1861)", True)
CONVICTION = SuspectedOffence("robbery", "Robbery, 4 years' imprisonment", True, convicted=True)
C = ExceptionCategory


def request(**changes):
    base = OverrideRequest(
        action_code="removal_directions",
        subject_ref="S1",
        protection_ids=("P1",),
        category=C.SUSPECT_IN_PUBLIC_PROTECTION_OFFENCE,
        reasons=REASONS,
        requested_by="caseworker-1",
        offences=(ASSAULT,),
    )
    return dataclasses.replace(base, **changes)


def approval(**changes):
    base = Approval(
        approved_by="senior-2",
        approver_role="ie_senior_approver",
        reasons="Reviewed the charge file and risk assessment; exception applies.",
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize(
    ("category", "offences"),
    [
        (C.SUSPECT_IN_PUBLIC_PROTECTION_OFFENCE, (ASSAULT,)),
        (C.FOREIGN_NATIONAL_OFFENDER, (CONVICTION,)),
        (C.NATIONAL_SECURITY_OR_PUBLIC_PROTECTION, ()),
    ],
)
def test_a_well_formed_request_is_valid(policy_id, category, offences):
    assessment = validate_override_request(
        policy(policy_id), request(category=category, offences=offences)
    )
    assert assessment.valid, assessment.problems
    assert assessment.policy_id == policy_id


@pytest.mark.parametrize("offence", list(ImmigrationStatusOffence))
@pytest.mark.parametrize(
    "category", [C.SUSPECT_IN_PUBLIC_PROTECTION_OFFENCE, C.FOREIGN_NATIONAL_OFFENDER]
)
def test_immigration_status_offences_never_qualify(offence, category):
    """N5."""
    relied_on = SuspectedOffence(str(offence), "", True, convicted=True)
    assessment = validate_override_request(
        policy("mvp-2021"), request(category=category, offences=(relied_on,))
    )
    assert not assessment.valid
    assert any("N5" in problem for problem in assessment.problems)
    assert any("disregarded" in flag for flag in assessment.reviewer_flags)


@pytest.mark.parametrize(
    "description",
    [
        "Overstayed visa by two years",
        "Working illegally in a nail bar",
        "Illegal entry into the UK",
        "illegal_working",
        "Entered the UK without leave",
        "Breach of conditions of leave",
        "Remaining unlawfully after refusal",
        "Illegal arrival by small boat",
        "Immigration offence",
    ],
)
def test_immigration_status_offences_are_recognised_from_free_text(description):
    assert is_immigration_status_offence(SuspectedOffence("other", description, True))


@pytest.mark.parametrize(
    "description",
    ["Wounding with intent", "Robbery", "Breach of a non-molestation order", "Arson"],
)
def test_other_offences_are_not_mistaken_for_immigration_offences(description):
    assert not is_immigration_status_offence(SuspectedOffence("other", description, True))


def test_the_suspect_exception_needs_a_public_protection_link():
    unlinked = SuspectedOffence("theft", "Shoplifting", linked_to_public_protection=False)
    assessment = validate_override_request(policy("mvp-2021"), request(offences=(unlinked,)))
    assert not assessment.valid


def test_the_fno_exception_needs_a_conviction():
    assessment = validate_override_request(
        policy("mvp-2021"), request(category=C.FOREIGN_NATIONAL_OFFENDER, offences=(ASSAULT,))
    )
    assert not assessment.valid


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"reasons": "risk"}, "at least 40 characters"),
        ({"category": "gut_feeling"}, "not an exception category"),
        ({"action_code": "tea"}, "not on the enforcement action list"),
        ({"protection_ids": ()}, "protection"),
        ({"requested_by": ""}, "who is asking"),
        ({"subject_ref": " "}, "subject"),
    ],
)
def test_incomplete_requests_are_refused_with_a_reason(changes, problem):
    assessment = validate_override_request(policy("mvp-2021"), request(**changes))
    assert not assessment.valid
    assert any(problem in p for p in assessment.problems), assessment.problems


def test_a_category_the_policy_does_not_permit_is_refused(tmp_path):
    narrow = derived_policy(
        tmp_path, "mvp-2021", "narrow", ('    "foreign_national_offender",\n', "")
    )
    assessment = validate_override_request(
        narrow, request(category=C.FOREIGN_NATIONAL_OFFENDER, offences=(CONVICTION,))
    )
    assert not assessment.valid
    assert any("does not permit" in p for p in assessment.problems)


@pytest.mark.parametrize(
    ("jurisdiction", "law"),
    [
        (Jurisdiction.ENGLAND_WALES, "Modern Slavery Act 2015, s.45"),
        (Jurisdiction.SCOTLAND, "(Scotland) Act 2015, s.8"),
        (Jurisdiction.NORTHERN_IRELAND, "(Northern Ireland) 2015, s.22"),
    ],
)
def test_modern_slavery_indicators_are_flagged_with_the_statutory_defence(jurisdiction, law):
    """R13."""
    flagged = request(modern_slavery_indicators=True, jurisdiction=jurisdiction)
    assessment = validate_override_request(policy("mvp-2021"), flagged)
    assert any(law in flag for flag in assessment.reviewer_flags)
    assert not validate_override_request(policy("mvp-2021"), request()).reviewer_flags


@pytest.mark.parametrize(
    ("request_changes", "approval_changes", "problem"),
    [
        ({}, {"approved_by": "caseworker-1"}, "different person"),
        ({}, {"approver_role": "ie_caseworker"}, "senior role"),
        ({}, {"approver_role": "police_officer"}, "senior role"),
        ({}, {"reasons": "ok"}, "explain the decision"),
        ({}, {"approved_by": ""}, "who is approving"),
        ({"modern_slavery_indicators": True}, {}, "statutory defence"),
    ],
)
def test_approval_needs_a_second_senior_person(request_changes, approval_changes, problem):
    """R7(c)."""
    problems = check_approval(
        policy("mvp-2021"), request(**request_changes), approval(**approval_changes)
    )
    assert any(problem in p for p in problems), problems
    with pytest.raises(OverrideRefused):
        approve_override(
            policy("mvp-2021"), request(**request_changes), approval(**approval_changes), "OV-1"
        )


@pytest.mark.parametrize("role", ["ie_senior_approver", "protocol_officer"])
def test_an_approved_override_clears_exactly_its_action(role):
    approved = approve_override(
        policy("mvp-2021"), request(), approval(approver_role=role), "OV-7"
    )
    assert approved.protection_ids == {"P1"}
    assert approved.policy_version == policy("mvp-2021").version
    match = outcome(MatchDecision.MATCH, candidate())
    cleared = decide_clearance(
        policy("mvp-2021"), "removal_directions", match, {"P1": snapshot()}, ["police"], approved
    )
    assert cleared.outcome == ClearanceOutcome.CLEAR
    assert cleared.override_id == "OV-7"
    other = decide_clearance(
        policy("mvp-2021"), "operational_visit", match, {"P1": snapshot()}, ["police"], approved
    )
    assert other.outcome == ClearanceOutcome.BLOCKED


def test_a_modern_slavery_override_needs_the_defence_considered():
    flagged = request(modern_slavery_indicators=True)
    approved = approve_override(
        policy("mvp-2021"), flagged, approval(statutory_defence_considered=True), "OV-8"
    )
    assert approved.override_id == "OV-8"


@given(
    person=st.text(min_size=1, max_size=12).filter(str.strip),
    role=st.sampled_from(["ie_senior_approver", "protocol_officer", "ie_caseworker"]),
    policy_id=st.sampled_from(POLICY_IDS),
)
def test_a_single_person_can_never_override(person, role, policy_id):
    """R7: a single user cannot override, whatever their role."""
    with pytest.raises(OverrideRefused, match="different person"):
        approve_override(
            policy(policy_id),
            request(requested_by=person),
            approval(approved_by=person, approver_role=role),
            "OV-9",
        )
