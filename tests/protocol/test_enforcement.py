"""The enforcement action list (R6), each action blocked on its own, and R9 suspension."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from safeshare.cases.lifecycle import InformationSource
from safeshare.protocol.clearance import ClearanceOutcome, MatchDecision, decide_clearance
from safeshare.protocol.enforcement import (
    ScheduledAction,
    UnknownEnforcementAction,
    actions_to_suspend,
    enforcement_actions,
    parse_enforcement_actions,
)
from safeshare.protocol.protection import ProtectionStatus
from tests.protocol.builders import POLICY_IDS, candidate, outcome, policy, snapshot

# R6's minimum list, one code per item.
R6_CODES = [
    "immigration_arrest_or_detention",
    "service_of_enforcement_papers",
    "reporting_or_residence_restrictions",
    "removal_directions",
    "deportation_steps",
    "leave_cancellation_or_curtailment",
    "operational_visit",
    "enforcement_tasking",
]


def test_the_list_holds_every_r6_action_with_a_name_and_description():
    listing = enforcement_actions()
    assert listing.codes == tuple(R6_CODES)
    for action in listing.actions:
        assert action.name
        assert len(action.description) > 20


def test_the_list_is_versioned_and_its_digest_is_the_file_hash():
    raw = resources.files("safeshare.protocol").joinpath("enforcement_actions.toml").read_bytes()
    listing = enforcement_actions()
    assert listing.version
    assert listing.digest == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b'[[actions]]\ncode = "a"\nname = "A"\ndescription = "d"\n', "version"),
        (b'version = "1"\n', "unique codes"),
        (b'version = "1"\n[[actions]]\ncode = "a"\nname = "A"\n', "exactly"),
        (
            b'version = "1"\n[[actions]]\ncode = "a"\nname = "A"\ndescription = "d"\n'
            b'[[actions]]\ncode = "a"\nname = "B"\ndescription = "e"\n',
            "unique codes",
        ),
    ],
)
def test_a_malformed_list_is_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_enforcement_actions(text)


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("code", R6_CODES)
@pytest.mark.parametrize("status", [ProtectionStatus.ACTIVE, ProtectionStatus.TRANSITION])
def test_each_action_is_blocked_for_a_protected_subject(policy_id, code, status):
    decision = decide_clearance(
        policy(policy_id),
        code,
        outcome(MatchDecision.MATCH, candidate()),
        {"P1": snapshot(status=status)},
        [InformationSource.IMMIGRATION_RECORDS],
    )
    assert decision.outcome == ClearanceOutcome.BLOCKED
    assert decision.action_code == code
    assert decision.blocking_protection_ids == ("P1",)
    assert decision.enforcement_list_version == enforcement_actions().version


@pytest.mark.parametrize("code", R6_CODES)
def test_each_action_is_clear_for_a_subject_nobody_protects(code):
    decision = decide_clearance(
        policy("mvp-2021"), code, outcome(MatchDecision.NONE), {}, [InformationSource.POLICE]
    )
    assert decision.outcome == ClearanceOutcome.CLEAR


def test_an_unknown_action_code_is_refused():
    with pytest.raises(UnknownEnforcementAction, match="not on the enforcement action list"):
        decide_clearance(
            policy("mvp-2021"), "gentle_chat", outcome(MatchDecision.NONE), {}, ["police"]
        )


def test_scheduled_actions_are_suspended_when_protection_opens():
    """R9: existing removal directions are suspended and the case owner alerted."""
    scheduled = [
        ScheduledAction("RD-1", "removal_directions"),
        ScheduledAction("REP-2", "reporting_or_residence_restrictions"),
    ]
    plan = actions_to_suspend(ProtectionStatus.ACTIVE, scheduled)
    assert plan.suspend == tuple(scheduled)
    assert plan.alert_case_owner
    assert "Removal directions" in plan.reasons[0]


def test_an_unlisted_scheduled_action_is_suspended_pending_review():
    plan = actions_to_suspend(ProtectionStatus.TRANSITION, [ScheduledAction("X", "mystery")])
    assert [a.action_id for a in plan.suspend] == ["X"]
    assert "not on the enforcement list" in plan.reasons[0]


def test_nothing_is_suspended_for_an_ended_protection_or_an_empty_schedule():
    ended = actions_to_suspend(
        ProtectionStatus.ENDED, [ScheduledAction("RD-1", "removal_directions")]
    )
    assert ended.suspend == ()
    assert not ended.alert_case_owner
    assert not actions_to_suspend(ProtectionStatus.ACTIVE, []).alert_case_owner
