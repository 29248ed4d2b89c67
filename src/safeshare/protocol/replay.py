"""Replay: the facts a clearance was decided from, and the same decision computed again.

A pure core (no Django). Each clearance stores the inputs ``decide_clearance`` was given (the
matcher's outcome, the snapshot of each candidate protection, the sources of the information
and any approved override) as JSON, ``facts``. ``replay`` decides again from those facts under a
policy, normally the recorded version loaded with ``policy.load_policy_version``, and
``differences`` names what differs from what was recorded. See docs/adr/0023-replay.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from safeshare.cases.lifecycle import CaseState, OffenceCategory, PartyRole, RegularisationStatus
from safeshare.protocol.clearance import (
    ClearanceDecision,
    MatchCandidate,
    MatchOutcome,
    ProtectionSnapshot,
    decide_clearance,
)
from safeshare.protocol.overrides import ApprovedOverride
from safeshare.protocol.policy import Jurisdiction, Policy
from safeshare.protocol.protection import (
    LinkedCase,
    ProtectionFacts,
    ProtectionStatus,
    compute_protection,
)
from safeshare.protocol.referral import (
    ConsentState,
    ReferralDecision,
    ReferralFacts,
    ReferralTrigger,
    decide_referral,
)

__all__ = [
    "FACTS_FORMAT",
    "Difference",
    "FactsError",
    "clearance_facts",
    "decision_record",
    "differences",
    "protection_facts_record",
    "record_differences",
    "referral_decision_record",
    "referral_facts",
    "replay",
    "replay_protection",
    "replay_referral",
]

#: Bumped when the shape of ``facts`` changes; a replay refuses a format it does not know.
FACTS_FORMAT = 1


class FactsError(ValueError):
    """Stored facts that cannot be read back (missing, altered in shape, or another format)."""


@dataclass(frozen=True)
class Difference:
    """One way a replayed decision differs from the recorded one."""

    field: str
    recorded: object
    replayed: object

    def __str__(self) -> str:
        return f"{self.field}: recorded {self.recorded!r}, replayed {self.replayed!r}"


def clearance_facts(
    action_code: str,
    match: MatchOutcome,
    protections: Mapping[str, ProtectionSnapshot],
    information_sources: list[str],
    approved_override: ApprovedOverride | None = None,
) -> dict[str, Any]:
    """The inputs of ``decide_clearance`` as JSON: enough to recompute the decision exactly."""
    return {
        "format": FACTS_FORMAT,
        "action_code": action_code,
        "information_sources": sorted(str(s) for s in information_sources),
        "match": {
            "subject_ref": match.subject_ref,
            "decision": str(match.decision),
            "subject_name_only": match.subject_name_only,
            "matcher_version": match.matcher_version,
            "probability": match.probability,
            "would_resolve": [str(w) for w in match.would_resolve],
            "candidates": [
                {
                    "identity_id": c.identity_id,
                    "protection_ids": list(c.protection_ids),
                    "score": c.score,
                    "decision": str(c.decision),
                    "explanation": list(c.explanation),
                    "evidence": {str(k): str(v) for k, v in c.evidence.items()},
                    "review_verdict": None if c.review_verdict is None else str(c.review_verdict),
                    "probability": c.probability,
                }
                for c in match.candidates
            ],
        },
        "protections": {
            key: {
                "protection_id": p.protection_id,
                "reference": p.reference,
                "status": str(p.status),
                "contact_point": p.contact_point,
                "nrm_recovery_period": p.nrm_recovery_period,
            }
            for key, p in sorted(protections.items())
        },
        "override": None
        if approved_override is None
        else {
            "override_id": approved_override.override_id,
            "action_code": approved_override.action_code,
            "subject_ref": approved_override.subject_ref,
            "protection_ids": sorted(approved_override.protection_ids),
            "category": str(approved_override.category),
            "requested_by": approved_override.requested_by,
            "approved_by": approved_override.approved_by,
            "policy_id": approved_override.policy_id,
            "policy_version": approved_override.policy_version,
        },
    }


def replay(policy: Policy, facts: Mapping[str, Any]) -> ClearanceDecision:
    """``decide_clearance`` again, from stored facts, under ``policy``."""
    if not facts:
        raise FactsError("No facts were stored with this decision, so it cannot be replayed.")
    if facts.get("format") != FACTS_FORMAT:
        raise FactsError(f"The facts are in format {facts.get('format')!r}, not {FACTS_FORMAT}.")
    try:
        match = facts["match"]
        outcome = MatchOutcome(
            subject_ref=match["subject_ref"],
            decision=match["decision"],
            subject_name_only=bool(match["subject_name_only"]),
            matcher_version=match["matcher_version"],
            probability=match["probability"],
            would_resolve=tuple(match["would_resolve"]),
            candidates=tuple(
                MatchCandidate(
                    identity_id=c["identity_id"],
                    protection_ids=tuple(c["protection_ids"]),
                    score=c["score"],
                    decision=c["decision"],
                    explanation=tuple(c["explanation"]),
                    evidence=c["evidence"],
                    review_verdict=c["review_verdict"],
                    probability=c["probability"],
                )
                for c in match["candidates"]
            ),
        )
        protections = {
            key: ProtectionSnapshot(**value) for key, value in facts["protections"].items()
        }
        raw_override = facts["override"]
        override = None if raw_override is None else ApprovedOverride(**raw_override)
        return decide_clearance(
            policy,
            facts["action_code"],
            outcome,
            protections,
            facts["information_sources"],
            approved_override=override,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FactsError(f"The stored facts cannot be read: {error!r}.") from error


def differences(recorded: Mapping[str, Any], decision: ClearanceDecision) -> list[Difference]:
    """What differs between a recorded decision (``decision_record``) and a replayed one."""
    replayed = decision_record(decision)
    return [
        Difference(key, recorded.get(key), value)
        for key, value in replayed.items()
        if recorded.get(key) != value
    ]


def decision_record(decision: ClearanceDecision) -> dict[str, Any]:
    """The parts of a decision that replay compares (JSON)."""
    return {
        "decision": decision.outcome.value,
        "blocking_protection_ids": list(decision.blocking_protection_ids),
        "held_protection_ids": list(decision.held_protection_ids),
        "ever_protected": decision.ever_protected,
        "override_id": decision.override_id,
    }


# --- Referrals ---------------------------------------------------------------------------------


def referral_facts(facts: ReferralFacts) -> dict[str, Any]:
    """The inputs of ``decide_referral`` as JSON: enough to decide the referral again."""
    return {
        "format": FACTS_FORMAT,
        "role": str(facts.role),
        "offence": str(facts.offence),
        "triggers": sorted(str(t) for t in facts.triggers),
        "jurisdiction": str(facts.jurisdiction),
        "force_code": facts.force_code,
        "other_roles": sorted(str(r) for r in facts.other_roles),
        "consent": str(facts.consent),
    }


def referral_decision_record(decision: ReferralDecision) -> dict[str, Any]:
    """The parts of a referral decision that replay compares (JSON): whether it could be sent,
    the rules that refused it, and whether it opened (or extended) a protection."""
    return {
        "allowed": decision.allowed,
        "rule_codes": list(decision.rule_codes),
        "opens_protection": decision.opens_protection,
    }


def replay_referral(policy: Policy, facts: Mapping[str, Any]) -> dict[str, Any]:
    """``decide_referral`` again, from stored facts, under ``policy``: the decision record."""
    if not facts:
        raise FactsError("No facts were stored with this decision, so it cannot be replayed.")
    if facts.get("format") != FACTS_FORMAT:
        raise FactsError(f"The facts are in format {facts.get('format')!r}, not {FACTS_FORMAT}.")
    try:
        decision = decide_referral(
            policy,
            ReferralFacts(
                role=PartyRole(facts["role"]),
                offence=OffenceCategory(facts["offence"]),
                triggers=frozenset(ReferralTrigger(t) for t in facts["triggers"]),
                jurisdiction=Jurisdiction(facts["jurisdiction"]),
                force_code=str(facts["force_code"]),
                other_roles=frozenset(PartyRole(r) for r in facts["other_roles"]),
                consent=ConsentState(facts["consent"]),
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FactsError(f"The stored facts cannot be read: {error!r}.") from error
    return referral_decision_record(decision)


def record_differences(
    recorded: Mapping[str, Any], replayed: Mapping[str, Any]
) -> list[Difference]:
    """What differs between two decision records."""
    return [
        Difference(key, recorded.get(key), value)
        for key, value in replayed.items()
        if recorded.get(key) != value
    ]


# --- Protection status -------------------------------------------------------------------------


def protection_facts_record(facts: ProtectionFacts) -> dict[str, Any]:
    """The inputs of ``compute_protection`` as JSON."""
    return {
        "format": FACTS_FORMAT,
        "linked_cases": [
            {
                "case_id": c.case_id,
                "offence": str(c.offence),
                "role": str(c.role),
                "state": str(c.state),
                "support_withdrawn": c.support_withdrawn,
            }
            for c in facts.linked_cases
        ],
        "regularisation": str(facts.regularisation),
        "nrm_recovery_period": facts.nrm_recovery_period,
        "current": None if facts.current is None else str(facts.current),
    }


def replay_protection(policy: Policy, facts: Mapping[str, Any]) -> str:
    """``compute_protection`` again, from stored facts, under ``policy``: the status."""
    if not facts:
        raise FactsError("No facts were stored with this decision, so it cannot be replayed.")
    if facts.get("format") != FACTS_FORMAT:
        raise FactsError(f"The facts are in format {facts.get('format')!r}, not {FACTS_FORMAT}.")
    try:
        stored = ProtectionFacts(
            linked_cases=tuple(
                LinkedCase(
                    case_id=str(c["case_id"]),
                    offence=OffenceCategory(c["offence"]),
                    role=PartyRole(c["role"]),
                    state=CaseState(c["state"]),
                    support_withdrawn=bool(c["support_withdrawn"]),
                )
                for c in facts["linked_cases"]
            ),
            regularisation=RegularisationStatus(facts["regularisation"]),
            nrm_recovery_period=bool(facts["nrm_recovery_period"]),
            current=None if facts["current"] is None else ProtectionStatus(facts["current"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FactsError(f"The stored facts cannot be read: {error!r}.") from error
    return compute_protection(policy, stored).status.value
