"""Runs the jobs: each when it is due, under its lease, with retries after failures."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.db import close_old_connections, connection

from safeshare.worker import actions
from safeshare.worker.jobs import Job

logger = logging.getLogger("safeshare.worker")

MAX_BACKOFF = 300.0
"""Longest wait before trying a failing job again, in seconds."""


def _fresh_connection() -> None:
    """Drop a broken or expired database connection before a job (as Django does between
    requests); never inside a transaction, which is the caller's (a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


@dataclass
class Runner:
    jobs: list[Job]
    holder: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    )
    due: dict[str, float] = field(default_factory=dict)

    def run_due(self, *, force: bool = False) -> dict[str, int | str]:
        """One pass: run every job that is due (every job when ``force``). Returns, per job
        that ran, how much it did or the error."""
        outcome: dict[str, int | str] = {}
        for job in self.jobs:
            now = time.monotonic()
            if not force and self.due.get(job.name, 0.0) > now:
                continue
            _fresh_connection()
            try:
                if not actions.do_take_lease(job.name, self.holder, job.lease):
                    self.due[job.name] = now + job.every
                    continue
            except Exception:  # the database is away: try again on the next pass
                logger.warning("Worker could not take the lease of %s", job.name, exc_info=True)
                self.due[job.name] = now + job.every
                continue
            error = ""
            try:
                outcome[job.name] = job.run()
            except Exception as exc:
                logger.exception("Worker job %s failed", job.name)
                error = f"{type(exc).__name__}: {exc}"
                outcome[job.name] = error
                _fresh_connection()
            try:
                failures = actions.do_release_lease(job.name, self.holder, error=error)
            except Exception:
                logger.warning("Worker could not release the lease of %s", job.name, exc_info=True)
                failures = 1 if error else 0
            delay = job.every if not failures else min(MAX_BACKOFF, job.every * 2**failures)
            self.due[job.name] = time.monotonic() + delay
        return outcome

    def run_forever(self, stop: threading.Event, tick: float = 0.5) -> None:
        logger.info("Worker %s started: %s", self.holder, ", ".join(j.name for j in self.jobs))
        while not stop.is_set():
            self.run_due()
            stop.wait(tick)
        logger.info("Worker %s stopped", self.holder)
