"""Clearance: may Immigration Enforcement take this action against this subject? (R4, R6, R19)

IE asks before every enforcement action. The matcher resolves the subject against the register
and fills a ``MatchOutcome``; this module turns that, the protections' statuses, the sources of
the information behind the action and any approved override into ``blocked``, ``hold`` or
``clear``. It does not know how matching works. It holds to invariant 1: no ``clear`` for a
subject who is, or probably is, a protected person.

- A probable match to a protection that is active or in transition: ``blocked``.
- A possible match, or a name-only subject with any candidate: ``hold`` (blocked until a
  protocol officer reviews it).
- An NRM recovery-period flag: ``blocked``; no override can lift it (R27).
- Only the alleged perpetrator (or their associates) behind the action: ``blocked``, whatever the
  match, and no override can lift it (R19, N6).
- An ended protection: ``clear``, with ``ever_protected`` set so oversight is alerted (R32).
- An approved override for exactly this action, subject and protections turns ``blocked`` into
  ``clear`` and is recorded (R7).

``ie_view`` is all IE ever sees of a decision (R18).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import MappingProxyType

from safeshare.cases.lifecycle import InformationSource
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.overrides import ApprovedOverride
from safeshare.protocol.policy import ClearanceRules, IEDetail, Policy
from safeshare.protocol.protection import ProtectionStatus

__all__ = [
    "WOULD_RESOLVE",
    "ClearanceDecision",
    "ClearanceOutcome",
    "EvidenceField",
    "EvidenceRequest",
    "FieldAgreement",
    "IEClearanceView",
    "MatchCandidate",
    "MatchDecision",
    "MatchOutcome",
    "ProtectionSnapshot",
    "ReviewVerdict",
    "custodian_view",
    "decide_clearance",
    "describe_requests",
    "ie_view",
    "missing_for_search",
]


class MatchDecision(StrEnum):
    """The matcher's view of a subject, or of one candidate."""

    MATCH = "match"
    POSSIBLE = "possible"
    NONE = "none"


class ReviewVerdict(StrEnum):
    """A protocol officer's verdict on one candidate after a hold."""

    SAME_PERSON = "same_person"
    DIFFERENT_PERSON = "different_person"


class EvidenceField(StrEnum):
    """The identity attributes a matcher compares."""

    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    NATIONALITY = "nationality"
    SEX = "sex"
    PASSPORT_NUMBER = "passport_number"
    HOME_OFFICE_REFERENCE = "home_office_reference"


class FieldAgreement(StrEnum):
    """How one attribute of the subject compares with a candidate's.

    ``date_transposed`` (day and month swapped) and ``name_reordered`` (the same names in another
    order) are strong agreement: they are how the same person is often recorded twice.
    """

    EXACT = "exact"
    DATE_TRANSPOSED = "date_transposed"
    NAME_REORDERED = "name_reordered"
    EQUIVALENT = "equivalent"
    PARTIAL = "partial"
    ABSENT = "absent"
    CONFLICT = "conflict"


_STRONG = frozenset(
    {
        FieldAgreement.EXACT,
        FieldAgreement.DATE_TRANSPOSED,
        FieldAgreement.NAME_REORDERED,
        FieldAgreement.EQUIVALENT,
    }
)
_DOCUMENTS = (EvidenceField.PASSPORT_NUMBER, EvidenceField.HOME_OFFICE_REFERENCE)


@dataclass(frozen=True)
class MatchCandidate:
    """One register identity the subject may be, filled in by the matcher."""

    identity_id: str
    protection_ids: tuple[str, ...]
    score: float
    decision: MatchDecision
    explanation: tuple[str, ...] = ()
    evidence: Mapping[EvidenceField, FieldAgreement] = field(default_factory=dict)
    review_verdict: ReviewVerdict | None = None
    #: P(this identity is the subject), when the matcher estimates it (docs/adr/0008).
    probability: float | None = None

    def __post_init__(self) -> None:
        evidence = {EvidenceField(k): FieldAgreement(v) for k, v in self.evidence.items()}
        object.__setattr__(self, "evidence", MappingProxyType(evidence))
        object.__setattr__(self, "decision", MatchDecision(self.decision))
        if self.review_verdict is not None:
            object.__setattr__(self, "review_verdict", ReviewVerdict(self.review_verdict))


@dataclass(frozen=True)
class MatchOutcome:
    """What the matcher found for one subject (IE's own identity data)."""

    subject_ref: str
    decision: MatchDecision
    candidates: tuple[MatchCandidate, ...] = ()
    subject_name_only: bool = False
    matcher_version: str = ""
    #: P(the subject is any protected person), when the matcher estimates it.
    probability: float | None = None
    #: Evidence the subject lacks that would settle a hold (``EvidenceRequest`` values).
    would_resolve: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "decision", MatchDecision(self.decision))
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(
            self, "would_resolve", tuple(EvidenceRequest(f) for f in self.would_resolve)
        )


@dataclass(frozen=True)
class ProtectionSnapshot:
    """What clearance needs to know about one protection."""

    protection_id: str
    reference: str
    status: ProtectionStatus
    contact_point: str
    nrm_recovery_period: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ProtectionStatus(self.status))


class EvidenceRequest(StrEnum):
    """Evidence about the subject that IE can be asked for, to settle a hold or to search."""

    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    PASSPORT_NUMBER = "passport_number"
    HOME_OFFICE_REFERENCE = "home_office_reference"

    @property
    def label(self) -> str:
        return _REQUEST_LABELS[self]


_REQUEST_LABELS = {
    EvidenceRequest.NAME: "the subject's full name (given names and family name)",
    EvidenceRequest.DATE_OF_BIRTH: "a full date of birth",
    EvidenceRequest.PASSPORT_NUMBER: "a passport number",
    EvidenceRequest.HOME_OFFICE_REFERENCE: "a Home Office reference",
}


#: How the matcher's explanation states the evidence that would settle a hold.
WOULD_RESOLVE = "would be settled by:"


def describe_requests(requests: Collection[EvidenceRequest | str]) -> str:
    """``a full date of birth, a passport number or a Home Office reference``."""
    labels = [EvidenceRequest(r).label for r in requests]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def missing_for_search(
    given_names: str | None,
    family_name: str | None,
    date_of_birth: str | None = None,
    passport_number: str | None = None,
    home_office_reference: str | None = None,
) -> tuple[EvidenceRequest, ...]:
    """What a subject lacks to be searched at all; empty when it can be searched.

    A ``clear`` must mean that a protected person would have been found. A single name and
    nothing else (``Ali``) cannot mean that: any of thousands of people could be behind it, so
    the request is refused with the fields it needs, neither cleared nor held. Searchable: a
    document number; or two or more names; or one name with a date of birth (even a year).
    """
    if (passport_number or "").strip() or (home_office_reference or "").strip():
        return ()
    words = [w for w in f"{given_names or ''} {family_name or ''}".split() if len(w) >= 2]
    if len(words) >= 2 or (words and (date_of_birth or "").strip()):
        return ()
    needed = [] if words else [EvidenceRequest.NAME]
    return (
        *needed,
        EvidenceRequest.DATE_OF_BIRTH,
        EvidenceRequest.PASSPORT_NUMBER,
        EvidenceRequest.HOME_OFFICE_REFERENCE,
    )


class ClearanceOutcome(StrEnum):
    BLOCKED = "blocked"
    HOLD = "hold"
    CLEAR = "clear"


@dataclass(frozen=True)
class ClearanceDecision:
    """A clearance decision, with everything needed to explain and replay it."""

    outcome: ClearanceOutcome
    action_code: str
    subject_ref: str
    reasons: tuple[str, ...]
    blocking_protection_ids: tuple[str, ...]
    held_protection_ids: tuple[str, ...]
    protection_reference: str | None
    contact_point: str | None
    ever_protected: bool
    alert_oversight: bool
    override_id: str | None
    policy_id: str
    policy_version: str
    enforcement_list_version: str
    matcher_version: str
    #: For a hold caused by missing evidence: what IE should supply to have it decided again.
    evidence_requested: tuple[EvidenceRequest, ...] = ()

    @property
    def review_required(self) -> bool:
        return self.outcome == ClearanceOutcome.HOLD


@dataclass(frozen=True)
class IEClearanceView:
    """The only thing IE sees: never crime details, narrative, location or support provider."""

    decision: ClearanceOutcome
    protection_reference: str | None
    message: str
    contact_point: str | None
    evidence_requested: tuple[EvidenceRequest, ...] = ()


class _Level(IntEnum):
    NONE = 0
    POSSIBLE = 1
    MATCH = 2


_LEVEL = {
    MatchDecision.NONE: _Level.NONE,
    MatchDecision.POSSIBLE: _Level.POSSIBLE,
    MatchDecision.MATCH: _Level.MATCH,
}


def decide_clearance(
    policy: Policy,
    action_code: str,
    match: MatchOutcome,
    protections: Mapping[str, ProtectionSnapshot],
    information_sources: Collection[InformationSource],
    approved_override: ApprovedOverride | None = None,
) -> ClearanceDecision:
    """Whether IE may take ``action_code`` against the subject of ``match``."""
    listing = enforcement_actions()
    action = listing.get(action_code)
    reasons: list[str] = []
    hard_block = False  # a block that no override can lift

    sources = frozenset(InformationSource(s) for s in information_sources)
    if not sources:
        hard_block = True
        reasons.append("The source of the information behind this action must be recorded (R19).")
    elif _perpetrator_only(policy, sources):
        hard_block = True
        reasons.append(
            "The only information behind this action comes from the alleged perpetrator or "
            "their associates, which can never support enforcement on its own (R19, N6)."
        )

    blocking: dict[str, ProtectionSnapshot] = {}
    held: dict[str, ProtectionSnapshot] = {}
    ended: list[str] = []
    nrm = False
    unresolved = False
    candidates = _ranked(policy, match)
    if match.decision != MatchDecision.NONE and not candidates:
        unresolved = True
        reasons.append(
            f"The matcher reported a {match.decision} but named no candidate; a protocol officer "
            "must review it."
        )

    for candidate, level in candidates:
        if level == _Level.NONE:
            continue
        if not candidate.protection_ids:
            unresolved = True
            reasons.append(
                f"Candidate {candidate.identity_id} has no protection recorded against it; a "
                "protocol officer must review it."
            )
            continue
        for protection_id in candidate.protection_ids:
            snapshot = protections.get(protection_id)
            if snapshot is None:
                snapshot = ProtectionSnapshot(
                    protection_id, "", ProtectionStatus.ACTIVE, "", nrm_recovery_period=False
                )
                reasons.append(
                    f"Protection {protection_id} was not supplied, so it is treated as active."
                )
            live = snapshot.status.blocks_enforcement or snapshot.nrm_recovery_period
            if not live:
                ended.append(protection_id)
                continue
            if level == _Level.MATCH:
                blocking[protection_id] = snapshot
                nrm = nrm or snapshot.nrm_recovery_period
                reasons.append(
                    f"Probable match ({candidate.identity_id}) to protection {protection_id}, "
                    f"which is {_live_word(snapshot)}."
                )
            else:
                held[protection_id] = snapshot
                reasons.append(
                    f"Possible match ({candidate.identity_id}) to protection {protection_id}, "
                    f"which is {_live_word(snapshot)}: a protocol officer must review it."
                )
    if nrm:
        hard_block = True
        reasons.append(
            "A recovery period after a positive reasonable-grounds decision protects the person "
            "from removal; only a recorded public order disqualification can withhold it (R27)."
        )

    override_id: str | None = None
    if blocking and not hard_block and approved_override is not None:
        problem = _override_problem(
            policy, action_code, match.subject_ref, blocking, approved_override
        )
        if problem:
            reasons.append(problem)
        else:
            override_id = approved_override.override_id
            reasons.append(
                f"Override {override_id} ({approved_override.category.label}) approved by "
                f"{approved_override.approved_by} lifts the block for this action only (R7)."
            )
            blocking = {}

    ever_protected = bool(ended) or bool(blocking) or bool(held) or override_id is not None
    if hard_block or blocking:
        outcome = ClearanceOutcome.BLOCKED
    elif held or unresolved:
        outcome = ClearanceOutcome.HOLD
    else:
        outcome = ClearanceOutcome.CLEAR
        if ended:
            reasons.append(
                "The subject matches protection "
                + ", ".join(sorted(set(ended)))
                + ", which has ended; oversight is alerted to any action against a person who was "
                "ever protected (R32)."
            )
        if override_id is None and not ended:
            reasons.append(f"No protection applies to {action.name.lower()}.")

    requested: tuple[EvidenceRequest, ...] = ()
    if outcome == ClearanceOutcome.HOLD and match.would_resolve and not unresolved:
        requested = tuple(EvidenceRequest(item) for item in match.would_resolve)
        reasons.append(
            "The subject's record lacks evidence that would settle this: ask again with "
            f"{describe_requests(requested)}. A new request with it is decided again by the "
            "matcher."
        )
    primary = _primary(blocking) if outcome == ClearanceOutcome.BLOCKED and blocking else None
    if outcome == ClearanceOutcome.HOLD and held:
        contact = _primary(held).contact_point or None
    else:
        contact = (primary.contact_point or None) if primary else None
    return ClearanceDecision(
        outcome=outcome,
        action_code=action.code,
        subject_ref=match.subject_ref,
        reasons=tuple(reasons),
        blocking_protection_ids=tuple(sorted(blocking)),
        held_protection_ids=tuple(sorted(held)),
        protection_reference=(primary.reference or None) if primary else None,
        contact_point=contact,
        ever_protected=ever_protected,
        alert_oversight=outcome == ClearanceOutcome.CLEAR and ever_protected,
        override_id=override_id,
        policy_id=policy.id,
        policy_version=policy.version,
        enforcement_list_version=listing.version,
        matcher_version=match.matcher_version,
        evidence_requested=requested,
    )


def ie_view(decision: ClearanceDecision, rules: ClearanceRules | None = None) -> IEClearanceView:
    """All that IE is shown: decision, reference, instruction and contact point (R18).

    Under ``ie_detail = "custodian"`` (``rules``) every answer that is not a clear is one and the
    same answer: ``blocked``, "do not act; contact the protocol custodian", the custodian's
    national contact point, no reference, no force and no evidence request. A protected person,
    a possible match and an action refused for its sources cannot be told apart.
    """
    if (
        rules is not None
        and rules.ie_detail == IEDetail.CUSTODIAN
        and decision.outcome != ClearanceOutcome.CLEAR
    ):
        return custodian_view(rules)
    contact = decision.contact_point
    if decision.outcome == ClearanceOutcome.BLOCKED:
        if decision.protection_reference or decision.blocking_protection_ids:
            message = f"Protected — do not act — contact {contact or 'the SafeShare duty desk'}."
        else:
            message = (
                "Do not act — this action cannot go ahead on the information recorded. Record "
                "every source of the information and ask again."
            )
        return IEClearanceView(decision.outcome, decision.protection_reference, message, contact)
    if decision.outcome == ClearanceOutcome.HOLD:
        # A hold names only whom to contact, the custodian, never the force that holds a
        # protection: otherwise the register could be probed name by name (ADR 0041).
        if rules is not None:
            contact = rules.custodian_contact
        message = (
            "Possible match to a protected person — do not act until a protocol officer has "
            f"reviewed it — contact {contact or 'the SafeShare duty desk'}."
        )
        if decision.evidence_requested:
            message += f" Ask again with {describe_requests(decision.evidence_requested)}."
        return IEClearanceView(
            decision.outcome, None, message, contact, decision.evidence_requested
        )
    if decision.override_id:
        message = f"Clear under override {decision.override_id}, for this action only."
    else:
        message = "No protection applies — clear to proceed with this action."
    return IEClearanceView(decision.outcome, None, message, None)


def custodian_view(rules: ClearanceRules) -> IEClearanceView:
    """The one answer IE gets under ``custodian`` for anything that is not a clear."""
    contact = rules.custodian_contact
    return IEClearanceView(
        ClearanceOutcome.BLOCKED,
        None,
        f"Do not act — contact {contact}.",
        contact,
    )


def _perpetrator_only(policy: Policy, sources: frozenset[InformationSource]) -> bool:
    independent = sources - {InformationSource.ALLEGED_PERPETRATOR}
    if not policy.clearance.anonymous_corroborates_perpetrator:
        independent -= {InformationSource.ANONYMOUS}
    return InformationSource.ALLEGED_PERPETRATOR in sources and not independent


def _ranked(policy: Policy, match: MatchOutcome) -> list[tuple[MatchCandidate, _Level]]:
    """Each candidate with the level clearance treats it at: never lower than the evidence says.

    With the matcher's probabilities (docs/adr/0008) the policy's thresholds decide: blocked
    at ``block_probability``, held at ``hold_probability``; P(the subject is any protected
    person) at ``hold_probability`` holds the strongest candidate. The matcher's own decision
    is a floor: the protocol can be stricter than the engine's defaults, never looser.
    """
    rules = policy.clearance
    ranked = []
    for candidate in match.candidates:
        if candidate.review_verdict == ReviewVerdict.DIFFERENT_PERSON:
            ranked.append((candidate, _Level.NONE))
            continue
        level = max(_LEVEL[MatchDecision(candidate.decision)], evidence_floor(candidate))
        if candidate.probability is not None:
            level = max(level, _probability_level(rules, candidate.probability))
        if match.subject_name_only:
            level = max(level, _Level.POSSIBLE)
        if candidate.review_verdict == ReviewVerdict.SAME_PERSON:
            level = _Level.MATCH
        ranked.append((candidate, level))
    decision = _LEVEL[match.decision]
    if match.probability is not None and match.probability >= rules.hold_probability:
        decision = max(decision, _Level.POSSIBLE)
    if decision == _Level.MATCH and ranked:
        best = max(range(len(ranked)), key=lambda i: ranked[i][0].score)
        if ranked[best][0].review_verdict != ReviewVerdict.DIFFERENT_PERSON:
            ranked[best] = (ranked[best][0], _Level.MATCH)
    elif decision == _Level.POSSIBLE:
        ranked = [
            (c, max(level, _Level.POSSIBLE))
            if c.review_verdict != ReviewVerdict.DIFFERENT_PERSON
            else (c, level)
            for c, level in ranked
        ]
    return ranked


def _probability_level(rules: ClearanceRules, probability: float) -> _Level:
    if probability >= rules.block_probability:
        return _Level.MATCH
    if probability >= rules.hold_probability:
        return _Level.POSSIBLE
    return _Level.NONE


def evidence_floor(candidate: MatchCandidate) -> _Level:
    """A safety net under the matcher: strong agreement is at least a possible match.

    The same passport or Home Office reference is always held at least: a document number
    shared with a protected person needs a person to look at it. For a candidate that comes
    with the matcher's probability, names and dates are left to that probability and the
    policy's thresholds (docs/adr/0008): the blanket rule below held most people with a
    common name at 10^6 identities. It still applies to a candidate without a probability (a
    matcher that does not estimate one): a strong name with no conflicting date is held.
    Public so that the matching service passes on every candidate it would hold.
    """
    evidence = candidate.evidence
    if any(evidence.get(document) in _STRONG for document in _DOCUMENTS):
        return _Level.POSSIBLE
    if candidate.probability is not None:
        return _Level.NONE
    name = evidence.get(EvidenceField.NAME)
    birth = evidence.get(EvidenceField.DATE_OF_BIRTH, FieldAgreement.ABSENT)
    if name in _STRONG and birth != FieldAgreement.CONFLICT:
        return _Level.POSSIBLE
    return _Level.NONE


def _override_problem(
    policy: Policy,
    action_code: str,
    subject_ref: str,
    blocking: Mapping[str, ProtectionSnapshot],
    override: ApprovedOverride,
) -> str | None:
    if override.action_code != action_code or override.subject_ref != subject_ref:
        return f"Override {override.override_id} is for a different action or subject."
    if override.category not in policy.overrides.exception_categories:
        return (
            f"Override {override.override_id} relies on an exception this policy no longer "
            "permits."
        )
    if override.requested_by.strip() == override.approved_by.strip():
        return f"Override {override.override_id} was approved by the person who asked for it."
    missing = sorted(set(blocking) - override.protection_ids)
    if missing:
        return f"Override {override.override_id} does not cover protection {', '.join(missing)}."
    return None


def _live_word(snapshot: ProtectionSnapshot) -> str:
    if snapshot.nrm_recovery_period and not snapshot.status.blocks_enforcement:
        return "held by an NRM recovery period"
    return str(snapshot.status)


def _primary(snapshots: Mapping[str, ProtectionSnapshot]) -> ProtectionSnapshot:
    return snapshots[min(snapshots)]
