"""A registry of named hooks, so that a lower app can let higher apps act without importing them.

A higher app subscribes in its ``AppConfig.ready``; a lower app's action calls ``fire`` inside
its transaction, so the subscribers' writes commit or roll back with it. Each hook is declared
here, with the arguments its subscribers receive, so the list of couplings is in one place.

``on_commit`` is the explicit form of an effect that must only happen once the transaction has
committed (a webhook, a wake-up of the worker): Zulip's ``send_event_on_commit``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

#: A party was added to a case: ``(party, actor, policy)``. Protocol opens or extends the
#: person's protection when the policy says so.
PARTY_ADDED = "party_added"
#: A case event was recorded: ``(case, actor, policy)``. Protocol recomputes the protections the
#: case holds open.
CASE_EVENT_RECORDED = "case_event_recorded"
#: Another identity was recorded for a person: ``(identity, actor)``. Protocol indexes it in the
#: register under the person's protection, if they have one.
IDENTITY_ADDED = "identity_added"
#: Two people were merged: ``(keep, merge, actor)``. Cases move the parties; protocol carries
#: the protections forward and logs the merge.
PEOPLE_MERGED = "people_merged"
#: Something oversight must see: ``(kind=, summary=, details=, organisation_code=)``. Oversight
#: stores the alert and sends it to its webhook after commit.
ALERT_RAISED = "alert_raised"

#: An administrator reset a person's second factor: ``(user, actor)``. The ledger records it.
SECOND_FACTOR_RESET = "second_factor_reset"

#: An administrator changed an organisation, a user, an invitation or an API token:
#: ``(actor, action=, organisation_code=, record=, role=)``. The ledger records it.
ADMINISTRATION_CHANGED = "administration_changed"

HOOKS = frozenset(
    {
        PARTY_ADDED,
        CASE_EVENT_RECORDED,
        IDENTITY_ADDED,
        PEOPLE_MERGED,
        ALERT_RAISED,
        SECOND_FACTOR_RESET,
        ADMINISTRATION_CHANGED,
    }
)

_subscribers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(hook: str, function: Callable[..., Any]) -> None:
    """Call ``function`` whenever ``hook`` fires (idempotent: subscribing twice is once)."""
    if hook not in HOOKS:
        raise ValueError(f"unknown hook {hook!r}")
    if function not in _subscribers[hook]:
        _subscribers[hook].append(function)


def fire(hook: str, *args: Any, **kwargs: Any) -> None:
    """Call every subscriber of ``hook`` now, in the caller's transaction, in order."""
    if hook not in HOOKS:
        raise ValueError(f"unknown hook {hook!r}")
    for function in list(_subscribers[hook]):
        function(*args, **kwargs)


def on_commit(function: Callable[[], Any]) -> None:
    """Run ``function`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(function, robust=True)
