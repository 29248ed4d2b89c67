"""``safeshare screen FILE.csv --out OUT.csv``: sweep an enforcement caseload against the
register (the same engine as the online clearance, in batches).

The caseload has the register's columns (``id, given_names, family_name, aliases, dob, sex,
nationality, passport_no, ho_ref`` and optionally ``address, postcode``). The output has
``query_id, register_id, decision, score``: decision ``blocked``, ``hold`` or ``clear``;
``register_id`` is the id the register was imported with (a protection reference for a person
recorded through a case), empty when clear. One ledger entry records the counts.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.register.actions import RegisterError, do_screen
from safeshare.register.csvfiles import IdentityCsv, describe_warnings
from safeshare.register.management.commands._progress import Rejects, input_file, progress_bar


def ie_unit(code: str | None) -> Organisation:
    units = Organisation.objects.filter(kind=OrganisationKind.IE_UNIT)
    if code:
        unit = units.filter(code=code.upper()).first()
        if unit is None:
            raise CommandError(
                f"There is no Immigration Enforcement unit with the code {code}. "
                "See `safeshare orgs list --kind ie_unit`."
            )
        return unit
    found = list(units[:2])
    if len(found) != 1:
        raise CommandError(
            "Name the Immigration Enforcement unit the sweep is for with --org CODE. "
            "See `safeshare orgs list --kind ie_unit`."
        )
    return found[0]


class Command(BaseCommand):
    help = "Screen an enforcement caseload (CSV) against the register of protected identities."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The caseload (UTF-8 CSV, the register's columns).")
        parser.add_argument("--out", required=True, help="Where to write the results (CSV).")
        parser.add_argument(
            "--org", help="The Immigration Enforcement unit (needed when there are several)."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Screen the valid rows and write the others to a reject file.",
        )
        parser.add_argument("--rejects", help="Where to write rejected rows (FILE.rejects.csv).")
        parser.add_argument(
            "--workers", type=int, default=1, help="Processes screening at once (default 1)."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, **options) -> None:
        path = input_file(options["file"])
        out = Path(options["out"])
        if out.resolve() == path.resolve():
            raise CommandError("Write the results to a different file from the caseload.")
        actor = Actor(organisation=ie_unit(options.get("org")), role=Role.IE_CASEWORKER)
        rejects_path = Path(options["rejects"] or path.with_name(path.stem + ".rejects.csv"))
        part = out.with_name(out.name + ".part")
        started = time.monotonic()
        with path.open("rb") as stream:
            total = sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
        with path.open("rb") as stream:
            reader = IdentityCsv(stream)
            rejects = Rejects(rejects_path, reader)
            bar = progress_bar(self.stdout, options["quiet"], rows=True)
            try:
                with bar, part.open("w", newline="", encoding="utf-8") as handle:
                    task = bar.add_task(f"Screening {path.name}", total=max(total - 1, 1))
                    result = do_screen(
                        reader,
                        handle,
                        actor,
                        skip_invalid=options["skip_invalid"],
                        on_reject=rejects.add,
                        progress=lambda n: bar.advance(task, n),
                        workers=max(options["workers"], 1),
                    )
                    bar.update(task, completed=max(total - 1, 1))
            except RegisterError as error:
                part.unlink(missing_ok=True)
                rejects.close(keep=False)
                raise CommandError(" ".join(error.messages)) from error
            except BaseException:
                part.unlink(missing_ok=True)
                rejects.close(keep=False)
                raise
            rejects.close(keep=True)
        part.replace(out)
        counts = result.counts
        self.stdout.write(
            f"Screened {result.total:,} people in {time.monotonic() - started:.0f} s: "
            f"{counts['blocked']:,} blocked, {counts['hold']:,} on hold, "
            f"{counts['clear']:,} clear. Results are in {out}."
        )
        if result.warnings:
            self.stdout.write("Warnings (the rows were kept):")
            for line in describe_warnings(result.warnings):
                self.stdout.write(f"  {line}")
        if result.rejected:
            self.stdout.write(
                f"{len(result.rejected):,} rows were not screened; they are in {rejects_path}:"
            )
            for problem in result.rejected[:10]:
                self.stdout.write(f"  {problem}")
