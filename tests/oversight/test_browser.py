"""The oversight dashboard in Chromium, with an axe-core accessibility scan of each page.

The Content Security Policy blocks injected ``<script>`` tags (``page.add_script_tag``), as it
should; axe's source is evaluated through the DevTools protocol instead (``page.evaluate``),
which the page's CSP does not govern, so the pages are scanned exactly as served.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from safeshare.kernel.roles import Role
from tests.accounts.factories import make_user
from tests.oversight import scenario
from tests.support.two_step import browser_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


def sign_in(page, user) -> None:
    browser_sign_in(page, user)
    page.get_by_test_id("home-heading").wait_for()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci)")
def test_oversight_dashboard_charts_alerts_comparison_and_ledger(page):
    scenario.build()
    sign_in(page, make_user(Role.OVERSIGHT_ANALYST))

    page.get_by_role("link", name="Statistics").first.click()
    assert page.get_by_test_id("dashboard-heading").inner_text() == "Oversight statistics"
    expect(page.get_by_test_id("alerts-banner")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Referrals to Immigration Enforcement").click()
    assert page.get_by_test_id("statistic-heading").inner_text().startswith("Referrals")
    chart = page.locator("svg[role=img]").first
    expect(chart).to_be_visible()
    assert chart.get_attribute("aria-labelledby")
    expect(page.get_by_test_id("table-referrals-by-month")).to_be_visible()
    page.get_by_label("Offence", exact=True).select_option("domestic_abuse")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**offence=domestic_abuse**")
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these tables (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_role("link", name="Alerts").first.click()
    assert "Override approved" in page.get_by_test_id("alerts-table").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Acknowledge").first.click()
    expect(page.locator("main")).to_contain_text("Alert acknowledged")

    page.get_by_role("link", name="Policy comparison").first.click()
    expect(page.get_by_test_id("table-comparison-referrals")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Ledger").first.click()
    expect(page.get_by_test_id("ledger-heading")).to_be_visible()
    assert axe_violations(page) == []
