"""domain.md §8.H: every row that can be expressed at the level of the pure cores.

Not here: the DSAR export (R21) and the MVDAC signposting row (R25) belong to other modules.
"""

from __future__ import annotations

import pytest

from safeshare.cases.lifecycle import (
    CaseEvent,
    CaseState,
    InformationSource,
    OffenceCategory,
    PartyRole,
    RegularisationStatus,
    apply_event,
    replay,
    support_withdrawn,
)
from safeshare.protocol.clearance import (
    ClearanceOutcome,
    EvidenceField,
    FieldAgreement,
    MatchDecision,
    decide_clearance,
)
from safeshare.protocol.enforcement import ScheduledAction, actions_to_suspend
from safeshare.protocol.policy import Jurisdiction
from safeshare.protocol.protection import (
    OpeningEvent,
    ProtectionFacts,
    ProtectionStatus,
    compute_protection,
    should_open_protection,
)
from safeshare.protocol.referral import (
    ReferralFacts,
    ReferralTrigger,
    decide_referral,
    validate_referral_payload,
)
from tests.protocol.builders import (
    POLICY_IDS,
    candidate,
    derived_policy,
    linked_case,
    outcome,
    policy,
    snapshot,
)

ACTIVE, TRANSITION, ENDED = ProtectionStatus
DEFAULT_POLICIES = ["mvp-2021", "safe-to-share-r1", "firewall"]


def assess(policy_id, *cases, regularisation=RegularisationStatus.NONE, nrm=False, current=None):
    facts = ProtectionFacts(tuple(cases), regularisation, nrm, current)
    return compute_protection(policy(policy_id), facts)


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_victim_in_two_cases_and_case_one_ends(policy_id):
    """Still protected (R10)."""
    first = linked_case("A", state=replay([CaseEvent.NO_FURTHER_ACTION]))
    second = linked_case("B", state=CaseState.UNDER_INVESTIGATION)
    assessment = assess(policy_id, first, second, current=ACTIVE)
    assert assessment.status == ACTIVE
    assert [h.reference for h in assessment.held_open_by] == ["B"]


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize("reopening", [CaseEvent.CASE_REOPENED, CaseEvent.APPEAL_LODGED])
def test_case_closed_then_reopened(policy_id, reopening):
    """Protection re-activated (R10)."""
    closing = (
        CaseEvent.CASE_CONCLUDED
        if reopening == CaseEvent.APPEAL_LODGED
        else (CaseEvent.NO_FURTHER_ACTION)
    )
    closed_state = replay([CaseEvent.INVESTIGATION_OPENED, closing])
    lapsed = assess(policy_id, linked_case(state=closed_state), current=ACTIVE)
    assert lapsed.status == TRANSITION
    reopened = linked_case(state=apply_event(closed_state, reopening))
    assessment = assess(policy_id, reopened, current=lapsed.status)
    assert assessment.status == ACTIVE
    assert assessment.reactivated


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_victim_withdraws_support(policy_id):
    """Event logged; no immediate enforcement; R12 transition once nothing holds it (R14)."""
    events = [CaseEvent.INVESTIGATION_OPENED, CaseEvent.VICTIM_WITHDREW_SUPPORT]
    state = replay(events)
    assert state == CaseState.UNDER_INVESTIGATION
    case = linked_case(state=state, support_withdrawn=support_withdrawn(events))
    assert assess(policy_id, case, current=ACTIVE).status == ACTIVE
    closed = linked_case(
        state=apply_event(state, CaseEvent.NO_FURTHER_ACTION), support_withdrawn=True
    )
    after = assess(policy_id, closed, current=ACTIVE)
    assert after.status == TRANSITION
    assert after.entered_transition
    decision = decide_clearance(
        policy(policy_id),
        "removal_directions",
        outcome(MatchDecision.MATCH, candidate()),
        {"P1": snapshot(status=after.status)},
        [InformationSource.IMMIGRATION_RECORDS],
    )
    assert decision.outcome == ClearanceOutcome.BLOCKED


def test_victim_withdraws_support_where_disengagement_counts(tmp_path):
    counting = derived_policy(
        tmp_path,
        "mvp-2021",
        "counting",
        ("disengagement_ends_protection = false", "disengagement_ends_protection = true"),
    )
    facts = ProtectionFacts((linked_case(support_withdrawn=True),), current=ACTIVE)
    assert compute_protection(counting, facts).status == TRANSITION


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_victim_also_suspect_in_an_unrelated_assault(policy_id):
    """Criminal process continues; immigration block stays unless an override is approved."""
    assault = linked_case(
        "B",
        role=PartyRole.SUSPECT,
        offence=OffenceCategory.VIOLENCE_AGAINST_THE_PERSON,
        state=apply_event(CaseState.UNDER_INVESTIGATION, CaseEvent.SUSPECT_CHARGED),
    )
    assert apply_event(assault.state, CaseEvent.PROSECUTION_STARTED) == CaseState.PROSECUTION
    assessment = assess(policy_id, linked_case("A"), assault)
    assert assessment.status == ACTIVE
    decision = decide_clearance(
        policy(policy_id),
        "immigration_arrest_or_detention",
        outcome(MatchDecision.MATCH, candidate()),
        {"P1": snapshot(status=assessment.status)},
        [InformationSource.POLICE],
    )
    assert decision.outcome == ClearanceOutcome.BLOCKED


@pytest.mark.parametrize("policy_id", DEFAULT_POLICIES)
def test_witness_only(policy_id):
    """Protected under the default policy (R2)."""
    loaded = policy(policy_id)
    trigger = (
        OpeningEvent.REGISTRATION if policy_id == "firewall" else OpeningEvent.POLICE_REFERRAL
    )
    opening = should_open_protection(loaded, PartyRole.WITNESS, OffenceCategory.OTHER, trigger)
    assert opening.opens
    witness = linked_case(role=PartyRole.WITNESS, offence=OffenceCategory.OTHER)
    assert assess(policy_id, witness).status == ACTIVE


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@pytest.mark.parametrize(
    "evidence",
    [
        {EvidenceField.NAME: FieldAgreement.EQUIVALENT},
        {EvidenceField.NAME: FieldAgreement.NAME_REORDERED},
        {
            EvidenceField.NAME: FieldAgreement.EQUIVALENT,
            EvidenceField.DATE_OF_BIRTH: FieldAgreement.DATE_TRANSPOSED,
        },
    ],
)
def test_two_aliases_or_transliterations(policy_id, evidence):
    """Match leads to block and human review (R4): never clear."""
    alias_hit = candidate("I1", decision=MatchDecision.NONE, score=0.4, evidence=evidence)
    second_alias = candidate("I2", ("P1",), MatchDecision.POSSIBLE, score=0.7)
    for match in (
        outcome(MatchDecision.NONE, alias_hit),
        outcome(MatchDecision.POSSIBLE, second_alias),
    ):
        decision = decide_clearance(
            policy(policy_id),
            "removal_directions",
            match,
            {"P1": snapshot()},
            [InformationSource.IMMIGRATION_RECORDS],
        )
        assert decision.outcome == ClearanceOutcome.HOLD
        assert decision.review_required


def test_existing_removal_directions_when_protection_starts():
    """Suspended and alert raised (R9)."""
    plan = actions_to_suspend(ACTIVE, [ScheduledAction("RD-9", "removal_directions")])
    assert [a.action_id for a in plan.suspend] == ["RD-9"]
    assert plan.alert_case_owner


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_tip_off_from_ex_partner_alleging_overstay(policy_id):
    """Source recorded; no action on that basis alone (R19)."""
    for match in (outcome(MatchDecision.NONE), outcome(MatchDecision.MATCH, candidate())):
        decision = decide_clearance(
            policy(policy_id),
            "operational_visit",
            match,
            {"P1": snapshot(status=ENDED)},
            [InformationSource.ALLEGED_PERPETRATOR],
        )
        assert decision.outcome == ClearanceOutcome.BLOCKED
        assert any("N6" in reason for reason in decision.reasons)


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_regularisation_refused_and_appeal_lodged(policy_id):
    """Protection stays while the appeal is pending (R11)."""
    closed = linked_case(state=CaseState.CONCLUDED)
    refused = assess(
        policy_id, closed, regularisation=RegularisationStatus.DECIDED_REFUSE, current=ACTIVE
    )
    assert refused.status == TRANSITION
    appealing = assess(
        policy_id,
        closed,
        regularisation=RegularisationStatus.APPEAL_PENDING,
        current=refused.status,
    )
    assert appealing.status == ACTIVE


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_dependent_child_of_protected_victim(policy_id):
    """Protected as dependant (R2)."""
    child = linked_case(role=PartyRole.DEPENDANT)
    assert assess(policy_id, child).status == ACTIVE
    loaded = policy(policy_id)
    trigger = (
        OpeningEvent.REGISTRATION if policy_id == "firewall" else OpeningEvent.POLICE_REFERRAL
    )
    assert should_open_protection(
        loaded, PartyRole.DEPENDANT, OffenceCategory.DOMESTIC_ABUSE, trigger
    ).opens


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_nrm_positive_reasonable_grounds_decision(policy_id):
    """Recovery-period protection flag set (R27): it holds and it blocks."""
    assert assess(policy_id, nrm=True).status == ACTIVE
    decision = decide_clearance(
        policy(policy_id),
        "removal_directions",
        outcome(MatchDecision.MATCH, candidate()),
        {"P1": snapshot(status=ENDED, nrm=True)},
        [InformationSource.POLICE],
    )
    assert decision.outcome == ClearanceOutcome.BLOCKED


@pytest.mark.parametrize("role", list(PartyRole))
@pytest.mark.parametrize("offence", list(OffenceCategory))
def test_police_in_firewall_mode(role, offence):
    """No outbound IE message possible (R16)."""
    firewall = policy("firewall")
    facts = ReferralFacts(
        role, offence, frozenset(ReferralTrigger), Jurisdiction.ENGLAND_WALES, "WMP"
    )
    assert not decide_referral(firewall, facts).allowed
    payload = {"family_name": "Doe", "role": str(role), "lawful_basis": "Part 3"}
    assert validate_referral_payload(firewall, payload, {"family_name": "needed"})
