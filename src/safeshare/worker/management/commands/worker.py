"""``safeshare worker [--once] [--only JOB …]``: run every background job until stopped.

Ledger sequencing and checkpoints, caseload sweeps, webhook deliveries and statistics
snapshots. Stops cleanly on SIGTERM or Ctrl+C. ``--once`` runs every job one time and exits
(status 1 if any failed).
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeshare.protocol.actions import do_record_policy_activation
from safeshare.worker.jobs import jobs
from safeshare.worker.runner import Runner


class Command(BaseCommand):
    help = "Run every background job: ledger, sweeps, webhooks, statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run each job once, then stop.")
        parser.add_argument(
            "--only", nargs="+", metavar="JOB", help="Run only these jobs (by name)."
        )

    def handle(self, *args, **options) -> None:
        selected = jobs()
        if options["only"]:
            unknown = set(options["only"]) - {job.name for job in selected}
            if unknown:
                names = ", ".join(job.name for job in selected)
                raise CommandError(f"No job {', '.join(sorted(unknown))}. Jobs: {names}.")
            selected = [job for job in selected if job.name in options["only"]]
        runner = Runner(selected)
        if options["once"]:
            outcome = runner.run_due(force=True)
            for name, result in outcome.items():
                self.stdout.write(f"{name:<18} {result}")
            if any(isinstance(result, str) for result in outcome.values()):
                raise CommandError("A job failed; see the log.")
            return
        # The service starts: a change of the policy in force is written to the ledger
        # (``policy_activated``). A ``--once`` pass is a maintenance run, not a start.

        if do_record_policy_activation():
            self.stdout.write("The policy in force changed: recorded it in the ledger.")
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        runner.run_forever(stop)
