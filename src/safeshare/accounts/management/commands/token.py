"""``safeshare token create|rotate|list|revoke``: API tokens, each bound to a named person or
a named system and its owner, with an expiry date."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safeshare.accounts import actions, administration
from safeshare.accounts.models import ApiToken, Organisation, User
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
        create.add_argument("--person", help="Email address of the person the token acts for.")
        create.add_argument("--system", default="", help="Name of the system the token is for.")
        create.add_argument("--owner", help="Email address of the person who owns the system.")
        create.add_argument("--days", type=int, help="Days the token works (default 90).")
        rotate = sub.add_parser(
            "rotate", help="Issue a token's successor; the old one works for --overlap-hours more."
        )
        rotate.add_argument("prefix")
        rotate.add_argument("--overlap-hours", type=int, default=24)
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
        person = self._user(options.get("person"))
        owner = self._user(options.get("owner"))
        days = options.get("days")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            issued = administration.create_token(
                administration.operator_actor(organisation),
                organisation=organisation,
                role=options["role"],
                name=options["name"],
                scopes=options.get("scope"),
                person=person,
                system_name=options.get("system") or "",
                system_owner=owner,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(
            f"Created token {issued.token.prefix} for {organisation.code} acting as "
            f"{issued.token.role_enum.label} with scopes {', '.join(issued.token.scopes)}. "
            "It is shown once:"
        )
        self.stdout.write(issued.secret)

    @staticmethod
    def _user(email: str | None) -> User | None:
        if not email:
            return None
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No one signs in with the email address {email!r}.")
        return user

    def handle_rotate(self, options) -> None:
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token has the prefix {options['prefix']!r}.")
        if options["overlap_hours"] < 0:
            raise CommandError("--overlap-hours cannot be negative.")
        try:
            issued = administration.rotate_token(
                administration.operator_actor(token.organisation),
                token,
                overlap=timedelta(hours=options["overlap_hours"]),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(
            f"Created token {issued.token.prefix} to replace {token.prefix}, which works for "
            f"{options['overlap_hours']} more hours. The new token is shown once:"
        )
        self.stdout.write(issued.secret)

    def handle_list(self, options) -> None:
        tokens = ApiToken.objects.select_related("organisation", "binding")
        if options.get("org"):
            tokens = tokens.filter(organisation__code=options["org"].upper())
        for token in tokens:
            expires = actions.token_expires_at(token)
            if token.revoked_at:
                state = "revoked"
            elif expires <= timezone.now():
                state = "expired"
            else:
                state = f"active until {expires:%Y-%m-%d %H:%M}"
            binding = getattr(token, "binding", None)
            bound = str(binding) if binding is not None else "not bound"
            self.stdout.write(
                f"{token.prefix}\t{token.organisation.code}\t{token.role}\t{token.name}\t"
                f"{bound}\t{state}"
            )

    def handle_revoke(self, options) -> None:
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"No token has the prefix {options['prefix']!r}.")
        try:
            administration.revoke_token(administration.operator_actor(token.organisation), token)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Revoked {token.prefix}.")
