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

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.roles import Role
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_record
from safeshare.notifications import actions as notices
from safeshare.notifications.messages import Event
from safeshare.notifications.models import Notification
from safeshare.oversight.models import Alert
from safeshare.protocol.active import active_policy
from safeshare.protocol.clearance import ClearanceOutcome
from safeshare.protocol.models import Clearance, OutcomeReport, Override, Protection
from safeshare.protocol.policy import Policy
from safeshare.protocol.protection import ProtectionStatus
from safeshare.transactions import action_transaction

# Oversight alert kinds this module raises (the ``Alert.kind`` field is a plain code).
ACTION_WITHOUT_VALID_CLEAR = "action_without_valid_clear"
ACTION_AFTER_BLOCK = "action_after_block"


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


def after_status_change(protection: Protection, previous: str, policy: Policy) -> None:
    """Tell the person what changed. In the caller's transaction."""
    current = protection.status
    if current == previous:
        return
    if current == ProtectionStatus.TRANSITION.value:
        notify_person(protection, Event.TRANSITION_NOTICE, policy)
    elif current == ProtectionStatus.ENDED.value:
        notify_person(protection, Event.PROTECTION_ENDED, policy)
    elif current == ProtectionStatus.ACTIVE.value and previous:
        notify_person(protection, Event.PROTECTION_REACTIVATED, policy)


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
        if outcome == OutcomeReport.Outcome.ACTION_TAKEN:
            valid, reason, alert_kind = _basis(clearance, action_taken_at, policy)
        elif outcome == OutcomeReport.Outcome.NOT_YET:
            state = clear_state(clearance, now, policy)
            valid = state == "valid"
            expires = timezone.localtime(clear_expires_at(clearance, policy))
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
            Alert.objects.create(
                kind=alert_kind,
                summary=(
                    f"{clearance.requested_by.code} reported "
                    f"{clearance.action_code.replace('_', ' ')} without a valid clear: {reason}"
                )[:300],
                details={
                    "clearance": str(clearance.public_id),
                    "decision": clearance.decision,
                    "action_taken_at": action_taken_at.isoformat(),
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


# --- Staff notices ---------------------------------------------------------------------------


def tell_ie_suspended(clearance: Clearance, protection: Protection) -> None:
    """R9: the IE caseworker who asked is told their clear is suspended. In a transaction."""
    notices.notify_staff(
        clearance.requested_by,
        Role.IE_CASEWORKER.value,
        "clear_suspended",
        f"Your clear for {clearance.action_code.replace('_', ' ')} ({clearance.public_id}) is "
        f"suspended: the person is now protected. Do not act. Contact "
        f"{protection.contact_point}.",
        recipient_key=clearance.requester_key,
        link=f"/clearances/{clearance.public_id}/",
    )


def tell_ie_hold_resolved(clearance: Clearance) -> None:
    """A hold was decided: the IE caseworker who asked is told the new answer. In a
    transaction."""
    notices.notify_staff(
        clearance.requested_by,
        Role.IE_CASEWORKER.value,
        "hold_resolved",
        f"The hold on your clearance ({clearance.public_id}) was decided: {clearance.ie_message}",
        recipient_key=clearance.requester_key,
        link=f"/clearances/{clearance.public_id}/",
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
            f"An override was approved for protection {protection.reference}: IE may take "
            f"{action} under the exception '{exception}'."
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


def approved_overrides(protection: Protection) -> list[dict[str, object]]:
    """Overrides approved against this protection: what action, when, under which exception."""
    rows = (
        Override.objects.filter(status=Override.Status.APPROVED, clearance__protections=protection)
        .select_related("clearance")
        .order_by("-decided_at")
        .distinct()
    )
    return [
        {
            "action": o.clearance.action_code.replace("_", " ").capitalize(),
            "decided_at": o.decided_at,
            "exception": o.exception_category.replace("_", " "),
        }
        for o in rows
    ]


def protection_page_facts(protection: Protection, policy: Policy) -> dict[str, object]:
    return {
        "approved_overrides": approved_overrides(protection),
        "earliest_close": earliest_close(protection, policy),
    }
