"""``safeshare retention run [--dry-run] [--json]``: delete what SafeShare no longer needs (R23),
after the periods in the ``[retention]`` table of the policy in force; the worker runs it daily."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeshare.protocol.active import active_policy
from safeshare.worker import retention


class Command(BaseCommand):
    help = "Delete data whose retention period has passed (R23)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Delete what has expired.")
        run.add_argument(
            "--dry-run", action="store_true", help="List what would go; delete nothing."
        )
        run.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options) -> None:
        try:
            policy = active_policy()
            categories = retention.plan(policy=policy)
        except ValueError as error:  # PolicyError names the file and the setting
            raise CommandError(str(error)) from error
        if options["dry_run"]:
            rows: dict[str, dict[str, object]] = {
                c.name: {"days": c.days, "would_delete": c.count} for c in categories
            }
            for c in categories:
                if c.details:
                    rows[c.name]["with_them"] = c.details
            if options["json"]:
                self.stdout.write(json.dumps(rows, indent=2))
                return
            self.stdout.write(
                f"Periods from the policy {policy.id} (version {policy.version[:12]}):"
            )
            for c in categories:
                self.stdout.write(
                    f"{c.name}: {c.count:,} older than {c.days} days would be deleted"
                )
                if c.count and c.details:
                    self.stdout.write(
                        "  with them: "
                        + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in c.details.items())
                    )
            return
        done = retention.run(policy=policy)
        if options["json"]:
            self.stdout.write(json.dumps(done, indent=2))
            return
        for name, count in done.items():
            self.stdout.write(f"{name}: {count:,} deleted")
