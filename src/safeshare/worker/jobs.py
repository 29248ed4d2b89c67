"""The background jobs, each a function of the app that owns the work, and how often it runs.

A job returns how much it did (0 when there was nothing to do). It may raise: the runner logs
the error, and tries it again after a delay that doubles with each failure in a row (capped).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from safeshare.accounts import webhooks as outbound
from safeshare.cases import duplicates
from safeshare.ledger import publication
from safeshare.ledger import service as ledger_service
from safeshare.notifications import ie_webhook
from safeshare.notifications.actions import deliver_due
from safeshare.oversight import webhooks
from safeshare.oversight.statistics import refresh_year
from safeshare.protocol.outcomes import escalate_overdue_holds
from safeshare.register import jobs as register_jobs
from safeshare.worker.retention import retention_job


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], int]
    every: float
    """Seconds between runs."""
    lease: float
    """Seconds a run may take before another worker may take the job over."""


class _Checkpoints:
    """Sign a checkpoint at least every ``SAFESHARE_LEDGER_CHECKPOINT_SECONDS`` while entries
    arrive, or as soon as ``SAFESHARE_LEDGER_CHECKPOINT_ENTRIES`` are unsigned; after each
    checkpoint, ask the witnesses to cosign it and write the published ledger."""

    def __init__(self) -> None:
        self.last_signed = 0.0

    def __call__(self) -> int:
        signed = ledger_service.latest_checkpoint_record()
        unsigned = ledger_service.log_size() - (signed.size if signed else 0)
        due = (
            time.monotonic() - self.last_signed >= settings.SAFESHARE_LEDGER_CHECKPOINT_SECONDS
            or unsigned >= settings.SAFESHARE_LEDGER_CHECKPOINT_ENTRIES
        )
        if unsigned <= 0 or not due:
            return 0
        checkpoint = ledger_service.make_checkpoint()
        self.last_signed = time.monotonic()
        if checkpoint is None:
            return 0
        publication.after_checkpoint()
        return checkpoint.size


def run_sweeps() -> int:
    """Queue again the sweeps whose process stopped, then run the queued ones in turn."""
    requeued, ran = register_jobs.run_queued()
    return requeued + ran


def send_webhooks() -> int:
    """Send again the alert deliveries that are pending or failed."""
    tried, _ = webhooks.retry_failed()
    return tried


def refresh_statistics() -> int:
    """Count this year's statistics again and keep them, so pages read snapshots."""
    return len(refresh_year(timezone.localdate().year))


def send_notices() -> int:
    """Send the notices to victims that are due, and ask providers what became of sent ones."""
    report = deliver_due(timezone.now())
    return report.sent + report.delivered + report.failed


def send_ie_webhooks() -> int:
    """Send the signed messages to IE's webhook that are due, with back-off."""
    tried, _ = ie_webhook.send_due(timezone.now())
    return tried


def send_outbound_webhooks() -> int:
    """Send the events due to forces' and IE units' subscriptions, with back-off."""
    tried, _ = outbound.send_due(timezone.now())
    return tried


def escalate_holds() -> int:
    """Escalate holds waiting longer than their target to protocol officers and oversight."""
    return escalate_overdue_holds(timezone.now())


def jobs() -> list[Job]:
    """Every background job, in the order a pass runs them."""
    return [
        Job("ledger-sequence", ledger_service.sequence_pending, every=1.0, lease=60.0),
        Job("ledger-checkpoint", _Checkpoints(), every=1.0, lease=300.0),
        Job("register-keys", register_jobs.keep_keys_current, every=300.0, lease=3_600.0),
        Job("sweeps", run_sweeps, every=5.0, lease=settings.SAFESHARE_SWEEP_STALE_SECONDS),
        Job("webhooks", send_webhooks, every=30.0, lease=300.0),
        Job("notices", send_notices, every=60.0, lease=600.0),
        Job("ie-webhooks", send_ie_webhooks, every=30.0, lease=300.0),
        Job("outbound-webhooks", send_outbound_webhooks, every=15.0, lease=300.0),
        Job("holds", escalate_holds, every=300.0, lease=300.0),
        Job(
            "statistics",
            refresh_statistics,
            every=float(settings.SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE),
            lease=600.0,
        ),
        Job("retention", retention_job, every=86_400.0, lease=3_600.0),
        Job("duplicates-index", duplicates.save_indexes, every=300.0, lease=1_800.0),
    ]
