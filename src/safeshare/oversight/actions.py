"""The only code that changes oversight's records: alerts acknowledged, webhook deliveries,
stored policy comparisons and ledger checks.

None of these is a decision about a person, so none is appended to the ledger; each runs in
its own transaction (``action_transaction``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import action_transaction
from safeshare.oversight.models import (
    Alert,
    ComparisonRun,
    LedgerCheck,
    StatisticsSnapshot,
    WebhookDelivery,
)

MAX_ERROR_LENGTH = 300


def _require_oversight(actor: Actor) -> None:
    if actor.role is not Role.OVERSIGHT_ANALYST:
        raise ValidationError("Only an oversight analyst can do this.")


def do_acknowledge_alert(alert: Alert, actor: Actor) -> Alert:
    """Mark an alert as seen by an oversight analyst. Acknowledging twice changes nothing."""
    _require_oversight(actor)
    with action_transaction():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is None:
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by = f"{actor.label}, {actor.organisation.name}"
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


def do_raise_alert(*, kind: str, summary: str, details: dict, organisation_code: str) -> Alert:
    """Store an alert for oversight. In the caller's transaction (an action raising it)."""
    return Alert.objects.create(
        kind=Alert.Kind(kind).value,
        summary=summary,
        details=details,
        organisation_code=organisation_code,
    )


def do_queue_webhook_delivery(alert: Alert, url: str) -> WebhookDelivery:
    """Record that an alert is to be sent to the webhook."""
    with action_transaction():
        return WebhookDelivery.objects.create(alert=alert, url=url[:500])


def do_record_webhook_attempt(
    delivery: WebhookDelivery, *, delivered: bool, response_status: int | None, error: str = ""
) -> WebhookDelivery:
    """Record one attempt to send a delivery, and whether it arrived."""
    with action_transaction():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = response_status
        delivery.error = error[:MAX_ERROR_LENGTH]
        if delivered:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
        else:
            delivery.status = WebhookDelivery.Status.FAILED
        delivery.save()
    return delivery


def do_store_comparison(
    actor: Actor,
    *,
    policy_a: str,
    version_a: str,
    policy_b: str,
    version_b: str,
    as_at,
    history_marker: str,
    summary: dict,
    duration_ms: int,
) -> ComparisonRun:
    """Keep a policy comparison's aggregate counts so that its page opens at once."""
    with action_transaction():
        return ComparisonRun.objects.create(
            policy_a=policy_a,
            version_a=version_a,
            policy_b=policy_b,
            version_b=version_b,
            as_at=as_at,
            history_marker=history_marker[:200],
            summary=summary,
            duration_ms=duration_ms,
            created_by=f"{actor.label}, {actor.organisation.name}",
        )


def do_record_ledger_check(
    actor: Actor,
    *,
    ok: bool,
    size: int,
    first_problem: str,
    checkpoint: str,
    duration_ms: int,
) -> LedgerCheck:
    """Keep the result of checking the ledger, for the oversight ledger page."""
    with action_transaction():
        return LedgerCheck.objects.create(
            ok=ok,
            size=size,
            first_problem=first_problem[:500],
            checkpoint=checkpoint,
            duration_ms=duration_ms,
            checked_by=f"{actor.label}, {actor.organisation.name}",
        )


def do_store_statistics_snapshot(
    *, name: str, year: int, marker: str, counts: dict, duration_ms: int
) -> StatisticsSnapshot:
    """Keep (or replace) the counts behind one statistic for one year."""
    with action_transaction():
        snapshot, _ = StatisticsSnapshot.objects.update_or_create(
            name=name,
            year=year,
            defaults={
                "marker": marker[:500],
                "counts": counts,
                "computed_at": timezone.now(),
                "duration_ms": duration_ms,
            },
        )
    return snapshot
