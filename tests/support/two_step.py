"""Signing in as staff do: password, then a code from the authenticator app (set up on the
first sign-in, since two-step sign-in is required)."""

from __future__ import annotations

import re

import pyotp
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import DEFAULT_PASSWORD


def next_code(user) -> str:
    """A code the service has not accepted from this user yet. Codes are good once, so someone
    signing in again within the same half-minute would wait for their app's next code; rather
    than wait, the test moves the user's last used step back, as if that time had passed."""
    user.refresh_from_db()
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now()
    step = totp.timecode(now)
    if user.totp_last_step >= step + 1:  # this step's code and the next have both been used
        type(user).objects.filter(pk=user.pk).update(totp_last_step=step - 1)
        user.totp_last_step = step - 1
    for offset in (0, 1):
        if step + offset > user.totp_last_step:
            return totp.at(now, counter_offset=offset)
    raise AssertionError("no unused code")


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    """Sign in through the pages; return the last answer (a redirect when it worked)."""
    response = client.post(
        reverse("accounts:sign-in"), {"email": user.email, "password": password}
    )
    if response.status_code != 302:
        return response
    step = response["Location"]
    if step == reverse("accounts:second-factor-enrol"):
        client.get(step)  # makes the key to scan
    elif step != reverse("accounts:second-factor"):
        return response
    return client.post(step, {"code": next_code(user)})


def browser_sign_in(page, user, password: str = DEFAULT_PASSWORD) -> None:
    """The same in the browser: the key is read from the set-up page, as an app would scan it."""
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/(set-up-two-step|security-code)/"))
    if "set-up-two-step" in page.url:
        key = page.get_by_test_id("totp-key").inner_text().strip()
        page.get_by_label("Security code").fill(pyotp.TOTP(key).now())
        page.get_by_role("button", name="Turn on two-step sign-in and continue").click()
    else:  # set up at an earlier sign-in: the app shows the next code
        page.get_by_label("Security code").fill(next_code(user))
        page.get_by_role("button", name="Continue").click()
