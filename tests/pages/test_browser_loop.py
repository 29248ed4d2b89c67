"""The whole protocol loop in Chromium, through the pages only, with the trained matcher.

A police officer records a domestic abuse case and its victim, opens the investigation and refers
her (seeing the exact fields first); an IE caseworker asks to detain her under another spelling
of her name; a protocol officer confirms a possible match; the block holds while the case runs;
when the case concludes the protection is in transition, not ended.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from safeshare.accounts.actions import do_create_organisation
from safeshare.kernel.roles import OrganisationKind, Role
from tests.accounts.factories import make_user
from tests.pages.helpers import set_up_agreement
from tests.support.two_step import browser_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SCREENSHOTS = "/tmp"


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    """Type a date into the GOV.UK date input whose legend is ``legend``."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def sign_in(page, user) -> None:
    browser_sign_in(page, user)
    page.get_by_test_id("home-heading").wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to SafeShare").wait_for()


def nav(page, label: str) -> None:
    page.locator("#navigation").get_by_role("link", name=label, exact=True).click()


def success(page) -> str:
    return page.locator(".govuk-notification-banner--success").inner_text()


def record_event(page, label: str) -> None:
    page.get_by_role("button", name="Record an event").click()
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Check the event before you record it")
    ).to_be_visible()
    page.get_by_role("button", name="Record event").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Event recorded")
    expect(page.locator(".govuk-panel")).to_contain_text(label)
    page.get_by_role("link", name=re.compile("^Return to case")).click()
    expect(page.get_by_role("button", name="Record an event")).to_be_visible()


def test_whole_loop_through_the_pages(page):
    force = do_create_organisation(
        code="WMP",
        name="West Midlands Police",
        kind=OrganisationKind.POLICE_FORCE,
        contact_point="West Midlands Police protocol desk",
    )
    ie_unit = do_create_organisation(
        code="IE-NCCU", name="Immigration Enforcement NCCU", kind=OrganisationKind.IE_UNIT
    )
    set_up_agreement(force)
    officer = make_user(Role.POLICE_OFFICER, force)
    protocol_officer = make_user(Role.PROTOCOL_OFFICER, force)
    caseworker = make_user(Role.IE_CASEWORKER, ie_unit)

    # A police officer records the case and the victim, and opens the investigation.
    sign_in(page, officer)
    nav(page, "Record a case")
    page.get_by_label("Crime reference").fill("20/4242/26")
    page.get_by_label("Domestic abuse").check()
    page.get_by_role("button", name="Record case").click()
    assert "Case 20/4242/26 recorded" in success(page)
    case_url = page.url

    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("Given names").fill("Fatema")
    page.get_by_label("Family name").fill("Begum")
    page.get_by_label("Other names or spellings (optional)").fill("Fatima Begum")
    fill_date(page, "Date of birth (optional)", "14", "3", "1991")
    page.get_by_label("Female").check()
    page.get_by_label("Nationality (optional)").fill("Bangladeshi")
    page.get_by_label("Victim", exact=True).check()
    page.get_by_role("button", name="Add person").click()
    assert "Fatema Begum added as victim" in success(page)
    record_event(page, "Investigation opened")

    # She is referred: the officer sees exactly what will be shared before sending it.
    page.get_by_role("link", name=re.compile("Refer to Immigration Enforcement")).click()
    page.get_by_label("Information is needed to assess safeguarding or vulnerability").check()
    page.get_by_label("The police", exact=True).check()
    # The force's only data-sharing agreement is chosen already.
    expect(
        page.get_by_label("Home Office data-sharing agreement 2026 (DSA-2026-014)")
    ).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_test_id("referral-heading").inner_text() == (
        "Check the referral before you send it"
    )
    shared = page.get_by_test_id("shared-fields")
    for field in ("given_names", "family_name", "date_of_birth", "nationality", "role"):
        assert shared.locator(f'[data-field="{field}"]').count() == 1
    assert "Fatema" in shared.inner_text()
    assert "14 March 1991" in shared.inner_text()
    assert shared.locator('[data-field="crime_narrative"]').count() == 0
    page.get_by_role("button", name="Send referral").click()
    assert "Referral sent" in page.locator(".govuk-panel").inner_text()
    reference = page.get_by_test_id("protection-reference").inner_text()
    page.get_by_role("link", name="Print the protection letter").click()
    assert reference.split("-")[1] in page.get_by_test_id("letter-reference").inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=f"{SCREENSHOTS}/safeshare-letter-print.png", full_page=True)
    page.emulate_media(media="screen")

    page.goto(case_url)
    page.screenshot(path=f"{SCREENSHOTS}/safeshare-case-page.png", full_page=True)
    assert "Active" in page.get_by_test_id("party-table").inner_text()
    assert "Investigation opened" in page.get_by_test_id("case-timeline").inner_text()
    sign_out(page)

    # IE asks to detain her under another spelling of her name.
    sign_in(page, caseworker)
    nav(page, "Ask for a clearance")
    page.get_by_label("What action do you want to take?").select_option(
        label="Arrest or detention for immigration purposes"
    )
    page.get_by_label("Given names").fill("Mst Fatimma")
    page.get_by_label("Family name").fill("Begom")
    fill_date(page, "Date of birth (optional)", "14", "3", "1991")
    page.get_by_label("Nationality (optional)").fill("Bangladeshi")
    page.get_by_label("Immigration records").check()
    page.get_by_role("button", name="Ask for a clearance").click()
    decision = page.get_by_test_id("clearance-decision").inner_text()
    assert decision in {"Blocked", "On hold"}
    body = page.locator("main").inner_text()
    assert "20/4242/26" not in body
    assert "Domestic abuse" not in body
    assert "Fatema" not in body
    clearance_url = page.url
    page.screenshot(path=f"{SCREENSHOTS}/safeshare-clearance-page.png", full_page=True)
    sign_out(page)

    if decision == "On hold":
        # A protocol officer confirms the match.
        sign_in(page, protocol_officer)
        nav(page, "Possible matches")
        page.get_by_role("link", name=re.compile("^Decide")).first.click()
        comparison = page.get_by_test_id("comparison-table").first.inner_text()
        assert "Mst Fatimma" in comparison
        assert "Fatema" in comparison
        page.screenshot(path=f"{SCREENSHOTS}/safeshare-review-page.png", full_page=True)
        page.get_by_label("The same person", exact=True).check()
        page.get_by_label("Reasons for your decision").fill(
            "Same date of birth and nationality; Begom and Fatimma are common spellings."
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_test_id("consequence")).to_contain_text("Blocked")
        page.get_by_role("button", name="Save decision").click()
        expect(page.locator(".govuk-panel")).to_contain_text("The clearance is now blocked")
        sign_out(page)

    # The case runs; the block holds throughout.
    sign_in(page, officer)
    page.goto(case_url)
    for label in ("Suspect charged", "Prosecution started", "Trial started"):
        record_event(page, label)
    sign_out(page)

    sign_in(page, caseworker)
    page.goto(clearance_url)
    assert page.get_by_test_id("clearance-decision").inner_text() == "Blocked"
    assert reference in page.get_by_test_id("clearance-summary").inner_text()
    sign_out(page)

    sign_in(page, officer)
    page.goto(case_url)
    for label in ("Verdict returned", "Sentenced", "Case concluded"):
        record_event(page, label)
    page.get_by_role("link", name=reference).click()
    status = page.get_by_test_id("protection-status").inner_text()
    assert status == "In transition"
    assert "Ended" not in page.locator("main").inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/safeshare-protection-page.png", full_page=True)
    sign_out(page)

    sign_in(page, caseworker)
    page.goto(clearance_url)
    assert page.get_by_test_id("clearance-decision").inner_text() == "Blocked"
