"""Policy comparison: replay the recorded history under two policies and say what differs.

Pure: no Django imports. ``history.py`` builds a ``History`` from the database; this module
replays it with the protocol's own pure core (``decide_referral``, ``should_open_protection``,
``compute_protection``, ``decide_clearance``), so the comparison uses exactly the rules the
service uses, never a second copy of them.

What is replayed, in time order, for each policy:

- **Referrals.** Each recorded referral is decided again with the facts recorded for it (role,
  offence, triggers, force, jurisdiction, the person's roles in other cases at that time). Only
  referrals that were made are in the history: a referral refused under the policy in force
  was never recorded, so the comparison cannot show referrals that another policy would have
  *allowed*.
- **Protections.** A person's protection opens when the policy says so: on registration as a
  victim, witness or dependant (for example under the firewall), or when a referral is sent
  that opens one. Cases join the protection as they do in the service. Its status is then
  recomputed whenever a linked case changes state, with ``compute_protection``. A recorded
  close ends the protection only if, under the replayed policy, it was in transition at that
  moment; otherwise the close could not have happened and the protection is held open longer.
- **Clearances.** Each recorded clearance is decided again at the moment it was asked, against
  the protections that would have existed then, with the matcher's recorded result, any review
  verdict and any approved override.

Approximations (documented in ``docs/oversight.md``): the person's regularisation status and
NRM flag are taken as they are now (their history is not recorded); the matcher is not re-run.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from safeshare.cases.lifecycle import (
    CaseState,
    InformationSource,
    OffenceCategory,
    PartyRole,
    RegularisationStatus,
)
from safeshare.protocol.clearance import (
    ClearanceOutcome,
    MatchCandidate,
    MatchDecision,
    MatchOutcome,
    ProtectionSnapshot,
    ReviewVerdict,
    decide_clearance,
)
from safeshare.protocol.overrides import ApprovedOverride
from safeshare.protocol.policy import PROTECTED_ROLES, ExceptionCategory, Jurisdiction, Policy
from safeshare.protocol.protection import (
    LinkedCase,
    OpeningEvent,
    ProtectionFacts,
    ProtectionStatus,
    compute_protection,
    should_open_protection,
)
from safeshare.protocol.referral import ReferralFacts, ReferralTrigger, decide_referral

__all__ = [
    "CandidateRecord",
    "CaseRecord",
    "ClearanceChange",
    "ClearanceRecord",
    "Comparison",
    "History",
    "OverrideRecord",
    "PartyRecord",
    "PersonRecord",
    "PolicyTotals",
    "ProtectionChange",
    "ProtectionChangeKind",
    "ProtectionReplay",
    "ReferralChange",
    "ReferralRecord",
    "compare",
    "replay",
]


# --- The recorded history (plain data) --------------------------------------------------------


@dataclass(frozen=True)
class CaseRecord:
    """A case: its force, offence, and every state it has been in, from when."""

    key: str
    force_code: str
    jurisdiction: Jurisdiction
    offence: OffenceCategory
    states: tuple[tuple[datetime, CaseState], ...]
    support_withdrawn: tuple[tuple[datetime, bool], ...] = ()

    def state_at(self, moment: datetime) -> CaseState:
        times = [t for t, _ in self.states]
        position = bisect.bisect_right(times, moment) - 1
        return self.states[max(position, 0)][1]

    def withdrawn_at(self, moment: datetime) -> bool:
        withdrawn = False
        for when, value in self.support_withdrawn:
            if when <= moment:
                withdrawn = value
        return withdrawn


@dataclass(frozen=True)
class PartyRecord:
    """A person's role in a case, and when they were added to it."""

    person: str
    case: str
    role: PartyRole
    added_at: datetime
    migrant: bool = True


@dataclass(frozen=True)
class ReferralRecord:
    """A referral that was sent, with the facts it was decided on."""

    key: str
    person: str
    case: str
    role: PartyRole
    triggers: frozenset[ReferralTrigger]
    made_at: datetime
    channel: str = "web"


@dataclass(frozen=True)
class PersonRecord:
    """What the protection depends on besides cases, and when a person closed it, if ever."""

    key: str
    regularisation: RegularisationStatus = RegularisationStatus.NONE
    nrm_recovery_period: bool = False
    closed_at: datetime | None = None


@dataclass(frozen=True)
class CandidateRecord:
    """A person the matcher found for a clearance subject, and any review verdict on them."""

    person: str
    decision: MatchDecision
    review_verdict: ReviewVerdict | None = None


@dataclass(frozen=True)
class OverrideRecord:
    """An approved override of a clearance's block."""

    key: str
    category: str
    requested_by: str
    approved_by: str


@dataclass(frozen=True)
class ClearanceRecord:
    """A clearance request: the action, when, the sources, and whom the matcher found."""

    key: str
    action_code: str
    asked_at: datetime
    information_sources: tuple[InformationSource, ...]
    candidates: tuple[CandidateRecord, ...] = ()
    subject_name_only: bool = False
    override: OverrideRecord | None = None


@dataclass(frozen=True)
class History:
    """Everything the comparison replays, as at one moment."""

    as_at: datetime
    cases: tuple[CaseRecord, ...] = ()
    parties: tuple[PartyRecord, ...] = ()
    referrals: tuple[ReferralRecord, ...] = ()
    people: tuple[PersonRecord, ...] = ()
    clearances: tuple[ClearanceRecord, ...] = ()


# --- Replay ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralReplay:
    key: str
    sent: bool
    opens_protection: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ProtectionReplay:
    """A person's protection under one policy: when it opened and its status over time."""

    person: str
    opened_at: datetime | None
    timeline: tuple[tuple[datetime, ProtectionStatus], ...] = ()
    opening_case: str | None = None

    @property
    def opened(self) -> bool:
        return self.opened_at is not None

    @property
    def final(self) -> ProtectionStatus | None:
        return self.timeline[-1][1] if self.timeline else None

    def status_at(self, moment: datetime) -> ProtectionStatus | None:
        if self.opened_at is None or moment < self.opened_at:
            return None
        times = [t for t, _ in self.timeline]
        position = bisect.bisect_right(times, moment) - 1
        return self.timeline[position][1] if position >= 0 else None

    @property
    def active_until(self) -> datetime | None:
        """When it last stopped being active; ``None`` while it is still active."""
        if not self.timeline or self.final is ProtectionStatus.ACTIVE:
            return None
        for when, status in reversed(self.timeline):
            if status is ProtectionStatus.ACTIVE:
                break
            last_change = when
        return last_change


@dataclass(frozen=True)
class PolicyReplay:
    policy_id: str
    policy_version: str
    referrals: dict[str, ReferralReplay]
    protections: dict[str, ProtectionReplay]
    clearances: dict[str, ClearanceOutcome]


def _other_roles(parties: Sequence[PartyRecord], referral: ReferralRecord) -> frozenset[PartyRole]:
    return frozenset(
        p.role
        for p in parties
        if p.person == referral.person
        and p.added_at <= referral.made_at
        and not (p.case == referral.case and p.role == referral.role)
    )


def _replay_referrals(
    policy: Policy, history: History, cases: dict[str, CaseRecord]
) -> dict[str, ReferralReplay]:
    parties_by_person: dict[str, list[PartyRecord]] = {}
    for party in history.parties:
        parties_by_person.setdefault(party.person, []).append(party)
    out = {}
    for referral in history.referrals:
        case = cases[referral.case]
        decision = decide_referral(
            policy,
            ReferralFacts(
                role=referral.role,
                offence=case.offence,
                triggers=referral.triggers,
                jurisdiction=case.jurisdiction,
                force_code=case.force_code,
                other_roles=_other_roles(parties_by_person.get(referral.person, []), referral),
            ),
        )
        out[referral.key] = ReferralReplay(
            referral.key, decision.allowed, decision.opens_protection, decision.reasons
        )
    return out


@dataclass
class _Links:
    opened_at: datetime | None = None
    opening_case: str | None = None
    links: list[tuple[datetime, str, PartyRole]] = field(default_factory=list)

    def link(self, when: datetime, case: str, role: PartyRole) -> None:
        if self.opened_at is None:
            self.opened_at, self.opening_case = when, case
        if all((c, r) != (case, role) for _, c, r in self.links):
            self.links.append((when, case, role))


def _replay_protection(
    policy: Policy,
    person: PersonRecord,
    events: list[tuple[datetime, int, object]],
    cases: dict[str, CaseRecord],
    referrals: dict[str, ReferralReplay],
) -> ProtectionReplay:
    links = _Links()
    for when, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(event, PartyRecord):
            if event.role not in PROTECTED_ROLES:
                continue
            if links.opened_at is not None:
                links.link(when, event.case, event.role)
                continue
            opening = should_open_protection(
                policy, event.role, cases[event.case].offence, OpeningEvent.REGISTRATION
            )
            if event.migrant and opening.opens:
                links.link(when, event.case, event.role)
        elif isinstance(event, ReferralRecord):
            decided = referrals[event.key]
            if decided.sent and decided.opens_protection:
                links.link(when, event.case, event.role)
    if links.opened_at is None:
        return ProtectionReplay(person.key, None)

    # Every moment something the status depends on changed, from the opening on.
    moments = {links.opened_at}
    for linked_at, case_key, _ in links.links:
        moments.add(linked_at)
        case = cases[case_key]
        moments.update(t for t, _ in case.states if t > linked_at)
        moments.update(t for t, _ in case.support_withdrawn if t > linked_at)
    if person.closed_at is not None and person.closed_at >= links.opened_at:
        moments.add(person.closed_at)

    timeline: list[tuple[datetime, ProtectionStatus]] = []
    current: ProtectionStatus | None = None
    for moment in sorted(moments):
        linked = tuple(
            LinkedCase(
                case_id=case_key,
                offence=cases[case_key].offence,
                role=role,
                state=cases[case_key].state_at(moment),
                support_withdrawn=cases[case_key].withdrawn_at(moment),
            )
            for linked_at, case_key, role in links.links
            if linked_at <= moment
        )
        assessment = compute_protection(
            policy,
            ProtectionFacts(
                linked_cases=linked,
                regularisation=person.regularisation,
                nrm_recovery_period=person.nrm_recovery_period,
                current=current,
            ),
        )
        status = assessment.status
        if moment == person.closed_at and status is ProtectionStatus.TRANSITION:
            status = ProtectionStatus.ENDED
        if status is not current:
            timeline.append((moment, status))
            current = status
    return ProtectionReplay(person.key, links.opened_at, tuple(timeline), links.opening_case)


_LEVEL = {MatchDecision.NONE: 0, MatchDecision.POSSIBLE: 1, MatchDecision.MATCH: 2}


def _replay_clearance(
    policy: Policy,
    clearance: ClearanceRecord,
    protections: dict[str, ProtectionReplay],
    people: dict[str, PersonRecord],
) -> ClearanceOutcome:
    candidates: list[MatchCandidate] = []
    snapshots: dict[str, ProtectionSnapshot] = {}
    for candidate in clearance.candidates:
        replayed = protections.get(candidate.person)
        status = replayed.status_at(clearance.asked_at) if replayed else None
        if status is None:
            continue  # under this policy the person was not on the register then
        person = people.get(candidate.person, PersonRecord(candidate.person))
        snapshots[candidate.person] = ProtectionSnapshot(
            protection_id=candidate.person,
            reference=f"P-{candidate.person}",
            status=status,
            contact_point="protocol officer",
            nrm_recovery_period=person.nrm_recovery_period,
        )
        candidates.append(
            MatchCandidate(
                identity_id=candidate.person,
                protection_ids=(candidate.person,),
                score=float(_LEVEL[candidate.decision]),
                decision=candidate.decision,
                review_verdict=candidate.review_verdict,
            )
        )
    decision = max(
        (c.decision for c in candidates), key=_LEVEL.__getitem__, default=MatchDecision.NONE
    )
    match = MatchOutcome(
        subject_ref=clearance.key,
        decision=decision,
        candidates=tuple(candidates),
        subject_name_only=clearance.subject_name_only,
    )
    override = None
    if clearance.override is not None:
        override = ApprovedOverride(
            override_id=clearance.override.key,
            action_code=clearance.action_code,
            subject_ref=clearance.key,
            protection_ids=frozenset(snapshots),
            category=ExceptionCategory(clearance.override.category),
            requested_by=clearance.override.requested_by,
            approved_by=clearance.override.approved_by,
            policy_id=policy.id,
            policy_version=policy.version,
        )
    return decide_clearance(
        policy,
        clearance.action_code,
        match,
        snapshots,
        clearance.information_sources,
        approved_override=override,
    ).outcome


def replay(policy: Policy, history: History) -> PolicyReplay:
    """Everything in ``history`` decided again under ``policy``."""
    cases = {case.key: case for case in history.cases}
    referrals = _replay_referrals(policy, history, cases)
    people = {person.key: person for person in history.people}
    events: dict[str, list[tuple[datetime, int, object]]] = {}
    for party in history.parties:
        events.setdefault(party.person, []).append((party.added_at, 0, party))
        people.setdefault(party.person, PersonRecord(party.person))
    for referral in history.referrals:
        events.setdefault(referral.person, []).append((referral.made_at, 1, referral))
        people.setdefault(referral.person, PersonRecord(referral.person))
    protections = {
        key: _replay_protection(policy, person, events.get(key, []), cases, referrals)
        for key, person in people.items()
    }
    clearances = {
        clearance.key: _replay_clearance(policy, clearance, protections, people)
        for clearance in history.clearances
    }
    return PolicyReplay(policy.id, policy.version, referrals, protections, clearances)


# --- Differences -------------------------------------------------------------------------------


class ProtectionChangeKind(StrEnum):
    """How one person's protection differs between the two policies."""

    OPENED_ONLY_UNDER_B = "opened_only_under_b"
    OPENED_ONLY_UNDER_A = "opened_only_under_a"
    HELD_LONGER_UNDER_B = "held_longer_under_b"
    HELD_LONGER_UNDER_A = "held_longer_under_a"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ProtectionChangeKind.OPENED_ONLY_UNDER_B: "Protected only under policy B",
    ProtectionChangeKind.OPENED_ONLY_UNDER_A: "Protected only under policy A",
    ProtectionChangeKind.HELD_LONGER_UNDER_B: "Held open longer under policy B",
    ProtectionChangeKind.HELD_LONGER_UNDER_A: "Held open longer under policy A",
}


@dataclass(frozen=True)
class ReferralChange:
    referral: str
    sent_a: bool
    sent_b: bool
    opens_a: bool
    opens_b: bool
    reasons_b: tuple[str, ...]


@dataclass(frozen=True)
class ProtectionChange:
    person: str
    kind: ProtectionChangeKind
    status_a: ProtectionStatus | None
    status_b: ProtectionStatus | None
    opened_a: datetime | None
    opened_b: datetime | None
    active_until_a: datetime | None
    active_until_b: datetime | None


@dataclass(frozen=True)
class ClearanceChange:
    clearance: str
    action_code: str
    asked_at: datetime
    outcome_a: ClearanceOutcome
    outcome_b: ClearanceOutcome


@dataclass(frozen=True)
class PolicyTotals:
    """Headline counts under one policy."""

    referrals_sent: int
    referrals_refused: int
    protections_opened: int
    protection_status: dict[str, int]
    clearances: dict[str, int]


@dataclass(frozen=True)
class Comparison:
    """The two replays side by side and every difference between them."""

    as_at: datetime
    policy_a: str
    version_a: str
    policy_b: str
    version_b: str
    totals_a: PolicyTotals
    totals_b: PolicyTotals
    referral_changes: tuple[ReferralChange, ...]
    protection_changes: tuple[ProtectionChange, ...]
    clearance_changes: tuple[ClearanceChange, ...]
    referrals: int
    people: int
    clearances: int
    replay_a: PolicyReplay = field(repr=False)
    replay_b: PolicyReplay = field(repr=False)

    @property
    def referrals_not_sent_under_b(self) -> tuple[ReferralChange, ...]:
        return tuple(c for c in self.referral_changes if c.sent_a and not c.sent_b)

    def protection_changes_of(self, kind: ProtectionChangeKind) -> tuple[ProtectionChange, ...]:
        return tuple(c for c in self.protection_changes if c.kind is kind)


def _totals(result: PolicyReplay) -> PolicyTotals:
    sent = sum(1 for r in result.referrals.values() if r.sent)
    statuses = Counter(str(p.final) for p in result.protections.values() if p.opened)
    return PolicyTotals(
        referrals_sent=sent,
        referrals_refused=len(result.referrals) - sent,
        protections_opened=sum(statuses.values()),
        protection_status={str(s): statuses.get(str(s), 0) for s in ProtectionStatus},
        clearances={str(o): 0 for o in ClearanceOutcome}
        | dict(Counter(str(o) for o in result.clearances.values())),
    )


def _held_longer(a: ProtectionReplay, b: ProtectionReplay) -> ProtectionChangeKind | None:
    until_a, until_b = a.active_until, b.active_until
    if until_a == until_b and a.final == b.final:
        return None
    if until_a is None and until_b is None:
        return None
    if until_b is None or (until_a is not None and until_b > until_a):
        return ProtectionChangeKind.HELD_LONGER_UNDER_B
    if until_a is None or until_a > until_b:
        return ProtectionChangeKind.HELD_LONGER_UNDER_A
    # Left active at the same moment; one was then closed and the other was not.
    if a.final is ProtectionStatus.ENDED and b.final is not ProtectionStatus.ENDED:
        return ProtectionChangeKind.HELD_LONGER_UNDER_B
    if b.final is ProtectionStatus.ENDED and a.final is not ProtectionStatus.ENDED:
        return ProtectionChangeKind.HELD_LONGER_UNDER_A
    return None


def compare(policy_a: Policy, policy_b: Policy, history: History) -> Comparison:
    """Replay ``history`` under both policies and list what would have differed."""
    a, b = replay(policy_a, history), replay(policy_b, history)
    referral_changes = tuple(
        ReferralChange(key, ra.sent, rb.sent, ra.opens_protection, rb.opens_protection, rb.reasons)
        for key, ra in a.referrals.items()
        for rb in (b.referrals[key],)
        if (ra.sent, ra.opens_protection) != (rb.sent, rb.opens_protection)
    )
    protection_changes = []
    for person, pa in a.protections.items():
        pb = b.protections[person]
        if pa.opened and not pb.opened:
            kind: ProtectionChangeKind | None = ProtectionChangeKind.OPENED_ONLY_UNDER_A
        elif pb.opened and not pa.opened:
            kind = ProtectionChangeKind.OPENED_ONLY_UNDER_B
        elif pa.opened and pb.opened:
            kind = _held_longer(pa, pb)
        else:
            kind = None
        if kind is not None:
            protection_changes.append(
                ProtectionChange(
                    person,
                    kind,
                    pa.final,
                    pb.final,
                    pa.opened_at,
                    pb.opened_at,
                    pa.active_until,
                    pb.active_until,
                )
            )
    asked = {c.key: c for c in history.clearances}
    clearance_changes = tuple(
        ClearanceChange(key, asked[key].action_code, asked[key].asked_at, oa, b.clearances[key])
        for key, oa in a.clearances.items()
        if oa is not b.clearances[key]
    )
    return Comparison(
        as_at=history.as_at,
        policy_a=policy_a.id,
        version_a=policy_a.version,
        policy_b=policy_b.id,
        version_b=policy_b.version,
        totals_a=_totals(a),
        totals_b=_totals(b),
        referral_changes=referral_changes,
        protection_changes=tuple(protection_changes),
        clearance_changes=clearance_changes,
        referrals=len(history.referrals),
        people=len(a.protections),
        clearances=len(history.clearances),
        replay_a=a,
        replay_b=b,
    )


def changes_by(items: Iterable[object], attribute: str) -> Counter:
    """Count differences by one of their attributes (for summaries)."""
    return Counter(getattr(item, attribute) for item in items)


# --- Aggregate counts (what is stored and published) ------------------------------------------

REFERRAL_STATES = ("sent", "refused")
PROTECTION_STATES = ("none", "active", "transition", "ended")
CHANGE_KINDS = (*(k.value for k in ProtectionChangeKind), "no_difference")
CLEARANCE_OUTCOMES = tuple(o.value for o in ClearanceOutcome)


def summarise(comparison: Comparison, history: History) -> dict[str, object]:
    """Counts only, keyed by position, for storage and disclosure control. No record keys.

    - ``referrals``: ``[state under A, force, state under B, count]``
    - ``protections``: ``[status under A, status under B, count]`` (``none`` = not protected)
    - ``protection_changes``: ``[status under A, change kind, count]``
    - ``clearances``: ``[outcome under A, outcome under B, count]``
    """
    case_force = {case.key: case.force_code for case in history.cases}
    forces = sorted(set(case_force.values()))
    force_position = {code: i for i, code in enumerate(forces)}
    referral_case = {r.key: r.case for r in history.referrals}
    referrals: Counter = Counter()
    for key, ra in comparison.replay_a.referrals.items():
        rb = comparison.replay_b.referrals[key]
        referrals[
            (int(not ra.sent), force_position[case_force[referral_case[key]]], int(not rb.sent))
        ] += 1

    kinds = {c.person: c.kind.value for c in comparison.protection_changes}
    protections: Counter = Counter()
    changes: Counter = Counter()
    for person, pa in comparison.replay_a.protections.items():
        pb = comparison.replay_b.protections[person]
        a = PROTECTION_STATES.index(str(pa.final) if pa.opened else "none")
        b = PROTECTION_STATES.index(str(pb.final) if pb.opened else "none")
        protections[(a, b)] += 1
        changes[(a, CHANGE_KINDS.index(kinds.get(person, "no_difference")))] += 1

    clearances: Counter = Counter()
    for key, oa in comparison.replay_a.clearances.items():
        ob = comparison.replay_b.clearances[key]
        clearances[(CLEARANCE_OUTCOMES.index(oa.value), CLEARANCE_OUTCOMES.index(ob.value))] += 1

    def rows(counter: Counter) -> list[list[int]]:
        return [[*key, n] for key, n in sorted(counter.items())]

    return {
        "forces": forces,
        "referrals": rows(referrals),
        "protections": rows(protections),
        "protection_changes": rows(changes),
        "clearances": rows(clearances),
        "recorded": {
            "referrals": comparison.referrals,
            "people": comparison.people,
            "clearances": comparison.clearances,
        },
    }
