"""The victim's pages in a language awaiting review, in Chromium: the translation, then the
English beside it, each marked with its language and direction; no serious or critical axe
violation, at 320 px and at desktop width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.advice_web.support import issue_letter, issue_pack, officer, protected_victim
from tests.advice_web.test_browser import SERIOUS, axe_violations, shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def victim():
    police = officer()
    protection = protected_victim(police)
    issued = issue_letter(protection, police)
    issue_pack(protection, police)
    return protection, issued.passcode


@pytest.mark.parametrize(
    ("code", "direction"),
    [
        ("bn", "ltr"),
        ("ur", "rtl"),
        ("fa", "rtl"),
    ],
)
def test_a_page_awaiting_review_shows_the_english_after_each_part(page, victim, code, direction):
    protection, passcode = victim
    page.goto(f"/my-protection/language/{code}/?next=/my-protection/")
    page.locator("#id_reference").fill(protection.reference)
    page.locator("#id_passcode").fill(passcode)
    page.locator("form[data-testid=victim-sign-in-form] button").click()
    page.wait_for_url("**/my-protection/protection/")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    english = page.locator(".app-english-beside [lang=en][dir=ltr]")
    expect(english.first).to_be_visible()
    expect(english.filter(has_text="Being protected does not give you permission")).to_have_count(
        1
    )
    for width, name in ((320, "small"), (1280, "desktop")):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/my-protection/protection/", "/my-protection/advice/"):
            page.goto(path)
            expect(page.locator("h1")).to_have_count(1)
            shot(page, f"{code}-{name}-{path.strip('/').replace('/', '-')}")
            serious = [v for v in axe_violations(page) if v["impact"] in SERIOUS]
            assert serious == [], (code, width, path, serious)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, (code, width, path, scroll)
