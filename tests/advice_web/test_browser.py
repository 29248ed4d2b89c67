"""The victim's view in Chromium: sign-in, a wrong passcode and the lockout, the disclosure list
with receipts that verify (on the server and again in the browser), Exit this page, the
language switch, and an axe-core scan of every victim page with no serious violation."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(tempfile.gettempdir()) / "safeshare-advice-shots" / "browser"
NEUTRAL_PATH = "/accessibility/"
# axe runs through Playwright's evaluate (the DevTools protocol), which the page's strict
# Content Security Policy does not govern; injecting a <script> tag would be refused by it, and
# relaxing the policy for tests would test a different page from the one people get.
AXE_RUN = """
axe.run(document, {resultTypes: ['violations']}).then(results => results.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  targets: v.nodes.slice(0, 3).map(node => node.target.join(' '))
})))
"""
SERIOUS = {"serious", "critical"}


@pytest.fixture
def victim():
    """A victim with a letter and a pack, every ledger entry about them in a signed checkpoint."""
    from safeshare.ledger import service

    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    issue_pack(protection, police)
    service.sequence_pending()
    service.make_checkpoint()
    return protection, issued.passcode


@pytest.fixture
def neutral_site(page, live_server, settings):
    """Exit this page goes to a neutral site. There is no network here, and Playwright cannot
    intercept the redirect that sends people there, so the tests send them to a page on the
    test server instead (tests/advice_web/test_victim_sign_in.py checks the real default)."""
    settings.SAFESHARE_EXIT_PAGE_URL = f"{live_server.url}{NEUTRAL_PATH}"
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, reference: str, passcode: str) -> None:
    page.goto("/my-protection/")
    page.get_by_label("Protection reference").fill(reference)
    page.get_by_label("Passcode").fill(passcode)
    page.get_by_role("button", name="Continue").click()


def axe_violations(page) -> list[dict]:
    return page.evaluate(AXE.read_text(encoding="utf-8") + ";\n" + AXE_RUN)


def wrong(passcode: str) -> str:
    return str((int(passcode.replace(" ", "")) + 1) % 10**12).zfill(12)


def test_the_victim_signs_in_and_sees_their_protection(page, victim):
    protection, passcode = victim
    sign_in(page, protection.reference, passcode)
    page.wait_for_url("**/my-protection/protection/")
    assert page.get_by_test_id("victim-reference").inner_text() == protection.reference
    assert page.get_by_test_id("victim-status").get_attribute("data-status") == "active"
    expect(page.get_by_role("heading", name="Your protection", exact=True)).to_be_visible()
    shot(page, "protection-en")


def test_a_wrong_passcode_is_refused_then_the_reference_locks(page, victim):
    protection, passcode = victim
    sign_in(page, protection.reference, wrong(passcode))
    summary = page.locator(".govuk-error-summary")
    assert "The reference or passcode is not right" in summary.inner_text()
    assert page.title().startswith("Error: ")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    shot(page, "sign-in-error-en")
    for _ in range(4):
        sign_in(page, protection.reference, wrong(passcode))
    assert "You have tried too many times" in page.locator(".govuk-error-summary").inner_text()
    sign_in(page, protection.reference, passcode)
    assert "You have tried too many times" in page.locator(".govuk-error-summary").inner_text()
    assert "/my-protection/protection/" not in page.url


def test_the_disclosure_list_has_receipts_that_verify(page, victim):
    protection, passcode = victim
    sign_in(page, protection.reference, passcode)
    page.get_by_role("link", name="What has been shared", exact=True).click()
    shared = page.get_by_test_id("shared-list")
    cards = shared.get_by_test_id("disclosure")
    assert cards.count() >= 2
    assert "Information about you was shared" in shared.inner_text()
    statuses = page.get_by_test_id("receipt-status")
    assert statuses.count() == page.get_by_test_id("disclosure").count()
    assert all(
        statuses.nth(i).get_attribute("data-holds") == "true" for i in range(statuses.count())
    )
    # The browser checks each receipt again itself: hash, inclusion proof, Ed25519 signature.
    expect(page.locator(".app-browser-check:not([data-result])")).to_have_count(0)
    results = page.eval_on_selector_all(
        ".app-browser-check", "els => els.map(e => e.dataset.result)"
    )
    assert set(results) == {"ok"}
    assert "Your browser also checked this receipt: it is correct." in shared.inner_text()
    with page.expect_download() as download:
        cards.first.get_by_test_id("receipt-download").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    assert bundle["format"] == "safeshare-receipt-bundle/1"
    shot(page, "shared-en")


def test_a_tampered_receipt_fails_in_the_browser(page, victim):
    protection, passcode = victim
    sign_in(page, protection.reference, passcode)
    page.goto("/my-protection/shared/")
    expect(page.locator(".app-browser-check:not([data-result])")).to_have_count(0)
    # Change one byte of the first entry and check it again with the page's own code.
    result = page.evaluate("""async () => {
      const element = document.querySelector('.app-receipt-check');
      const entry = atob(element.dataset.entry).replace('"v":2', '"v":1');
      element.dataset.entry = btoa(entry);
      const status = element.querySelector('.app-browser-check');
      delete status.dataset.result;
      const module = await import('/static/advice/receipts.mjs?again');
      await new Promise(resolve => setTimeout(resolve, 500));
      return status.dataset.result;
    }""")
    assert result == "bad"


def test_a_receipt_that_opens_someone_else_fails_in_the_browser(page, victim):
    protection, passcode = victim
    sign_in(page, protection.reference, passcode)
    page.goto("/my-protection/shared/")
    expect(page.locator(".app-browser-check:not([data-result])")).to_have_count(0)
    # The receipt opens the victim's own commitment in the entry; another identifier does not.
    result = page.evaluate("""async () => {
      const element = document.querySelector('.app-receipt-check');
      const receipt = JSON.parse(element.dataset.receipt);
      if (!receipt.openings || !receipt.openings.length) return "no openings";
      receipt.openings = receipt.openings.map(o => ({...o, identifier: o.identifier + "0"}));
      element.dataset.receipt = JSON.stringify(receipt);
      const status = element.querySelector('.app-browser-check');
      delete status.dataset.result;
      const module = await import('/static/advice/receipts.mjs?other');
      await new Promise(resolve => setTimeout(resolve, 500));
      return status.dataset.result;
    }""")
    assert result == "bad"


def test_exit_this_page_leaves_and_ends_the_session(neutral_site, victim):
    page = neutral_site
    protection, passcode = victim
    sign_in(page, protection.reference, passcode)
    page.wait_for_url("**/my-protection/protection/")
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(f"**{NEUTRAL_PATH}")
    assert "/my-protection/" not in page.url
    page.goto("/my-protection/protection/")
    assert page.url.endswith("/my-protection/")


def test_pressing_shift_three_times_exits(neutral_site, victim):
    page = neutral_site
    page.goto("/my-protection/")
    page.locator("body").click()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(f"**{NEUTRAL_PATH}")


def test_the_language_switch_welsh_and_arabic(page, victim):
    protection, passcode = victim
    page.goto("/my-protection/")
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", name="Gweld eich amddiffyniad")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "cy"
    shot(page, "sign-in-cy")
    page.get_by_label("Cyfeirnod amddiffyniad").fill(protection.reference)
    page.get_by_label("Cod mynediad").fill(passcode)
    page.get_by_role("button", name="Parhau").click()
    assert page.get_by_test_id("victim-status").inner_text() == "Gweithredol"
    shot(page, "protection-cy")
    page.get_by_role("link", name="Beth sydd wedi’i rannu", exact=True).click()
    shot(page, "shared-cy")
    page.get_by_role("link", name="العربية").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    expect(page.get_by_role("heading", name="ما تمت مشاركته عنك")).to_be_visible()
    shot(page, "shared-ar")
    page.goto("/my-protection/advice/")
    expect(page.get_by_test_id("review-note")).to_be_visible()
    shot(page, "advice-ar")
    page.goto("/my-protection/protection/")
    shot(page, "protection-ar")
    page.goto("/my-protection/language/cy/?next=/my-protection/advice/")
    shot(page, "advice-cy")


PAGES = [
    "/my-protection/",
    "/my-protection/protection/",
    "/my-protection/shared/",
    "/my-protection/advice/",
]


@pytest.mark.parametrize("code", ["en", "cy", "ar"])
def test_every_victim_page_passes_an_axe_scan(page, victim, code):
    protection, passcode = victim
    page.goto(f"/my-protection/language/{code}/?next=/my-protection/")
    found = {}
    page.locator("#id_reference").fill(protection.reference)
    page.locator("#id_passcode").fill(wrong(passcode))
    page.locator("form[data-testid=victim-sign-in-form] button").click()
    found["/my-protection/ (error)"] = axe_violations(page)
    page.locator("#id_reference").fill(protection.reference)
    page.locator("#id_passcode").fill(passcode)
    page.locator("form[data-testid=victim-sign-in-form] button").click()
    page.wait_for_url(re.compile(r".*/my-protection/protection/$"))
    for path in PAGES[1:]:
        page.goto(path)
        found[path] = axe_violations(page)
    page.locator("form[action$='/sign-out/'] button").click()
    page.wait_for_url(re.compile(r".*/my-protection/$"))
    found["/my-protection/"] = axe_violations(page)
    serious = {
        path: [v for v in violations if v["impact"] in SERIOUS]
        for path, violations in found.items()
    }
    assert serious == {path: [] for path in found}, json.dumps(serious, indent=1)


def test_an_officer_issues_the_letter_and_pack_and_the_victim_signs_in(page, browser, live_server):
    from safeshare.advice.forms import CHILD_ROWS, PACK_TASKS, QUESTIONS, PackSectionForm
    from tests.accounts.factories import DEFAULT_PASSWORD
    from tests.support.two_step import browser_sign_in

    police = officer()
    protection = protected_victim(police)
    browser_sign_in(page, police.user, DEFAULT_PASSWORD)
    page.get_by_role("link", name="Letters and advice").first.click()
    page.get_by_label("Protection reference").fill(protection.reference)
    page.get_by_role("button", name="Find the protection").click()
    page.get_by_role("button", name="Issue protection letter").click()
    page.get_by_label("Which language should the letter be in?").select_option("ar")
    page.get_by_label("Printed and handed over in person").check()
    page.get_by_role("button", name="Issue the letter").click()
    passcode = page.get_by_test_id("issued-passcode").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("letter-download").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    shot(page, "officer-letter-issued")
    page.get_by_role("link", name="Back to letters and advice").click()
    page.get_by_role("button", name="Issue advice pack").click()
    expect(page.get_by_test_id("task-list")).to_be_visible()
    for slug, title in PACK_TASKS:
        page.get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", name=title)).to_be_visible()
        names = PackSectionForm.names(slug)
        if "language" in names:
            page.get_by_label("Which language should the pack be in?").select_option("cy")
            page.locator("#id_channel_0").check()
        for question in QUESTIONS:
            if question.name not in names:
                continue
            if question.kind == "bool":
                page.locator(f"input[name={question.name}][value=not_known]").check()
            elif question.kind == "choice" and question.name != "offence_category":
                page.locator(f"#id_{question.name}").select_option("not_known")
        if "has_children" in names:
            page.locator("input[name=has_children][value=no]").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(f"#task-{slug}-status")).to_have_text("Completed")
    assert CHILD_ROWS
    page.get_by_role("button", name="Check your answers").click()
    expect(
        page.get_by_role("heading", name="Check your answers before you issue the advice pack")
    ).to_be_visible()
    page.get_by_role("button", name="Issue the advice pack").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Advice pack issued")
    shot(page, "officer-pack-issued")
    victim_page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(victim_page, protection.reference, passcode)
    victim_page.wait_for_url(re.compile(r".*/my-protection/protection/$"))
    victim_page.goto("/my-protection/language/cy/?next=/my-protection/advice/")
    expect(victim_page.get_by_role("heading", name="Eich pecyn cyngor")).to_be_visible()
    victim_page.context.close()
