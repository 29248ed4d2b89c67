"""Helpers shared by the administration commands (``safeshare orgs`` and ``safeshare users``)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from safeshare.accounts.models import Organisation, User


def organisation(code: str) -> Organisation:
    found = Organisation.objects.filter(code=code.strip().upper()).first()
    if found is None:
        raise CommandError(
            f"No organisation has the code {code!r}. See `safeshare orgs list` for the codes."
        )
    return found


def user(email: str) -> User:
    found = User.objects.select_related("organisation").filter(email__iexact=email.strip()).first()
    if found is None:
        raise CommandError(f"Nobody signs in with {email!r}. See `safeshare users list`.")
    return found


def organisation_of(user: User) -> Organisation:
    if user.organisation is None:
        raise CommandError(f"{user.email} belongs to no organisation.")
    return user.organisation


def problem(error: ValidationError | PermissionDenied) -> CommandError:
    """One line per field: ``field: what is wrong``."""
    if isinstance(error, PermissionDenied):
        return CommandError(str(error))
    if hasattr(error, "error_dict"):
        lines = [
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        ]
        return CommandError("\n".join(lines))
    return CommandError(" ".join(error.messages))


def dump(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
