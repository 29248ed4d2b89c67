"""``safeshare register …``: the register of protected identities.

- ``import FILE.csv --org CODE [--skip-invalid] [--rejects PATH] [--workers N]``: a force's
  protected identities in bulk. Columns ``id, given_names, family_name, aliases, dob, sex,
  nationality, passport_no, ho_ref`` and optionally ``address, postcode``. A bad row stops the
  import (nothing is stored) unless ``--skip-invalid``, which writes the bad rows, with their
  row numbers and reasons, to ``FILE.rejects.csv`` (or ``--rejects``).
- ``rebuild [--quiet]``: prepare every entry again from its identity and rebuild the posting
  lists, after a change to the matcher's normalisation or blocking keys (one transaction).
- ``serve [--socket PATH]``: the matching server. Holds the register in memory for every web
  and sweep worker (with ``SAFESHARE_MATCHING_INDEX=server``) and keeps it current.
- ``stats [--json]``: what the register holds.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.kernel.roles import Role
from safeshare.matching.blocking import KEY_SET_VERSION
from safeshare.register.actions import RegisterError, do_import_register, do_rebuild_register
from safeshare.register.csvfiles import COLUMNS_TEXT, IdentityCsv, describe_warnings
from safeshare.register.management.commands._progress import Rejects, input_file, progress_bar
from safeshare.register.models import RegisterEntry, RegisterImport, RegisterKey
from safeshare.register.storage import KEY_SET_KEY, SIZE_KEY, key_set_version


def key_set_note() -> str:
    """A line for the operator when the stored keys predate this version's key set, or ''."""
    stored = key_set_version()
    if stored == KEY_SET_VERSION or not RegisterEntry.objects.exists():
        return ""
    return (
        f"The register's blocking keys were made with key set {stored}; this version uses "
        f"key set {KEY_SET_VERSION}. The worker (`safeshare worker`) rebuilds the register "
        "by itself; to do it now, run `safeshare register rebuild`. Until then clearances use "
        "the keys the register has."
    )


def default_workers() -> int:
    return 1 if (os.cpu_count() or 1) > 1 else 0


class Command(BaseCommand):
    help = "Import protected identities in bulk, or show what the register holds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser(
            "import",
            help="Import a force's protected identities from a CSV file.",
            description=f"Columns: {COLUMNS_TEXT}. Dates YYYY, YYYY-MM or YYYY-MM-DD.",
        )
        imp.add_argument("file", help="The CSV file (UTF-8).")
        imp.add_argument("--org", required=True, help="The importing police force's code.")
        imp.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and write the others to a reject file.",
        )
        imp.add_argument("--rejects", help="Where to write rejected rows (FILE.rejects.csv).")
        imp.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processes that prepare rows for matching beside the import (0: none).",
        )
        imp.add_argument("--quiet", action="store_true", help="No progress bar.")
        rebuild = sub.add_parser(
            "rebuild",
            help="Prepare every entry again and rebuild the blocking keys.",
            description="Run after a change to the matcher's normalisation or blocking keys.",
        )
        rebuild.add_argument("--quiet", action="store_true", help="No progress bar.")
        serve = sub.add_parser(
            "serve",
            help="Hold the register in memory and match for the web and sweep workers.",
            description="Clients find it with SAFESHARE_MATCHING_INDEX=server.",
        )
        serve.add_argument("--socket", help="The Unix socket (default var/matching.sock).")
        stats = sub.add_parser("stats", help="Count what the register holds.")
        stats.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options) -> None:
        getattr(self, "handle_" + options["subcommand"])(options)

    def handle_import(self, options) -> None:
        path = input_file(options["file"])
        organisation = Organisation.objects.filter(code=options["org"].upper()).first()
        if organisation is None:
            raise CommandError(
                f"There is no organisation with the code {options['org']}. "
                "See `safeshare orgs list`."
            )
        actor = Actor(organisation=organisation, role=Role.PROTOCOL_OFFICER)
        rejects_path = Path(options["rejects"] or path.with_name(path.stem + ".rejects.csv"))
        started = time.monotonic()
        with path.open("rb") as stream:
            reader = IdentityCsv(stream)
            rejects = Rejects(rejects_path, reader)
            bar = progress_bar(self.stdout, options["quiet"])
            try:
                with bar:
                    task = bar.add_task(f"Importing {path.name}", total=path.stat().st_size)
                    result = do_import_register(
                        reader,
                        organisation,
                        actor,
                        content_digest=lambda: reader.content_digest,
                        skip_invalid=options["skip_invalid"],
                        on_reject=rejects.add,
                        progress=lambda _: bar.update(task, completed=reader.bytes_read),
                        workers=max(options["workers"], 0),
                    )
                    bar.update(task, completed=reader.bytes_read)
            except RegisterError as error:
                rejects.close(keep=False)
                raise CommandError(" ".join(error.messages)) from error
            rejects.close(keep=True)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Imported {result.imported:,} protected identities for {organisation.code} "
            f"in {elapsed:.0f} s."
        )
        if result.attached:
            self.stdout.write(
                f"{result.attached:,} protections attached to the case their row named "
                f"({result.new_cases:,} cases recorded new)."
            )
        if result.warnings:
            self.stdout.write("Warnings (the rows were kept):")
            for line in describe_warnings(result.warnings):
                self.stdout.write(f"  {line}")
        if result.rejected:
            self.stdout.write(
                f"{len(result.rejected):,} rows were not imported; they are in {rejects_path}:"
            )
            for problem in result.rejected[:10]:
                self.stdout.write(f"  {problem}")
            if len(result.rejected) > 10:
                self.stdout.write(f"  … and {len(result.rejected) - 10:,} more.")

    def handle_rebuild(self, options) -> None:
        total = RegisterEntry.objects.count()
        started = time.monotonic()
        bar = progress_bar(self.stdout, options["quiet"], rows=True)
        with bar:
            task = bar.add_task("Rebuilding the register", total=max(total, 1))
            result = do_rebuild_register(progress=lambda n: bar.advance(task, n))
            bar.update(task, completed=max(total, 1))
        self.stdout.write(
            f"Rebuilt the register in {time.monotonic() - started:.0f} s: {result.entries:,} "
            f"entries ({result.changed:,} changed), {result.keys:,} blocking keys."
        )

    def handle_serve(self, options) -> None:
        import signal

        from safeshare.register.server import MatchingServer

        started = time.monotonic()
        server = MatchingServer(Path(options["socket"]) if options["socket"] else None)

        def stop(*_):
            server.close()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        server.listen()
        self.stdout.write(
            f"Matching server on {server.path}: {len(server.register):,} entries loaded in "
            f"{time.monotonic() - started:.0f} s."
        )
        if note := key_set_note():
            self.stdout.write(note)
        self.stdout.flush()
        try:
            server.accept_loop()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()

    def handle_stats(self, options) -> None:
        size = RegisterKey.objects.filter(key=SIZE_KEY).values_list("n", flat=True).first()
        by_source = dict(
            RegisterEntry.objects.values_list("source").annotate(n=Count("id")).order_by()
        )
        stats: dict[str, Any] = {
            "entries": size or 0,
            "keys": RegisterKey.objects.exclude(key__in=[SIZE_KEY, KEY_SET_KEY]).count(),
            "key_set": {"stored": key_set_version(), "current": KEY_SET_VERSION},
            "entries_by_source": by_source,
            "imports": [
                {
                    "organisation": i.organisation.code,
                    "count": i.count,
                    "rejected": i.rejected,
                    "at": i.created_at.isoformat(timespec="seconds"),
                    "content_digest": i.content_digest,
                }
                for i in RegisterImport.objects.select_related("organisation")[:20]
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(stats, indent=2))
            return
        self.stdout.write(f"Register entries: {stats['entries']:,}")
        self.stdout.write(f"Blocking keys: {stats['keys']:,}")
        if note := key_set_note():
            self.stdout.write(note)
        for source, n in sorted(by_source.items()):
            self.stdout.write(f"  from {source or '(none)'}: {n:,}")
        for item in stats["imports"]:
            self.stdout.write(
                f"Import by {item['organisation']} at {item['at']}: {item['count']:,} rows, "
                f"{item['rejected']:,} rejected"
            )
