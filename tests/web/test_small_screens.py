"""Reflow at 320 CSS pixels (WCAG 2.2, 1.4.10): no page scrolls sideways.

Each role signs in to the demo service in Chromium with a 320 px wide window, opens every page
its navigation offers and the first record listed on each, and the page must fit the window.
Wide tables scroll inside their own container (with a visible shadow cue), not the page."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from safeshare.accounts.models import User
from safeshare.kernel.roles import Role
from tests.support.two_step import browser_sign_in

# How a page is laid out does not depend on the database engine (as the words on the pages,
# tests/web/test_words_for_people.py): the PostgreSQL pass leaves these out.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.sqlite_only,
]

WIDTH = 320

OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
    .filter((el) => !el.closest('table'))
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]);
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""

STAFF_ROLES = [role for role in Role if role is not Role.ADVOCATE]


@pytest.fixture
def logins(demo_logins):
    """The demo's first login of each role."""
    return {login.role: login for login in reversed(demo_logins)}


def same_site_links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map((el) => el.getAttribute('href'))")
    paths = []
    for href in hrefs:
        if not href or href.startswith("#"):
            continue
        parsed = urlparse(href)
        if parsed.netloc or "sign-out" in parsed.path or "download" in parsed.path:
            continue
        if parsed.path.endswith((".csv", ".jsonl", ".pdf", ".json", ".txt")):
            continue
        paths.append(href)
    return list(dict.fromkeys(paths))


def assert_fits(page, path: str) -> None:
    page.goto(path)
    measure = page.evaluate(OVERFLOW)
    assert measure["scroll"] <= measure["client"], f"{path} scrolls sideways: {measure}"


def walk(page, login) -> tuple[set[str], list[str]]:
    """Sign in as ``login`` and open its home page, every page its navigation and home page link
    to, and the first record listed on each: the paths visited and those that did not fit."""
    failures: list[str] = []

    def check(path: str) -> None:
        try:
            assert_fits(page, path)
        except AssertionError as error:
            failures.append(f"{login.role}: {error}")

    page.set_viewport_size({"width": WIDTH, "height": 800})
    browser_sign_in(page, User.objects.get(email=login.email), login.password)
    home = urlparse(page.url).path
    visited = {home}
    check(home)
    for path in same_site_links(page, "nav a, main a"):
        if path in visited:
            continue
        visited.add(path)
        check(path)
        for record in same_site_links(page, "main table a")[:1]:
            if record not in visited:
                visited.add(record)
                check(record)
                page.goto(path)
    return visited, failures


def test_every_page_of_each_staff_role_fits_a_320_pixel_screen(browser, live_server, logins):
    """One demo for every role (seeding it is the slow part), each role in its own browser
    session; every page that does not fit, of every role, is reported together."""
    failures: list[str] = []
    for role in STAFF_ROLES:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        try:
            visited, found = walk(context.new_page(), logins[role])
        finally:
            context.close()
        failures += found
        # The administrator's pages are its home page alone; a referrer works through the API.
        if role not in (Role.ADMINISTRATOR, Role.REFERRER):
            assert len(visited) > 2, f"the {role.value} reached too few pages to check: {visited}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/sign-in/", "/my-protection/", "/check-a-receipt/"])
def test_pages_before_sign_in_fit_a_320_pixel_screen(page, path):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    assert_fits(page, path)


def test_every_victim_page_fits_a_320_pixel_screen(page):
    from safeshare.ledger import service
    from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim

    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    issue_pack(protection, police)
    service.sequence_pending()
    service.make_checkpoint()

    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.goto("/my-protection/")
    page.get_by_label("Protection reference").fill(protection.reference)
    page.get_by_label("Passcode").fill(issued.passcode)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/my-protection/**")
    home = urlparse(page.url).path
    visited = {home}
    assert_fits(page, home)
    for path in same_site_links(page, "main a"):
        if path.startswith("/my-protection/") and path not in visited and "exit" not in path:
            visited.add(path)
            assert_fits(page, path)
    assert len(visited) > 2, visited
    # The victim's pages leave nothing behind that outlives the browser session (someone who
    # shares the device may look): every cookie they set ends with the session.
    lasting = [c["name"] for c in page.context.cookies() if c.get("expires", -1) not in (-1, None)]
    assert lasting == [], f"cookies that outlive the session: {lasting}"


def test_the_merge_page_fits_a_320_pixel_screen(page, logins):
    """Reached from a case, not the navigation: a person's possible duplicates and the form."""
    login = logins[Role.POLICE_OFFICER]
    page.set_viewport_size({"width": WIDTH, "height": 800})
    browser_sign_in(page, User.objects.get(email=login.email), login.password)
    page.goto("/cases/")
    case = same_site_links(page, "main table a")[0]
    page.goto(case)
    duplicates = [p for p in same_site_links(page, "main table a") if p.endswith("/duplicates/")]
    assert duplicates, "the case page links to each person's possible duplicates"
    assert_fits(page, duplicates[0])


def test_how_notices_reach_the_person_fits_a_320_pixel_screen(page, logins):
    """Reached from a protection's page, not the navigation: the form with its current state."""
    from django.urls import reverse

    from safeshare.protocol.models import Protection

    login = logins[Role.POLICE_OFFICER]
    user = User.objects.get(email=login.email)
    protection = Protection.objects.filter(opened_by=user.organisation).first()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    browser_sign_in(page, user, login.password)
    assert_fits(page, reverse("notifications:reach", kwargs={"reference": protection.reference}))
    assert page.get_by_test_id("reach-now").is_visible()


def test_the_modern_slavery_page_fits_a_320_pixel_screen(page):
    """The NRM referral, duty-to-notify and decisions page of a person in a case, with its
    records and its error summary."""
    from safeshare.accounts.actors import Actor
    from safeshare.cases.actions import do_add_party, do_create_case, do_record_nrm_referral
    from safeshare.people.identity import IdentityIn
    from tests.accounts.factories import make_user, organisation_for

    officer = make_user(Role.POLICE_OFFICER, organisation_for(Role.POLICE_OFFICER, "WMP"))
    actor = Actor.for_user(officer)
    case = do_create_case(actor, crime_reference="20/3200/26", offence_category="domestic_abuse")
    party = do_add_party(
        case,
        actor,
        role="victim",
        identity=IdentityIn(given_names="Amina", family_name="Yusuf"),
        trafficking_indicators=["debt_bondage", "documents_held_by_others"],
        nrm_consent="refused",
    )
    import datetime as dt

    do_record_nrm_referral(
        party, actor, kind="duty_to_notify", made_on=dt.date(2026, 1, 5), reference="DTN-2026-0001"
    )
    page.set_viewport_size({"width": WIDTH, "height": 800})
    browser_sign_in(page, officer)
    path = f"/cases/{case.public_id}/people/{party.pk}/modern-slavery/"
    assert_fits(page, path)
    page.get_by_role("button", name="Record decision").click()
    from playwright.sync_api import expect

    expect(page.locator(".govuk-error-summary")).to_be_visible()
    measure = page.evaluate(OVERFLOW)
    assert measure["scroll"] <= measure["client"], f"the refused form scrolls sideways: {measure}"
