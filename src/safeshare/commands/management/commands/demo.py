"""``safeshare demo``: fill an empty database with realistic demo data and print the logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from safeshare import demo
from safeshare.accounts import demo as accounts_demo
from safeshare.accounts.models import Organisation
from safeshare.advice.demo import load_demo_victim


class Command(BaseCommand):
    help = "Create demo organisations, users and cases in an empty database; print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) when the database already has data.",
        )

    def handle(self, *args, **options) -> None:
        # OutputWrapper is a text stream, though not typed as IO[str].
        console = Console(file=self.stdout, width=120)  # type: ignore[arg-type]
        if Organisation.objects.exists():
            if not options["if_empty"]:
                raise CommandError(
                    "The database already has data. Demo data is only added to an empty "
                    "database; use --if-empty to just print the demo logins."
                )
            logins = demo.load_logins()
            if not logins:
                logins = accounts_demo.reset_demo_passwords()
                demo.save_logins(logins)
        else:
            with console.status("Creating demo data…"):
                logins = demo.seed()
            console.print("Demo data created.")
        table = Table(title="Demo sign-ins (http://127.0.0.1:8000/sign-in/)")
        table.add_column("Role")
        table.add_column("Email address", no_wrap=True)
        table.add_column("Password", no_wrap=True)
        table.add_column("Organisation")
        seen_roles = set()
        for login in logins:
            if login.role in seen_roles:
                continue
            seen_roles.add(login.role)
            table.add_row(login.role.label, login.email, login.password, login.organisation)
        console.print(table)
        console.print(
            "Two-step sign-in is required: at each person's first sign-in SafeShare shows a code "
            "to scan with an authenticator app (or a key to type in), then asks for its codes."
        )
        victim = load_demo_victim()
        if victim is not None:
            console.print(
                f"Victim's own view ({victim.sign_in_url}): {victim.name}, protection reference "
                f"{victim.reference}, one-time passcode {victim.passcode}"
            )
