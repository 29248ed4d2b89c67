"""Passkeys in Chromium with a virtual authenticator (Chrome DevTools Protocol: WebAuthn.enable,
WebAuthn.addVirtualAuthenticator): set one up at the first sign-in, sign in with it, add one from
the account page; a passkey from another account is refused. Advocates can enrol too."""

from __future__ import annotations

import re

import pytest

from safeshare.accounts.models import Passkey
from safeshare.kernel.roles import Role
from tests.accounts.factories import DEFAULT_PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def authenticator(page) -> tuple[object, str]:
    """A CTAP2 platform authenticator that says yes at once, with user verification."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def password_step(page, user) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/(set-up-two-step|security-code)/"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to SafeShare").wait_for()


@pytest.mark.parametrize("role", [Role.POLICE_OFFICER, Role.ADVOCATE], ids=lambda r: r.value)
def test_set_up_a_passkey_at_first_sign_in_then_sign_in_with_it(page, role):
    user = make_user(role)
    cdp, authenticator_id = authenticator(page)
    password_step(page, user)
    assert "set-up-two-step" in page.url
    page.get_by_label("Name for this passkey (optional)").fill("Work laptop")
    page.get_by_role("button", name="Create a passkey and continue").click()
    page.get_by_test_id("home-heading").wait_for()
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Work laptop"
    user.refresh_from_db()
    assert not user.totp_confirmed  # the passkey is the second factor

    sign_out(page)
    password_step(page, user)
    assert "security-code" in page.url
    page.get_by_role("heading", name="Use your passkey").wait_for()
    page.get_by_role("button", name="Use your passkey").click()
    page.get_by_test_id("home-heading").wait_for()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert passkey.sign_count == credentials["credentials"][0]["signCount"]


def test_a_passkey_of_another_account_does_not_sign_in(page, browser, live_server):
    owner, other = make_user(Role.PROTOCOL_OFFICER), make_user(Role.PROTOCOL_OFFICER)
    authenticator(page)
    password_step(page, owner)
    page.get_by_role("button", name="Create a passkey and continue").click()
    page.get_by_test_id("home-heading").wait_for()
    sign_out(page)

    # The other account has a passkey too, on a different authenticator; this browser's
    # authenticator holds only the owner's, so the browser finds no credential to use.
    context = browser.new_context(base_url=live_server.url)
    second = context.new_page()
    authenticator(second)
    password_step(second, other)
    second.get_by_role("button", name="Create a passkey and continue").click()
    second.get_by_test_id("home-heading").wait_for()
    context.close()

    password_step(page, other)
    page.get_by_role("button", name="Use your passkey").click()
    error = page.get_by_test_id("passkey-error")
    error.wait_for()
    assert "passkey was not used" in error.inner_text()
    assert "/sign-in/security-code/" in page.url


def test_add_a_passkey_from_the_account_page_after_signing_in_with_an_app_code(page):
    from tests.support.two_step import browser_sign_in

    user = make_user(Role.IE_CASEWORKER)
    authenticator(page)
    browser_sign_in(page, user)
    page.get_by_test_id("home-heading").wait_for()
    page.goto("/account/two-step-sign-in/")
    page.get_by_label("Name for this passkey (optional)").fill("Blue key")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_test_id("passkeys").wait_for()
    assert "Blue key" in page.get_by_test_id("passkeys").inner_text()
    assert Passkey.objects.filter(user=user, name="Blue key").exists()
