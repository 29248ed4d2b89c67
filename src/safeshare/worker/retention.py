"""Retention (R23): delete what SafeShare no longer needs, after the periods the policy in
force sets (its ``[retention]`` table), and record each real run in the ledger with its counts.

``plan`` counts what would go (``safeshare retention run --dry-run``); ``run`` deletes it in one
transaction with one ``retention_run`` ledger entry. What is erased is never referred to by the
ledger (which holds keyed commitments to record ids), so the ledger and receipts still verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.idempotency import actions as idempotency_actions
from safeshare.idempotency.models import IdempotentResponse
from safeshare.kernel.roles import Role
from safeshare.kernel.transactions import request_transaction
from safeshare.ledger.actions import log_entry
from safeshare.ledger.entries import EntryKind
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.active import active_policy
from safeshare.protocol.policy import RETENTION_RECORD_KINDS, Policy

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


def plan(now=None, policy: Policy | None = None) -> list[Category]:
    """What a run now would delete, by category, under the policy's periods."""
    now = now or timezone.now()
    policy = policy or active_policy()
    days = periods(policy)
    found = []
    for name in CATEGORIES:
        before = now - timedelta(days=days[name])
        if name == "cleared_clearance_subjects":
            count = protocol_actions.expired_cleared_subjects(before, policy).count()
        else:
            count = IdempotentResponse.objects.filter(created_at__lt=before).count()
        found.append(Category(name, days[name], before, count))
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
            if category.name == "cleared_clearance_subjects":
                done[category.name] = protocol_actions.do_erase_cleared_subjects(
                    category.before, policy
                )
            else:
                done[category.name] = idempotency_actions.do_delete_responses_before(
                    category.before
                )
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
