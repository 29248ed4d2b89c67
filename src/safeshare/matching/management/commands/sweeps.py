"""``safeshare sweeps …``: IE's background sweeps of an uploaded caseload.

- ``run [--once] [--interval SECONDS]``: the worker. Starts sweeps again whose process stopped
  (or fails them after three tries), then runs queued sweeps one at a time. Use it with
  ``SAFESHARE_SWEEP_RUNNER=worker`` so that the web process does not run sweeps itself.
- ``list``: the latest sweeps and their state.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from safeshare.matching import sweeps
from safeshare.matching.actions import requeue_stale_sweeps
from safeshare.matching.models import Sweep


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
        while True:
            close_old_connections()
            requeued = requeue_stale_sweeps()
            if requeued:
                self.stdout.write(f"Started again {len(requeued)} sweeps whose process stopped.")
            ran = 0
            for sweep_id in (
                Sweep.objects.filter(status=Sweep.Status.QUEUED)
                .order_by("created_at")
                .values_list("pk", flat=True)
            ):
                if sweeps.run(sweep_id):
                    ran += 1
                    sweep = Sweep.objects.get(pk=sweep_id)
                    self.stdout.write(
                        f"Sweep {sweep.public_id} {sweep.get_status_display().lower()}: "
                        f"{sweep.processed_rows:,} of {sweep.total_rows:,} people."
                    )
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
