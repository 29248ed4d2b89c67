"""Who may open which page: one declared table, enforced for every request by middleware.

A route that is not in the table is refused to everyone, so a new page is closed until someone
decides who may see it. Later issues add their routes here; the role-by-page test walks them all.
"""

from __future__ import annotations

from typing import Final

from safeshare.accounts.roles import Role

PUBLIC: Final = "public"
"""Anyone may open the page, signed in or not."""

ALL_ROLES: Final = frozenset(Role)
POLICE = frozenset({Role.POLICE_OFFICER})
PROTOCOL = frozenset({Role.PROTOCOL_OFFICER})
IE = frozenset({Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER})
IE_SENIOR = frozenset({Role.IE_SENIOR_APPROVER})
OVERSIGHT = frozenset({Role.OVERSIGHT_ANALYST})
ADVOCATES = frozenset({Role.ADVOCATE})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})

PAGE_PERMISSIONS: dict[str, frozenset[Role] | str] = {
    "accounts:sign-in": PUBLIC,
    "accounts:second-factor": PUBLIC,
    "accounts:sign-out": ALL_ROLES,
    "accounts:second-factor-setup": ALL_ROLES - ADVOCATES,
    "web:home": ALL_ROLES,
    "web:accessibility": PUBLIC,
    "web:privacy": PUBLIC,
}

EXEMPT_PATH_PREFIXES: tuple[str, ...] = ("/api/", "/static/", "/healthz", "/readyz", "/metrics")
"""Paths with their own access control (the API checks bearer tokens and scopes itself)."""


def roles_for(view_name: str) -> frozenset[Role] | str | None:
    """The roles allowed on a route, PUBLIC, or None when the route is not declared."""
    return PAGE_PERMISSIONS.get(view_name)
