"""Clearance by probability (ADR 8): the policy's thresholds, the evidence asked for, and the
refusal of a subject too thin to search."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.cases.lifecycle import InformationSource
from safeshare.protocol.clearance import (
    ClearanceOutcome,
    EvidenceField,
    EvidenceRequest,
    FieldAgreement,
    MatchCandidate,
    MatchDecision,
    MatchOutcome,
    decide_clearance,
    ie_view,
    missing_for_search,
)
from tests.protocol.builders import POLICY_IDS, policy, snapshot

BLOCKED, HOLD, CLEAR = ClearanceOutcome
STRONG_NAME = {
    EvidenceField.NAME: FieldAgreement.EXACT,
    EvidenceField.DATE_OF_BIRTH: FieldAgreement.PARTIAL,
}


def with_probability(p: float, *, evidence=None, any_p: float | None = None, ask=()):
    candidate = MatchCandidate(
        "I1", ("P1",), p, MatchDecision.NONE, (), evidence or {}, None, probability=p
    )
    return MatchOutcome("S1", MatchDecision.NONE, (candidate,), False, "t", any_p or p, ask)


def decide(match, policy_id="mvp-2021", loaded=None):
    return decide_clearance(
        loaded or policy(policy_id),
        "removal_directions",
        match,
        {"P1": snapshot()},
        [InformationSource.IMMIGRATION_RECORDS],
    )


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_the_policy_thresholds_decide(policy_id):
    rules = policy(policy_id).clearance
    assert 0 < rules.hold_probability <= 0.5 <= rules.block_probability < 1
    below = rules.hold_probability * 0.9
    assert decide(with_probability(below), policy_id).outcome == CLEAR
    assert decide(with_probability(rules.hold_probability), policy_id).outcome == HOLD
    assert decide(with_probability(rules.block_probability), policy_id).outcome == BLOCKED


@given(st.floats(0.5, 1.0))
def test_a_probable_protected_person_is_never_cleared(p):
    for policy_id in POLICY_IDS:
        assert decide(with_probability(p), policy_id).outcome != CLEAR


def test_a_strong_name_is_left_to_the_probability():
    """The blanket name-and-date net does not hold a candidate the matcher has weighed."""
    assert decide(with_probability(0.001, evidence=STRONG_NAME)).outcome == CLEAR
    legacy = MatchCandidate("I1", ("P1",), 0.1, MatchDecision.NONE, (), STRONG_NAME, None)
    assert decide(MatchOutcome("S1", MatchDecision.NONE, (legacy,))).outcome == HOLD


def test_the_same_document_is_always_held():
    same = {EvidenceField.PASSPORT_NUMBER: FieldAgreement.EXACT}
    assert decide(with_probability(0.0001, evidence=same)).outcome == HOLD


def test_p_of_any_protected_person_holds():
    assert decide(with_probability(0.01, any_p=0.6)).outcome == HOLD


def test_a_stricter_policy_holds_more():
    loaded = policy("mvp-2021")
    strict = dataclasses.replace(
        loaded, clearance=dataclasses.replace(loaded.clearance, hold_probability=0.01)
    )
    match = with_probability(0.05)
    assert decide(match, loaded=loaded).outcome == CLEAR
    assert decide(match, loaded=strict).outcome == HOLD


def test_a_hold_for_want_of_evidence_says_what_would_settle_it():
    asked = ("date_of_birth", "passport_number")
    decision = decide(with_probability(0.3, ask=asked))
    assert decision.outcome == HOLD
    assert decision.evidence_requested == (
        EvidenceRequest.DATE_OF_BIRTH,
        EvidenceRequest.PASSPORT_NUMBER,
    )
    view = ie_view(decision)
    assert view.evidence_requested == decision.evidence_requested
    assert "a full date of birth or a passport number" in view.message
    assert any("ask again with" in reason for reason in decision.reasons)


def test_nothing_is_asked_for_when_not_held():
    decision = decide(with_probability(0.001, ask=("date_of_birth",)))
    assert decision.outcome == CLEAR
    assert decision.evidence_requested == ()


@pytest.mark.parametrize(
    ("fields", "needs_name"),
    [
        (("Ali", "", None, None, None), False),
        (("", "Khan", "", "", ""), False),
        (("", "", None, None, None), True),
        (("A", "B", None, None, None), True),
    ],
)
def test_a_subject_too_thin_to_search_needs_more(fields, needs_name):
    needed = missing_for_search(*fields)
    assert EvidenceRequest.DATE_OF_BIRTH in needed
    assert EvidenceRequest.PASSPORT_NUMBER in needed
    assert (EvidenceRequest.NAME in needed) == needs_name


@pytest.mark.parametrize(
    "fields",
    [
        ("Ali", "Khan", None, None, None),
        ("Ali", "", "1990", None, None),
        ("", "", None, "X1234567", None),
        ("", "", None, None, "K1234567"),
    ],
)
def test_a_searchable_subject_needs_nothing(fields):
    assert missing_for_search(*fields) == ()
