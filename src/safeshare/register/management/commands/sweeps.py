"""``safeshare sweeps …``: IE's background sweeps of an uploaded caseload.

- ``run [--once] [--interval SECONDS]``: the worker. Starts sweeps again whose process stopped
  (or fails them after three tries), then runs queued sweeps one at a time
  (``register.jobs.run_queued``). The web process never runs sweeps: run at least one of these.
- ``list``: the latest sweeps and their state.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from safeshare.register import jobs
from safeshare.register.models import Sweep


class Command(BaseCommand):
    help = "Run queued sweeps (the worker), or list the latest sweeps."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Run queued sweeps until stopped.")
        run.add_argument("--once", action="store_true", help="Run what is queued, then stop.")
        run.add_argument("--interval", type=float, default=5.0, help="Seconds between looks.")
        sub.add_parser("list", help="The latest sweeps.")

    def handle(self, *args, **options) -> None:
        getattr(self, "handle_" + options["subcommand"])(options)

    def handle_run(self, options) -> None:
        def report(sweep: Sweep) -> None:
            self.stdout.write(
                f"Sweep {sweep.public_id} {sweep.get_status_display().lower()}: "
                f"{sweep.processed_rows:,} of {sweep.total_rows:,} people."
            )

        while True:
            close_old_connections()
            requeued, ran = jobs.run_queued(report)
            if requeued:
                self.stdout.write(f"Started again {requeued} sweeps whose process stopped.")
            if options["once"]:
                return
            if not ran:
                time.sleep(options["interval"])

    def handle_list(self, options) -> None:
        for sweep in Sweep.objects.select_related("organisation")[:50]:
            self.stdout.write(
                f"{sweep.created_at:%Y-%m-%d %H:%M} {sweep.organisation.code:<12} "
                f"{sweep.get_status_display():<16} {sweep.processed_rows:>8,}/"
                f"{sweep.total_rows:<8,} blocked {sweep.blocked_count:,}, hold "
                f"{sweep.hold_count:,}, clear {sweep.clear_count:,}"
            )
