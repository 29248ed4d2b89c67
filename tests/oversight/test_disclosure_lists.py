"""No list on an oversight page undoes a suppressed figure; the alerts list, which shows single
events, is open only to the roles that may see them, and says so."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from safeshare.accounts.permissions import SEES_SINGLE_EVENTS, roles_for
from safeshare.kernel.roles import Role
from safeshare.oversight.models import Alert
from tests.accounts.factories import make_user
from tests.oversight import scenario

pytestmark = pytest.mark.django_db


def test_the_overview_neither_lists_nor_counts_alerts_beside_a_suppressed_override_figure(client):
    scenario.build()  # one approved override: the overrides figure is suppressed
    alerts = list(Alert.objects.all())
    assert alerts
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    page = client.get(reverse("oversight:dashboard")).content.decode()
    overrides = re.search(r'data-testid="headline-overrides".*?</div>', page, re.S)
    assert overrides is not None
    assert "[c]" in overrides.group(0)
    for alert in alerts:
        assert alert.summary not in page, alert.summary
    assert not re.search(r"\b\d+ alerts?\b", page), "a count of single events"
    assert 'data-testid="alerts-banner"' in page  # that some wait, without saying how many
    assert reverse("oversight:alerts") in page


def test_the_alerts_list_is_open_only_to_roles_that_may_see_single_events(client):
    assert roles_for("oversight:alerts") == SEES_SINGLE_EVENTS
    assert roles_for("oversight:alert-acknowledge") == SEES_SINGLE_EVENTS
    for role in Role:
        client.force_login(make_user(role))
        response = client.get(reverse("oversight:alerts"))
        if role in SEES_SINGLE_EVENTS:
            assert response.status_code == 200
        else:
            assert response.status_code in (403, 404), role
        client.logout()


def test_the_alerts_list_says_who_can_see_it_and_why(client):
    client.force_login(make_user(Role.OVERSIGHT_ANALYST))
    page = client.get(reverse("oversight:alerts")).content.decode()
    assert 'data-testid="alerts-who"' in page
    assert "Only oversight analysts can see this list" in page
    assert "single event" in page


def test_the_alerts_api_is_declared_for_the_same_roles_as_the_page():
    from safeshare.accounts.permissions import API_PERMISSIONS

    assert API_PERMISSIONS["GET /oversight/alerts"].roles == SEES_SINGLE_EVENTS
