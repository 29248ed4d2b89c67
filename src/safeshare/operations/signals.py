"""Hooks into the rest of the service, registered when the app is ready.

- Every clearance is counted by decision once its transaction commits (rolled-back clearances
  are not counted). The protocol code is not touched: this listens to the model's post_save.
- A database error anywhere in a request (a view, a middleware, a template) marks the request,
  so that ``DatabaseUnavailableMiddleware`` can answer 503 instead of 500.
"""

from __future__ import annotations

import sys

from django.apps import apps
from django.core.signals import got_request_exception
from django.db import transaction
from django.db.models.signals import post_save

from safeshare.operations.metrics import CLEARANCES

DATABASE_DOWN_FLAG = "_safeshare_database_unavailable"


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether an exception means the database cannot be reached or used just now."""
    from django.db.utils import InterfaceError, OperationalError

    if not isinstance(error, OperationalError | InterfaceError):
        return False
    # SQLite reports a missing table or column as an OperationalError: a deployment mistake
    # (migrations not run), not an outage, so it stays a 500 and is logged as one.
    return not str(error).startswith(("no such table", "no such column"))


def _count_clearance(sender, instance, created: bool, using: str, **kwargs) -> None:
    if not created:
        return
    decision = str(getattr(instance, "decision", "") or "undecided")
    transaction.on_commit(lambda: CLEARANCES.inc(decision=decision), using=using)


def _mark_database_errors(sender, request=None, **kwargs) -> None:
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        setattr(request, DATABASE_DOWN_FLAG, True)


def connect() -> None:
    clearance_model = apps.get_model("protocol", "Clearance")
    post_save.connect(
        _count_clearance, sender=clearance_model, dispatch_uid="safeshare.operations.clearances"
    )
    got_request_exception.connect(
        _mark_database_errors, dispatch_uid="safeshare.operations.database_errors"
    )
