"""``safeshare agreements list|create|deactivate [--json]``: a force's data-sharing agreements,
which its officers choose by name in each referral. Every change is the operator's, recorded in
the ledger as other administration is (docs/adr/0045-data-sharing-agreements.md)."""

from __future__ import annotations

from typing import TextIO, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from safeshare.accounts.administration import operator_actor
from safeshare.commands import admin_cli
from safeshare.referrals import agreements
from safeshare.referrals.models import DataSharingAgreement


def _row(a: DataSharingAgreement) -> dict[str, object]:
    return {
        "id": str(a.public_id),
        "slug": a.slug,
        "force": a.organisation.code,
        "name": a.name,
        "controller": a.controller,
        "regime": a.regime,
        "lawful_basis": a.lawful_basis,
        "gateway": a.gateway,
        "reference": a.reference,
        "dpia_version": a.dpia_version,
        "active": a.deactivated_at is None,
    }


class Command(BaseCommand):
    help = (
        "List, set up or stop the data-sharing agreements of an organisation that refers "
        "(a police force, NHS body, local authority or NRM first responder)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        listing = sub.add_parser("list", help="List agreements.")
        listing.add_argument("--force", help="Only this organisation's agreements (its code).")
        listing.add_argument("--json", action="store_true", help="Print JSON.")
        create = sub.add_parser("create", help="Set up an agreement for an organisation.")
        create.add_argument("--force", required=True, help="The organisation's code, e.g. WMP.")
        create.add_argument("--name", required=True, help="What officers choose it by.")
        create.add_argument("--controller", required=True)
        create.add_argument("--regime", required=True, choices=list(agreements.REGIME_LABELS))
        create.add_argument("--lawful-basis", required=True)
        create.add_argument("--gateway", required=True)
        create.add_argument("--reference", required=True, help="e.g. DSA-2026-014.")
        create.add_argument("--dpia-version", required=True)
        create.add_argument("--json", action="store_true", help="Print JSON.")
        stop = sub.add_parser("deactivate", help="Stop an agreement being chosen.")
        stop.add_argument("--force", required=True, help="The organisation's code.")
        stop.add_argument("agreement", help="The agreement's slug or id.")
        stop.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"handle_{options['subcommand']}")(options)
        except (ValidationError, PermissionDenied) as error:
            raise admin_cli.problem(error) from error

    def _print(self, options, row: dict[str, object], text: str) -> None:
        self.stdout.write(admin_cli.dump(row) if options["json"] else text)

    def handle_create(self, options) -> None:
        force = admin_cli.organisation(options["force"])
        agreement = agreements.do_create_agreement(
            operator_actor(force),
            force,
            name=options["name"],
            controller=options["controller"],
            regime=options["regime"],
            lawful_basis=options["lawful_basis"],
            gateway=options["gateway"],
            reference=options["reference"],
            dpia_version=options["dpia_version"],
        )
        self._print(
            options,
            _row(agreement),
            f"Set up {agreement.name} ({agreement.slug}) for {force.name}.",
        )

    def handle_deactivate(self, options) -> None:
        force = admin_cli.organisation(options["force"])
        found = DataSharingAgreement.objects.filter(organisation=force)
        agreement = found.filter(slug=options["agreement"]).first()
        if agreement is None:
            raise CommandError(
                f"{force.name} has no agreement {options['agreement']!r}. "
                f"See `safeshare agreements list --force {force.code}`."
            )
        agreements.do_deactivate_agreement(operator_actor(force), agreement)
        self._print(options, _row(agreement), f"{agreement.name} can no longer be chosen.")

    def handle_list(self, options) -> None:
        found = DataSharingAgreement.objects.select_related("organisation").order_by(
            "organisation__code", "name"
        )
        if options.get("force"):
            found = found.filter(organisation=admin_cli.organisation(options["force"]))
        rows = [_row(a) for a in found]
        if options["json"]:
            self.stdout.write(admin_cli.dump(rows))
            return
        table = Table("Force", "Slug", "Name", "Reference", "DPIA", "Active")
        for row in rows:
            table.add_row(
                str(row["force"]),
                str(row["slug"]),
                str(row["name"]),
                str(row["reference"]),
                str(row["dpia_version"]),
                "yes" if row["active"] else "no",
            )
        Console(file=cast(TextIO, self.stdout), width=120).print(table)
