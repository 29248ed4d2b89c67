"""The matching service passes per-field evidence and the matcher's probability on. Since ADR 8
names and dates are decided by that probability against the policy's thresholds; the same
document is held whatever the probability (invariant 1, independent of the model's weights)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.matching.compare import LEVELS
from safeshare.matching.matcher import CandidateScore, FieldComparison, MatchResult
from safeshare.protocol.clearance import (
    ClearanceOutcome,
    EvidenceField,
    FieldAgreement,
    ProtectionSnapshot,
    decide_clearance,
)
from safeshare.protocol.policy import available_policies, load_policy
from safeshare.protocol.protection import ProtectionStatus
from safeshare.register.service import evidence_of, outcome_from_result

STRONG_NAMES = ["exact", "all_phonetic", "all_fuzzy"]
CONFLICTING_DATES = [
    "same_year",
    "year_near",
    "diff",
    "partial_diff",
]  # different day and month, or years
NON_CONFLICTING_DATES = [lvl for lvl in LEVELS["dob"] if lvl not in CONFLICTING_DATES] + [
    "missing"
]


def scored(name: str, dob: str, decision: str = "none", weight: float = -20.0) -> MatchResult:
    candidate = CandidateScore(
        register_id=7,
        weight=weight,
        probability=1.0 / (1.0 + 2.0**-weight),
        decision=decision,
        fields=(FieldComparison("name", name, 0.0), FieldComparison("dob", dob, 0.0)),
    )
    return MatchResult(
        decision=decision,
        best_weight=weight,
        candidates=(candidate,),
        reasons=(),
        candidates_considered=1,
        model_version="test",
        probability=candidate.probability,
    )


def decide(result: MatchResult, policy_id: str) -> ClearanceOutcome:
    outcome = outcome_from_result("subject", result, {7: ["1"]})
    snapshots = {"1": ProtectionSnapshot("1", "PR-TEST", ProtectionStatus.ACTIVE, "contact")}
    return decide_clearance(
        load_policy(policy_id), "removal_directions", outcome, snapshots, ["police"]
    ).outcome


@pytest.mark.parametrize("policy_id", available_policies())
@given(name=st.sampled_from(STRONG_NAMES), dob=st.sampled_from(NON_CONFLICTING_DATES))
def test_strong_name_agreement_is_decided_by_probability(policy_id, name, dob):
    """A strong name with a consistent date is no longer held whatever the score (ADR 8 replaces
    ADR 6's blanket net): held from the policy's hold probability, cleared well below it."""
    assert decide(scored(name, dob), policy_id) == ClearanceOutcome.CLEAR
    assert decide(scored(name, dob, "possible", weight=0.0), policy_id) == ClearanceOutcome.HOLD


@pytest.mark.parametrize("policy_id", available_policies())
@given(name=st.sampled_from(STRONG_NAMES), dob=st.sampled_from(CONFLICTING_DATES))
def test_the_same_name_with_another_date_of_birth_is_left_to_the_matcher(policy_id, name, dob):
    """The hard negative of a common name: the safety net does not hold it, the score decides."""
    assert decide(scored(name, dob), policy_id) == ClearanceOutcome.CLEAR
    assert decide(scored(name, dob, "possible", 3.0), policy_id) == ClearanceOutcome.HOLD


@pytest.mark.parametrize("policy_id", available_policies())
def test_a_conflicting_date_and_weak_name_can_be_cleared(policy_id):
    assert decide(scored("one", "diff"), policy_id) == ClearanceOutcome.CLEAR


@pytest.mark.parametrize(
    ("field", "level", "expected"),
    [
        ("name", "exact", (EvidenceField.NAME, FieldAgreement.EXACT)),
        ("name", "all_fuzzy", (EvidenceField.NAME, FieldAgreement.EQUIVALENT)),
        ("name", "one", (EvidenceField.NAME, FieldAgreement.PARTIAL)),
        ("name", "none", (EvidenceField.NAME, FieldAgreement.CONFLICT)),
        ("dob", "exact", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.EXACT)),
        ("dob", "partial_same_year", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.PARTIAL)),
        ("dob", "partial_year_far", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.PARTIAL)),
        ("dob", "one_edit", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.PARTIAL)),
        ("dob", "day_month_year_near", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.PARTIAL)),
        ("dob", "same_year", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.CONFLICT)),
        ("dob", "year_near", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.CONFLICT)),
        ("dob", "diff", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.CONFLICT)),
        ("dob", "missing", (EvidenceField.DATE_OF_BIRTH, FieldAgreement.ABSENT)),
        ("passport", "one_edit", (EvidenceField.PASSPORT_NUMBER, FieldAgreement.PARTIAL)),
        ("nationality", "disagree", (EvidenceField.NATIONALITY, FieldAgreement.CONFLICT)),
    ],
)
def test_matcher_levels_read_as_evidence(field, level, expected):
    probe = CandidateScore(7, 0.0, 0.0, "none", (FieldComparison(field, level, 0.0),))
    assert evidence_of(probe) == dict([expected])


def test_every_matcher_level_is_understood():
    for field, levels in LEVELS.items():
        for level in (*levels, "missing"):
            probe = CandidateScore(7, 0.0, 0.0, "none", (FieldComparison(field, level, 0.0),))
            evidence = evidence_of(probe)
            if field == "address":
                assert evidence == {}
            else:
                assert len(evidence) == 1
