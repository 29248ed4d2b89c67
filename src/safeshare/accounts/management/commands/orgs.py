"""``safeshare orgs list [--json]``: the organisations and their codes."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from safeshare.accounts.models import Organisation


class Command(BaseCommand):
    help = "List organisations with their codes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        listing = sub.add_parser("list", help="List organisations.")
        listing.add_argument("--json", action="store_true", help="Print JSON.")
        listing.add_argument("--kind", help="Only organisations of this kind.")

    def handle(self, *args, **options) -> None:
        organisations = Organisation.objects.all()
        if options.get("kind"):
            organisations = organisations.filter(kind=options["kind"])
        rows = [
            {
                "code": o.code,
                "name": o.name,
                "kind": o.kind,
                "official_code": o.official_code,
                "jurisdiction": o.jurisdiction,
            }
            for o in organisations
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        table = Table("Code", "Name", "Kind", "Force number", "Jurisdiction")
        for row in rows:
            table.add_row(
                row["code"], row["name"], row["kind"], row["official_code"], row["jurisdiction"]
            )
        Console(file=self.stdout, width=120).print(table)
