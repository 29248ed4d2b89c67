"""Retention (R23): delete what SafeShare no longer needs, after the periods the policy in
force sets (its ``[retention]`` table), and record each real run in the ledger with its counts.

``plan`` counts what would go (``safeshare retention run --dry-run``); ``run`` deletes it in one
transaction with one ``retention_run`` ledger entry. What is erased is never referred to by the
ledger (which holds keyed commitments to record ids), so the ledger and receipts still verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from safeshare.accounts import actions as account_actions
from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.idempotency import actions as idempotency_actions
from safeshare.idempotency.models import IdempotentResponse
from safeshare.kernel import hooks
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import request_transaction
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.notifications import actions as notice_actions
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.active import active_policy
from safeshare.protocol.policy import RETENTION_RECORD_KINDS, Policy
from safeshare.register import sweeps
from safeshare.register.models import Sweep

CATEGORIES = RETENTION_RECORD_KINDS


def periods(policy: Policy | None = None) -> dict[str, int]:
    """Days kept, per kind of record, as the policy (by default the one in force) sets them.
    A policy file that is not valid raises ``PolicyError``, naming the file and the setting."""
    return (policy or active_policy()).retention.days()


@dataclass(frozen=True)
class Category:
    name: str
    days: int
    before: object
    count: int


def _expired_sweep_files(before) -> list[Path]:
    """The uploaded and results files of sweeps that finished before ``before``."""
    files = []
    finished = Sweep.objects.filter(
        status__in=[Sweep.Status.DONE, Sweep.Status.FAILED], finished_at__lt=before
    )
    for sweep in finished.iterator():
        for results in (False, True):
            if results and not sweep.result_name:
                continue
            path = sweeps.stored_path(sweep, results=results)
            if path.is_file():
                files.append(path)
    return files


def _count(name: str, before, policy: Policy) -> int:
    if name == "cleared_clearance_subjects":
        return protocol_actions.expired_cleared_subjects(before, policy).count()
    if name == "idempotency_records":
        return IdempotentResponse.objects.filter(created_at__lt=before).count()
    if name == "notifications":
        return notice_actions.expired_notices(before).count()
    if name == "sweep_files":
        return len(_expired_sweep_files(before))
    if name == "webhook_deliveries":
        return account_actions.expired_webhook_deliveries(before).count()
    raise ValueError(f"no retention rule for {name}")


def _delete(name: str, before, policy: Policy) -> int:
    if name == "cleared_clearance_subjects":
        return protocol_actions.do_erase_cleared_subjects(before, policy)
    if name == "idempotency_records":
        return idempotency_actions.do_delete_responses_before(before)
    if name == "notifications":
        return notice_actions.do_erase_notices_before(before)
    if name == "sweep_files":
        files = _expired_sweep_files(before)

        def _unlink() -> None:  # only once the run's ledger entry has committed
            for path in files:
                path.unlink(missing_ok=True)

        hooks.on_commit(_unlink)
        return len(files)
    if name == "webhook_deliveries":
        return account_actions.do_delete_webhook_deliveries_before(before)
    raise ValueError(f"no retention rule for {name}")


def plan(now=None, policy: Policy | None = None) -> list[Category]:
    """What a run now would delete, by category, under the policy's periods."""
    now = now or timezone.now()
    policy = policy or active_policy()
    days = periods(policy)
    found = []
    for name in CATEGORIES:
        before = now - timedelta(days=days[name])
        found.append(Category(name, days[name], before, _count(name, before, policy)))
    return found


def _operator() -> Actor | None:
    organisation = None
    if settings.SAFESHARE_OPERATOR_ORG:
        organisation = Organisation.objects.filter(code=settings.SAFESHARE_OPERATOR_ORG).first()
    organisation = organisation or Organisation.objects.order_by("pk").first()
    return Actor(organisation=organisation, role=Role.ADMINISTRATOR) if organisation else None


def run(now=None, policy: Policy | None = None) -> dict[str, int]:
    """Delete what has expired; one ledger entry per run that deleted anything, naming the
    policy (id and version) whose periods it applied."""
    now = now or timezone.now()
    policy = policy or active_policy()
    categories = plan(now, policy)
    if not any(c.count for c in categories):
        return {c.name: 0 for c in categories}
    actor = _operator()
    done: dict[str, int] = {}
    with request_transaction():  # the deletions and their ledger entry, together
        for category in categories:
            done[category.name] = _delete(category.name, category.before, policy)
        if actor is not None:
            log_entry(
                EntryKind.RETENTION_RUN,
                actor,
                policy,
                payload={
                    "count": sum(done.values()),
                    "fields": [name for name, count in done.items() if count],
                    "effective_date": timezone.localdate(now).isoformat(),
                },
            )
    return done


def retention_job() -> int:
    """The worker's daily job."""
    return sum(run().values())
