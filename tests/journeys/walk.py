"""A role's journey through the pages, checked on every page it reaches.

On each page, as it is reached: axe-core (WCAG 2.2 A and AA rules) at desktop width and again at
320 CSS pixels, failing on any serious or critical violation; at 320 px the page must not scroll
sideways (WCAG 1.4.10, reflow); and what people read must carry no internal code (a requirement
number, a policy id, a UUID). The page is resized in place, not loaded again, so a page that is
the answer to a form (a confirmation) is checked as the person saw it.

The Content Security Policy blocks injected ``<script>`` tags, as it should; axe's source is
evaluated through the DevTools protocol (``page.evaluate``), which the CSP does not govern.

Set ``SAFESHARE_JOURNEY_SHOTS`` to a directory to keep a screenshot of every page (desktop and
320 px) and a list of the pages each role walked through, for the record of each journey.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from tests.accounts.factories import DEFAULT_PASSWORD
from tests.support.two_step import next_code
from tests.web.test_words_for_people import codes_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map((node) => node.target.join(' ')),
  }));
}"""
SERIOUS = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 800}
OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => {
      const box = el.getBoundingClientRect();  // right to left pages overflow to the left
      return box.right > root.clientWidth + 1 || box.left < -1;
    })
    .filter((el) => !el.closest('table'))
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + '.' + String(el.className).split(' ')[0]);
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""
SETTLED = """() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""
CONFIRMATION = ".govuk-panel--confirmation, .govuk-notification-banner--success"


def serious_violations(page: Page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return [v for v in page.evaluate(AXE_RUN) if v["impact"] in SERIOUS]


class Walk:
    """The pages one role walks through, and every problem found on them."""

    #: Pages every staff journey passes through alike (signing in), checked once per run.
    shared_checked: set[str] = set()

    def __init__(self, page: Page, role: str) -> None:
        self.page = page
        self.role = role
        self.pages: list[tuple[str, str, str]] = []
        self.problems: list[str] = []
        self.shots = os.environ.get("SAFESHARE_JOURNEY_SHOTS", "")
        page.set_viewport_size(DESKTOP)

    def check(self, shows: str, *, shared: bool = False) -> None:
        """Check the page now shown; ``shows`` says in words what it shows, for the record.
        A ``shared`` page (the same for every role) is checked by the first journey only."""
        page = self.page
        page.wait_for_load_state("load")
        where = re.sub(r"^https?://[^/]+", "", page.url)
        title = page.title()
        number = len(self.pages) + 1
        if title.startswith("Error: Error:"):
            self.problems.append(f"{self.role} page {number} {where}: the title says Error twice")
        if shared and where in Walk.shared_checked and not self.shots:
            self.pages.append((title, where, shows))
            return
        if shared:
            Walk.shared_checked.add(where)
        for name, size in (("desktop", DESKTOP), ("320px", NARROW)):
            page.set_viewport_size(size)
            # The page's own resize handlers (scrolling tables join the tab order) run before
            # the next frames are drawn: wait for two, as a person would see the page.
            page.evaluate(SETTLED)
            for violation in serious_violations(page):
                self.problems.append(
                    f"{self.role} page {number} {where} at {name}: axe {violation['impact']} "
                    f"{violation['id']} ({violation['help']}) on {violation['targets']}"
                )
            if size is NARROW:
                measure = page.evaluate(OVERFLOW)
                if measure["scroll"] > measure["client"]:
                    self.problems.append(
                        f"{self.role} page {number} {where} scrolls sideways at 320 px: {measure}"
                    )
            if self.shots:
                folder = Path(self.shots) / self.role
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(folder / f"{number:02d}-{name}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        found = codes_in(page.locator("body").inner_text())
        if found:
            self.problems.append(
                f"{self.role} page {number} {where} shows internal codes {sorted(set(found))}"
            )
        self.pages.append((title, where, shows))

    def finish(self) -> None:
        """The journey ends on a confirmation; every page passed."""
        expect(self.page.locator(CONFIRMATION).first).to_be_visible()
        if self.shots:
            lines = [
                f"{n}. {title} — {shows} ({where})"
                for n, (title, where, shows) in enumerate(self.pages, 1)
            ]
            (Path(self.shots) / f"{self.role}.txt").write_text("\n".join(lines) + "\n")
        assert not self.problems, "\n".join(self.problems)

    # --- Steps every staff journey takes ------------------------------------------------------

    def sign_in(self, user, password: str = DEFAULT_PASSWORD) -> None:
        """Sign in as a member of staff, checking the sign-in and two-step pages on the way."""
        page = self.page
        page.goto("/sign-in/")
        self.check("The sign-in form: email address and password", shared=True)
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/sign-in/(set-up-two-step|security-code)/"))
        if "set-up-two-step" in page.url:
            self.check(
                "Setting up two-step sign-in: the key to add to an app, and its code", shared=True
            )
            key = page.get_by_test_id("totp-key").inner_text().strip()
            page.get_by_label("Security code").fill(pyotp.TOTP(key).now())
            page.get_by_role("button", name="Turn on two-step sign-in and continue").click()
        else:
            self.check("The security code from the person's app")
            page.get_by_label("Security code").fill(next_code(user))
            page.get_by_role("button", name="Continue").click()
        expect(page.get_by_test_id("home-heading")).to_be_visible()
        self.check("The role's home page: its work and navigation")

    def nav(self, label: str) -> None:
        self.page.locator("#navigation").get_by_role("link", name=label, exact=True).click()
