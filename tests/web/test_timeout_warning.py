"""The timeout warning (HMRC and MOJ pattern) before an idle staff session ends."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user
from tests.support.two_step import browser_sign_in, sign_in


@pytest.mark.django_db
def test_staying_signed_in_takes_a_post_and_counts_as_activity(client):
    user = make_user(Role.IE_CASEWORKER)
    url = reverse("web:stay-signed-in")
    assert client.post(url)["Location"].startswith(reverse("accounts:sign-in"))
    sign_in(client, user)
    assert client.get(url).status_code == 405  # a GET changes nothing
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 204
    assert client.post(url)["Location"] == reverse("web:home")  # without scripts


@pytest.mark.django_db
def test_every_staff_page_carries_the_warning_with_the_sessions_limit(client, settings):
    settings.SAFESHARE_STAFF_SESSION_MINUTES = 20
    sign_in(client, make_user(Role.POLICE_OFFICER))
    html = client.get(reverse("web:home")).content.decode()
    assert 'data-module="app-timeout"' in html
    assert 'data-timeout-minutes="20"' in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_the_warning_shows_before_the_limit_and_staying_keeps_the_session(page, settings):
    settings.SAFESHARE_STAFF_SESSION_MINUTES = 30
    page.clock.install()
    browser_sign_in(page, make_user(Role.PROTOCOL_OFFICER))
    page.get_by_test_id("home-heading").wait_for()
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    assert not dialog.is_visible()

    page.clock.run_for("27:30")
    assert not dialog.is_visible()
    page.clock.run_for("01:00")
    assert dialog.is_visible()
    assert "minutes" in dialog.inner_text() or "seconds" in dialog.inner_text()
    dialog.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden")

    page.clock.run_for("29:00")  # counted again from "Stay signed in"
    assert dialog.is_visible()
    page.keyboard.press("Escape")  # Escape also keeps the session
    dialog.wait_for(state="hidden")
    page.reload()
    assert page.get_by_test_id("home-heading").is_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_at_the_limit_the_page_goes_to_sign_in(page, settings):
    settings.SAFESHARE_STAFF_SESSION_MINUTES = 30
    page.clock.install()
    browser_sign_in(page, make_user(Role.POLICE_OFFICER))
    page.get_by_test_id("home-heading").wait_for()
    # Only the browser's clock moves here; the server still counts the session as live and
    # would send a signed-in person on. What is checked is that the page leaves for sign-in.
    with page.expect_request(lambda request: request.url.endswith("/sign-in/")):
        page.clock.run_for("30:01")
