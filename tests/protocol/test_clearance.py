"""Clearance decisions (invariant 1, R4, R19, R27, R32) and what IE sees (R18)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.cases.lifecycle import InformationSource
from safeshare.protocol.clearance import (
    ClearanceOutcome,
    EvidenceField,
    FieldAgreement,
    IEClearanceView,
    MatchCandidate,
    MatchDecision,
    MatchOutcome,
    ReviewVerdict,
    decide_clearance,
    ie_view,
)
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.overrides import ApprovedOverride
from safeshare.protocol.policy import ExceptionCategory
from safeshare.protocol.protection import ProtectionStatus
from tests.protocol.builders import (
    POLICY_IDS,
    all_policies,
    candidate,
    derived_policy,
    outcome,
    policy,
    snapshot,
)

BLOCKED, HOLD, CLEAR = ClearanceOutcome
M = MatchDecision
SRC = InformationSource
ACTION = "removal_directions"
ACTIVE, TRANSITION, ENDED = ProtectionStatus


def decide(
    match,
    protections=None,
    sources=(SRC.IMMIGRATION_RECORDS,),
    override=None,
    policy_id="mvp-2021",
    action=ACTION,
):
    protections = {"P1": snapshot()} if protections is None else protections
    return decide_clearance(policy(policy_id), action, match, protections, sources, override)


def override(**changes):
    approved = ApprovedOverride(
        override_id="OV-1",
        action_code=ACTION,
        subject_ref="S1",
        protection_ids=frozenset({"P1"}),
        category=ExceptionCategory.NATIONAL_SECURITY_OR_PUBLIC_PROTECTION,
        requested_by="caseworker-1",
        approved_by="senior-2",
        policy_id="mvp-2021",
        policy_version=policy("mvp-2021").version,
    )
    return dataclasses.replace(approved, **changes)


@pytest.mark.parametrize(
    ("name", "match", "protections", "sources", "expected"),
    [
        ("probable match, active", outcome(M.MATCH, candidate()), None, None, BLOCKED),
        (
            "probable match, transition",
            outcome(M.MATCH, candidate()),
            {"P1": snapshot(status=TRANSITION)},
            None,
            BLOCKED,
        ),
        (
            "possible match, active",
            outcome(M.POSSIBLE, candidate(decision=M.POSSIBLE)),
            None,
            None,
            HOLD,
        ),
        (
            "possible match, transition",
            outcome(M.POSSIBLE, candidate(decision=M.POSSIBLE)),
            {"P1": snapshot(status=TRANSITION)},
            None,
            HOLD,
        ),
        (
            "name-only subject, weak candidate",
            outcome(M.NONE, candidate(decision=M.NONE, score=0.3), name_only=True),
            None,
            None,
            HOLD,
        ),
        ("no match at all", outcome(M.NONE), {}, None, CLEAR),
        (
            "weak candidate, not name-only",
            outcome(M.NONE, candidate(decision=M.NONE, score=0.2)),
            None,
            None,
            CLEAR,
        ),
        (
            "NRM flag on an ended protection",
            outcome(M.MATCH, candidate()),
            {"P1": snapshot(status=ENDED, nrm=True)},
            None,
            BLOCKED,
        ),
        (
            "NRM flag, possible match",
            outcome(M.POSSIBLE, candidate(decision=M.POSSIBLE)),
            {"P1": snapshot(nrm=True)},
            None,
            HOLD,
        ),
        ("perpetrator only, no match", outcome(M.NONE), {}, (SRC.ALLEGED_PERPETRATOR,), BLOCKED),
        (
            "perpetrator and anonymous",
            outcome(M.NONE),
            {},
            (SRC.ALLEGED_PERPETRATOR, SRC.ANONYMOUS),
            BLOCKED,
        ),
        (
            "perpetrator and police",
            outcome(M.NONE),
            {},
            (SRC.ALLEGED_PERPETRATOR, SRC.POLICE),
            CLEAR,
        ),
        ("anonymous only", outcome(M.NONE), {}, (SRC.ANONYMOUS,), CLEAR),
        ("no source recorded", outcome(M.NONE), {}, (), BLOCKED),
        ("protection not supplied", outcome(M.MATCH, candidate()), {}, None, BLOCKED),
        ("match with no candidates", outcome(M.MATCH), {}, None, HOLD),
        (
            "candidate with no protections",
            outcome(M.MATCH, candidate(protection_ids=())),
            {},
            None,
            HOLD,
        ),
        (
            "reviewed: different person",
            outcome(
                M.POSSIBLE, candidate(decision=M.POSSIBLE, review=ReviewVerdict.DIFFERENT_PERSON)
            ),
            None,
            None,
            CLEAR,
        ),
        (
            "reviewed: same person",
            outcome(M.POSSIBLE, candidate(decision=M.POSSIBLE, review=ReviewVerdict.SAME_PERSON)),
            None,
            None,
            BLOCKED,
        ),
        (
            "overall match, candidate marked possible",
            outcome(M.MATCH, candidate(decision=M.POSSIBLE)),
            None,
            None,
            BLOCKED,
        ),
        (
            "ended protection",
            outcome(M.MATCH, candidate()),
            {"P1": snapshot(status=ENDED)},
            None,
            CLEAR,
        ),
    ],
)
def test_clearance_table(name, match, protections, sources, expected):
    kwargs = {} if sources is None else {"sources": sources}
    decision = decide(match, protections, **kwargs)
    assert decision.outcome == expected, name
    assert decision.reasons, name
    assert decision.policy_id == "mvp-2021"
    assert decision.policy_version == policy("mvp-2021").version


def test_an_ended_protection_clears_but_alerts_oversight():
    """R32: every action against a person who was ever protected raises an alert."""
    decision = decide(outcome(M.MATCH, candidate()), {"P1": snapshot(status=ENDED)})
    assert decision.outcome == CLEAR
    assert decision.ever_protected
    assert decision.alert_oversight
    assert any("R32" in reason for reason in decision.reasons)


def test_a_clear_for_a_stranger_raises_no_alert():
    decision = decide(outcome(M.NONE), {})
    assert not decision.ever_protected
    assert not decision.alert_oversight


def test_anonymous_can_count_as_corroboration_only_where_a_policy_says_so(tmp_path):
    lenient = derived_policy(
        tmp_path,
        "mvp-2021",
        "lenient",
        (
            "anonymous_corroborates_perpetrator = false",
            "anonymous_corroborates_perpetrator = true",
        ),
    )
    sources = (SRC.ALLEGED_PERPETRATOR, SRC.ANONYMOUS)
    decision = decide_clearance(lenient, ACTION, outcome(M.NONE), {}, sources)
    assert decision.outcome == CLEAR


# -- overrides --------------------------------------------------------------------------------


def test_an_approved_override_for_exactly_this_action_and_subject_clears_the_block():
    decision = decide(outcome(M.MATCH, candidate()), override=override())
    assert decision.outcome == CLEAR
    assert decision.override_id == "OV-1"
    assert decision.ever_protected
    assert decision.alert_oversight


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"action_code": "deportation_steps"}, "different action or subject"),
        ({"subject_ref": "S2"}, "different action or subject"),
        ({"protection_ids": frozenset({"P9"})}, "does not cover protection P1"),
        ({"approved_by": "caseworker-1"}, "approved by the person who asked"),
    ],
)
def test_an_override_for_anything_else_leaves_the_block(changes, problem):
    decision = decide(outcome(M.MATCH, candidate()), override=override(**changes))
    assert decision.outcome == BLOCKED
    assert decision.override_id is None
    assert any(problem in reason for reason in decision.reasons)


def test_an_override_relying_on_an_exception_the_policy_no_longer_permits_is_ignored(tmp_path):
    narrow = derived_policy(
        tmp_path,
        "mvp-2021",
        "narrow",
        ('    "national_security_or_public_protection",\n', ""),
    )
    decision = decide_clearance(
        narrow, ACTION, outcome(M.MATCH, candidate()), {"P1": snapshot()}, ["police"], override()
    )
    assert decision.outcome == BLOCKED


@pytest.mark.parametrize(
    ("protections", "sources"),
    [
        ({"P1": snapshot(nrm=True)}, (SRC.POLICE,)),
        ({"P1": snapshot()}, (SRC.ALLEGED_PERPETRATOR,)),
        ({"P1": snapshot()}, ()),
    ],
)
def test_no_override_lifts_an_nrm_or_perpetrator_only_block(protections, sources):
    decision = decide(outcome(M.MATCH, candidate()), protections, sources, override())
    assert decision.outcome == BLOCKED
    assert decision.override_id is None


def test_an_override_does_not_lift_a_hold_on_another_protection():
    match = outcome(M.MATCH, candidate(), candidate("I2", ("P2",), M.POSSIBLE, score=0.7))
    protections = {"P1": snapshot(), "P2": snapshot("P2")}
    decision = decide(match, protections, override=override())
    assert decision.outcome == HOLD
    assert decision.held_protection_ids == ("P2",)


# -- what IE sees ---------------------------------------------------------------------------------


def test_ie_sees_only_decision_reference_instruction_and_contact():
    assert [f.name for f in dataclasses.fields(IEClearanceView)] == [
        "decision",
        "protection_reference",
        "message",
        "contact_point",
        "evidence_requested",
    ]


def test_a_blocked_view_says_protected_do_not_act_contact():
    decision = decide(outcome(M.MATCH, candidate()))
    view = ie_view(decision)
    assert view.decision == BLOCKED
    assert view.protection_reference == "PR-7K3D-QX9M-2VHT-0"
    assert view.message == "Protected — do not act — contact West Midlands Police protocol desk."
    assert view.contact_point == "West Midlands Police protocol desk"


def test_the_ie_view_never_carries_the_internal_reasons():
    secret = "domestic abuse case at 12 Refuge Road supported by Southall Black Sisters"
    for match, protections in [
        (outcome(M.MATCH, candidate()), None),
        (outcome(M.POSSIBLE, candidate(decision=M.POSSIBLE)), None),
        (outcome(M.MATCH, candidate()), {"P1": snapshot(status=ENDED)}),
    ]:
        decision = decide(match, protections)
        leaky = dataclasses.replace(decision, reasons=(*decision.reasons, secret))
        view = ie_view(leaky)
        for value in dataclasses.astuple(view):
            assert "Refuge" not in str(value)
            assert "domestic" not in str(value)
            assert "P1" not in str(value)
            assert "I1" not in str(value)


def test_a_hold_view_gives_no_protection_reference():
    view = ie_view(decide(outcome(M.POSSIBLE, candidate(decision=M.POSSIBLE))))
    assert view.decision == HOLD
    assert view.protection_reference is None
    assert "do not act until a protocol officer has reviewed it" in view.message


def test_a_perpetrator_only_block_view_gives_no_reason_away():
    view = ie_view(decide(outcome(M.NONE), {}, (SRC.ALLEGED_PERPETRATOR,)))
    assert view.decision == BLOCKED
    assert view.protection_reference is None
    assert "Do not act" in view.message
    assert "Protected" not in view.message


def test_a_clear_view_mentions_an_override_only_when_there_is_one():
    assert (
        "override OV-1"
        in ie_view(decide(outcome(M.MATCH, candidate()), override=override())).message
    )
    assert "override" not in ie_view(decide(outcome(M.NONE), {})).message


# -- properties ---------------------------------------------------------------------------------

agreements = st.sampled_from(list(FieldAgreement))
evidence = st.dictionaries(st.sampled_from(list(EvidenceField)), agreements, max_size=6)
decisions = st.sampled_from(list(MatchDecision))
statuses = st.sampled_from(list(ProtectionStatus))
source_sets = st.sets(st.sampled_from(list(InformationSource)), max_size=4)


@st.composite
def candidates(draw, identity_id):
    protection_ids = tuple(
        draw(st.lists(st.sampled_from(["P1", "P2", "P3"]), max_size=2, unique=True))
    )
    return MatchCandidate(
        identity_id=identity_id,
        protection_ids=protection_ids,
        score=draw(st.floats(0, 1)),
        decision=draw(decisions),
        explanation=(),
        evidence=draw(evidence),
        review_verdict=draw(st.none() | st.sampled_from(list(ReviewVerdict))),
    )


@st.composite
def registers(draw):
    return {
        pid: snapshot(pid, draw(statuses), nrm=draw(st.booleans()))
        for pid in ("P1", "P2", "P3")
        if draw(st.booleans())
    }


@given(
    policy_id=st.sampled_from(POLICY_IDS),
    action=st.sampled_from(enforcement_actions().codes),
    live_status=st.sampled_from([ACTIVE, TRANSITION]),
    others=st.lists(candidates("other"), max_size=3),
    overall=decisions,
    name_only=st.booleans(),
    sources=source_sets,
    stray_override=st.booleans(),
)
def test_never_clear_for_a_probable_match_to_a_live_protection(
    policy_id, action, live_status, others, overall, name_only, sources, stray_override
):
    """Invariant 1, under every policy, whatever else the outcome holds."""
    protected = candidate("I0", ("P0",), MatchDecision.MATCH, score=0.99)
    match = MatchOutcome("S1", overall, (protected, *others), name_only, "test")
    protections = {"P0": snapshot("P0", live_status)}
    stray = (
        override(
            action_code="some_other_action" if action == ACTION else ACTION,
            protection_ids=frozenset({"P0"}),
        )
        if stray_override
        else None
    )
    decision = decide_clearance(policy(policy_id), action, match, protections, sources, stray)
    assert decision.outcome != CLEAR


SWAPS = {
    EvidenceField.DATE_OF_BIRTH: (FieldAgreement.EXACT, FieldAgreement.DATE_TRANSPOSED),
    EvidenceField.NAME: (FieldAgreement.EXACT, FieldAgreement.NAME_REORDERED),
}


def _swap(match: MatchOutcome, forward: bool) -> MatchOutcome:
    def swap_candidate(c: MatchCandidate) -> MatchCandidate:
        changed = dict(c.evidence)
        for field_name, (exact, swapped) in SWAPS.items():
            before, after = (exact, swapped) if forward else (swapped, exact)
            if changed.get(field_name) == before:
                changed[field_name] = after
        return dataclasses.replace(c, evidence=changed)

    return dataclasses.replace(
        match, candidates=tuple(swap_candidate(c) for c in match.candidates)
    )


@st.composite
def identity_candidates(draw, identity_id):
    """Candidates whose names and dates of birth often agree, exactly or swapped."""
    found = {
        EvidenceField.NAME: draw(
            st.sampled_from([FieldAgreement.EXACT, FieldAgreement.NAME_REORDERED])
            | st.sampled_from(list(FieldAgreement))
        ),
        EvidenceField.DATE_OF_BIRTH: draw(
            st.sampled_from([FieldAgreement.EXACT, FieldAgreement.DATE_TRANSPOSED])
            | st.sampled_from(list(FieldAgreement))
        ),
    }
    found.update(draw(evidence))
    return MatchCandidate(
        identity_id=identity_id,
        protection_ids=tuple(
            draw(st.lists(st.sampled_from(["P1", "P2"]), min_size=1, max_size=2, unique=True))
        ),
        score=draw(st.floats(0, 1)),
        decision=draw(st.sampled_from([M.NONE, M.NONE, M.POSSIBLE, M.MATCH])),
        evidence=found,
        review_verdict=draw(st.sampled_from([None, None, None, *ReviewVerdict])),
    )


@given(
    policy_id=st.sampled_from(POLICY_IDS),
    found=st.lists(identity_candidates("I"), max_size=3),
    overall=st.sampled_from([M.NONE, M.NONE, M.POSSIBLE, M.MATCH]),
    name_only=st.booleans(),
    register=registers(),
    forward=st.booleans(),
)
def test_day_month_or_name_order_can_never_turn_hold_into_clear(
    policy_id, found, overall, name_only, register, forward
):
    match = MatchOutcome("S1", overall, tuple(found), name_only, "test")
    swapped = _swap(match, forward)
    before = decide_clearance(policy(policy_id), ACTION, match, register, [SRC.POLICE])
    after = decide_clearance(policy(policy_id), ACTION, swapped, register, [SRC.POLICE])
    if before.outcome != CLEAR:
        assert after.outcome != CLEAR
    assert after.outcome == before.outcome


@given(st.sampled_from(all_policies()), st.sampled_from([ACTIVE, TRANSITION]))
def test_strong_evidence_holds_even_when_the_matcher_says_none(loaded, live):
    """The safety net: transposed dates and reordered names still reach a protocol officer."""
    weak = candidate(
        decision=MatchDecision.NONE,
        score=0.1,
        evidence={
            EvidenceField.NAME: FieldAgreement.NAME_REORDERED,
            EvidenceField.DATE_OF_BIRTH: FieldAgreement.DATE_TRANSPOSED,
        },
    )
    decision = decide_clearance(
        loaded, ACTION, outcome(M.NONE, weak), {"P1": snapshot(status=live)}, [SRC.POLICE]
    )
    assert decision.outcome == HOLD


def test_plain_strings_from_the_database_are_accepted():
    match = MatchOutcome(
        "S1",
        "possible",
        (MatchCandidate("I1", ("P1",), 0.7, "possible", (), {"name": "exact"}, None),),
    )
    protections = {"P1": dataclasses.replace(snapshot(), status="transition")}
    decision = decide_clearance(policy("mvp-2021"), ACTION, match, protections, ["police"])
    assert decision.outcome == HOLD
    assert match.candidates[0].evidence[EvidenceField.NAME] == FieldAgreement.EXACT


def test_a_matcher_typo_in_the_evidence_is_refused():
    with pytest.raises(ValueError, match="dob"):
        MatchCandidate("I1", ("P1",), 0.7, "possible", (), {"dob": "exact"}, None)
