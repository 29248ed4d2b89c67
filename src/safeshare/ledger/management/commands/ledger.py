"""``safeshare ledger …``: sequence, sign, verify and export the ledger.

- ``verify [--content] [--json]``: recompute the tree from the stored entries, check every
  checkpoint and name the first entry that does not fit (exit status 1 if anything fails).
- ``publish DIR``: write the checkpoint, its history, the keys and C2SP tiles for a static web
  server (docs/ledger.md, "Publication").
- ``export DIR``: write entries, recorded leaf hashes, checkpoints and public keys to ``DIR``
  for ``python -m safeshare.ledger.verify DIR --public-key …``.
- ``checkpoint``: sequence queued entries, then sign a checkpoint if there is anything new.
- ``public-key``: print the verifier keys (current first), one a line.
- ``sequence``: give queued entries their indices, without signing.
- ``new-key``: print a new signing key (for ``SAFESHARE_LEDGER_SIGNING_KEY``) and its verifier
  key; ``record-rotation --org CODE``: append the ``key_rotated`` entry of a rotation.
"""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.kernel.roles import Role
from safeshare.ledger import publication, service, signing
from safeshare.ledger.actions import do_record_key_rotation
from safeshare.ledger.checkpoint import generate_signing_key, parse_signer_key, signer_key_string
from safeshare.ledger.verify import load_trusted_checkpoints, load_witness_keys


class _Bar(AbstractContextManager):
    """A rich progress bar on a terminal; silent otherwise (logs, tests, pipes)."""

    def __init__(self, label: str) -> None:
        console = Console(file=sys.stderr)
        self.progress = (
            Progress(
                TextColumn(label),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            if console.is_terminal
            else None
        )
        self.task: TaskID | None = None

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task("", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done, total=total)


class Command(BaseCommand):
    help = "Sequence, sign, verify and export the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Verify the stored ledger against its checkpoints.")
        verify.add_argument(
            "--content",
            action="store_true",
            help="Also re-check every entry's canonical form and allow-list (slower).",
        )
        verify.add_argument("--json", action="store_true", help="Print the full report as JSON.")
        verify.add_argument(
            "--witness-key",
            action="append",
            default=[],
            help="A witness's public key, or a file of them (repeatable).",
        )
        verify.add_argument(
            "--quorum",
            type=int,
            default=0,
            help="Trust only checkpoints cosigned by at least this many of those witnesses.",
        )
        verify.add_argument(
            "--trusted-checkpoint",
            action="append",
            default=[],
            help="A checkpoint, or a witness's state file, trusted out of band (repeatable).",
        )
        verify.add_argument(
            "--tiles",
            help="A folder or address of the published tiles (a monitor's copy, say): hashes "
            "that help to name the first rewritten entry exactly.",
        )
        publish = sub.add_parser(
            "publish", help="Write the checkpoint, its history, keys and tiles to a directory."
        )
        publish.add_argument("directory", type=Path, help="A directory a web server serves.")
        export = sub.add_parser("export", help="Write the ledger to a directory for verifiers.")
        export.add_argument("directory", type=Path, help="A new or empty directory.")
        sub.add_parser("checkpoint", help="Sequence queued entries and sign a checkpoint.")
        sub.add_parser("public-key", help="Print the ledger's verifier keys, one a line.")
        sub.add_parser("sequence", help="Give queued entries their indices (never signs).")
        sub.add_parser("new-key", help="Print a new signing key and its verifier key.")
        rotation = sub.add_parser(
            "record-rotation", help="Append the key_rotated entry of a key rotation."
        )
        rotation.add_argument("--org", required=True, help="Code of the organisation rotating.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "handle_" + options["subcommand"].replace("-", "_"))(options)

    # --- one-off commands ------------------------------------------------------------------

    def handle_verify(self, options: dict[str, Any]) -> None:
        try:
            witness_keys = load_witness_keys(options["witness_key"])
            trusted = load_trusted_checkpoints(options["trusted_checkpoint"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["quorum"] > len(witness_keys):
            raise CommandError("--quorum needs at least that many witness keys.")
        with _bar("Verifying") as bar:
            report = service.verify_database(
                check_content=options["content"],
                progress=bar,
                witness_keys=witness_keys,
                quorum=options["quorum"],
                trusted_checkpoints=trusted,
                tiles=options["tiles"],
            )
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2))
        else:
            self.stdout.write("Ledger in the database\n" + report.summary(), ending="")
        if not report.ok:
            first = report.first_problem
            where = f"entry {first.index}" if first and first.index is not None else "the ledger"
            raise CommandError(f"The ledger did not verify: see {where}.")

    def handle_export(self, options: dict[str, Any]) -> None:
        directory: Path = options["directory"]
        try:
            with _bar("Exporting") as bar:
                summary = service.export_to(directory, progress=bar)
        except ValueError as error:
            raise CommandError(str(error)) from error
        keys = service.verifier_keys()
        self.stdout.write(
            f"Exported {summary.entries:,} entries and {summary.checkpoints:,} checkpoints "
            f"to {directory}.\nVerify with:\n  python -m safeshare.ledger.verify {directory} "
            f"--public-key {keys[0]}\n"
        )

    def handle_publish(self, options: dict[str, Any]) -> None:
        size, written = publication.publish_to(options["directory"])
        if not size:
            raise CommandError("Nothing to publish: no checkpoint has been signed yet.")
        self.stdout.write(
            f"Published the log of {size:,} entries to {options['directory']} "
            f"({written:,} files written)."
        )

    def handle_checkpoint(self, options: dict[str, Any]) -> None:
        try:
            sequenced = service.sequence_pending()
            checkpoint = service.make_checkpoint()
        except (service.LedgerIntegrityError, service.SequencingError) as error:
            raise CommandError(str(error)) from error
        if sequenced:
            self.stdout.write(f"Sequenced {sequenced:,} queued entries.")
        if checkpoint is None:
            size = service.log_size()
            self.stdout.write(f"Nothing new to sign: the log has {size:,} entries, all signed.")
        else:
            self.stdout.write(f"Signed a checkpoint of {checkpoint.size:,} entries.")
            self.stdout.write(checkpoint.note, ending="")

    def handle_public_key(self, options: dict[str, Any]) -> None:
        for key in service.verifier_keys():
            self.stdout.write(key)

    def handle_sequence(self, options: dict[str, Any]) -> None:
        try:
            count = service.sequence_pending()
        except (service.LedgerIntegrityError, service.SequencingError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Sequenced {count:,} queued entries; the log has {service.log_size():,}."
        )

    def handle_new_key(self, options: dict[str, Any]) -> None:
        key = signer_key_string(signing.origin(), generate_signing_key())
        self.stdout.write(f"{signing.SIGNING_KEY_ENV}={key}")
        self.stdout.write(f"{signing.VERIFIER_KEY_ENV}={parse_signer_key(key).verifier}")

    def handle_record_rotation(self, options: dict[str, Any]) -> None:
        organisation = Organisation.objects.filter(code=options["org"].upper()).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['org']!r}. See `safeshare orgs list`.")
        try:
            entry = do_record_key_rotation(
                Actor(organisation=organisation, role=Role.ADMINISTRATOR)
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Queued the key_rotated entry (row {entry.pk}). Run `safeshare ledger checkpoint` "
            "now: that checkpoint is signed with both keys."
        )


def _bar(label: str) -> AbstractContextManager:
    bar = _Bar(label)
    return bar if bar.progress is not None else nullcontext(None)
