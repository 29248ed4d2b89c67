"""Protection status: when a protection opens, what holds it open, and how it may end.

A protection is ``active`` while anything holds it open, goes into ``transition`` when nothing
does, and becomes ``ended`` only through ``close_protection``: an explicit decision by a person
(R12). Nothing here takes a clock or stores an expiry: no function in this module can end a
protection because time passed (R8, N2). The only number of days it sees is how long the person
has had their end-of-protection notice, and that can only *prevent* a close, never cause one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from safeshare.cases.lifecycle import (
    CaseState,
    OffenceCategory,
    PartyRole,
    RegularisationStatus,
    is_ongoing,
)
from safeshare.cases.modern_slavery import (
    ModernSlaveryStep,
    NrmConsent,
    modern_slavery_next_step_for,
)
from safeshare.protocol.policy import (
    ConditionsMode,
    Jurisdiction,
    Policy,
    ProtectionTriggerMode,
)

__all__ = [
    "CloseRefused",
    "CloseRequest",
    "Holder",
    "HolderKind",
    "LinkedCase",
    "ModernSlaveryStep",
    "OpeningDecision",
    "OpeningEvent",
    "ProtectionAssessment",
    "ProtectionFacts",
    "ProtectionStatus",
    "check_close",
    "close_protection",
    "compute_protection",
    "modern_slavery_next_step",
    "should_open_protection",
]

_PENDING = frozenset(
    {RegularisationStatus.APPLICATION_PENDING, RegularisationStatus.APPEAL_PENDING}
)


class ProtectionStatus(StrEnum):
    """Where a protection stands. There is no expiry: only a person can end one."""

    ACTIVE = "active"
    TRANSITION = "transition"
    ENDED = "ended"

    @property
    def blocks_enforcement(self) -> bool:
        """Active and transition protections both block every listed enforcement action."""
        return self is not ProtectionStatus.ENDED


class OpeningEvent(StrEnum):
    """What happened that may open a protection (R1, R5, R16)."""

    REGISTRATION = "registration"
    POLICE_REFERRAL = "police_referral"
    OTHER_AUTHORITY_REFERRAL = "other_authority_referral"


class HolderKind(StrEnum):
    """What is holding a protection open."""

    CASE = "case"
    #: A referral by an NHS body, local authority or NRM first responder (R5), with no case.
    REFERRAL = "referral"
    REGULARISATION = "regularisation"
    NRM_RECOVERY_PERIOD = "nrm_recovery_period"


@dataclass(frozen=True)
class LinkedCase:
    """One case the person is a party to, and their role in it."""

    case_id: str
    offence: OffenceCategory
    role: PartyRole
    state: CaseState
    support_withdrawn: bool = False


@dataclass(frozen=True)
class ProtectionFacts:
    """Everything the status depends on. Deliberately no dates: time cannot end a protection."""

    linked_cases: tuple[LinkedCase, ...] = ()
    regularisation: RegularisationStatus = RegularisationStatus.NONE
    nrm_recovery_period: bool = False
    current: ProtectionStatus | None = None
    #: The other authorities (R5) whose referral opened the protection: each holds it open as
    #: a case would, because the policy gives their referrals the same protection.
    referred_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Holder:
    """One thing holding a protection open, with a sentence explaining it."""

    kind: HolderKind
    reference: str
    reason: str


@dataclass(frozen=True)
class ProtectionAssessment:
    """The computed status, why, and the policy that decided it."""

    status: ProtectionStatus
    previous: ProtectionStatus | None
    held_open_by: tuple[Holder, ...]
    reasons: tuple[str, ...]
    policy_id: str
    policy_version: str

    @property
    def changed(self) -> bool:
        return self.status != self.previous

    @property
    def reactivated(self) -> bool:
        """A protection in transition or ended became active again (R10)."""
        return self.status == ProtectionStatus.ACTIVE and self.previous in (
            ProtectionStatus.TRANSITION,
            ProtectionStatus.ENDED,
        )

    @property
    def entered_transition(self) -> bool:
        """Nothing holds it open any more: send the person their notice (R12b)."""
        return (
            self.status == ProtectionStatus.TRANSITION
            and self.previous != ProtectionStatus.TRANSITION
        )


@dataclass(frozen=True)
class OpeningDecision:
    """Whether an event opens (or attaches to) a protection for this person, and why."""

    opens: bool
    reason: str
    policy_id: str
    policy_version: str


@dataclass(frozen=True)
class CloseRequest:
    """A person's decision to end a protection in transition (R12c)."""

    closed_by: str
    closer_role: str
    reasons: str
    victim_notified: bool
    days_since_notice: int


class CloseRefused(ValueError):
    """A close that the rules do not allow, with every reason."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def should_open_protection(
    policy: Policy, role: PartyRole, offence: OffenceCategory, trigger: OpeningEvent
) -> OpeningDecision:
    """Whether this event opens a protection for a person in this role and case (R1–R3, R5)."""
    role, offence, trigger = PartyRole(role), OffenceCategory(offence), OpeningEvent(trigger)
    rules = policy.protection

    def decide(opens: bool, reason: str) -> OpeningDecision:
        return OpeningDecision(opens, reason, policy.id, policy.version)

    if role == PartyRole.SUSPECT:
        return decide(False, "A suspect role never opens a protection.")
    if role not in rules.covered_roles:
        return decide(False, f"This policy does not cover the {role} role.")
    if rules.covered_offences is not None and offence not in rules.covered_offences:
        return decide(False, f"This policy does not cover {offence.replace('_', ' ')} cases.")
    if trigger == OpeningEvent.REGISTRATION:
        if rules.trigger == ProtectionTriggerMode.REGISTRATION:
            return decide(True, f"Under this policy every registered {role} is protected.")
        return decide(False, "Under this policy a protection opens when a referral is recorded.")
    if trigger == OpeningEvent.OTHER_AUTHORITY_REFERRAL and not (
        rules.non_police_referrals_open_protection
    ):
        return decide(False, "This policy does not protect on referrals by other authorities.")
    return decide(True, f"A referral of a {role} opens a protection (R1).")


def compute_protection(policy: Policy, facts: ProtectionFacts) -> ProtectionAssessment:
    """The protection's status from its facts. Never returns ``ended`` unless it already was."""
    rules = policy.protection
    notes: list[str] = []
    proceedings: list[Holder] = []

    for case in facts.linked_cases:
        label = CaseState(case.state).label.lower()
        if case.role == PartyRole.SUSPECT:
            notes.append(
                f"Being a suspect in case {case.case_id} does not remove protection (R15)."
            )
            continue
        if not rules.covers(case.role, case.offence):
            notes.append(f"Case {case.case_id} is not covered by this policy.")
            continue
        if not is_ongoing(case.state):
            notes.append(f"Case {case.case_id} is closed ({label}).")
            continue
        if case.support_withdrawn and rules.disengagement_ends_protection:
            notes.append(
                f"Case {case.case_id} is ongoing but the person has withdrawn support, and "
                "under this policy that stops the case holding the protection open (R14)."
            )
            continue
        proceedings.append(
            Holder(HolderKind.CASE, case.case_id, f"Held open by case {case.case_id} ({label}).")
        )
    if rules.non_police_referrals_open_protection:
        proceedings.extend(
            Holder(HolderKind.REFERRAL, name, f"Held open by the referral from {name} (R5).")
            for name in facts.referred_by
        )
    elif facts.referred_by:
        notes.append("This policy does not protect on referrals by other authorities (R5).")

    status_name = facts.regularisation.replace("_", " ")
    regularisation = Holder(
        HolderKind.REGULARISATION,
        str(facts.regularisation),
        f"Held open by the person's regularisation status ({status_name}).",
    )
    seeking = facts.regularisation in rules.regularisation_statuses_that_hold
    holders: list[Holder] = []
    if rules.conditions_mode == ConditionsMode.OR:
        holders.extend(proceedings)
        if seeking:
            holders.append(regularisation)
    else:
        condition_met = seeking or (
            facts.regularisation == RegularisationStatus.NONE
            and rules.awaiting_advice_meets_regularisation_condition
        )
        if proceedings and condition_met:
            holders.extend(proceedings)
            notes.append(f"The regularisation condition is met ({status_name}).")
        elif proceedings:
            notes.append(
                "Under this policy both conditions must hold, and the regularisation condition "
                f"is not met ({status_name})."
            )
        if facts.regularisation in _PENDING:
            holders.append(regularisation)
    if facts.nrm_recovery_period:
        holders.append(
            Holder(
                HolderKind.NRM_RECOVERY_PERIOD,
                "nrm",
                "Held open by the recovery period after a positive reasonable-grounds "
                "decision (R27).",
            )
        )

    if holders:
        status = ProtectionStatus.ACTIVE
        ending: tuple[str, ...] = ()
    elif facts.current == ProtectionStatus.ENDED:
        status = ProtectionStatus.ENDED
        ending = ("This protection was closed by a person and nothing holds it open.",)
    else:
        status = ProtectionStatus.TRANSITION
        ending = (
            "Nothing holds this protection open. It stays in transition, still blocking "
            "enforcement, until a person decides to close it (R12).",
        )
    return ProtectionAssessment(
        status=status,
        previous=facts.current,
        held_open_by=tuple(holders),
        reasons=tuple(h.reason for h in holders) + tuple(notes) + ending,
        policy_id=policy.id,
        policy_version=policy.version,
    )


def check_close(policy: Policy, facts: ProtectionFacts, request: CloseRequest) -> tuple[str, ...]:
    """Every reason a close cannot go ahead; empty when it can."""
    problems: list[str] = []
    assessment = compute_protection(policy, facts)
    if assessment.status == ProtectionStatus.ACTIVE:
        problems.append(
            "This protection cannot be closed while something holds it open: "
            + " ".join(h.reason for h in assessment.held_open_by)
        )
    elif facts.current != ProtectionStatus.TRANSITION:
        current = facts.current or "not yet recorded"
        problems.append(f"Only a protection in transition can be closed; this one is {current}.")
    if not request.closed_by.strip():
        problems.append("Record who is closing the protection.")
    if request.closer_role not in policy.protection.close_roles:
        allowed = ", ".join(sorted(policy.protection.close_roles))
        problems.append(f"Only these roles can close a protection: {allowed}.")
    if not request.reasons.strip():
        problems.append("Give the reasons for closing the protection.")
    if not request.victim_notified:
        problems.append(
            "The person and their representative must be sent the end-of-protection notice, "
            "in their language, before it can be closed (R12)."
        )
    minimum = policy.protection.minimum_transition_days
    if request.days_since_notice < minimum:
        problems.append(
            f"Under this policy a protection can be closed at the earliest {minimum} days after "
            f"the notice; {max(request.days_since_notice, 0)} have passed."
        )
    return tuple(problems)


def close_protection(
    policy: Policy, facts: ProtectionFacts, request: CloseRequest
) -> ProtectionAssessment:
    """End a protection in transition on a person's decision, or raise ``CloseRefused``."""
    problems = check_close(policy, facts, request)
    if problems:
        raise CloseRefused(problems)
    return ProtectionAssessment(
        status=ProtectionStatus.ENDED,
        previous=facts.current,
        held_open_by=(),
        reasons=(f"Closed by {request.closed_by} ({request.closer_role}): {request.reasons}",),
        policy_id=policy.id,
        policy_version=policy.version,
    )


def modern_slavery_next_step(
    policy: Policy, jurisdiction: Jurisdiction, *, child: bool, consents: bool
) -> tuple[ModernSlaveryStep, str]:
    """What to prompt a first responder to do when trafficking indicators are recorded (R27)."""
    profile = policy.jurisdiction(jurisdiction)
    return modern_slavery_next_step_for(
        NrmConsent.GIVEN if consents else NrmConsent.REFUSED,
        child=child,
        duty_to_notify=profile.duty_to_notify,
        duty_to_notify_law=profile.duty_to_notify_law,
    )
