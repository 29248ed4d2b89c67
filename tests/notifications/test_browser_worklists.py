"""In Chromium: a protocol officer's holds worklist, and an advocate's journey from no consent,
through consent recorded by the police, to withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.protocol.models import Clearance, Review
from tests.accounts.factories import make_user
from tests.api_client import ie
from tests.pages.conftest import organisation
from tests.pages.helpers import fake_matcher
from tests.support.two_step import browser_sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page, user) -> None:
    browser_sign_in(page, user)
    page.get_by_test_id("home-heading").wait_for()


def test_the_holds_worklist_shows_an_overdue_hold(page, monkeypatch, protection, protocol_officer):
    fake_matcher(monkeypatch, "possible", [protection])
    asked = (
        ie()
        .post(
            "/clearances",
            {
                "given_names": "Fatema",
                "family_name": "Begum",
                "date_of_birth": "1991-03-14",
                "action": "immigration_arrest_or_detention",
                "information_sources": ["immigration_records"],
            },
        )
        .json()
    )
    review = Clearance.objects.get(public_id=asked["id"]).reviews.get()
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - dt.timedelta(hours=30))

    sign_in(page, protocol_officer)
    page.locator("#navigation").get_by_role("link", name="Worklists", exact=True).click()
    table = page.get_by_test_id("holds")
    assert f"Possible match {review.reference}" in table.inner_text()
    assert "Overdue" in table.inner_text()
    assert "30 hours" in table.inner_text()
    page.get_by_label("Show").select_option("overdue")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**show=overdue**")
    assert "Overdue" in page.get_by_test_id("holds").inner_text()
    page.get_by_role("link", name="In transition").click()
    page.get_by_role("heading", name="Protections in transition").wait_for()


def test_an_advocate_sees_the_person_only_while_they_consent(page, protection, officer):
    support = organisation(
        "LAWRS", OrganisationKind.SUPPORT_ORGANISATION, "Latin American Women's Rights Service"
    )
    advocate = make_user(Role.ADVOCATE, support)

    sign_in(page, advocate)
    page.locator("#navigation").get_by_role("link", name="People you support").click()
    page.get_by_test_id("advocate-no-people").wait_for()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, officer)
    page.goto(f"/protections/{protection.reference}/advocates/")
    page.get_by_label("Support organisation").select_option(label=support.name)
    page.get_by_label("The advocate may see the notices sent to the person").check()
    page.get_by_role("button", name="Record consent").click()
    assert "Latin American Women" in page.get_by_test_id("consents").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, advocate)
    page.locator("#navigation").get_by_role("link", name="People you support").click()
    page.get_by_role("link", name=protection.reference).click()
    assert page.get_by_test_id("advocate-status").inner_text().strip()
    assert "Protection opened" in page.get_by_test_id("advocate-notices").inner_text()
    person_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, officer)
    page.goto(f"/protections/{protection.reference}/advocates/")
    page.get_by_role("button", name="Withdraw").click()
    assert "Withdrawn" in page.get_by_test_id("consents").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, advocate)
    response = page.goto(person_url)
    assert response is not None
    assert response.status == 404
