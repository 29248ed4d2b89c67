"""Overrides in Chromium, through the pages: IE asks to override a block and checks the request
before it is sent; the protection's protocol officer checks the decision before it is saved;
each ends on a confirmation page that says what happens next (ADR 0044)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from safeshare.accounts.actors import Actor
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Override
from tests.pages.helpers import fake_matcher
from tests.support.two_step import browser_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

REASONS = "The subject is wanted for a serious assault on a child and poses a risk to the public."


def test_an_override_is_asked_for_and_decided_through_check_answers(
    page, monkeypatch, caseworker, protocol_officer, protection
):
    fake_matcher(monkeypatch, "match", [protection])
    clearance = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum"},
        information_sources=["immigration_records"],
    ).clearance

    browser_sign_in(page, caseworker)
    page.goto(reverse("protocol:clearance", kwargs={"clearance_id": clearance.public_id}))
    page.get_by_role("button", name="Ask to override").click()
    page.get_by_label("National security or serious public-protection risk").check()
    page.get_by_label("Why should the block be set aside?").fill(REASONS)
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("heading", name="Check your override request before you send it")
    ).to_be_visible()
    assert not Override.objects.exists()
    page.get_by_role("link", name=re.compile("^Change.*reasons")).click()
    expect(page.get_by_label("Why should the block be set aside?")).to_have_value(REASONS)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send override request").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Override requested")
    expect(page.get_by_test_id("what-next")).to_contain_text("A second, senior person")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to SafeShare")).to_be_visible()

    browser_sign_in(page, protocol_officer)
    override = Override.objects.get()
    page.goto(reverse("protocol:override", kwargs={"override_id": override.public_id}))
    page.get_by_label("Refuse").check()
    page.get_by_label("Reasons for your decision").fill("No evidence of a risk to anyone.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("consequence")).to_contain_text("The block stays")
    page.get_by_role("button", name="Refuse override").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Override refused")
    override.refresh_from_db()
    assert override.status == "refused"
