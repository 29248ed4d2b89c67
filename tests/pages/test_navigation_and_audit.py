"""Each role's navigation and home-page tasks, and the audit of personal data reads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.ledger.entries import PAYLOAD_FIELDS
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from tests.accounts.factories import make_user
from tests.pages.helpers import signed_in, text

pytestmark = pytest.mark.django_db

NAVIGATION = {
    Role.POLICE_OFFICER: ["Cases", "Record a case"],
    Role.IE_CASEWORKER: ["Ask for a clearance", "Your clearances"],
    Role.IE_SENIOR_APPROVER: ["Ask for a clearance", "Your clearances", "Overrides"],
    Role.PROTOCOL_OFFICER: ["Possible matches", "Overrides"],
    Role.OVERSIGHT_ANALYST: [],
    Role.ADVOCATE: [],
    Role.REFERRER: [],
}
ALL_LABELS = {label for labels in NAVIGATION.values() for label in labels}


@pytest.mark.parametrize("role", list(NAVIGATION), ids=[r.value for r in NAVIGATION])
def test_navigation_and_home_tasks_per_role(client, role):
    html = text(signed_in(client, make_user(role)).get(reverse("web:home")))
    navigation = html[html.index('id="navigation"') : html.index("Sign out")]
    for label in NAVIGATION[role]:
        assert f">{label}<" in navigation
        assert html.count(f">{label}<") == 2, "in the navigation and the home page's tasks"
    for label in ALL_LABELS - set(NAVIGATION[role]):
        assert f">{label}<" not in navigation


def test_the_current_page_is_marked_in_the_navigation(client, officer):
    html = text(signed_in(client, officer).get(reverse("cases:list")))
    assert 'aria-current="page"' in html
    assert "govuk-service-navigation__item--active" in html


def test_a_read_is_recorded_with_tokens_only(officer, victim):
    entry = do_record_personal_data_read(Actor.for_user(officer), [victim.person], "case_page")
    assert entry is not None
    assert entry.kind == "personal_data_read"
    assert entry.draft["payload"] == {"purpose": "case_page", "count": 1}
    assert set(entry.draft["payload"]) <= set(PAYLOAD_FIELDS)
    assert entry.draft["actor_org"] == "WMP"
    assert entry.draft["actor_role"] == "police_officer"
    assert LedgerSubject.objects.filter(entry=entry).count() == 1
    assert str(victim.person.public_id) not in str(entry.draft)


def test_a_read_of_nobody_records_nothing(officer):
    assert do_record_personal_data_read(Actor.for_user(officer), [], "case_page") is None
    assert not LedgerEntry.objects.exists()


def test_the_same_person_twice_is_one_subject(officer, victim):
    entry = do_record_personal_data_read(
        Actor.for_user(officer), [victim.person, victim.person], "case_page"
    )
    assert entry.draft["payload"]["count"] == 1
