"""Every page, every role, the expected status: the role-by-page access matrix."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from safeshare.accounts.permissions import EXEMPT_PATH_PREFIXES, PAGE_PERMISSIONS
from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user

ANONYMOUS = "anonymous"
OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
R = Role
ALLOWED_ONLY = {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, FORBIDDEN)}


def only(*roles: Role, status: int = OK) -> dict[Role | str, int]:
    """The row for a page only ``roles`` may open: they get ``status``, others 403."""
    return {**ALLOWED_ONLY, **dict.fromkeys(roles, status)}


# Written out by hand (not derived from PAGE_PERMISSIONS) so that any change to who can open a
# page has to be made twice, deliberately. Statuses are for a GET.
EXPECTED: dict[str, dict[Role | str, int]] = {
    "web:home": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, OK)},
    "web:accessibility": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    "web:privacy": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    # Administration: administrators only; the invitation link is for people not signed in
    # (without a code it says the link does not work).
    "cases:import": only(R.POLICE_OFFICER),
    "administration:organisations": only(R.ADMINISTRATOR),
    "administration:people": only(R.ADMINISTRATOR),
    "administration:tokens": only(R.ADMINISTRATOR),
    "administration:webhooks": only(R.ADMINISTRATOR),
    "referrals:agreements": only(R.ADMINISTRATOR),
    "administration:accept-invitation": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    # Signed-in people are sent on from the sign-in page.
    "accounts:sign-in": {ANONYMOUS: OK, **dict.fromkeys(Role, REDIRECT)},
    # Without a pending sign-in, the security-code page sends people back to sign in.
    "accounts:second-factor": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "accounts:second-factor-enrol": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    # Every staff role can set up two-step sign-in, advocates included.
    "accounts:second-factor-setup": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, OK)},
    # Administrators reset the two-step sign-in of people in their organisation.
    "accounts:second-factor-reset": only(R.ADMINISTRATOR),
    # Passkeys answer POST only: during sign-in (the views check the pending sign-in) and on
    # the person's own account page.
    "accounts:passkey-options": {ANONYMOUS: 405, **dict.fromkeys(Role, 405)},
    "accounts:passkey-sign-in": {ANONYMOUS: 405, **dict.fromkeys(Role, 405)},
    "accounts:passkey-enrol-options": {ANONYMOUS: 405, **dict.fromkeys(Role, 405)},
    "accounts:passkey-enrol": {ANONYMOUS: 405, **dict.fromkeys(Role, 405)},
    "accounts:passkey-add-options": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, 405)},
    "accounts:passkey-add": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, 405)},
    "accounts:passkey-remove": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, 405)},
    # Sign-out only accepts POST.
    "accounts:sign-out": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, 405)},
    # Anyone may check a receipt.
    "advice:check-receipt": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    # The timeout warning's "Stay signed in" only accepts POST.
    "web:stay-signed-in": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, 405)},
    # Protocol pages. Pages about one object are opened here with an id that does not exist:
    # roles that may open the page get 404, everyone else 403 before the view runs.
    # tests/pages/test_object_access.py checks each against real objects.
    "cases:list": only(R.POLICE_OFFICER),
    "cases:create": only(R.POLICE_OFFICER),
    "cases:detail": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "cases:add-party": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "cases:record-event": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "cases:party-nrm": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "protocol:case-event": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "cases:person-duplicates": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "referrals:start": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "referrals:check": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "referrals:consent": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "referrals:detail": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "protocol:protection": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "protocol:protection-letter": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "protocol:protection-regularisation": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "protocol:protection-nrm": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "protocol:protection-close": only(R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "protocol:protection-notice-given": only(R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "protocol:clearance-list": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER),
    "protocol:clearance-new": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER),
    "protocol:clearance": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    "protocol:override-new": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    "protocol:override-withdraw": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    "protocol:clearance-outcome": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    "matching:sweep-list": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER),
    "matching:sweep-new": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER),
    "matching:sweep": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    "matching:sweep-download": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    "protocol:review-list": only(R.PROTOCOL_OFFICER),
    "protocol:review": only(R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "protocol:override-list": only(R.PROTOCOL_OFFICER, R.IE_SENIOR_APPROVER),
    "protocol:override": only(R.PROTOCOL_OFFICER, R.IE_SENIOR_APPROVER, status=NOT_FOUND),
    # Oversight analysts only. Acknowledging an alert and exporting the ledger accept POST.
    "oversight:dashboard": only(R.OVERSIGHT_ANALYST),
    "oversight:statistic": only(R.OVERSIGHT_ANALYST),
    "oversight:download": only(R.OVERSIGHT_ANALYST),
    "oversight:alerts": only(R.OVERSIGHT_ANALYST),
    "oversight:alert-acknowledge": only(R.OVERSIGHT_ANALYST, status=REDIRECT),
    "oversight:comparison": only(R.OVERSIGHT_ANALYST),
    "oversight:ledger": only(R.OVERSIGHT_ANALYST),
    "oversight:retention": only(R.OVERSIGHT_ANALYST),
    "referrals:authority-refused": only(R.REFERRER),
    "oversight:ledger-export": only(R.OVERSIGHT_ANALYST, status=405),
    "oversight:reads": only(R.OVERSIGHT_ANALYST),
    # Letters, advice packs and subject access: police (and protocol officers to read).
    "notifications:list": only(R.PROTOCOL_OFFICER),
    "referrals:refused": only(R.POLICE_OFFICER),
    "notifications:resolve": only(R.PROTOCOL_OFFICER, status=405),
    "notifications:messages": only(
        R.POLICE_OFFICER, R.PROTOCOL_OFFICER, R.IE_CASEWORKER, R.IE_SENIOR_APPROVER
    ),
    "notifications:reach": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advice:start": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER),
    "advice:protection": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advice:contact": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "advice:issue-letter": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "advice:issue-pack": only(R.POLICE_OFFICER, status=NOT_FOUND),
    "advice:pack": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advice:pack-pdf": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advice:subject-access": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advice:subject-access-exemptions": only(
        R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND
    ),
    # The victim's own view is open to all at this level; without a victim's session (staff
    # sessions do not count) each page sends people to the victim's sign-in, /my-protection/.
    "advice:victim-sign-in": {ANONYMOUS: OK, **dict.fromkeys(Role, OK)},
    "advice:victim-protection": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "advice:victim-shared": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "advice:victim-receipt": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "advice:victim-advice": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "advice:victim-advice-pdf": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "advice:victim-sign-out": {ANONYMOUS: 405, **dict.fromkeys(Role, 405)},
    # Exit this page (to a neutral website) and the language switch redirect everyone.
    "advice:victim-leave": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    "advice:victim-language": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    # Advocates: only with a person's consent (tests/notifications/test_advocates.py); consent
    # is recorded by the force's officers, or by the person on their own pages.
    "advocates:people": only(R.ADVOCATE),
    "advocates:person": only(R.ADVOCATE, status=NOT_FOUND),
    "advocates:pack-pdf": only(R.ADVOCATE, status=NOT_FOUND),
    "advocates:letter-pdf": only(R.ADVOCATE, status=NOT_FOUND),
    "advocates:subject-access": only(R.ADVOCATE, status=NOT_FOUND),
    "advocates:protection-consents": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advocates:withdraw": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER, status=NOT_FOUND),
    "advocates:victim-consents": {ANONYMOUS: REDIRECT, **dict.fromkeys(Role, REDIRECT)},
    # Worklists and search, scoped to the officer's force.
    "worklists:holds": only(R.PROTOCOL_OFFICER),
    "worklists:transitions": only(R.PROTOCOL_OFFICER),
    "worklists:exemptions": only(R.PROTOCOL_OFFICER),
    "worklists:subject-access-requests": only(R.PROTOCOL_OFFICER),
    "worklists:cases": only(R.POLICE_OFFICER),
    "worklists:search": only(R.POLICE_OFFICER, R.PROTOCOL_OFFICER),
    "worklists:clearances": only(R.IE_CASEWORKER, R.IE_SENIOR_APPROVER),
}

MISSING_ID = "00000000-0000-4000-8000-000000000000"
MISSING_REFERENCE = "PR-0000-0000-0000-0"
CASE = {"case_id": MISSING_ID}
PARTY = {"case_id": MISSING_ID, "party_id": 999999}
PROTECTION = {"reference": MISSING_REFERENCE}
CLEARANCE = {"clearance_id": MISSING_ID}
# Arguments for routes about one object: ids that match nothing.
ROUTE_KWARGS: dict[str, dict[str, object]] = {
    "cases:detail": CASE,
    "cases:add-party": CASE,
    "cases:record-event": CASE,
    "cases:party-nrm": PARTY,
    "protocol:case-event": CASE,
    "referrals:start": PARTY,
    "referrals:check": PARTY,
    "referrals:consent": PARTY,
    "referrals:detail": {"referral_id": MISSING_ID},
    "protocol:protection": PROTECTION,
    "protocol:protection-letter": PROTECTION,
    "protocol:protection-regularisation": PROTECTION,
    "protocol:protection-nrm": PROTECTION,
    "protocol:protection-close": PROTECTION,
    "protocol:protection-notice-given": PROTECTION,
    "protocol:clearance": CLEARANCE,
    "protocol:override-new": CLEARANCE,
    "protocol:override-withdraw": CLEARANCE,
    "protocol:clearance-outcome": CLEARANCE,
    "protocol:review": {"reference": "00000000"},
    "protocol:override": {"override_id": MISSING_ID},
    "matching:sweep": {"sweep_id": MISSING_ID},
    "matching:sweep-download": {"sweep_id": MISSING_ID},
    "advice:protection": PROTECTION,
    "advice:contact": PROTECTION,
    "advice:issue-letter": PROTECTION,
    "advice:issue-pack": PROTECTION,
    "advice:pack": {**PROTECTION, "pack_id": MISSING_ID},
    "advice:pack-pdf": {**PROTECTION, "pack_id": MISSING_ID},
    "advice:subject-access": {"person_id": MISSING_ID},
    "cases:person-duplicates": {"person_id": MISSING_ID},
    "advice:subject-access-exemptions": {"person_id": MISSING_ID},
    "advice:victim-receipt": {"entry_id": 999999},
    "advice:victim-advice-pdf": {"pack_id": MISSING_ID},
    "advice:victim-language": {"code": "cy"},
    "accounts:passkey-remove": {"passkey_id": 999999},
    "advocates:person": {"consent_id": MISSING_ID},
    "advocates:pack-pdf": {"consent_id": MISSING_ID, "pack_id": MISSING_ID},
    "advocates:letter-pdf": {"consent_id": MISSING_ID},
    "advocates:subject-access": {"consent_id": MISSING_ID},
    "advocates:protection-consents": PROTECTION,
    "advocates:withdraw": {**PROTECTION, "consent_id": MISSING_ID},
    "notifications:reach": PROTECTION,
}
VICTIM_REDIRECTS = {"advice:victim-leave", "advice:victim-language"}
"""Victim routes that redirect away from the victim's sign-in page by design."""

WHO: list[Role | str] = [ANONYMOUS, *Role]


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


def _check(client: Client, route: str, who: Role | str) -> str | None:
    """What is wrong with ``who``'s GET of ``route``, or None when it answers as expected."""
    response = client.get(reverse(route, kwargs=ROUTE_KWARGS.get(route)))
    expected = EXPECTED[route][who]
    if response.status_code != expected:
        return f"{route}: {response.status_code}, expected {expected}"
    location = response.get("Location", "")
    if response.status_code == REDIRECT and route.startswith(
        ("advice:victim-", "advocates:victim-")
    ):
        if route not in VICTIM_REDIRECTS and location != reverse("advice:victim-sign-in"):
            return f"{route}: sent to {location}, not the victim's sign-in"
    elif (
        response.status_code == REDIRECT and who == ANONYMOUS and route != "accounts:second-factor"
    ) and not location.startswith(reverse("accounts:sign-in")):
        return f"{route}: sent to {location}, not the sign-in page"
    return None


# One test per role (and one for people not signed in) walks every page, each with a fresh
# session, and lists every page that answered wrongly: the whole row of the matrix at once.
@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO, ids=[getattr(w, "value", w) for w in WHO])
def test_role_page_matrix(who):
    user = make_user(who) if who != ANONYMOUS else None
    wrong = []
    for route, row in EXPECTED.items():
        if who not in row:
            continue
        client = Client()
        if user is not None:
            client.force_login(user)
        wrong.append(_check(client, route, who))
    assert [w for w in wrong if w] == []


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
