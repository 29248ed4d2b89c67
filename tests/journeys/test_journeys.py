"""Each role's main journey through the pages in Chromium, ending on a confirmation.

Every page on the way is checked by ``Walk.check``: axe shows no serious or critical violation
at desktop width or at 320 px, no page scrolls sideways at 320 px, and no page shows an internal
code. One test per role, each with a small world of its own made through the actions layer; the
browser is shared by all of them.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import OrganisationKind, Role
from tests.journeys.walk import AXE, Walk
from tests.pages.helpers import set_up_agreement
from tests.support.factories import make_user, organisation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
    # The journeys check pages, not the database engine: the SQLite pass alone runs them.
    pytest.mark.sqlite_only,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)"),
]

REASONS = "The subject is wanted for a serious assault on a child and poses a risk to the public."


@pytest.fixture
def force():
    """A force whose contact point is set up as an administrator sets it: team, telephone,
    email, hours and the route out of hours."""
    force = organisation(
        "WMP",
        OrganisationKind.POLICE_FORCE,
        "West Midlands Police",
        "West Midlands Police protocol desk",
    )
    force.contact_telephone = "01632 960 001"
    force.contact_email = "protocol.desk@example.police.uk"
    force.contact_hours = "Monday to Friday, 8am to 6pm"
    force.contact_out_of_hours = "Call 101 and ask for the duty inspector"
    force.save()
    return force


@pytest.fixture
def ie_unit():
    return organisation("IE-NCCU", OrganisationKind.IE_UNIT, "Immigration Enforcement NCCU")


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def protection_of(force, ie_unit):
    """A domestic abuse victim of ``force`` referred to IE: her protection, and the officer."""
    from tests.advice_web.support import protected_victim

    police = Actor.for_user(make_user(Role.POLICE_OFFICER, force))
    return protected_victim(police), police


# --- Police officer ------------------------------------------------------------------------


def test_a_police_officer_records_a_case_and_refers_the_victim(page, force, ie_unit):
    set_up_agreement(force)
    walk = Walk(page, "police-officer")
    walk.sign_in(make_user(Role.POLICE_OFFICER, force))
    walk.nav("Record a case")
    walk.check("Record a case: crime reference and kind of crime")
    page.get_by_role("button", name="Record case").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    walk.check("Record a case, sent empty: the error summary names each missing answer")
    page.get_by_label("Crime reference").fill("20/4242/26")
    page.get_by_label("Domestic abuse").check()
    page.get_by_role("button", name="Record case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("20/4242/26")
    walk.check("The new case: its people, events and what to do next")
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_label("Given names")).to_be_visible()
    walk.check("Add a person to the case: name, date of birth, nationality, role")
    page.get_by_label("Given names").fill("Fatema")
    page.get_by_label("Family name").fill("Begum")
    fill_date(page, "Date of birth (optional)", "14", "3", "1991")
    page.get_by_label("Female").check()
    page.get_by_label("Nationality (optional)").fill("Bangladeshi")
    page.get_by_label("Victim", exact=True).check()
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Fatema Begum")
    walk.check("The case with Fatema Begum added as a victim")
    page.get_by_role("button", name="Record an event").click()
    expect(page.get_by_label("Investigation opened", exact=True)).to_be_visible()
    walk.check("Record an event: what happened in the case")
    page.get_by_label("Investigation opened", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Check the event before you record it")
    ).to_be_visible()
    walk.check("Check the event before you record it: the event and what it does to protections")
    page.get_by_role("button", name="Record event").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Event recorded")
    walk.check("Event recorded: the event, and what happens next")
    page.get_by_role("link", name=re.compile("^Return to case")).click()
    expect(page.get_by_role("button", name="Record an event")).to_be_visible()
    page.get_by_role("link", name=re.compile("Refer to Immigration Enforcement")).click()
    expect(page.get_by_test_id("on-referral")).to_be_visible()
    walk.check(
        "Refer to Immigration Enforcement: why, where the information came from, how it is "
        "sent, the force's data-sharing agreement by name, and what the policy does on referral"
    )
    page.get_by_label("Information is needed to assess safeguarding or vulnerability").check()
    page.get_by_label("The police", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("shared-fields")).to_be_visible()
    walk.check("Check the referral: exactly the fields that will be shared, and the agreement")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Referral sent")
    walk.check("Referral sent: the protection reference and what happens next")
    walk.finish()


# --- Administrator -------------------------------------------------------------------------


def test_an_administrator_sets_up_an_agreement_and_invites_an_officer(page, force):
    walk = Walk(page, "administrator")
    walk.sign_in(make_user(Role.ADMINISTRATOR, force))
    walk.nav("Data-sharing agreements")
    expect(page.get_by_test_id("no-agreements")).to_be_visible()
    walk.check("Data-sharing agreements: none yet, and the form to set one up")
    page.get_by_role("button", name="Set up agreement").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    walk.check("The agreement form sent empty: the error summary names each missing answer")
    page.get_by_label("Name").fill("Home Office data-sharing agreement 2026")
    page.get_by_label("Data controller").fill("Chief Constable of West Midlands Police")
    page.get_by_label("UK GDPR and Data Protection Act 2018, Part 2 (general processing)").check()
    page.get_by_label("Lawful basis").fill("Public task (UK GDPR Article 6(1)(e))")
    page.get_by_label("Legal gateway").fill("Immigration and Asylum Act 1999 s.20")
    page.get_by_label("Agreement reference").fill("DSA-2026-014")
    page.get_by_label("DPIA version").fill("3.1")
    page.get_by_role("button", name="Set up agreement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "can now be chosen in referrals"
    )
    walk.check("The agreement set up: its legal basis, and a button to stop using it")
    walk.nav("API tokens")
    page.get_by_label("What the token is for").fill("Records system")
    page.get_by_label("System the token is for").fill("Niche")
    fill_date(page, "Expiry date (optional)", "31", "2", "2030")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Expiry date must be a real date")
    walk.check("A token's expiry date typed wrongly: the date input's error, in the summary")
    walk.nav("People")
    walk.check("People: the organisation's people, their roles, and the invitation form")
    page.get_by_label("Email address").fill("new.officer@wmp.example.test")
    page.get_by_label("Role", exact=True).select_option(Role.POLICE_OFFICER.value)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("invitation-link")).to_be_visible()
    walk.check("Invitation made: the one-time link to pass on to the new officer")
    walk.finish()


# --- IE caseworker -------------------------------------------------------------------------


def test_an_ie_caseworker_asks_for_a_clearance(page, ie_unit):
    walk = Walk(page, "ie-caseworker")
    walk.sign_in(make_user(Role.IE_CASEWORKER, ie_unit))
    walk.nav("Ask for a clearance")
    walk.check("Ask for a clearance: the action, the subject's identity, the sources")
    page.get_by_role("button", name="Ask for a clearance").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    walk.check("Ask for a clearance, sent empty: the error summary names each missing answer")
    page.get_by_label("What action do you want to take?").select_option(
        label="Arrest or detention for immigration purposes"
    )
    page.get_by_label("Given names").fill("Ahmed")
    page.get_by_label("Family name").fill("Karimi")
    fill_date(page, "Date of birth (optional)", "2", "8", "1985")
    page.get_by_label("Immigration records").check()
    page.get_by_role("button", name="Ask for a clearance").click()
    expect(page.get_by_test_id("clearance-panel")).to_be_visible()
    walk.check("The clearance: the answer in a panel, its reference and what to do next")
    walk.finish()


# --- IE senior approver --------------------------------------------------------------------


def test_an_ie_senior_approver_decides_an_override(page, monkeypatch, force, ie_unit):
    from safeshare.protocol import actions as protocol_actions
    from tests.pages.helpers import fake_matcher

    protection, _ = protection_of(force, ie_unit)
    caseworker = Actor.for_user(make_user(Role.IE_CASEWORKER, ie_unit))
    fake_matcher(monkeypatch, "match", [protection])
    clearance = protocol_actions.do_request_clearance(
        caseworker,
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Mst Fatimma", "family_name": "Begom"},
        information_sources=["immigration_records"],
    ).clearance
    protocol_actions.do_request_override(
        clearance,
        caseworker,
        category="national_security_or_public_protection",
        reasons=REASONS,
    )
    walk = Walk(page, "ie-senior-approver")
    walk.sign_in(make_user(Role.IE_SENIOR_APPROVER, ie_unit))
    walk.nav("Overrides")
    walk.check("Overrides: the requests waiting for a decision, each with its clearance")
    page.get_by_role("link", name=re.compile("^Decide")).first.click()
    expect(page.get_by_label("Approve: the action may go ahead")).to_be_visible()
    walk.check("The override request: the blocked action, the exception claimed, the reasons")
    page.get_by_label("Approve: the action may go ahead").check()
    page.get_by_label("Reasons for your decision").fill(REASONS + " Approved.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your decision")).to_be_visible()
    walk.check("Check your decision: the answers, and what approving lets IE do")
    page.get_by_role("button", name="Approve override").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Override approved")
    walk.check("Override approved: what happens next")
    walk.finish()


# --- Protocol officer ----------------------------------------------------------------------


def test_a_protocol_officer_decides_a_possible_match(page, monkeypatch, force, ie_unit):
    from safeshare.protocol import actions as protocol_actions
    from tests.pages.helpers import fake_matcher

    protection, _ = protection_of(force, ie_unit)
    fake_matcher(monkeypatch, "possible", [protection])
    protocol_actions.do_request_clearance(
        Actor.for_user(make_user(Role.IE_CASEWORKER, ie_unit)),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Mst Fatimma", "family_name": "Begom"},
        information_sources=["immigration_records"],
    )
    walk = Walk(page, "protocol-officer")
    walk.sign_in(make_user(Role.PROTOCOL_OFFICER, force))
    walk.nav("Possible matches")
    walk.check("Possible matches: the held clearances waiting for a decision, oldest first")
    page.get_by_role("link", name=re.compile("^Decide")).first.click()
    expect(page.get_by_test_id("comparison-table").first).to_be_visible()
    walk.check("The possible match: IE's subject beside the protected person, field by field")
    page.get_by_label("The same person", exact=True).check()
    page.get_by_label("Reasons for your decision").fill(
        "Begom and Fatimma are common spellings of Begum and Fatema."
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("consequence")).to_contain_text("Blocked")
    walk.check("Check your decision: the answers, and that the clearance becomes blocked")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-panel")).to_contain_text("The clearance is now blocked")
    walk.check("Decision saved: the clearance is now blocked, and what happens next")
    walk.finish()


# --- Victim --------------------------------------------------------------------------------


def test_a_victim_signs_in_sees_what_was_shared_and_checks_a_receipt(page, force, ie_unit):
    from safeshare.ledger import service
    from tests.advice_web.support import issue_letter, issue_pack

    protection, police = protection_of(force, ie_unit)
    issued = issue_letter(protection, police)
    issue_pack(protection, police)
    from safeshare.ledger.audit import do_record_personal_data_read

    for _ in range(3):
        do_record_personal_data_read(police, [protection.person], "case_page")
    service.sequence_pending()
    service.make_checkpoint()
    walk = Walk(page, "victim")
    page.goto("/my-protection/")
    walk.check("View your protection: the reference and passcode from the letter")
    page.get_by_label("Protection reference").fill(protection.reference)
    page.get_by_label("Passcode").fill("000000000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    walk.check("A wrong passcode: the error summary says the reference or passcode is not right")
    page.get_by_label("Protection reference").fill(protection.reference)
    page.get_by_label("Passcode").fill(issued.passcode)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/my-protection/protection/")
    walk.check("Your protection: protected or not, since when, who to contact")
    page.get_by_role("link", name="What has been shared", exact=True).first.click()
    expect(page.get_by_test_id("receipt-download").first).to_be_visible()
    expect(page.get_by_test_id("record-summary")).to_be_visible()
    expect(page.get_by_test_id("read-day")).to_contain_text("looked at 3 times")
    walk.check("What has been shared about you: a summary, then each kind of entry, with receipts")
    page.get_by_test_id("read-day").locator("summary").click()
    expect(
        page.get_by_test_id("read-day").get_by_test_id("receipt-download").first
    ).to_be_visible()
    walk.check("The reads of one day, opened: each one with its receipt")
    with page.expect_download() as download:
        page.get_by_test_id("receipt-download").first.click()
    receipt = download.value.path()
    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    walk.check("What has been shared about you, in Arabic, right to left")
    page.goto("/my-protection/advice/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    walk.check("Your advice pack, in Arabic: the routes that may suit you and who can help")
    page.goto("/check-a-receipt/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    walk.check("Check a receipt, in Arabic: paste it or upload the file")
    page.get_by_label("أو حمّل ملف الإيصال").set_input_files(receipt)
    page.get_by_role("button", name="تحقق من الإيصال").click()
    expect(page.get_by_test_id("receipt-result")).to_contain_text("نعم، هذا الإيصال صحيح")
    walk.check("Yes, this receipt is genuine: what it proves, in words, in Arabic")
    walk.finish()


# --- Advocate ------------------------------------------------------------------------------


def test_an_advocate_sees_the_person_they_support_and_asks_for_their_information(
    page, force, ie_unit
):
    from safeshare.notifications.actions import do_record_advocate_consent

    protection, police = protection_of(force, ie_unit)
    support = organisation(
        "LAWRS", OrganisationKind.SUPPORT_ORGANISATION, "Latin American Women's Rights Service"
    )
    do_record_advocate_consent(
        protection.person,
        reference=protection.reference,
        organisation=support,
        recorded_by=police.label,
        recorded_by_org=force,
    )
    walk = Walk(page, "advocate")
    walk.sign_in(make_user(Role.ADVOCATE, support))
    walk.nav("People you support")
    walk.check("People you support: those who consented, by protection reference")
    page.get_by_role("link", name=protection.reference).click()
    expect(page.get_by_test_id("advocate-status")).to_be_visible()
    walk.check("The person's protection: its state, the notices sent, the documents")
    page.get_by_role("link", name=re.compile("Ask for the person's information")).click()
    walk.check("Ask for the person's information: what happens to the copy")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that the person asked you to request this"
    )
    walk.check("Ask for the person's information, with the error: say that the person asked")
    page.get_by_label("The person asked me to request a copy of their information").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("answers")).to_be_visible()
    walk.check("Check your request: what is asked for, who makes the copy and who gets it")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Request sent")
    walk.check("Request sent: the protection reference, and what happens next")
    walk.finish()


# --- Oversight analyst ---------------------------------------------------------------------


def test_an_oversight_analyst_reads_the_statistics_and_acknowledges_an_alert(page):
    from tests.oversight import scenario

    scenario.build()
    walk = Walk(page, "oversight-analyst")
    walk.sign_in(make_user(Role.OVERSIGHT_ANALYST))
    walk.nav("Statistics")
    expect(page.get_by_test_id("dashboard-heading")).to_be_visible()
    walk.check("Oversight statistics: the figures, small numbers suppressed")
    page.get_by_role("link", name="Referrals to Immigration Enforcement").click()
    expect(page.get_by_test_id("statistic-heading")).to_be_visible()
    walk.check("Referrals to Immigration Enforcement: a chart and its table, with filters")
    walk.nav("Policy comparison")
    walk.check("Policy comparison: what each policy would have decided")
    walk.nav("Ledger")
    walk.check("The transparency log: its latest signed checkpoint and how to check it")
    walk.nav("Alerts")
    expect(page.get_by_test_id("alerts-who")).to_be_visible()
    walk.check("Alerts: single events, who may see them and why, each to acknowledge")
    month = page.get_by_role("group", name="Month raised (optional)")
    month.get_by_label("Month").fill("13")
    month.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show alerts").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Month must be a number between 1 and 12"
    )
    walk.check("Alerts filtered by a month typed wrongly: the date input's error, in the summary")
    walk.nav("Alerts")
    page.get_by_role("button", name="Acknowledge").first.click()
    expect(page.locator(".govuk-panel")).to_contain_text("Alert acknowledged")
    walk.check("Alert acknowledged: the alert, who acknowledged it, and what happens next")
    walk.finish()


# --- The checks themselves -----------------------------------------------------------------


def test_the_walk_fails_on_a_page_with_each_kind_of_problem(page):
    """A page made wrong on purpose: an image without a text alternative (axe, critical), a
    form field without a label (axe, critical), a block wider than 320 px, and internal codes
    in the text. Each is reported."""
    walk = Walk(page, "self-test")
    page.goto("/sign-in/")
    page.evaluate(
        """() => {
      const main = document.querySelector('main');
      main.insertAdjacentHTML('beforeend',
        '<img src="/static/none.png"><input type="text" name="unlabelled">' +
        '<div id="wide">Refused (R16) under mvp-2021, ' +
        'record 0b6c8a7e-1f2d-4c3b-9a8e-7d6c5b4a3f21</div>');
      document.getElementById('wide').style.width = '600px';  // CSSOM: the CSP allows it
    }"""
    )
    walk.check("A page made wrong on purpose")
    problems = "\n".join(walk.problems)
    assert "image-alt" in problems
    assert "label" in problems
    assert "scrolls sideways at 320 px" in problems
    assert "'R16'" in problems
    assert "'mvp-2021'" in problems
    assert "0b6c8a7e" in problems
    with pytest.raises(AssertionError):
        walk.finish()
