"""The transaction every action runs in.

Normally an action is its own durable transaction. Inside an idempotent API request the request
opens the durable transaction, so that the action's writes, its ledger entry and the stored
response for the ``Idempotency-Key`` commit together or not at all.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_joined: ContextVar[bool] = ContextVar("safeshare_request_transaction", default=False)


def action_transaction():
    """``atomic(durable=True)``, or a savepoint inside an idempotent request's transaction."""
    if _joined.get():
        return transaction.atomic()
    return transaction.atomic(durable=True)


@contextmanager
def request_transaction():
    """One durable transaction for a whole request; actions inside it join it."""
    token = _joined.set(True)
    try:
        with transaction.atomic(durable=True):
            yield
    finally:
        _joined.reset(token)
