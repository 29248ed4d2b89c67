"""The only code that changes protections, clearances, reviews and overrides.

Each public ``do_*`` function is one durable transaction that calls the pure core
(``protection``, ``clearance``, ``overrides``), writes the models and appends its ledger entry.
Helpers without ``do_`` run inside a caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.cases.actions import PROTECTED_ROLES, nrm_on_record, recovery_periods_for
from safeshare.cases.lifecycle import (
    CaseState,
    InformationSource,
    OffenceCategory,
    PartyRole,
    RegularisationStatus,
)
from safeshare.cases.models import Case, CaseEvent, Party
from safeshare.kernel import hooks
from safeshare.kernel.errors import RuleRefusal
from safeshare.kernel.matching import index_identity, match_subject
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications.models import Notification
from safeshare.people.models import Identity, Person
from safeshare.protocol import outcomes
from safeshare.protocol.active import active_policy
from safeshare.protocol.clearance import (
    ClearanceDecision,
    ClearanceOutcome,
    IEClearanceView,
    MatchCandidate,
    MatchDecision,
    MatchOutcome,
    ProtectionSnapshot,
    ReviewVerdict,
    decide_clearance,
    ie_view,
)
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.models import (
    Clearance,
    OutcomeReport,
    Override,
    Protection,
    ProtectionCase,
    Review,
    unused_review_id,
)
from safeshare.protocol.overrides import (
    Approval,
    OverrideRefused,
    OverrideRequest,
    SuspectedOffence,
    approve_override,
    validate_override_request,
)
from safeshare.protocol.policy import IEDetail, Policy
from safeshare.protocol.protection import (
    CloseRefused,
    CloseRequest,
    LinkedCase,
    OpeningEvent,
    ProtectionFacts,
    ProtectionStatus,
    close_protection,
    compute_protection,
    should_open_protection,
)
from safeshare.protocol.references import new_reference
from safeshare.protocol.replay import clearance_facts, decision_record, protection_facts_record

#: The minimum recovery period after a positive reasonable-grounds decision (R27); the same
#: 30 days as the advice core's ``RECOVERY_PERIOD_MINIMUM``.
RECOVERY_PERIOD_MINIMUM = dt.timedelta(days=30)
DEFAULT_CONTACT = "the SafeShare duty protocol officer"


class ProtocolError(RuleRefusal):
    """An action the protocol does not allow, with every reason (shown to the user)."""


# --- Protections -----------------------------------------------------------------------------


def protection_facts(protection: Protection) -> ProtectionFacts:
    """The pure core's view of a protection: its cases, regularisation and NRM flag."""
    links = ProtectionCase.objects.filter(protection=protection).select_related("case")
    linked = []
    for link in links:
        events = CaseEvent.objects.filter(case=link.case).values_list("event", flat=True)
        withdrawn = False
        for event in events:
            if event == "victim_withdrew_support":
                withdrawn = True
            elif event == "victim_resumed_support":
                withdrawn = False
        linked.append(
            LinkedCase(
                case_id=str(link.case.public_id),
                offence=OffenceCategory(link.case.offence_category),
                role=PartyRole(link.role),
                state=CaseState(link.case.state),
                support_withdrawn=withdrawn,
            )
        )
    referred_by: tuple[str, ...] = ()
    if (
        protection.trigger == OpeningEvent.OTHER_AUTHORITY_REFERRAL.value
        and protection.referral_hold_ended_at is None
    ):
        referred_by = (protection.opened_by.name,)
    return ProtectionFacts(
        linked_cases=tuple(linked),
        referred_by=referred_by,
        regularisation=RegularisationStatus(protection.regularisation_status),
        nrm_recovery_period=in_recovery_period(protection),
        current=ProtectionStatus(protection.status) if protection.status else None,
    )


def in_recovery_period(
    protection: Protection, on_cases: Mapping[int, tuple[bool, str]] | None = None
) -> bool:
    """Whether the person is protected from removal by an NRM recovery period (R27): from the
    NRM decisions recorded on their cases (``cases.actions.recovery_periods_for``; pass
    ``on_cases`` when already read for many people) or from those recorded on the protection."""
    if on_cases is None:
        on_cases = recovery_periods_for([protection.person_id])
    found = on_cases.get(protection.person_id)
    return protection.in_recovery_period or (found is not None and found[0])


def _record_status(
    protection: Protection, status: ProtectionStatus, reasons: Iterable[str]
) -> bool:
    changed = protection.status != status.value
    protection.status = status.value
    protection.status_reasons = list(reasons)
    if changed:
        protection.status_changed_at = timezone.now()
        if status is ProtectionStatus.TRANSITION:
            protection.transition_notice_at = None
    return changed


def refresh_protection(protection: Protection, actor: Actor, policy: Policy) -> bool:
    """Recompute a protection from its facts; record and log a change. In a transaction."""
    previous = protection.status
    facts = protection_facts(protection)
    assessment = compute_protection(policy, facts)
    changed = _record_status(protection, assessment.status, assessment.reasons)
    if changed:
        protection.decisions = [
            *protection.decisions,
            {
                "facts": protection_facts_record(facts),
                "status": assessment.status.value,
                "policy_id": policy.id,
                "policy_version": policy.version,
                "at": timezone.now().isoformat(),
            },
        ]
    protection.save()
    if changed:
        log_entry(
            EntryKind.PROTECTION_STATUS_CHANGED,
            actor,
            policy,
            subjects=[protection.person.public_id],
            payload={
                "protection": token_for_record("protection", protection.pk),
                "status": assessment.status.value,
                "previous_status": previous,
            },
        )
        outcomes.after_status_change(protection, previous, policy)
        if protection.status == ProtectionStatus.ACTIVE.value:
            suspend_scheduled_actions(protection, actor, policy)
    return changed


def open_or_extend_protection(
    person: Person,
    case: Case | None,
    role: PartyRole,
    actor: Actor,
    policy: Policy,
    trigger: OpeningEvent,
) -> Protection:
    """Open a protection for ``person`` held by ``case``, or link the case to the existing one.
    In a transaction. A person has one protection record, however many cases hold it open.

    With no case (a referral by another authority, R5) the protection is opened by, and held
    open by the referral of, the actor's organisation."""
    protection = Protection.objects.select_for_update().filter(person=person).first()
    opened = protection is None
    opener = case.force if case is not None else actor.organisation
    if opened:
        protection = Protection.objects.create(
            reference=_unique_reference(),
            person=person,
            status=ProtectionStatus.ACTIVE.value,
            trigger=trigger.value,
            opened_by=opener,
            policy_id=policy.id,
            policy_version=policy.version,
            contact_point=opener.contact_point or f"{opener.name} protocol officer",
        )
    assert protection is not None  # found above, or just created
    if case is not None:
        ProtectionCase.objects.get_or_create(protection=protection, case=case, role=role.value)
    if opened:
        assessment = compute_protection(policy, protection_facts(protection))
        _record_status(protection, assessment.status, assessment.reasons)
        protection.save()
        log_entry(
            EntryKind.PROTECTION_OPENED,
            actor,
            policy,
            subjects=[person.public_id],
            payload={
                "protection": token_for_record("protection", protection.pk),
                **({"case": token_for_record("case", case.pk)} if case is not None else {}),
                "party_role": role.value,
                "status": protection.status,
                "reason_code": trigger.value,
            },
        )
        outcomes.notify_person(protection, outcomes.Event.PROTECTION_OPENED, policy)
        outcomes.tell_forces(protection, None)
    else:
        refresh_protection(protection, actor, policy)
    for identity in person.identities.all():
        index_identity(identity, protection)
    suspend_scheduled_actions(protection, actor, policy)
    return protection


def _unique_reference() -> str:
    while True:
        reference = new_reference()
        if not Protection.objects.filter(reference=reference).exists():
            return reference


def suspend_scheduled_actions(protection: Protection, actor: Actor, policy: Policy) -> int:
    """R9: earlier clearances that cleared a still-future action against this person are
    suspended, and the requester and oversight are alerted. In a transaction."""
    if not protection.protects:
        return 0
    today = timezone.localdate()
    pending = outcomes.open_clears(policy, timezone.now())
    suspended = 0
    for clearance in pending:
        outcome, _ = match_subject(str(clearance.public_id), clearance.subject)
        hit = any(
            str(protection.pk) in candidate.protection_ids for candidate in outcome.candidates
        )
        if not hit:
            continue
        clearance.status = Clearance.Status.SUSPENDED
        if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
            # Under a firewall IE learns neither the reference nor the force (ADR 0022).
            custodian = policy.clearance.custodian_contact
            message = f"Suspended — do not act — contact {custodian}."
            _set_ie_view(clearance, message, custodian, "")
        else:
            _set_ie_view(
                clearance,
                f"Suspended — the person is now protected — do not act — contact "
                f"{protection.contact_point}.",
                protection.contact_point,
                protection.reference,
            )
        clearance.ie_decision = ClearanceOutcome.BLOCKED.value
        clearance.reasons = [
            *clearance.reasons,
            f"Suspended on {today:%d %B %Y}: the person is now protected ({protection.reference})"
            " (R9).",
        ]
        clearance.save(update_fields=["status", "reasons", "ie_decision", *IE_VIEW_FIELDS])
        clearance.protections.add(protection)
        hooks.fire(
            hooks.ALERT_RAISED,
            kind="scheduled_action_suspended",
            summary=(
                f"A scheduled {clearance.action_code.replace('_', ' ')} was suspended because "
                f"the person is now protected ({protection.reference})."
            ),
            details={"clearance": str(clearance.public_id), "protection": protection.reference},
            organisation_code=clearance.requested_by.code,
        )
        outcomes.tell_ie_suspended(clearance, protection, policy)
        log_entry(
            EntryKind.CLEARANCE_DECISION,
            actor,
            policy,
            subjects=[protection.person.public_id],
            payload={
                "clearance": token_for_record("clearance", clearance.pk),
                "decision": "suspended",
                "protection": token_for_record("protection", protection.pk),
                "reason_code": "scheduled_action_suspended",
            },
        )
        suspended += 1
    return suspended


def do_refresh_protections_for_case(case: Case, actor: Actor) -> None:
    """Recompute every protection linked to a case (after a case event)."""
    policy = active_policy()
    with action_transaction():
        _refresh_for_case(case, actor, policy)


def _refresh_for_case(case: Case, actor: Actor, policy: Policy) -> None:
    ids = ProtectionCase.objects.filter(case=case).values_list("protection_id", flat=True)
    for protection in Protection.objects.select_for_update().filter(pk__in=list(ids)):
        refresh_protection(protection, actor, policy)


def do_update_regularisation(
    protection: Protection, status: RegularisationStatus, actor: Actor
) -> Protection:
    """Record the person's regularisation status (R11), who certified it, and recompute."""
    policy = active_policy()
    with action_transaction():
        protection = Protection.objects.select_for_update().get(pk=protection.pk)
        protection.regularisation_status = RegularisationStatus(status).value
        protection.regularisation_certified_by = f"{actor.label}, {actor.organisation.name}"
        protection.regularisation_certified_at = timezone.now()
        protection.regularisation_history = [
            *protection.regularisation_history,
            {
                "status": protection.regularisation_status,
                "certified_by": protection.regularisation_certified_by,
                "at": protection.regularisation_certified_at.isoformat(),
            },
        ]
        protection.save()
        refresh_protection(protection, actor, policy)
    return protection


def _log_status_reason(
    protection: Protection, actor: Actor, policy: Policy, reason_code: str
) -> None:
    """The ledger entry for a protection's status after a change made for ``reason_code`` (a
    referral withdrawn, an NRM stage, a public order disqualification)."""
    log_entry(
        EntryKind.PROTECTION_STATUS_CHANGED,
        actor,
        policy,
        subjects=[protection.person.public_id],
        payload={
            "protection": token_for_record("protection", protection.pk),
            "status": protection.status,
            "reason_code": reason_code,
        },
    )


def end_referral_hold(protection: Protection, actor: Actor, *, reason_code: str) -> Protection:
    """The other authority (R5) whose referral opened the protection withdrew it: the referral
    stops holding the protection open, which is recomputed (to transition, still blocking,
    unless something else holds it). In the caller's transaction."""
    policy = active_policy()
    protection = Protection.objects.select_for_update().get(pk=protection.pk)
    if protection.trigger != OpeningEvent.OTHER_AUTHORITY_REFERRAL.value:
        raise ValidationError("This protection was not opened by another authority's referral.")
    if protection.referral_hold_ended_at is not None:
        raise ValidationError("This referral has already been withdrawn.")
    protection.referral_hold_ended_at = timezone.now()
    protection.save(update_fields=["referral_hold_ended_at"])
    refresh_protection(protection, actor, policy)
    _log_status_reason(protection, actor, policy, reason_code)
    return protection


def do_close_protection(
    protection: Protection,
    actor: Actor,
    *,
    reasons: str,
    victim_notified: bool,
    as_custodian: bool = False,
) -> Protection:
    """End a protection in transition on a person's decision (R12c). Never by a clock.

    ``as_custodian``: the referring organisation of a protection that only its referral ever
    held (R5, no police case) closes it in the place of the force's protocol officer, under the
    same rule (docs/adr/0038)."""
    policy = active_policy()
    closer_role = actor.role.value
    if as_custodian:
        if (
            protection.trigger != OpeningEvent.OTHER_AUTHORITY_REFERRAL.value
            or protection.opened_by_id != actor.organisation.pk
            or protection.cases.exists()
        ):
            raise ProtocolError(["Only the force's protocol officer can close this protection."])
        closer_role = min(policy.protection.close_roles)
    with action_transaction():
        protection = Protection.objects.select_for_update().get(pk=protection.pk)
        # R12b: the minimum period runs from the notice's recorded delivery, never from the
        # moment the protection entered transition.
        notice_at = protection.transition_notice_at
        in_transition = protection.status == ProtectionStatus.TRANSITION.value
        if victim_notified and in_transition and notice_at is None:
            raise ProtocolError(outcomes.notice_problems(protection, timezone.now(), policy))
        days = (timezone.now() - notice_at).days if victim_notified and notice_at else 0
        try:
            assessment = close_protection(
                policy,
                protection_facts(protection),
                CloseRequest(
                    closed_by=actor.identifier,
                    closer_role=closer_role,
                    reasons=reasons,
                    victim_notified=victim_notified,
                    days_since_notice=days,
                ),
            )
        except CloseRefused as refused:
            raise ProtocolError(list(refused.problems)) from refused
        previous = protection.status
        _record_status(protection, assessment.status, assessment.reasons)
        protection.closed_at = timezone.now()
        protection.closed_by = actor.label
        protection.close_reasons = reasons
        protection.save()
        log_entry(
            EntryKind.PROTECTION_CLOSED,
            actor,
            policy,
            subjects=[protection.person.public_id],
            payload={
                "protection": token_for_record("protection", protection.pk),
                "status": assessment.status.value,
                "previous_status": previous,
            },
        )
        outcomes.after_status_change(protection, previous, policy)
    return protection


# --- Clearances ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClearanceResult:
    """A stored clearance and the only view of it IE may have."""

    clearance: Clearance
    view: IEClearanceView


def candidate_protections(outcome: MatchOutcome) -> list[Protection]:
    """Every protection a candidate of ``outcome`` carries, with its person (one query)."""
    ids = {int(pid) for candidate in outcome.candidates for pid in candidate.protection_ids}
    if not ids:
        return []
    return list(Protection.objects.filter(pk__in=ids).select_related("person"))


def snapshots_of(protections: Iterable[Protection]) -> dict[str, ProtectionSnapshot]:
    """What the clearance core needs to know of each protection."""
    protections = list(protections)
    on_cases = recovery_periods_for({p.person_id for p in protections})
    return {
        str(p.pk): ProtectionSnapshot(
            protection_id=str(p.pk),
            reference=p.reference,
            status=ProtectionStatus(p.status),
            contact_point=p.contact_point or DEFAULT_CONTACT,
            nrm_recovery_period=in_recovery_period(p, on_cases),
        )
        for p in protections
    }


def snapshots_for(outcome: MatchOutcome) -> dict[str, ProtectionSnapshot]:
    return snapshots_of(candidate_protections(outcome))


def do_request_clearance(
    actor: Actor,
    *,
    action_code: str,
    subject: Mapping[str, object],
    information_sources: Iterable[InformationSource | str],
    scheduled_for: dt.date | None = None,
    sweep_row: str = "",
) -> ClearanceResult:
    """Decide whether IE may take an enforcement action against a subject (DESIGN flow 4).

    ``sweep_row`` names the sweep and row of a person a sweep found (``do_clear_sweep_row``)."""
    policy = active_policy()
    actions_list = enforcement_actions()
    actions_list.get(action_code)  # unknown codes raise before anything is stored
    sources = [InformationSource(s) for s in information_sources]
    with action_transaction():
        clearance = Clearance(
            requested_by=actor.organisation,
            requester=actor.label,
            requester_key=actor.identifier,
            action_code=action_code,
            actions_version=actions_list.version,
            subject=dict(subject),
            information_sources=[s.value for s in sources],
            scheduled_for=scheduled_for,
            sweep_row=sweep_row,
            policy_id=policy.id,
            policy_version=policy.version,
        )
        outcome, result = match_subject(str(clearance.public_id), subject)
        protections = candidate_protections(outcome)
        snapshots = snapshots_of(protections)
        decision = decide_clearance(policy, action_code, outcome, snapshots, sources)
        _store_decision(clearance, decision, outcome, result.explain().splitlines())
        _record_decision(
            clearance,
            decision,
            policy,
            clearance_facts(action_code, outcome, snapshots, clearance.information_sources),
            by=actor.label,
            why="requested",
        )
        clearance.save()
        # A new clearance and a new review have no links yet: insert them, with no reads.
        Clearance.protections.through.objects.bulk_create(
            Clearance.protections.through(clearance=clearance, protection=p) for p in protections
        )
        if decision.outcome == ClearanceOutcome.HOLD:
            review = Review.objects.create(clearance=clearance, public_id=unused_review_id())
            held = {int(i) for i in decision.held_protection_ids}
            Review.candidates.through.objects.bulk_create(
                Review.candidates.through(review=review, protection=p)
                for p in protections
                if p.pk in held
            )
        _alert_if_ever_protected(clearance, decision)
        if not sweep_row:
            # A sweep has its own limits and alert (``large_sweep``), in the policy file.
            _alert_if_probing(clearance, actor, policy)
        _log_clearance(clearance, decision, actor, policy, protections)
    return ClearanceResult(clearance, ie_view(decision, policy.clearance))


#: What a sweep's findings are asked as: a caseload screened for enforcement work.
SWEEP_ACTION = "enforcement_tasking"


def do_clear_sweep_row(
    actor: Actor, *, sweep_row: str, subject: Mapping[str, object]
) -> Clearance:
    """A person a sweep found (a row not clear) becomes a clearance of its own, exactly as if
    IE had asked about them (ADR 0041): a hold becomes a review on the protocol officer's
    worklist, the answer flows back to IE by the policy's rules, and the person gets their own
    ledger entry, unlinkable to the sweep and to the other people it found. Asked once per
    row: a sweep started again finds the clearance made the first time."""
    found = Clearance.objects.filter(sweep_row=sweep_row).first()
    if found is not None:
        return found
    return do_request_clearance(
        actor,
        action_code=SWEEP_ACTION,
        subject=subject,
        information_sources=[InformationSource.IMMIGRATION_RECORDS],
        sweep_row=sweep_row,
    ).clearance


_SUBJECT_DETAIL = ("date_of_birth", "nationality", "passport_number", "home_office_reference")


def _name_only(subject: Mapping[str, object] | None) -> bool:
    """A subject given by name alone: nothing else that would tell two people apart."""
    return not any((subject or {}).get(field) for field in _SUBJECT_DETAIL)


def _alert_if_probing(clearance: Clearance, actor: Actor, policy: Policy) -> None:
    """Alert oversight when one IE user's questions look like probing the register: many
    subjects given by name alone in a day, or many answers other than a clear in seven days
    with no outcome reported. Once, when the user reaches the policy's limit."""
    rules = policy.clearance
    now = timezone.now()
    mine = Clearance.objects.filter(requester_key=clearance.requester_key)
    found: list[tuple[str, int, str]] = []
    if _name_only(clearance.subject):
        subjects = mine.filter(created_at__gte=now - dt.timedelta(days=1)).values_list(
            "subject", flat=True
        )
        count = sum(1 for subject in subjects.iterator() if _name_only(subject))
        if count == rules.probing_name_only_per_day:
            found.append(("name_only_per_day", count, "subjects given by name alone in a day"))
    if clearance.decision != ClearanceOutcome.CLEAR.value:
        count = (
            mine.filter(
                created_at__gte=now - dt.timedelta(days=7), outcomes__isnull=True, sweep_row=""
            )
            .exclude(decision=ClearanceOutcome.CLEAR.value)
            .count()
        )
        if count == rules.probing_unreported_per_week:
            found.append(
                (
                    "unreported_per_week",
                    count,
                    "answers other than a clear in seven days with no outcome reported",
                )
            )
    for pattern, count, what in found:
        hooks.fire(
            hooks.ALERT_RAISED,
            kind="possible_probing",
            summary=f"{actor.label} ({actor.org_code}) has asked about {count} {what}.",
            details={"pattern": pattern, "count": count, "user": actor.identifier},
            organisation_code=actor.org_code,
        )


IE_VIEW_FIELDS = ("ie_message", "ie_contact_point", "ie_protection_reference")


def _set_ie_view(clearance: Clearance, message: str, contact: str | None, reference: str | None):
    """Store what IE is told, so that every page and endpoint shows the same words (R18)."""
    clearance.ie_message = message
    clearance.ie_contact_point = contact or ""
    clearance.ie_protection_reference = reference or ""


def _set_ie_view_from(clearance: Clearance, view: IEClearanceView) -> None:
    _set_ie_view(clearance, view.message, view.contact_point, view.protection_reference)
    clearance.ie_decision = view.decision.value


def _record_decision(
    clearance: Clearance,
    decision: ClearanceDecision,
    policy: Policy,
    facts: dict[str, object],
    *,
    by: str,
    why: str,
) -> None:
    """Store a (re-)decision: its outcome, what IE is told, the facts it was computed from and
    the policy version that made it; earlier decisions are kept in ``history``, in order."""
    clearance.decision = decision.outcome.value
    clearance.policy_id = policy.id
    clearance.policy_version = policy.version
    clearance.facts = facts
    _set_ie_view_from(clearance, ie_view(decision, policy.clearance))
    clearance.history = [
        *(clearance.history or []),
        {
            "at": timezone.now().isoformat(),
            "why": why,
            "by": by,
            "policy_id": policy.id,
            "policy_version": policy.version,
            **decision_record(decision),
            "ie_decision": clearance.ie_decision,
            "facts": facts,
        },
    ]


def outcome_with_verdicts(
    clearance: Clearance, pending: Mapping[int, ReviewVerdict] | None = None
) -> MatchOutcome:
    """Match the clearance's subject again, carrying every protocol officer's verdict on it.

    Verdicts recorded in resolved reviews (and ``pending`` ones being recorded now) are attached
    to the candidates they concern; a confirmed protection stays a candidate even if the matcher
    would no longer propose it.
    """
    verdicts: dict[int, ReviewVerdict] = {}
    for review in clearance.reviews.filter(status=Review.Status.RESOLVED).prefetch_related(
        "candidates"
    ):
        verdict = (
            ReviewVerdict.SAME_PERSON
            if review.verdict == Review.Verdict.SAME_PERSON
            else ReviewVerdict.DIFFERENT_PERSON
        )
        for protection in review.candidates.all():
            verdicts[protection.pk] = verdict
    verdicts.update(pending or {})
    outcome, _ = match_subject(str(clearance.public_id), clearance.subject)
    candidates = []
    seen: set[int] = set()
    for candidate in outcome.candidates:
        ids = {int(p) for p in candidate.protection_ids}
        seen |= ids
        found = [verdicts[p] for p in ids if p in verdicts]
        if ReviewVerdict.SAME_PERSON in found:
            candidate = replace(candidate, review_verdict=ReviewVerdict.SAME_PERSON)
        elif found:
            candidate = replace(candidate, review_verdict=ReviewVerdict.DIFFERENT_PERSON)
        candidates.append(candidate)
    for protection_id, verdict in verdicts.items():
        if verdict == ReviewVerdict.SAME_PERSON and protection_id not in seen:
            candidates.append(
                MatchCandidate(
                    identity_id=f"review:{protection_id}",
                    protection_ids=(str(protection_id),),
                    score=0.0,
                    decision=MatchDecision.MATCH,
                    explanation=("Confirmed as the same person by a protocol officer.",),
                    review_verdict=ReviewVerdict.SAME_PERSON,
                )
            )
    live = [c for c in candidates if c.review_verdict != ReviewVerdict.DIFFERENT_PERSON]
    ranks = [MatchDecision.NONE, MatchDecision.POSSIBLE, MatchDecision.MATCH]
    overall = max(
        (MatchDecision.MATCH if c.review_verdict else c.decision for c in live),
        key=ranks.index,
        default=MatchDecision.NONE,
    )
    return replace(outcome, candidates=tuple(candidates), decision=overall)


def _store_decision(
    clearance: Clearance,
    decision: ClearanceDecision,
    outcome: MatchOutcome,
    explanation: list[str],
) -> None:
    clearance.decision = decision.outcome.value
    clearance.reasons = list(decision.reasons)
    clearance.ever_protected = decision.ever_protected
    clearance.match_decision = outcome.decision.value
    clearance.match_explanation = explanation
    clearance.matcher_version = outcome.matcher_version
    clearance.decided_at = timezone.now()


def _alert_if_ever_protected(clearance: Clearance, decision: ClearanceDecision) -> None:
    if not decision.alert_oversight:
        return
    hooks.fire(
        hooks.ALERT_RAISED,
        kind="action_against_ever_protected",
        summary=(
            f"{clearance.requested_by.code} was cleared for "
            f"{clearance.action_code.replace('_', ' ')} against a person who was protected."
        ),
        details={"clearance": str(clearance.public_id), "decision": decision.outcome.value},
        organisation_code=clearance.requested_by.code,
    )


def _log_clearance(
    clearance: Clearance,
    decision: ClearanceDecision,
    actor: Actor,
    policy: Policy,
    protections: list[Protection],
) -> None:
    """The clearance's ledger entry: its protected people, as tokens, and how many matched.

    IE reads the log too: under a firewall (``ie_detail = "custodian"``) the entry publishes the
    decision as IE was told it and no match count, so that it tells IE no more than the answer.
    """
    payload: dict[str, object] = {
        "clearance": token_for_record("clearance", clearance.pk),
        "decision": decision.outcome.value,
        "purpose": clearance.action_code,
        "match_count": len(protections),
    }
    if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
        payload["decision"] = clearance.ie_decision or decision.outcome.value
        del payload["match_count"]
    log_entry(
        EntryKind.CLEARANCE_DECISION,
        actor,
        policy,
        subjects=list(dict.fromkeys(p.person.public_id for p in protections)),
        payload=payload,
    )


# --- Reviews ---------------------------------------------------------------------------------


def do_resolve_review(review: Review, actor: Actor, *, verdict: str, reasons: str) -> Review:
    """A protocol officer decides a hold: the same person (blocked) or not (decided again)."""
    policy = active_policy()
    verdict = Review.Verdict(verdict)
    if len(reasons.strip()) < 10:
        raise ProtocolError({"reasons": "Explain your decision in at least 10 characters"})
    with action_transaction():
        review = Review.objects.select_for_update().select_related("clearance").get(pk=review.pk)
        if review.status != Review.Status.OPEN:
            raise ProtocolError("This review has already been decided.")
        clearance = review.clearance
        told_before = (clearance.ie_decision, clearance.ie_message)
        candidate_ids = set(review.candidates.values_list("pk", flat=True))
        verdict_for_core = (
            ReviewVerdict.SAME_PERSON
            if verdict == Review.Verdict.SAME_PERSON
            else ReviewVerdict.DIFFERENT_PERSON
        )
        outcome = outcome_with_verdicts(clearance, dict.fromkeys(candidate_ids, verdict_for_core))
        snapshots = snapshots_for(outcome)
        decision = decide_clearance(
            policy,
            clearance.action_code,
            outcome,
            snapshots,
            clearance.information_sources,
        )
        clearance.ever_protected = clearance.ever_protected or decision.ever_protected
        clearance.reasons = [
            *clearance.reasons,
            f"A protocol officer decided the subject is {verdict.label.lower()}: {reasons}",
            *decision.reasons,
        ]
        _record_decision(
            clearance,
            decision,
            policy,
            clearance_facts(
                clearance.action_code, outcome, snapshots, clearance.information_sources
            ),
            by=actor.label,
            why=f"review: {verdict.value}",
        )
        if decision.outcome == ClearanceOutcome.HOLD:
            next_review = Review.objects.create(clearance=clearance, public_id=unused_review_id())
            next_review.candidates.set(
                Protection.objects.filter(pk__in=[int(i) for i in decision.held_protection_ids])
            )
        clearance.decided_at = timezone.now()
        clearance.save()
        review.status = Review.Status.RESOLVED
        review.verdict = verdict.value
        review.reasons = reasons
        review.resolved_by = actor.label
        review.resolved_by_org = actor.organisation
        review.resolved_at = timezone.now()
        review.save()
        if decision.outcome == ClearanceOutcome.CLEAR:
            _close_overrides_no_longer_needed(clearance, actor)
        custodian = policy.clearance.ie_detail == IEDetail.CUSTODIAN
        answer_changed = (clearance.ie_decision, clearance.ie_message) != told_before
        if not custodian or answer_changed:
            # Under a firewall IE never knew of the hold: it hears only of a changed answer.
            outcomes.tell_ie_hold_resolved(clearance, firewall=custodian)
        if answer_changed:
            # The log follows the answer: the clearance's entry said what IE was told before.
            _log_clearance_answer_changed(clearance, actor, policy)
        people = Person.objects.filter(protections__pk__in=candidate_ids).values_list(
            "public_id", flat=True
        )
        log_entry(
            EntryKind.REVIEW_RESOLVED,
            actor,
            policy,
            subjects=list(people),
            payload={
                "review": token_for_record("review", review.pk),
                "clearance": token_for_record("clearance", clearance.pk),
                "outcome": verdict.value,
                "decision": clearance.decision,
            },
        )
    return review


def _log_clearance_answer_changed(clearance: Clearance, actor: Actor, policy: Policy) -> None:
    """A ruling that changed IE's answer (a hold ruled not the person becomes a clear): a
    clearance entry with the answer as IE is now told it, as for a suspension (R9)."""
    people = list(
        Person.objects.filter(protections__in=clearance.protections.all())
        .distinct()
        .values_list("public_id", flat=True)
    )
    log_entry(
        EntryKind.CLEARANCE_DECISION,
        actor,
        policy,
        subjects=people,
        payload={
            "clearance": token_for_record("clearance", clearance.pk),
            "decision": clearance.ie_decision or clearance.decision,
            "purpose": clearance.action_code,
        },
    )


CUSTODIAN_YET_TO_RULE = (
    "The protocol custodian has yet to rule on whether the subject is the protected person. "
    "You cannot approve the override until they have. You can refuse it now."
)


def custodian_ruling_awaited(clearance: Clearance) -> bool:
    """Whether the protocol custodian has yet to rule whether the subject is the protected
    person (an open review). Until they have, an override of the clearance cannot be approved
    (ADR 0036)."""
    return clearance.reviews.filter(status=Review.Status.OPEN).exists()


def override_waiting_message(override: Override, *, awaited: bool) -> str:
    """What an override waits for, in words, for the API answer and the page."""
    if override.status != Override.Status.PENDING:
        return str(override.get_status_display())
    if awaited:
        return CUSTODIAN_YET_TO_RULE
    return "Waiting for a senior approver's decision."


# --- Overrides -------------------------------------------------------------------------------


def _close_overrides_no_longer_needed(clearance: Clearance, actor: Actor) -> None:
    """A possible match ruled not the protected person: a waiting override of the clearance is
    no longer needed (the action is clear). Recorded as refused, with the reason."""
    for override in clearance.overrides.filter(status=Override.Status.PENDING):
        override.status = Override.Status.REFUSED
        override.decided_by = actor.label
        override.decided_by_key = actor.identifier
        override.decision_reasons = (
            "No longer needed: the subject is not the protected person, and the clearance "
            "was decided again."
        )
        override.decided_at = timezone.now()
        override.save()


def override_request(override: Override) -> OverrideRequest:
    """The pure core's view of a stored override (also for the page that checks a decision
    before it is made)."""
    return _override_request(override)


def _override_request(override: Override) -> OverrideRequest:
    clearance = override.clearance
    offence = override.suspected_offence
    offences = (SuspectedOffence(**offence),) if offence else ()
    return OverrideRequest(
        action_code=clearance.action_code,
        subject_ref=str(clearance.public_id),
        protection_ids=tuple(str(p) for p in clearance.protections.values_list("pk", flat=True)),
        category=override.exception_category,
        reasons=override.reasons,
        requested_by=override.requester_key,
        offences=offences,
        modern_slavery_indicators=override.statutory_defence_flag,
    )


def do_request_override(
    clearance: Clearance,
    actor: Actor,
    *,
    category: str,
    reasons: str,
    suspected_offence: Mapping[str, object] | None = None,
    modern_slavery_indicators: bool = False,
) -> Override:
    """Ask to act despite a block under a named exception (R7, R13). Oversight is alerted.

    What counts is the answer IE was given. Under a firewall (``ie_detail = "custodian"``) a
    hold was told to IE as the same "do not act" as a block, so asking to override it is taken
    exactly as for a block: the same checks, answer, alert and ledger entry. It waits until the
    protocol custodian has decided the possible match (ADR 0031). So that waiting does not
    tell a block from a hold, under a firewall an override of a block waits too: the custodian
    is asked to confirm that the subject is the protected person (ADR 0036)."""
    policy = active_policy()
    with action_transaction():
        clearance = Clearance.objects.select_for_update().get(pk=clearance.pk)
        told = clearance.ie_decision or clearance.decision
        if told != ClearanceOutcome.BLOCKED.value:
            raise ProtocolError("Only a blocked clearance can be overridden.")
        if clearance.overrides.filter(status=Override.Status.PENDING).exists():
            raise ProtocolError("An override of this clearance is already waiting for approval.")
        override = Override(
            clearance=clearance,
            exception_category=category,
            reasons=reasons,
            suspected_offence=dict(suspected_offence) if suspected_offence else None,
            # The reviewer's prompt rests on the records, not only on the requester's tick: IE
            # cannot see the case (R18), the police and NRM records can (R27).
            statutory_defence_flag=modern_slavery_indicators
            or _modern_slavery_on_record(clearance),
            requested_by=actor.organisation,
            requester=actor.label,
            requester_key=actor.identifier,
            policy_id=policy.id,
            policy_version=policy.version,
        )
        assessment = validate_override_request(policy, _override_request(override))
        if not assessment.valid:
            raise ProtocolError(list(assessment.problems))
        override.save()
        if policy.clearance.ie_detail == IEDetail.CUSTODIAN and not custodian_ruling_awaited(
            clearance
        ):
            confirm = Review.objects.create(clearance=clearance, public_id=unused_review_id())
            confirm.candidates.set(clearance.protections.all())
        hooks.fire(
            hooks.ALERT_RAISED,
            kind="override_requested",
            summary=(
                f"{actor.org_code} asked to override a block on "
                f"{clearance.action_code.replace('_', ' ')} ({category.replace('_', ' ')}): "
                f"override {override.reference}."
            ),
            details={"override": str(override.public_id), "category": category},
            organisation_code=actor.org_code,
        )
        log_entry(
            EntryKind.OVERRIDE_REQUESTED,
            actor,
            policy,
            subjects=_people_of(clearance),
            payload={
                "override": token_for_record("override", override.pk),
                "clearance": token_for_record("clearance", clearance.pk),
                "exception": category,
            },
        )
    return override


def _modern_slavery_on_record(clearance: Clearance) -> bool:
    """Whether the records behind the clearance's protections show modern slavery: trafficking
    indicators recorded on the person in a case, an NRM referral, duty-to-notify report or
    decision recorded on a case (or on the protection), a recovery period derived from them,
    or a modern slavery or trafficking case."""
    for protection in clearance.protections.all():
        if in_recovery_period(protection) or protection.nrm_history:
            return True
        if nrm_on_record(protection.person_id):
            return True
        if (
            Party.objects.filter(person=protection.person_id)
            .exclude(trafficking_indicators=[])
            .exists()
        ):
            return True
        if protection.cases.filter(
            offence_category=OffenceCategory.MODERN_SLAVERY_TRAFFICKING.value
        ).exists():
            return True
    return False


def _people_of(clearance: Clearance) -> list[object]:
    return list(
        Person.objects.filter(protections__in=clearance.protections.all()).values_list(
            "public_id", flat=True
        )
    )


def do_decide_override(
    override: Override,
    actor: Actor,
    *,
    approve: bool,
    reasons: str,
    statutory_defence_considered: bool = False,
) -> Override:
    """The second, senior person approves or refuses an override. Never the requester (R7c)."""
    policy = active_policy()
    with action_transaction():
        override = (
            Override.objects.select_for_update().select_related("clearance").get(pk=override.pk)
        )
        if override.status != Override.Status.PENDING:
            raise ProtocolError("This override has already been decided.")
        if actor.identifier == override.requester_key:
            raise ProtocolError("You asked for this override, so someone else must decide it.")
        clearance = override.clearance
        if approve and custodian_ruling_awaited(clearance):
            # Only under a firewall, for a block and a hold alike: the custodian has yet to
            # rule whether the subject is the protected person (ADR 0036).
            raise ProtocolError(CUSTODIAN_YET_TO_RULE)
        request = _override_request(override)
        approval = Approval(
            approved_by=actor.identifier,
            approver_role=actor.role.value,
            reasons=reasons,
            statutory_defence_considered=statutory_defence_considered,
        )
        if approve:
            try:
                approved = approve_override(policy, request, approval, str(override.public_id))
            except OverrideRefused as refused:
                raise ProtocolError(list(refused.problems)) from refused
            outcome = outcome_with_verdicts(clearance)
            snapshots = snapshots_for(outcome)
            decision = decide_clearance(
                policy,
                clearance.action_code,
                outcome,
                snapshots,
                clearance.information_sources,
                approved_override=approved,
            )
            clearance.reasons = [*clearance.reasons, *decision.reasons]
            _record_decision(
                clearance,
                decision,
                policy,
                clearance_facts(
                    clearance.action_code,
                    outcome,
                    snapshots,
                    clearance.information_sources,
                    approved,
                ),
                by=actor.label,
                why="override approved",
            )
            clearance.decided_at = timezone.now()
            clearance.save()
            override.status = Override.Status.APPROVED
        else:
            if len(reasons.strip()) < 10:
                raise ProtocolError({"reasons": "Explain why you are refusing the override"})
            if actor.role.value not in policy.overrides.approver_roles:
                raise ProtocolError("Only a senior approver can decide an override.")
            override.status = Override.Status.REFUSED
        override.decided_by = actor.label
        override.decided_by_key = actor.identifier
        override.decision_reasons = reasons
        override.decided_at = timezone.now()
        override.save()
        if approve:
            hooks.fire(
                hooks.ALERT_RAISED,
                kind="override_approved",
                summary=(
                    f"An override of a block on {clearance.action_code.replace('_', ' ')} was "
                    f"approved ({override.exception_category.replace('_', ' ')}): "
                    f"override {override.reference}."
                ),
                details={
                    "override": str(override.public_id),
                    "clearance_decision": clearance.decision,
                },
                organisation_code=actor.org_code,
            )
            outcomes.tell_force_override_approved(override)
        log_entry(
            EntryKind.OVERRIDE_APPROVED if approve else EntryKind.OVERRIDE_REFUSED,
            actor,
            policy,
            subjects=_people_of(clearance),
            payload={
                "override": token_for_record("override", override.pk),
                "clearance": token_for_record("clearance", clearance.pk),
                "exception": override.exception_category,
                "decision": clearance.decision,
                "approver_role": actor.role.value,
            },
        )
    return override


def do_withdraw_override(override: Override, actor: Actor, *, reasons: str) -> Override:
    """The unit that asked for an override withdraws it before it is decided. The block
    stands, as if it had never been asked; the request and its withdrawal stay on the log."""
    policy = active_policy()
    if len(reasons.strip()) < 10:
        raise ProtocolError({"reasons": "Explain why you are withdrawing the request"})
    with action_transaction():
        override = (
            Override.objects.select_for_update().select_related("clearance").get(pk=override.pk)
        )
        if override.requested_by_id != actor.organisation.pk:
            raise ProtocolError("Only the unit that asked for this override can withdraw it.")
        if override.status != Override.Status.PENDING:
            raise ProtocolError(
                "This override has already been decided, so it cannot be withdrawn."
            )
        override.status = Override.Status.WITHDRAWN
        override.decided_by = actor.label
        override.decided_by_key = actor.identifier
        override.decision_reasons = reasons
        override.decided_at = timezone.now()
        override.save()
        clearance = override.clearance
        log_entry(
            EntryKind.OVERRIDE_WITHDRAWN,
            actor,
            policy,
            subjects=_people_of(clearance),
            payload={
                "override": token_for_record("override", override.pk),
                "clearance": token_for_record("clearance", clearance.pk),
                "exception": override.exception_category,
            },
        )
    return override


def do_record_nrm_decision(protection: Protection, actor: Actor, *, stage: str) -> Protection:
    """Record an NRM decision. A positive reasonable-grounds decision sets the recovery-period
    protection from removal (R27); a negative one does not remove any other protection."""
    policy = active_policy()
    allowed = {
        "referred",
        "positive_reasonable_grounds",
        "positive_conclusive_grounds",
        "negative",
    }
    if stage not in allowed:
        raise ProtocolError({"stage": "Choose one of: " + ", ".join(sorted(allowed))})
    with action_transaction():
        protection = Protection.objects.select_for_update().get(pk=protection.pk)
        protection.nrm_recovery_period = stage in {
            "positive_reasonable_grounds",
            "positive_conclusive_grounds",
        } or (protection.nrm_recovery_period and stage == "referred")
        today = timezone.localdate()
        if stage == "positive_reasonable_grounds":
            # A negative decision later keeps the block for the minimum period, as the advice
            # core applies it (advice.eligibility.RECOVERY_PERIOD_MINIMUM, R27).
            protection.nrm_recovery_until = today + RECOVERY_PERIOD_MINIMUM
        protection.nrm_history = [
            *protection.nrm_history,
            {"stage": stage, "recorded_by": actor.label, "on": today.isoformat()},
        ]
        protection.save(update_fields=["nrm_recovery_period", "nrm_recovery_until", "nrm_history"])
        refresh_protection(protection, actor, policy)
        _log_status_reason(protection, actor, policy, f"nrm_{stage}")
    return protection


def do_record_public_order_disqualification(
    protection: Protection,
    actor: Actor,
    *,
    decided_by: str,
    reasons: str,
    decided_on: dt.date,
) -> Protection:
    """Record a public order disqualification as its own reasoned decision by a named person
    (R27): it lifts the NRM recovery-period protection from removal, and nothing else. The
    protocol's protection, which rests on the case, is decided as before."""
    policy = active_policy()
    problems: dict[str, str] = {}
    if len(decided_by.strip()) < 3:
        problems["decided_by"] = "Enter the name of the person who made the decision"
    if len(reasons.strip()) < 40:
        problems["reasons"] = "Give the reasons for the decision in at least 40 characters"
    if decided_on > timezone.localdate():
        problems["decided_on"] = "The date of the decision must not be in the future"
    if problems:
        raise ValidationError(problems)
    with action_transaction():
        protection = Protection.objects.select_for_update().get(pk=protection.pk)
        protection.nrm_recovery_period = False
        protection.nrm_recovery_until = None
        protection.nrm_history = [
            *protection.nrm_history,
            {
                "stage": "public_order_disqualification",
                "decided_by": decided_by.strip(),
                "reasons": reasons.strip(),
                "decided_on": decided_on.isoformat(),
                "recorded_by": actor.label,
                "on": timezone.localdate().isoformat(),
            },
        ]
        protection.save(update_fields=["nrm_recovery_period", "nrm_recovery_until", "nrm_history"])
        refresh_protection(protection, actor, policy)
        _log_status_reason(protection, actor, policy, "nrm_public_order_disqualification")
    return protection


# --- Hooks: the lower apps' events this app acts on ------------------------------------------


def on_party_added(party: Party, actor: Actor, policy: Policy) -> None:
    """Hook ``party_added``: under a policy that protects on registration (the firewall), a
    migrant victim, witness or dependant is protected at once; a person already protected has
    the new case linked to their protection."""
    role = PartyRole(party.role)
    if role not in PROTECTED_ROLES:
        return
    person, case = party.person, party.case
    already_protected = Protection.objects.filter(person=person).exists()
    opening = should_open_protection(
        policy, role, OffenceCategory(case.offence_category), OpeningEvent.REGISTRATION
    )
    if already_protected or (party.migrant and opening.opens):
        open_or_extend_protection(person, case, role, actor, policy, OpeningEvent.REGISTRATION)


def on_case_event_recorded(case: Case, actor: Actor, policy: Policy) -> None:
    """Hook ``case_event_recorded``: recompute every protection the case holds open."""
    _refresh_for_case(case, actor, policy)


def on_identity_added(identity: Identity, actor: Actor) -> None:
    """Hook ``identity_added``: a protected person is protected under every identity (R4)."""
    protection = identity.person.protections.first()
    if protection is not None:
        index_identity(identity, protection)
        # A corrected identity may match clears given before it was known (R9, R24).
        suspend_scheduled_actions(protection, actor, active_policy())


def on_people_merged(keep: Person, merge: Person, actor: Actor) -> None:
    """Hook ``people_merged``: carry every protection of the merged person forward (R4, R24)."""
    policy = active_policy()
    kept = Protection.objects.select_for_update().filter(person=keep).first()
    moved = Protection.objects.select_for_update().filter(person=merge).first()
    if moved is not None and kept is None:
        moved.person = keep
        moved.save(update_fields=["person"])
        kept = moved
    elif moved is not None and kept is not None:
        for link in ProtectionCase.objects.filter(protection=moved):
            ProtectionCase.objects.get_or_create(protection=kept, case=link.case, role=link.role)
        kept.regularisation_status = max(
            [kept.regularisation_status, moved.regularisation_status],
            key=lambda s: s != "none",
        )
        kept.nrm_recovery_period = kept.nrm_recovery_period or moved.nrm_recovery_period
        kept.save()
    if kept is not None:
        refresh_protection(kept, actor, policy)
        for identity in keep.identities.all():
            index_identity(identity, kept)
        # Clears given against the merged person's other names are wrong now (R9, R24).
        suspend_scheduled_actions(kept, actor, policy)
    log_entry(
        EntryKind.PROTECTION_STATUS_CHANGED,
        actor,
        policy,
        subjects=[keep.public_id, merge.public_id],
        payload={"reason_code": "people_merged", "status": kept.status if kept else "none"},
    )


# --- The end-of-protection notice and what IE did after a clearance (protocol.outcomes) ------


def record_notice_delivered(notification: Notification) -> None:
    """Delivery hook: the first delivered end-of-protection notice dates the minimum period.
    In the delivery's transaction."""
    protection = (
        Protection.objects.select_for_update()
        .filter(reference=notification.protection_reference)
        .first()
    )
    if protection is None or protection.status != ProtectionStatus.TRANSITION.value:
        return
    if (
        notification.delivered_at is None
        or notification.delivered_at < protection.status_changed_at
    ):
        return
    if protection.transition_notice_at is None:
        protection.transition_notice_at = notification.delivered_at
        protection.save(update_fields=["transition_notice_at"])


def do_record_notice_handed_over(
    protection: Protection, actor: Actor, *, given_on: dt.date
) -> Protection:
    """A protocol officer gave the end-of-protection notice in person or through the support
    organisation; that date starts the minimum period."""
    today = timezone.localdate()
    if given_on > today:
        raise ValidationError(
            {"given_on": "The date the notice was given must be today or in the past"}
        )
    with action_transaction():
        protection = Protection.objects.select_for_update().get(pk=protection.pk)
        if protection.status != ProtectionStatus.TRANSITION.value:
            raise ValidationError({"given_on": "Only a protection in transition has a notice"})
        given = min(
            timezone.make_aware(dt.datetime.combine(given_on, dt.time(12))), timezone.now()
        )
        if given < protection.status_changed_at - dt.timedelta(days=1):
            raise ValidationError(
                {"given_on": "The notice cannot have been given before the transition began"}
            )
        if protection.transition_notice_at is None or given < protection.transition_notice_at:
            protection.transition_notice_at = max(given, protection.status_changed_at)
            protection.save(update_fields=["transition_notice_at"])
    return protection


def do_report_outcome(
    clearance: Clearance,
    actor: Actor,
    *,
    outcome: str,
    action_taken_at: dt.datetime | None = None,
) -> OutcomeReport:
    """IE says what it did after a clearance. Bad input raises ``ValidationError`` and stores
    nothing; an action with no valid clear behind it is stored and alerts oversight at once."""
    policy = active_policy()
    now = timezone.now()
    if outcome not in OutcomeReport.Outcome.values:
        raise ValidationError(
            {"outcome": "Say what happened: " + ", ".join(OutcomeReport.Outcome.values)}
        )
    if outcome == OutcomeReport.Outcome.ACTION_TAKEN:
        if action_taken_at is None:
            raise ValidationError(
                {"action_taken_at": "Give the date and time the action was taken"}
            )
        if timezone.is_naive(action_taken_at):
            raise ValidationError({"action_taken_at": "Give the time with its time zone"})
        if action_taken_at > now + dt.timedelta(minutes=5):
            raise ValidationError(
                {"action_taken_at": "The action cannot have been taken in the future"}
            )
    elif action_taken_at is not None:
        raise ValidationError({"action_taken_at": "Give a time only when the action was taken"})
    with action_transaction():
        clearance = Clearance.objects.select_for_update().get(pk=clearance.pk)
        final = clearance.outcomes.exclude(outcome=OutcomeReport.Outcome.NOT_YET).first()
        if final is not None:
            raise ValidationError(
                {
                    "outcome": "This clearance's outcome was already reported: "
                    + final.get_outcome_display().lower()
                }
            )
        alert_kind = ""
        if outcome == OutcomeReport.Outcome.ACTION_TAKEN and action_taken_at is not None:
            valid, reason, alert_kind = outcomes._basis(clearance, action_taken_at, policy)
        elif outcome == OutcomeReport.Outcome.NOT_YET:
            state = outcomes.clear_state(clearance, now, policy)
            valid = state == "valid"
            expires = timezone.localtime(outcomes.clear_expires_at(clearance, policy))
            reason = (
                f"The clear stands until {expires:%H:%M on %d %B %Y}."
                if valid
                else "There is no valid clear: ask for a new clearance before acting."
            )
        else:
            valid, reason = True, "Cancelled."
        report = OutcomeReport.objects.create(
            clearance=clearance,
            outcome=outcome,
            action_taken_at=action_taken_at,
            valid_basis=valid,
            basis_reason=reason,
            alerted=bool(alert_kind),
            reported_by=actor.label,
            reporter_key=actor.identifier,
            reported_by_org=actor.organisation,
        )
        if alert_kind:
            hooks.fire(
                hooks.ALERT_RAISED,
                kind=alert_kind,
                summary=(
                    f"{clearance.requested_by.code} reported "
                    f"{clearance.action_code.replace('_', ' ')} without a valid clear: {reason}"
                )[:300],
                details={
                    "clearance": str(clearance.public_id),
                    "decision": clearance.decision,
                    "action_taken_at": action_taken_at.isoformat() if action_taken_at else None,
                },
                organisation_code=clearance.requested_by.code,
            )
        log_entry(
            EntryKind.CLEARANCE_OUTCOME,
            actor,
            policy,
            subjects=list(dict.fromkeys(p.person.public_id for p in clearance.protections.all())),
            payload={
                "clearance": token_for_record("clearance", clearance.pk),
                "outcome": outcome,
                "decision": "valid_basis" if valid else "no_valid_basis",
            },
        )
    return report


def expired_cleared_subjects(before, policy: Policy):
    """Clears decided before ``before`` that can no longer be acted on (R23): their subject, IE's
    identity data, is kept no longer (``worker.retention``). Clears still open, and every
    block and hold, keep theirs."""
    still_open = outcomes.open_clears(policy, timezone.now()).values("pk")
    return (
        Clearance.objects.filter(decision=ClearanceOutcome.CLEAR.value, decided_at__lt=before)
        .exclude(subject={})
        .exclude(pk__in=still_open)
    )


def do_erase_cleared_subjects(before, policy: Policy) -> int:
    """Erase IE's subject from expired clears (R23). The clearance row, its decision and its
    ledger entries stay: the ledger names it by a keyed commitment to its id, never by the
    subject. In the caller's transaction."""
    with action_transaction():
        ids = list(expired_cleared_subjects(before, policy).values_list("pk", flat=True))
        return Clearance.objects.filter(pk__in=ids).update(subject={}, match_explanation=[])


def expired_ended_protections(before):
    """Protections a person closed before ``before`` that no kept record still needs (R23): no
    clearance that still holds IE's subject was decided on them or reviewed against them, so
    the protection is never deleted before the enforcement data it protects against."""
    kept = Clearance.objects.exclude(subject={})
    return (
        Protection.objects.filter(
            status=ProtectionStatus.ENDED.value, closed_at__isnull=False, closed_at__lt=before
        )
        .exclude(clearances__in=kept)
        .exclude(reviews__clearance__in=kept)
    )


def do_delete_protections(ids: Iterable[int]) -> int:
    """Delete ended protections (R23), with their links to cases and to clearances and reviews
    whose subject was already erased (a clearance keeps its decision and the facts it was
    decided on). The other apps' records that point at them go first (``worker.retention``);
    the ledger names a protection only by a keyed commitment, so its entries stay. In the
    caller's transaction."""
    ids = list(ids)
    with action_transaction():
        ProtectionCase.objects.filter(protection_id__in=ids).delete()
        Clearance.protections.through.objects.filter(protection_id__in=ids).delete()
        Review.candidates.through.objects.filter(protection_id__in=ids).delete()
        return Protection.objects.filter(pk__in=ids).delete()[1].get("protocol.Protection", 0)


# --- Policy activation -----------------------------------------------------------------------


def last_activated_version() -> str | None:
    """The policy version the last ``policy_activated`` entry recorded, if any."""

    last = (
        LedgerEntry.objects.filter(kind=EntryKind.POLICY_ACTIVATED.value).order_by("-id").first()
    )
    return None if last is None else str(last.draft.get("policy_version") or "")


def do_record_policy_activation(actor: Actor | None = None) -> bool:
    """Write ``policy_activated`` when the policy in force is not the last one recorded.

    Called when the worker starts (and by ``safeshare policy activate``). Returns whether an
    entry was written. With no organisation yet (a database with nothing in it) nothing can have
    been decided, and nothing is written.
    """

    policy = active_policy()
    with action_transaction():
        _register_policy(policy)
        previous = last_activated_version()
        if previous == policy.version:
            return False
        if actor is None:
            organisation = (
                Organisation.objects.filter(kind=OrganisationKind.OVERSIGHT_BODY)
                .order_by("code")
                .first()
                or Organisation.objects.order_by("code").first()
            )
            if organisation is None:
                return False
            actor = Actor(organisation=organisation, role=Role.OVERSIGHT_ANALYST)
        payload: dict[str, object] = {
            "policy_mode": policy.id.replace("-", "_"),
            "effective_date": timezone.localdate().isoformat(),
        }
        if previous:
            payload["previous_policy_version"] = previous
        log_entry(EntryKind.POLICY_ACTIVATED, actor, policy, payload=payload)
    return True


def do_register_policy(policy: Policy) -> bool:
    """Keep the bytes of ``policy``'s file by its version (hash), the first time it is used.
    Returns whether they were stored now (false if already held, or not a shipped file)."""
    with action_transaction():
        return _register_policy(policy)


def _register_policy(policy: Policy) -> bool:
    """``do_register_policy`` inside the caller's transaction."""
    from safeshare.protocol.models import PolicyFile
    from safeshare.protocol.policy import policy_source

    if PolicyFile.objects.filter(version=policy.version).exists():
        return False
    raw = policy_source(policy)
    if raw is None:
        return False
    PolicyFile.objects.create(
        version=policy.version, policy_id=policy.id, content=raw.decode("utf-8")
    )
    return True
