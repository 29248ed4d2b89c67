"""``safeshare token create|list|revoke``: API tokens for organisations' systems."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeshare.accounts import actions
from safeshare.accounts.models import ApiToken, Organisation
from safeshare.kernel.roles import Role, Scope


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. The new token is printed once, as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="Create a token.")
        create.add_argument("--org", required=True, help="Organisation code, e.g. WMP.")
        create.add_argument("--role", required=True, choices=[r.value for r in Role])
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument(
            "--scope",
            action="append",
            choices=[s.value for s in Scope],
            help="Limit the token to these scopes (repeatable). Default: all of the role's.",
        )
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--org", help="Only this organisation's tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options) -> None:
        getattr(self, f"handle_{options['subcommand']}")(options)

    def handle_create(self, options) -> None:
        organisation = Organisation.objects.filter(code=options["org"].upper()).first()
        if organisation is None:
            raise CommandError(
                f"No organisation has the code {options['org']!r}. "
                "See `safeshare orgs list` for the codes."
            )
        try:
            issued = actions.do_create_api_token(
                organisation=organisation,
                role=options["role"],
                name=options["name"],
                scopes=options.get("scope"),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(
            f"Created token {issued.token.prefix} for {organisation.code} acting as "
            f"{issued.token.role_enum.label} with scopes {', '.join(issued.token.scopes)}. "
            "It is shown once:"
        )
        self.stdout.write(issued.secret)

    def handle_list(self, options) -> None:
        tokens = ApiToken.objects.select_related("organisation")
        if options.get("org"):
            tokens = tokens.filter(organisation__code=options["org"].upper())
        for token in tokens:
            state = "revoked" if token.revoked_at else "active"
            self.stdout.write(
                f"{token.prefix}\t{token.organisation.code}\t{token.role}\t{token.name}\t{state}"
            )

    def handle_revoke(self, options) -> None:
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token has the prefix {options['prefix']!r}.")
        actions.do_revoke_api_token(token)
        self.stdout.write(f"Revoked {token.prefix}.")
