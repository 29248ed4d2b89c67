"""Who is acting: a signed-in person or an API client, always for one organisation and role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from safeshare.accounts.models import ApiToken, Organisation, User
from safeshare.kernel.roles import Role


@dataclass(frozen=True)
class Actor:
    """The organisation and role an action is done for, and the person or token doing it."""

    organisation: Organisation
    role: Role
    user: User | None = None
    token: ApiToken | None = None

    @property
    def org_code(self) -> str:
        return self.organisation.code

    @property
    def label(self) -> str:
        if self.user is not None:
            return str(self.user)
        if self.token is not None:
            binding = getattr(self.token, "binding", None)
            if binding is not None and binding.person_id:
                return f"{binding.person} through API client {self.token.name}"
            if binding is not None:
                return f"API client {binding.system_name} (owner {binding.system_owner})"
            return f"API client {self.token.name}"
        return "SafeShare"

    @property
    def identifier(self) -> str:
        """A stable identifier for four-eyes checks: the same person or token is the same actor."""
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.token is not None:
            return f"token:{self.token.pk}"
        return f"system:{self.organisation.code}"

    @classmethod
    def for_user(cls, user: User | AnonymousUser) -> Actor:
        """The signed-in person (the access middleware lets no one else reach a page)."""
        if not isinstance(user, User):
            raise PermissionDenied("Sign in to do this.")
        if user.organisation is None:
            raise PermissionDenied("Your account belongs to no organisation.")
        return cls(organisation=user.organisation, role=Role(user.role), user=user)

    @classmethod
    def for_token(cls, token: ApiToken) -> Actor:
        return cls(organisation=token.organisation, role=Role(token.role), token=token)

    @classmethod
    def for_request(cls, request: HttpRequest) -> Actor:
        client = getattr(request, "api_client", None)
        if client is not None:
            return cls.for_token(client.token)
        return cls.for_user(request.user)
