"""IE's background sweeps as jobs for the worker: plain functions, no threads.

``run_sweep(sweep_id)`` claims one queued (or stale) sweep and runs it to the end;
``run_queued()`` first queues again the sweeps whose process stopped, then runs every queued
sweep, oldest first. ``safeshare sweeps run`` calls ``run_queued`` in a loop; a general worker
can call either. The web process never runs a sweep: an upload only queues it
(``actions.do_start_sweep``), except with the setting ``SAFESHARE_SWEEP_RUNNER`` set to
``inline``, where the page that took the upload runs it at once (tests and single-process
demos).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.conf import settings

from safeshare.register import actions, sweeps
from safeshare.register.csvfiles import IdentityCsv, IdentityRow, RowProblem
from safeshare.register.models import Sweep

log = logging.getLogger(__name__)


def runner() -> str:
    """``worker``: only the worker runs sweeps (``safeshare sweeps run``); ``inline``: the web
    request that queued a sweep runs it at once, once the upload has committed (tests, demos).
    From the setting ``SAFESHARE_SWEEP_RUNNER``."""
    return settings.SAFESHARE_SWEEP_RUNNER


def start(sweep_id: int) -> None:
    """Called once an upload has committed: run the sweep at once if ``runner()`` is
    ``inline``; otherwise the worker will find it queued."""
    if runner() == "inline":
        run_sweep(sweep_id)


def keep_keys_current() -> int:
    """Rebuild the register when its stored blocking keys were made with another key set than
    this version's (``blocking.KEY_SET_VERSION``, ADR 39). Returns the entries rebuilt."""
    result = actions.do_keep_register_keys_current()
    if result is None:
        return 0
    log.warning(
        "the register's blocking keys were made with another key set: rebuilt %s entries",
        result.entries,
    )
    return result.entries


def run_sweep(sweep_id: int) -> bool:
    """Claim a queued (or stale) sweep and run it to the end. False if someone else has it."""
    sweep = actions.claim_sweep(sweep_id)
    if sweep is None:
        return False
    part = sweeps.stored_path(sweep, results=True).with_suffix(f".{sweep.attempts}.part")
    try:
        with sweeps.stored_path(sweep).open("rb") as source, part.open("w", newline="") as out:
            os.chmod(part, 0o600)
            reader = IdentityCsv(source)
            writer = sweeps.ScreenWriter(out)

            def valid_rows() -> Iterator[IdentityRow]:
                for item in reader:
                    if isinstance(item, RowProblem):
                        raise ValueError(str(item))  # checked on upload: the file changed
                    yield item

            engine = sweeps.default_matcher()
            for chunk in _batches(valid_rows(), sweeps.BATCH):
                # The people the sweep found become clearances, as IE's own questions do.
                screened = actions.do_clear_sweep_findings(
                    sweep, chunk, sweeps.screen_batch(chunk, engine)
                )
                writer.write(screened)
                actions.record_sweep_progress(sweep, writer.total, writer.counts)
        if reader.content_digest != sweep.content_digest:
            raise ValueError("the uploaded file changed after it was checked")
        actions.do_finish_sweep(sweep, writer.counts, results_file=part)
    except actions.SweepTakenOver:
        log.warning("sweep %s was taken over by another process", sweep.public_id)
        part.unlink(missing_ok=True)
    except Exception as error:
        log.exception("sweep %s failed", sweep.public_id)
        part.unlink(missing_ok=True)
        actions.do_fail_sweep(
            sweep,
            "The sweep could not be finished because of a problem in SafeShare "
            f"({type(error).__name__}). Upload the file again, or tell your protocol officer "
            "if it happens again.",
        )
    return True


run = run_sweep
"""The name earlier callers use."""


def run_queued(report: Callable[[Sweep], None] | None = None) -> tuple[int, int]:
    """One pass of the worker: queue again the sweeps whose process stopped (or fail them),
    then run every queued sweep. Returns (sweeps queued again, sweeps run)."""
    requeued = actions.requeue_stale_sweeps()
    ran = 0
    for sweep_id in (
        Sweep.objects.filter(status=Sweep.Status.QUEUED)
        .order_by("created_at")
        .values_list("pk", flat=True)
    ):
        if run_sweep(sweep_id):
            ran += 1
            if report is not None:
                report(Sweep.objects.get(pk=sweep_id))
    return len(requeued), ran


def recover(sweep: Sweep | None = None) -> list[int]:
    """Queue again the sweeps whose process stopped (see ``actions.requeue_stale_sweeps``);
    with ``RUNNER`` ``inline`` they are run here."""
    requeued = actions.requeue_stale_sweeps(sweep)
    for sweep_id in requeued:
        start(sweep_id)
    return requeued


def _batches[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
