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
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)"),
]

REASONS = "The subject is wanted for a serious assault on a child and poses a risk to the public."


@pytest.fixture
def force():
    return organisation(
        "WMP",
        OrganisationKind.POLICE_FORCE,
        "West Midlands Police",
        "West Midlands Police protocol desk, 0121 000 0000",
    )


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
    page.get_by_label("Investigation opened", exact=True).check()
    page.get_by_role("button", name="Record event").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Investigation opened"
    )
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
        '<div style="width: 600px">Refused (R16) under mvp-2021, ' +
        'record 0b6c8a7e-1f2d-4c3b-9a8e-7d6c5b4a3f21</div>');
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
