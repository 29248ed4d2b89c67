"""In Chromium: the protocol officer sees why a victim got nothing; the IE caseworker reads that
their clear was suspended."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safeshare.accounts.actors import Actor
from safeshare.notifications import actions as notices
from safeshare.protocol import actions as protocol_actions
from tests.notifications.conftest import victim_with_contact
from tests.support.two_step import browser_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, user) -> None:
    browser_sign_in(page, user)
    page.get_by_test_id("home-heading").wait_for()


def test_the_notice_worklist_and_the_caseworkers_messages(
    page, case, officer, protocol_officer, caseworker
):
    clear = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum", "date_of_birth": "1991-03-14"},
        information_sources=["immigration_records"],
    ).clearance
    assert clear.decision == "clear"
    victim_with_contact(
        case,
        officer,
        channel="email",
        email="fatema@example.org",
        address_shared_with_perpetrator=False,
        channel_unsafe=True,
    )
    victim = case.parties.get(role="victim").person
    assert notices.reach_for(victim).withheld == "The chosen channel is marked unsafe."

    sign_in(page, protocol_officer)
    page.locator("#navigation").get_by_role("link", name="Notices", exact=True).click()
    table = page.get_by_test_id("notice-table")
    expect(table).to_contain_text("The chosen channel is marked unsafe.")
    expect(table).to_contain_text("Not sent: no safe way to send it")
    # From the notice, the officer opens how notices reach the person, and sees why.
    table.get_by_role("link", name="Change how notices reach them").first.click()
    expect(page.get_by_test_id("reach-now")).to_contain_text(
        "The chosen channel is marked unsafe."
    )
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, caseworker)
    page.locator("#navigation").get_by_role("link", name="Messages", exact=True).click()
    expect(page.get_by_test_id("staff-notices")).to_contain_text(
        "is suspended: the person is now protected. Do not act."
    )
