"""The loop after a decision: telling people, and hearing what IE then did.

- Notices to the protected person at each change of their protection (opened, transition with
  the end-of-protection notice, ended, re-activated), queued in the protocol action's own
  transaction; the notice's delivery date is recorded on the protection (R12b) and starts the
  minimum period before anyone may close it.
- A ``clear`` stands for the action asked about, for the hours the policy sets
  (``[clearance] clear_valid_hours``). IE reports what it then did; an action with no valid clear
  behind it, or after a block or hold, alerts oversight at once.
- Staff are told in the service when a clear is suspended (R9), a hold is resolved, or an
  override is approved.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from safeshare.accounts import webhooks
from safeshare.kernel import hooks
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import action_transaction
from safeshare.notifications import actions as notices
from safeshare.notifications import ie_webhook
from safeshare.notifications.messages import Event
from safeshare.notifications.models import StaffNotice
from safeshare.protocol.active import active_policy
from safeshare.protocol.clearance import ClearanceOutcome
from safeshare.protocol.models import Clearance, OutcomeReport, Override, Protection, Review
from safeshare.protocol.policy import IEDetail, Policy
from safeshare.protocol.protection import ProtectionStatus

# Oversight alert kinds this module raises (the ``Alert.kind`` field is a plain code).
ACTION_WITHOUT_VALID_CLEAR = "action_without_valid_clear"
ACTION_AFTER_BLOCK = "action_after_block"
HOLD_OVERDUE = "hold_overdue"


# --- Notices to the protected person ----------------------------------------------------------


def notify_person(protection: Protection, event: Event, policy: Policy) -> None:
    """Queue a notice about ``protection`` to its person. In the caller's transaction."""
    notices.queue_notice(
        protection.person,
        event,
        organisation=protection.opened_by,
        reference=protection.reference,
        contact=protection.contact_point,
        minimum_days=policy.protection.minimum_transition_days,
    )


def tell_forces(protection: Protection, previous: str | None) -> None:
    """Queue a webhook event for each police force whose case holds the protection, and for
    the force that opened it (docs/adr/0038). References and codes only. In the caller's
    transaction."""
    if previous is None:
        event = "protection.opened"
    elif protection.closed_at is not None and protection.status == ProtectionStatus.ENDED.value:
        event = "protection.closed"
    else:
        event = "protection.status_changed"
    forces = {protection.opened_by_id: protection.opened_by}
    for case in protection.cases.select_related("force"):
        forces.setdefault(case.force_id, case.force)
    data = {
        "protection_reference": protection.reference,
        "status": protection.status,
        "previous_status": previous,
        "changed_at": (protection.status_changed_at or timezone.now()).isoformat(),
    }
    for force in forces.values():
        webhooks.queue_event(force, event, data)


def after_status_change(protection: Protection, previous: str, policy: Policy) -> None:
    """Tell the person, and the forces' systems, what changed. In the caller's transaction."""
    current = protection.status
    if current == previous:
        return
    tell_forces(protection, previous)
    if current == ProtectionStatus.TRANSITION.value:
        notify_person(protection, Event.TRANSITION_NOTICE, policy)
    elif current == ProtectionStatus.ENDED.value:
        notify_person(protection, Event.PROTECTION_ENDED, policy)
    elif current == ProtectionStatus.ACTIVE.value and previous:
        notify_person(protection, Event.PROTECTION_REACTIVATED, policy)


def on_case_event_for_notices(case, actor, policy: Policy) -> None:
    """Hook ``case_event_recorded``: each protected victim in the case who opted into case
    updates (R28) is told there is an update, through their chosen channel. In a
    transaction."""
    protections = Protection.objects.filter(cases=case).select_related("person").distinct()
    for protection in protections:
        notify_person(protection, Event.CASE_UPDATE, policy)


def notice_problems(protection: Protection, now: dt.datetime, policy: Policy) -> list[str]:
    """Why the protection may not be closed yet on the notice's account (R12b), or nothing."""
    if protection.transition_notice_at is None:
        return [
            "No delivery of the end-of-protection notice is recorded. It must be delivered, or "
            "handed over and recorded, before the minimum period can start."
        ]
    minimum = policy.protection.minimum_transition_days
    earliest = protection.transition_notice_at + dt.timedelta(days=minimum)
    if now < earliest:
        return [
            f"The protection can be closed at the earliest {minimum} days after the notice was "
            f"delivered on {timezone.localtime(protection.transition_notice_at):%d %B %Y}: "
            f"not before {timezone.localtime(earliest):%d %B %Y}."
        ]
    return []


def earliest_close(protection: Protection, policy: Policy) -> dt.datetime | None:
    if protection.transition_notice_at is None:
        return None
    return protection.transition_notice_at + dt.timedelta(
        days=policy.protection.minimum_transition_days
    )


# --- Clearance validity and outcomes ---------------------------------------------------------


def clear_expires_at(clearance: Clearance, policy: Policy | None = None) -> dt.datetime:
    hours = (policy or active_policy()).clearance.clear_valid_hours
    return clearance.decided_at + dt.timedelta(hours=hours)


def clear_state(clearance: Clearance, now: dt.datetime, policy: Policy | None = None) -> str:
    """``valid``, ``expired``, ``suspended``, ``used`` or ``cancelled`` for a clear; the decision
    itself (``blocked``, ``hold``) otherwise."""
    if clearance.decision != ClearanceOutcome.CLEAR.value:
        return clearance.decision
    if clearance.status == Clearance.Status.SUSPENDED:
        return "suspended"
    final = clearance.outcomes.exclude(outcome=OutcomeReport.Outcome.NOT_YET).first()
    if final is not None:
        return "used" if final.outcome == OutcomeReport.Outcome.ACTION_TAKEN else "cancelled"
    return "valid" if now < clear_expires_at(clearance, policy) else "expired"


def open_clears(policy: Policy, now: dt.datetime):
    """Clears that may still be acted on: valid now or with an action scheduled, not suspended,
    and with no action or cancellation reported."""
    window = dt.timedelta(hours=policy.clearance.clear_valid_hours)
    finished = OutcomeReport.objects.filter(clearance=OuterRef("pk")).exclude(
        outcome=OutcomeReport.Outcome.NOT_YET
    )
    return (
        Clearance.objects.filter(
            decision=ClearanceOutcome.CLEAR.value, status=Clearance.Status.DECIDED
        )
        .filter(Q(decided_at__gt=now - window) | Q(scheduled_for__gte=timezone.localdate(now)))
        .exclude(Exists(finished))
    )


def _basis(clearance: Clearance, taken_at: dt.datetime, policy: Policy) -> tuple[bool, str, str]:
    """(valid, reason, alert kind) for an action taken at ``taken_at`` on this clearance."""
    if clearance.decision != ClearanceOutcome.CLEAR.value:
        label = "a block" if clearance.decision == ClearanceOutcome.BLOCKED.value else "a hold"
        return False, f"The action was taken after {label}, not a clear.", ACTION_AFTER_BLOCK
    approved = clearance.overrides.filter(status=Override.Status.APPROVED).exists()
    if clearance.status == Clearance.Status.SUSPENDED and not approved:
        return (
            False,
            "The clear was suspended because the person became protected (R9).",
            ACTION_WITHOUT_VALID_CLEAR,
        )
    if taken_at < clearance.created_at:
        return (
            False,
            "The action was taken before the clearance was asked for.",
            (ACTION_WITHOUT_VALID_CLEAR),
        )
    expires = clear_expires_at(clearance, policy)
    if taken_at > expires:
        return (
            False,
            f"The clear expired at {timezone.localtime(expires):%H:%M on %d %B %Y}, before the "
            "action; a new clearance was needed.",
            ACTION_WITHOUT_VALID_CLEAR,
        )
    return True, "A valid clear for this action covered the time it was taken.", ""


# --- Staff notices ---------------------------------------------------------------------------


def tell_ie_suspended(clearance: Clearance, protection: Protection, policy: Policy) -> None:
    """R9: the IE caseworker who asked is told their clear is suspended. In a transaction.

    Under a firewall (``ie_detail = "custodian"``) the notice names the custodian only, never
    the force, and does not say that the person is protected."""
    action = clearance.action_code.replace("_", " ")
    if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
        message = (
            f"Your clear for {action} ({clearance.reference}) is suspended. Do not act. "
            f"Contact {policy.clearance.custodian_contact}."
        )
    else:
        message = (
            f"Your clear for {action} ({clearance.reference}) is suspended: the person is now "
            f"protected. Do not act. Contact {protection.contact_point}."
        )
    notices.notify_staff(
        clearance.requested_by,
        Role.IE_CASEWORKER.value,
        "clear_suspended",
        message,
        recipient_key=clearance.requester_key,
        link=f"/clearances/{clearance.public_id}/",
    )
    ie_webhook.queue_ie_message(
        clearance.requested_by,
        "suspended",
        {
            "clearance_id": str(clearance.public_id),
            "action_code": clearance.action_code,
            "decision": clearance.decision,
            "state": "suspended",
            "reason": "The person is now protected (R9). Do not act on this clear.",
            "contact": protection.contact_point,
        },
    )


def tell_ie_hold_resolved(clearance: Clearance, *, firewall: bool = False) -> None:
    """A hold was decided: the IE caseworker who asked is told the new answer. In a
    transaction. Under a firewall IE was never told of a hold, so the notice says only that
    the answer changed, and what it is now."""
    what = (
        f"The answer on your clearance ({clearance.reference}) has changed"
        if firewall
        else f"The hold on your clearance ({clearance.reference}) was decided"
    )
    notices.notify_staff(
        clearance.requested_by,
        Role.IE_CASEWORKER.value,
        "answer_changed" if firewall else "hold_resolved",
        f"{what}: {clearance.ie_message}",
        recipient_key=clearance.requester_key,
        link=f"/clearances/{clearance.public_id}/",
    )
    ie_webhook.queue_ie_message(
        clearance.requested_by,
        "answer_changed" if firewall else "hold_resolved",
        {
            "clearance_id": str(clearance.public_id),
            "action_code": clearance.action_code,
            "decision": clearance.ie_decision or clearance.decision,
            "message": clearance.ie_message,
        },
    )


def tell_force_override_approved(override: Override) -> None:
    """An approved override is never silent: the protocol officers and the officers in the
    case at every force that holds the protection are told. In a transaction."""
    exception = override.exception_category.replace("_", " ")
    action = override.clearance.action_code.replace("_", " ")
    for protection in override.clearance.protections.all():
        forces = {protection.opened_by_id: protection.opened_by}
        for case in protection.cases.select_related("force"):
            forces[case.force_id] = case.force
        message = (
            f"Override {override.reference} was approved for protection "
            f"{protection.reference}: IE may take {action} under the exception '{exception}'."
        )
        for force in forces.values():
            for role in (Role.PROTOCOL_OFFICER, Role.POLICE_OFFICER):
                notices.notify_staff(
                    force,
                    role.value,
                    "override_approved",
                    message,
                    link=f"/protections/{protection.reference}/",
                )
        # The person (and their advocate, with consent) is told through the channel they
        # chose; the words name no action, only that they should get in touch.
        notify_person(protection, Event.OVERRIDE_APPROVED, active_policy())


# --- Holds: a target time, and escalation when it passes ---------------------------------------


def hold_target() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.SAFESHARE_HOLD_TARGET_HOURS))


def hold_due_at(review: Review) -> dt.datetime:
    return review.created_at + hold_target()


def hold_state(review: Review, now: dt.datetime) -> str:
    """``overdue``, ``due_soon`` (the last quarter of the target) or ``within_target``."""
    due = hold_due_at(review)
    if now >= due:
        return "overdue"
    if due - now <= hold_target() / 4:
        return "due_soon"
    return "within_target"


def _review_link(review: Review) -> str:
    return f"/reviews/{review.reference}/"


def _earlier_review_link(review: Review) -> str:
    """The link overdue notices carried before reviews had short references (ADR 0047): a
    review escalated then is not escalated again."""
    return f"/reviews/{review.pk}/"


def escalate_overdue_holds(now: dt.datetime | None = None) -> int:
    """The worker's job: every open hold past its target is escalated once, to the protocol
    officers of each force holding a candidate protection and to oversight (an alert, which
    also reaches oversight's webhook). Returns how many holds were escalated."""
    now = now or timezone.now()
    overdue = Review.objects.filter(
        status=Review.Status.OPEN, created_at__lte=now - hold_target()
    ).select_related("clearance")
    count = 0
    for review in overdue:
        link = _review_link(review)
        if StaffNotice.objects.filter(
            kind=HOLD_OVERDUE, link__in=[link, _earlier_review_link(review)]
        ).exists():
            continue
        with action_transaction():
            forces = {}
            for protection in review.candidates.select_related("opened_by"):
                forces[protection.opened_by_id] = protection.opened_by
                for case in protection.cases.select_related("force"):
                    forces[case.force_id] = case.force
            hours = int((now - review.created_at).total_seconds() // 3600)
            message = (
                f"Possible match {review.reference} has waited {hours} hours for a decision, "
                f"past the target of {settings.SAFESHARE_HOLD_TARGET_HOURS} hours. "
                "Immigration Enforcement cannot act until it is decided."
            )
            for force in forces.values():
                notices.notify_staff(
                    force, Role.PROTOCOL_OFFICER.value, HOLD_OVERDUE, message, link=link
                )
            hooks.fire(
                hooks.ALERT_RAISED,
                kind=HOLD_OVERDUE,
                summary=message,
                details={
                    "review": review.pk,
                    "review_reference": review.reference,
                    "clearance": str(review.clearance.public_id),
                    "hours_waiting": hours,
                },
                organisation_code=",".join(sorted(f.code for f in forces.values()))[:32],
            )
        count += 1
    return count


def approved_overrides(protection: Protection) -> list[dict[str, object]]:
    """Overrides approved against this protection: what action, when, under which exception."""
    return protection.approved_overrides()


def protection_page_facts(protection: Protection, policy: Policy) -> dict[str, object]:
    return {
        "approved_overrides": approved_overrides(protection),
        "earliest_close": earliest_close(protection, policy),
    }
