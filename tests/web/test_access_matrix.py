"""Every page, every role, the expected status: the role-by-page access matrix."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safeshare.accounts.permissions import EXEMPT_PATH_PREFIXES, PAGE_PERMISSIONS
from safeshare.accounts.roles import Role
from tests.factories import make_user

ANONYMOUS = "anonymous"
OK, REDIRECT, FORBIDDEN = 200, 302, 403
R = Role

# Written out by hand (not derived from PAGE_PERMISSIONS) so that any change to who can open a
# page has to be made twice, deliberately. Statuses are for a GET.
EXPECTED: dict[str, dict[Role | str, int]] = {
    "web:home": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, OK)},
    "web:accessibility": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    "web:privacy": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    # Signed-in people are sent on from the sign-in page.
    "accounts:sign-in": {ANONYMOUS: OK, **dict.fromkeys(Role, REDIRECT)},
    # Without a pending sign-in, the security-code page sends people back to sign in.
    "accounts:second-factor": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "accounts:second-factor-setup": {
        ANONYMOUS: REDIRECT,
        **dict.fromkeys(Role, OK),
        R.ADVOCATE: FORBIDDEN,
    },
    # Sign-out only accepts POST.
    "accounts:sign-out": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, 405)},
}

CASES = [(name, who) for name, row in EXPECTED.items() for who in row]


def all_named_routes() -> set[str]:
    """Every named route of the site (the API has its own access control)."""
    names: set[str] = set()

    def walk(patterns, namespace: str = "", prefix: str = "") -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route)
            elif isinstance(pattern, URLPattern) and pattern.name:
                if ("/" + route).startswith(EXEMPT_PATH_PREFIXES):
                    continue
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_route_is_declared_and_in_the_matrix():
    routes = all_named_routes()
    assert routes - set(PAGE_PERMISSIONS) == set(), "routes missing from PAGE_PERMISSIONS"
    assert routes - set(EXPECTED) == set(), "routes missing from this test's matrix"
    assert set(EXPECTED) - routes == set()


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "who"), CASES, ids=[f"{r}-{w}" for r, w in CASES])
def test_role_page_matrix(client, route, who):
    if who != ANONYMOUS:
        client.force_login(make_user(who))
    response = client.get(reverse(route))
    assert response.status_code == EXPECTED[route][who]
    if response.status_code == REDIRECT and who == ANONYMOUS and route != "accounts:second-factor":
        assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.django_db
def test_undeclared_route_is_refused_to_everyone(client, settings):
    """A page nobody has declared is closed, even to a signed-in administrator."""
    from safeshare.accounts import permissions

    client.force_login(make_user(Role.ADMINISTRATOR))
    saved = permissions.PAGE_PERMISSIONS.pop("web:privacy")
    try:
        assert client.get(reverse("web:privacy")).status_code == FORBIDDEN
    finally:
        permissions.PAGE_PERMISSIONS["web:privacy"] = saved
