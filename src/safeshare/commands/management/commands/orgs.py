"""``safeshare orgs list|create|change|deactivate [--json]``: organisations and their codes.

Every change is the operator's, recorded in the ledger (docs/adr/0024-administration.md).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TextIO, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from safeshare.accounts import administration
from safeshare.accounts.models import Organisation
from safeshare.commands import admin_cli
from safeshare.kernel.contact import LABELS, ContactPoint
from safeshare.kernel.roles import OrganisationKind, Role, role_allowed_for

JURISDICTIONS = list(administration.JURISDICTIONS)


def _row(o: Organisation) -> dict[str, object]:
    return {
        "code": o.code,
        "name": o.name,
        "kind": o.kind,
        "official_code": o.official_code,
        "jurisdiction": o.jurisdiction,
        "contact_point": o.contact_point,
        "contact": o.contact.as_dict(),
        "active": o.deactivated_at is None,
        "roles": [r.value for r in Role if role_allowed_for(o.kind, r)],
    }


def _contact_arguments(parser: CommandParser) -> None:
    for field, label in LABELS.items():
        option = "--contact-" + field.replace("_", "-")
        parser.add_argument(option, dest=f"contact_{field}", help=f"Contact point: {label}.")


def _contact(options, current: ContactPoint) -> ContactPoint | None:
    """The contact point from the options, over ``current``; None when none was given."""
    given = {
        field: options[f"contact_{field}"]
        for field in LABELS
        if options.get(f"contact_{field}") is not None
    }
    if options.get("contact_point") and "team" not in given:
        given["team"] = options["contact_point"]
    if not given:
        return None
    return replace(current, **given)


class Command(BaseCommand):
    help = "List, create, change or deactivate organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        listing = sub.add_parser("list", help="List organisations.")
        listing.add_argument("--json", action="store_true", help="Print JSON.")
        listing.add_argument("--kind", help="Only organisations of this kind.")
        create = sub.add_parser("create", help="Create an organisation.")
        create.add_argument("--code", required=True, help="Short code, e.g. WMP or IE-NCCU.")
        create.add_argument("--name", required=True)
        create.add_argument("--kind", required=True, choices=[k.value for k in OrganisationKind])
        create.add_argument(
            "--official-code", default="", help="Police forces: the Home Office force number."
        )
        create.add_argument("--jurisdiction", default="england_wales", choices=JURISDICTIONS)
        create.add_argument("--contact-point", default="", help="The contact team's name.")
        _contact_arguments(create)
        create.add_argument("--json", action="store_true", help="Print JSON.")
        change = sub.add_parser("change", help="Rename, or set the contact point or jurisdiction.")
        change.add_argument("code")
        change.add_argument("--name")
        change.add_argument("--contact-point", help="The contact team's name.")
        _contact_arguments(change)
        change.add_argument("--jurisdiction", choices=JURISDICTIONS)
        change.add_argument("--json", action="store_true", help="Print JSON.")
        deactivate = sub.add_parser(
            "deactivate", help="Stop an organisation: its people are disabled, tokens revoked."
        )
        deactivate.add_argument("code")
        deactivate.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"handle_{options['subcommand']}")(options)
        except (ValidationError, PermissionDenied) as error:
            raise admin_cli.problem(error) from error

    def _print(self, options, row: dict[str, object], text: str) -> None:
        self.stdout.write(admin_cli.dump(row) if options["json"] else text)

    def handle_create(self, options) -> None:
        organisation = administration.create_organisation(
            None,
            code=options["code"],
            name=options["name"],
            kind=options["kind"],
            official_code=options["official_code"],
            jurisdiction=options["jurisdiction"],
            contact=_contact(options, ContactPoint(team=options["contact_point"])),
        )
        self._print(
            options,
            _row(organisation),
            f"Created {organisation.name} ({organisation.code}), "
            f"{administration.KIND_PHRASES[organisation.kind_enum]}.",
        )

    def handle_change(self, options) -> None:
        organisation = admin_cli.organisation(options["code"])
        changed = administration.change_organisation(
            administration.operator_actor(organisation),
            organisation,
            name=options.get("name"),
            contact=_contact(options, organisation.contact),
            jurisdiction=options.get("jurisdiction"),
        )
        self._print(options, _row(changed), f"Saved {changed.name} ({changed.code}).")

    def handle_deactivate(self, options) -> None:
        organisation = admin_cli.organisation(options["code"])
        disabled = administration.deactivate_organisation(
            administration.operator_actor(organisation), organisation
        )
        self._print(
            options,
            {**_row(organisation), "users_disabled": disabled},
            f"Deactivated {organisation.name} ({organisation.code}); "
            f"{disabled} people can no longer sign in.",
        )

    def handle_list(self, options) -> None:
        organisations = Organisation.objects.all()
        if options.get("kind"):
            organisations = organisations.filter(kind=options["kind"])
        rows = [_row(o) for o in organisations]
        if options["json"]:
            self.stdout.write(admin_cli.dump(rows))
            return
        table = Table("Code", "Name", "Kind", "Force number", "Jurisdiction", "Active")
        for row in rows:
            table.add_row(
                str(row["code"]),
                str(row["name"]),
                str(row["kind"]),
                str(row["official_code"]),
                str(row["jurisdiction"]),
                "yes" if row["active"] else "no",
            )
        Console(file=cast(TextIO, self.stdout), width=120).print(table)
