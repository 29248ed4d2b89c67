"""``safeshare sar PERSON --as EMAIL [--json FILE] [--pdf FILE]``: a subject access export.

Exports everything SafeShare holds about one person (R21) as JSON and/or PDF. The export is
recorded, with a ledger entry naming the organisation and role of the user given with ``--as``.
Without ``--json`` or ``--pdf`` the JSON is written to standard output.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import User
from safeshare.advice.actions import do_export_subject_access
from safeshare.people.models import Person


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


class Command(BaseCommand):
    help = "Export everything held about a person (subject access, R21) as JSON and/or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help="The person's public id (a UUID).")
        parser.add_argument(
            "--as",
            dest="as_email",
            required=True,
            help="Email address of the police officer, protocol officer or administrator "
            "making the export (it is recorded on the ledger).",
        )
        parser.add_argument("--json", type=Path, help="Write the JSON export to this file.")
        parser.add_argument(
            "--pdf",
            type=Path,
            help="Write the PDF export to this file, in the person's recorded language.",
        )

    def handle(self, *args, **options) -> None:
        try:
            person_id = uuid.UUID(options["person"])
        except ValueError:
            raise CommandError("PERSON must be a person's public id (a UUID).") from None
        person = Person.objects.filter(public_id=person_id).first()
        if person is None:
            raise CommandError(f"No person has the id {person_id}.")
        user = User.objects.filter(email__iexact=options["as_email"], is_active=True).first()
        if user is None or user.organisation is None:
            raise CommandError(f"No active user has the email address {options['as_email']}.")
        try:
            result = do_export_subject_access(person, Actor.for_user(user))
        except PermissionDenied as error:
            raise CommandError(f"{user.email} cannot make subject access exports.") from error
        if options["json"]:
            _write_private(options["json"], result.json_bytes)
            self.stderr.write(f"Wrote {options['json']}")
        if options["pdf"]:
            from safeshare.advice.actions import language_for_person
            from safeshare.advice.sar import sar_pdf

            pdf = sar_pdf(result.data, language=language_for_person(person))
            _write_private(options["pdf"], pdf)
            self.stderr.write(f"Wrote {options['pdf']}")
        if not options["json"] and not options["pdf"]:
            self.stdout.write(result.json_bytes.decode("utf-8"))
        self.stderr.write(
            f"Subject access export {result.export.public_id}: {result.export.item_count} items, "
            f"{result.export.exemption_count} withheld, SHA-256 {result.export.content_digest}."
        )
