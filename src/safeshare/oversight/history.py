"""The Django side of the policy comparison: the recorded history as plain data, and runs.

``build_history`` reads cases, their events, parties, referrals, protections, clearances,
reviews and approved overrides into ``comparison.History`` (record keys are internal ids,
never names). ``run_comparison`` replays it under two policies with the pure
``comparison.compare`` and stores only aggregate counts.

How a clearance's match is rebuilt without re-running the matcher: its candidates are the
protections recorded against it; a candidate that a protocol officer reviewed is a possible
match with the officer's verdict, the others take the clearance's recorded match decision.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Max
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.cases.lifecycle import (
    CaseState,
    InformationSource,
    OffenceCategory,
    PartyRole,
    RegularisationStatus,
)
from safeshare.cases.models import Case, CaseEvent, Party
from safeshare.oversight import actions
from safeshare.oversight.comparison import (
    CLEARANCE_OUTCOMES,
    REFERRAL_STATES,
    CandidateRecord,
    CaseRecord,
    ClearanceRecord,
    History,
    OverrideRecord,
    PartyRecord,
    PersonRecord,
    ReferralRecord,
    compare,
    summarise,
)
from safeshare.oversight.models import ComparisonRun
from safeshare.protocol.active import policy_by_id
from safeshare.protocol.clearance import MatchDecision, ReviewVerdict
from safeshare.protocol.models import Clearance, Override, Protection, Review
from safeshare.protocol.policy import Jurisdiction, Policy
from safeshare.protocol.referral import ReferralTrigger
from safeshare.protocol.replaying import standing_outcomes
from safeshare.referrals.models import Referral, RefusedReferral
from safeshare.referrals.replaying import referral_outcomes

_JURISDICTIONS = {j.value for j in Jurisdiction}
_SUBJECT_DETAIL = ("date_of_birth", "nationality", "passport_number", "home_office_reference")
_VERDICTS = {
    Review.Verdict.SAME_PERSON.value: ReviewVerdict.SAME_PERSON,
    Review.Verdict.NOT_SAME_PERSON.value: ReviewVerdict.DIFFERENT_PERSON,
}


def history_marker() -> str:
    """Changes whenever anything the comparison replays is added or changed."""
    parts = [
        Case.objects.aggregate(m=Max("id"))["m"],
        CaseEvent.objects.aggregate(m=Max("id"))["m"],
        Party.objects.aggregate(m=Max("id"))["m"],
        Referral.objects.aggregate(m=Max("id"))["m"],
        RefusedReferral.objects.aggregate(m=Max("id"))["m"],
        Protection.objects.aggregate(m=Max("status_changed_at"))["m"],
        Protection.objects.aggregate(m=Max("regularisation_certified_at"))["m"],
        Clearance.objects.aggregate(m=Max("decided_at"))["m"],
        Override.objects.aggregate(m=Max("decided_at"))["m"],
    ]
    return "|".join("" if p is None else str(p) for p in parts)


def build_history() -> History:
    """Everything the comparison needs, read with a few queries."""
    events: dict[int, list[tuple]] = defaultdict(list)
    for case_id, event, state_after, recorded_at in (
        CaseEvent.objects.order_by("recorded_at", "id")
        .values_list("case_id", "event", "state_after", "recorded_at")
        .iterator(chunk_size=10000)
    ):
        events[case_id].append((event, state_after, recorded_at))

    cases = []
    for pk, created_at, offence, force_code, jurisdiction in Case.objects.values_list(
        "pk", "created_at", "offence_category", "force__code", "force__jurisdiction"
    ).iterator(chunk_size=10000):
        states = [(created_at, CaseState.REPORTED)]
        withdrawn = []
        for event, state_after, recorded_at in events.get(pk, ()):
            if event == "victim_withdrew_support":
                withdrawn.append((recorded_at, True))
            elif event == "victim_resumed_support":
                withdrawn.append((recorded_at, False))
            if state_after != states[-1][1]:
                states.append((recorded_at, CaseState(state_after)))
        cases.append(
            CaseRecord(
                key=str(pk),
                force_code=force_code,
                jurisdiction=Jurisdiction(
                    jurisdiction if jurisdiction in _JURISDICTIONS else "england_wales"
                ),
                offence=OffenceCategory(offence),
                states=tuple(states),
                support_withdrawn=tuple(withdrawn),
            )
        )

    parties = tuple(
        PartyRecord(str(person), str(case), PartyRole(role), added_at, migrant)
        for person, case, role, added_at, migrant in Party.objects.values_list(
            "person_id", "case_id", "role", "added_at", "migrant"
        ).iterator(chunk_size=10000)
    )
    referrals = tuple(
        ReferralRecord(
            key=str(pk),
            person=str(person),
            case=str(case),
            role=PartyRole(role),
            triggers=frozenset(ReferralTrigger(t) for t in trigger.split(",") if t),
            made_at=created_at,
            channel=channel,
        )
        for pk, person, case, role, trigger, created_at, channel in Referral.objects.values_list(
            "pk", "party__person_id", "case_id", "role", "trigger", "created_at", "channel"
        ).iterator(chunk_size=10000)
    )
    protection_person: dict[int, str] = {}
    people = []
    for pk, person, regularisation, nrm, status, closed_at in Protection.objects.values_list(
        "pk", "person_id", "regularisation_status", "nrm_recovery_period", "status", "closed_at"
    ).iterator(chunk_size=10000):
        protection_person[pk] = str(person)
        people.append(
            PersonRecord(
                key=str(person),
                regularisation=RegularisationStatus(regularisation),
                nrm_recovery_period=nrm,
                closed_at=closed_at if status == "ended" else None,
            )
        )
    return History(
        as_at=timezone.now(),
        cases=tuple(cases),
        parties=parties,
        referrals=referrals,
        people=tuple(people),
        clearances=_clearances(protection_person),
    )


def _clearances(protection_person: dict[int, str]) -> tuple[ClearanceRecord, ...]:
    linked: dict[int, list[int]] = defaultdict(list)
    for clearance_id, protection_id in Clearance.protections.through.objects.values_list(
        "clearance_id", "protection_id"
    ).iterator(chunk_size=10000):
        linked[clearance_id].append(protection_id)
    reviewed: dict[int, dict[int, str]] = defaultdict(dict)
    for clearance_id, protection_id, verdict in Review.candidates.through.objects.values_list(
        "review__clearance_id", "protection_id", "review__verdict"
    ).iterator(chunk_size=10000):
        previous = reviewed[clearance_id].get(protection_id, "")
        reviewed[clearance_id][protection_id] = verdict or previous
    overrides = {
        clearance_id: OverrideRecord(str(pk), category, requester, approver)
        for pk, clearance_id, category, requester, approver in Override.objects.filter(
            status=Override.Status.APPROVED
        ).values_list(
            "pk", "clearance_id", "exception_category", "requester_key", "decided_by_key"
        )
    }
    out = []
    for pk, action, created_at, sources, match_decision, subject in Clearance.objects.values_list(
        "pk", "action_code", "created_at", "information_sources", "match_decision", "subject"
    ).iterator(chunk_size=10000):
        level = MatchDecision(match_decision) if match_decision else MatchDecision.NONE
        candidates = []
        for protection_id in linked.get(pk, ()):
            person = protection_person.get(protection_id)
            if person is None:
                continue
            if protection_id in reviewed.get(pk, {}):
                review_verdict = _VERDICTS.get(reviewed[pk][protection_id])
                candidates.append(CandidateRecord(person, MatchDecision.POSSIBLE, review_verdict))
            else:
                candidates.append(CandidateRecord(person, level))
        out.append(
            ClearanceRecord(
                key=str(pk),
                action_code=action,
                asked_at=created_at,
                information_sources=tuple(InformationSource(s) for s in sources),
                candidates=tuple(candidates),
                subject_name_only=not any((subject or {}).get(f) for f in _SUBJECT_DETAIL),
                override=overrides.get(pk),
            )
        )
    return tuple(out)


def comparison_summary(policy_a: Policy, policy_b: Policy) -> tuple[dict[str, object], History]:
    """The comparison's aggregate counts. Referrals and clearances are the recorded decisions
    decided again from their stored facts under each policy, by the machinery of
    ``safeshare replay --policy`` (so the two always agree); people's protection over time is
    replayed from the history of cases and referrals (``comparison.compare``)."""
    recorded = build_history()
    summary = summarise(compare(policy_a, policy_b, recorded), recorded)
    forces = [str(code) for code in summary["forces"]]  # type: ignore[attr-defined]
    decided = recorded_decisions(policy_a, policy_b, forces)
    summary.update(decided)
    replayed, missed = decided["decisions_replayed"], decided["not_replayed"]
    summary["recorded"] = {
        **summary["recorded"],  # type: ignore[dict-item]
        "referrals": replayed["referrals"] + missed["referrals"],
        "clearances": replayed["clearances"] + missed["clearances"],
    }
    return summary, recorded


def recorded_decisions(policy_a: Policy, policy_b: Policy, forces: list[str]) -> dict[str, Any]:
    """Every recorded referral decision (sent or refused) and each clearance's standing
    decision, decided again under A and under B, as counts keyed by position:

    - ``referrals``: ``[state under A, force, state under B, count]``
    - ``clearances``: ``[outcome under A, outcome under B, count]``

    Decisions that cannot be replayed (no stored facts) are counted in ``not_replayed``."""
    not_replayed = {"referrals": 0, "clearances": 0}
    referrals: Counter = Counter()
    # Each record is read once and decided under both policies (``referral_outcomes``).
    for force_code, outcomes in referral_outcomes((policy_a, policy_b)):
        if outcomes is None:
            not_replayed["referrals"] += 1
            continue
        if force_code not in forces:
            forces.append(force_code)
        referrals[
            (
                REFERRAL_STATES.index(outcomes[0]),
                forces.index(force_code),
                REFERRAL_STATES.index(outcomes[1]),
            )
        ] += 1
    clearances: Counter = Counter()
    # Each clearance's last recorded decision is the one that stands.
    for pair in standing_outcomes((policy_a, policy_b)):
        if pair is None:
            not_replayed["clearances"] += 1
            continue
        clearances[(CLEARANCE_OUTCOMES.index(pair[0]), CLEARANCE_OUTCOMES.index(pair[1]))] += 1

    def rows(counter: Counter) -> list[list[int]]:
        return [[*key, n] for key, n in sorted(counter.items())]

    return {
        "forces": forces,
        "referrals": rows(referrals),
        "clearances": rows(clearances),
        "decisions_replayed": {
            "referrals": sum(referrals.values()),
            "clearances": sum(clearances.values()),
        },
        "not_replayed": not_replayed,
    }


def latest_run(policy_a: str, policy_b: str) -> ComparisonRun | None:
    return (
        ComparisonRun.objects.filter(policy_a=policy_a, policy_b=policy_b)
        .order_by("-created_at")
        .first()
    )


def run_comparison(actor: Actor, policy_a: str, policy_b: str) -> ComparisonRun:
    """Replay the whole history under both policies and store the aggregate counts."""
    started = time.perf_counter()
    marker = history_marker()
    a, b = policy_by_id(policy_a), policy_by_id(policy_b)
    summary, history = comparison_summary(a, b)
    return actions.do_store_comparison(
        actor,
        policy_a=a.id,
        version_a=a.version,
        policy_b=b.id,
        version_b=b.version,
        as_at=history.as_at,
        history_marker=marker,
        summary=summary,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )
