"""Real browser tests in Chromium: each role signs in and reaches its home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user
from tests.support.two_step import browser_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

HOME_HEADINGS = {
    Role.POLICE_OFFICER: "Police officer home",
    Role.PROTOCOL_OFFICER: "Protocol officer home",
    Role.IE_CASEWORKER: "Immigration Enforcement caseworker home",
    Role.IE_SENIOR_APPROVER: "Immigration Enforcement senior approver home",
    Role.OVERSIGHT_ANALYST: "Oversight home",
    Role.ADVOCATE: "Advocate home",
    Role.ADMINISTRATOR: "Administrator home",
    Role.REFERRER: "Referrer home",
}


def fill_sign_in(page, email: str, password: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_signs_in_and_sees_its_home_page(page, role):
    user = make_user(role)
    browser_sign_in(page, user)
    heading = page.get_by_test_id("home-heading")
    assert heading.inner_text() == HOME_HEADINGS[role]
    assert user.organisation.name in page.get_by_test_id("org-role").inner_text()
    assert role.label in page.get_by_test_id("org-role").inner_text()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to SafeShare")).to_be_visible()


def test_bad_sign_in_shows_the_error_summary_focused(page):
    user = make_user(Role.POLICE_OFFICER)
    fill_sign_in(page, user.email, "not the password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "There is a problem" in summary.inner_text()
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.title().startswith("Error: ")
    # GOV.UK Frontend's JavaScript moves focus to the summary, proving the scripts ran under CSP.
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def test_empty_sign_in_links_each_error_to_its_field(page):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Enter your email address").click()
    expect(page.locator("#id_email")).to_be_focused()
