"""``safeshare cases import FILE --org C``: a force's records-system feed, in CSV or JSON Lines
(``safeshare.cases.feeds``; docs/adr/0025-feeds-from-force-systems.md).

By default one bad row stores nothing, and every problem is printed as ``row N, field: reason``.
``--skip-invalid --rejects FILE`` applies the good rows and writes the bad ones, with their
reasons, to the reject file.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from safeshare.accounts.actors import Actor
from safeshare.cases import feeds
from safeshare.commands import admin_cli
from safeshare.kernel.roles import Role


class Command(BaseCommand):
    help = "Import a force's cases, parties and events from its records system."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Import a feed file (CSV or JSON Lines).")
        imp.add_argument("file")
        imp.add_argument("--org", required=True, help="The force's code, e.g. WMP.")
        imp.add_argument(
            "--format", choices=["csv", "jsonl"], help="Default: from the file's extension."
        )
        imp.add_argument("--skip-invalid", action="store_true", help="Apply the good rows.")
        imp.add_argument("--rejects", help="With --skip-invalid: write the bad rows here (CSV).")
        imp.add_argument("--dry-run", action="store_true", help="Check and count; store nothing.")
        imp.add_argument("--json", action="store_true", help="Print the report as JSON.")
        imp.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        fmt = options.get("format") or ("jsonl" if path.suffix in (".jsonl", ".ndjson") else "csv")
        if options.get("rejects") and not options["skip_invalid"]:
            raise CommandError("--rejects needs --skip-invalid.")
        organisation = admin_cli.organisation(options["org"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text (byte {error.start}).") from error
        actor = Actor(organisation=organisation, role=Role.POLICE_OFFICER)
        quiet = options["quiet"] or options["json"]
        with Progress(
            TextColumn("Importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=cast(TextIO, self.stderr)),
            disable=quiet,
        ) as bar:
            task = bar.add_task("rows", total=text.count("\n") or 1)
            report = feeds.import_feed(
                actor,
                text,
                fmt,
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
                progress=lambda done: bar.update(task, completed=done),
            )
        if options.get("rejects") and report.rejected_rows:
            with open(options["rejects"], "w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(
                    out, fieldnames=["row", *feeds.COLUMNS, "reason"], extrasaction="ignore"
                )
                writer.writeheader()
                for row in report.rejected_rows:
                    writer.writerow({k: _cell(v) for k, v in row.items()})
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            for warning in report.warnings:
                self.stdout.write(f"Warning: {warning}")
            self.stdout.write(
                f"{report.rows:,} rows: {report.created:,} applied, {report.changed:,} changed, "
                f"{report.unchanged:,} unchanged, {len(report.problems):,} with problems."
            )
        if report.problems and not options["skip_invalid"]:
            listed = "\n".join(str(p) for p in report.problems[:50])
            more = len(report.problems) - 50
            raise CommandError(
                f"Nothing was stored: {len(report.problems):,} rows have problems.\n{listed}"
                + (f"\n… and {more:,} more" if more > 0 else "")
            )


def _cell(value: object) -> str:
    """A value for the reject file; a leading formula character is neutralised."""
    text = ";".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
