"""What readiness and the metrics ask of the database and the ledger.

``operations`` sits below the ledger in the layers (the API's helpers use it), so it reads the
ledger's two tables through Django's app registry, by name, and imports nothing of the ledger.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.apps import apps
from django.db import connection
from django.db.models import Max
from django.utils import timezone

logger = logging.getLogger("safeshare.operations")


def database_ok() -> bool:
    """The database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:
        logger.warning("Readiness: database check failed (%s)", type(error).__name__)
        return False


def ledger_size() -> int:
    """Entries sequenced into the ledger (the tree size)."""
    entries = apps.get_model("ledger", "LedgerEntry").objects
    highest = entries.filter(index__isnull=False).aggregate(top=Max("index"))["top"]
    return 0 if highest is None else int(highest) + 1


def ledger_queued() -> int:
    """Entries written but not yet given an index by the sequencer."""
    return apps.get_model("ledger", "LedgerEntry").objects.filter(index__isnull=True).count()


def ledger_ok() -> bool:
    """The ledger's tables answer."""
    try:
        ledger_size()
        latest_checkpoint_time()
        return True
    except Exception as error:
        logger.warning("Readiness: ledger check failed (%s)", type(error).__name__)
        return False


def latest_checkpoint_time() -> datetime | None:
    """When the latest checkpoint was signed; None before the first."""
    checkpoints = apps.get_model("ledger", "LedgerCheckpoint").objects
    return checkpoints.aggregate(latest=Max("created_at"))["latest"]


def checkpoint_age_seconds() -> float | None:
    moment = latest_checkpoint_time()
    if moment is None:
        return None
    return max(0.0, (timezone.now() - moment).total_seconds())


def _or_none(read):
    def guarded() -> float | None:
        try:
            return read()
        except Exception:  # the database is down: report nothing rather than a wrong number
            return None

    return guarded


def register_gauges() -> None:
    """Ledger gauges, read at scrape time from the database (the same for every worker)."""
    from safeshare.operations.metrics import REGISTRY, Gauge

    for name, documentation, read in (
        ("safeshare_ledger_entries", "Entries sequenced into the ledger.", ledger_size),
        ("safeshare_ledger_queued_entries", "Entries waiting for the sequencer.", ledger_queued),
        (
            "safeshare_ledger_checkpoint_age_seconds",
            "Seconds since the latest signed checkpoint (absent until there is one).",
            checkpoint_age_seconds,
        ),
    ):
        REGISTRY.unregister(name)
        REGISTRY.register(Gauge(name, documentation, _or_none(read)))
