"""``safeshare sweeps list``: the latest of IE's background sweeps and their state.

Queued sweeps are run by the worker (``safeshare worker``, job ``sweeps``); the web process
never runs them.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from safeshare.register.models import Sweep


class Command(BaseCommand):
    help = "List the latest sweeps (the worker, `safeshare worker`, runs them)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="The latest sweeps.")

    def handle(self, *args, **options) -> None:
        getattr(self, "handle_" + options["subcommand"])(options)

    def handle_list(self, options) -> None:
        for sweep in Sweep.objects.select_related("organisation")[:50]:
            self.stdout.write(
                f"{sweep.created_at:%Y-%m-%d %H:%M} {sweep.organisation.code:<12} "
                f"{sweep.get_status_display():<16} {sweep.processed_rows:>8,}/"
                f"{sweep.total_rows:<8,} blocked {sweep.blocked_count:,}, hold "
                f"{sweep.hold_count:,}, clear {sweep.clear_count:,}"
            )
