"""``safeshare users invite|list|disable|enable|change-role [--json]``: the people who sign in.

``invite`` prints the one-time link when the service has no email server, so a fresh install
reaches its first administrator without a Python shell (docs/adr/0024-administration.md).
"""

from __future__ import annotations

from typing import TextIO, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from safeshare.accounts import administration
from safeshare.accounts.models import User
from safeshare.commands import admin_cli
from safeshare.kernel.roles import Role


def _row(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "organisation": user.organisation.code if user.organisation else "",
        "role": user.role,
        "active": user.is_active,
        "two_step": user.totp_confirmed,
        "last_sign_in": user.last_login.isoformat() if user.last_login else None,
    }


class Command(BaseCommand):
    help = "Invite, list, disable or re-enable the people who sign in, or change their role."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        invite = sub.add_parser("invite", help="Invite someone: a one-time link that expires.")
        invite.add_argument("--org", required=True, help="Organisation code, e.g. WMP.")
        invite.add_argument("--role", required=True, choices=[r.value for r in Role])
        invite.add_argument("--email", required=True)
        listing = sub.add_parser("list", help="List people, with their last sign-in.")
        listing.add_argument("--org", help="Only this organisation's people.")
        disable = sub.add_parser("disable", help="A leaver: no sign-in, their tokens revoked.")
        disable.add_argument("email")
        enable = sub.add_parser("enable", help="Let a disabled person sign in again.")
        enable.add_argument("email")
        change = sub.add_parser("change-role", help="Give someone another role.")
        change.add_argument("email")
        change.add_argument("--role", required=True, choices=[r.value for r in Role])
        for parser_ in (invite, listing, disable, enable, change):
            parser_.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"handle_{options['subcommand'].replace('-', '_')}")(options)
        except (ValidationError, PermissionDenied) as error:
            raise admin_cli.problem(error) from error

    def _print(self, options, row: object, text: str) -> None:
        self.stdout.write(admin_cli.dump(row) if options["json"] else text)

    def handle_invite(self, options) -> None:
        organisation = admin_cli.organisation(options["org"])
        issued = administration.invite_user(
            None, organisation=organisation, role=options["role"], email=options["email"]
        )
        invitation = issued.invitation
        row = {
            "email": invitation.email,
            "organisation": organisation.code,
            "role": invitation.role,
            "expires_at": invitation.expires_at.isoformat(),
            "emailed": issued.emailed,
            "link": None if issued.emailed else issued.link,
        }
        if issued.emailed:
            text = f"Invitation emailed to {invitation.email}."
        else:
            text = (
                f"No email server is set up, so give {invitation.email} this link yourself "
                f"(it works once, until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n"
                f"{issued.link}"
            )
        self._print(options, row, text)

    def handle_list(self, options) -> None:
        users = User.objects.select_related("organisation").order_by("organisation__code", "email")
        if options.get("org"):
            users = users.filter(organisation=admin_cli.organisation(options["org"]))
        rows = [_row(u) for u in users]
        if options["json"]:
            self.stdout.write(admin_cli.dump(rows))
            return
        table = Table("Email", "Organisation", "Role", "Active", "Last sign-in")
        for row in rows:
            table.add_row(
                str(row["email"]),
                str(row["organisation"]),
                str(row["role"]),
                "yes" if row["active"] else "no",
                str(row["last_sign_in"] or "never"),
            )
        Console(file=cast(TextIO, self.stdout), width=140).print(table)

    def handle_disable(self, options) -> None:
        user = admin_cli.user(options["email"])
        revoked = administration.disable_user(
            administration.operator_actor(admin_cli.organisation_of(user)), user
        )
        self._print(
            options,
            {**_row(user), "tokens_revoked": revoked},
            f"{user.email} can no longer sign in; {revoked} of their tokens were revoked.",
        )

    def handle_enable(self, options) -> None:
        user = admin_cli.user(options["email"])
        administration.enable_user(
            administration.operator_actor(admin_cli.organisation_of(user)), user
        )
        self._print(options, _row(user), f"{user.email} can sign in again.")

    def handle_change_role(self, options) -> None:
        user = admin_cli.user(options["email"])
        administration.change_role(
            administration.operator_actor(admin_cli.organisation_of(user)), user, options["role"]
        )
        self._print(options, _row(user), f"{user.email} is now {user.role_enum.label.lower()}.")
