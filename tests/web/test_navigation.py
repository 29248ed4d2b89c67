"""The navigation offers a person only the pages they may open: "Alerts", which lists single
events, only to the roles that may see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.accounts import permissions
from safeshare.accounts.permissions import PUBLIC, SEES_SINGLE_EVENTS, roles_for
from safeshare.kernel.roles import Role
from safeshare.web.navigation import NAVIGATION, navigation_for
from tests.accounts.factories import make_user

ALERTS = "oversight:alerts"


def labels(role: Role) -> list[str]:
    return [str(item["label"]) for item in navigation_for(role.value, "")]


@pytest.mark.parametrize("role", list(Role))
def test_alerts_is_offered_only_to_roles_that_may_see_single_events(role):
    assert ("Alerts" in labels(role)) == (role in SEES_SINGLE_EVENTS)


def test_no_role_is_offered_a_page_the_page_table_refuses_it():
    for role, items in NAVIGATION.items():
        for item in items:
            allowed = roles_for(item.url_name)
            if allowed != PUBLIC and (allowed is None or role not in allowed):
                hrefs = {entry["href"] for entry in navigation_for(role.value, "")}
                assert reverse(item.url_name) not in hrefs, (role, item.url_name)


def test_a_page_closed_to_a_role_leaves_its_navigation(monkeypatch):
    assert "Alerts" in labels(Role.OVERSIGHT_ANALYST)
    monkeypatch.setitem(permissions.PAGE_PERMISSIONS, ALERTS, frozenset({Role.ADMINISTRATOR}))
    assert "Alerts" not in labels(Role.OVERSIGHT_ANALYST)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_the_alerts_link_and_page_follow_the_same_rule(client, role):
    client.force_login(make_user(role))
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    html = home.content.decode()
    alerts = reverse(ALERTS)
    page = client.get(alerts)
    if role in SEES_SINGLE_EVENTS:
        assert f'href="{alerts}"' in html
        assert ">Alerts<" in html
        assert page.status_code == 200
    else:
        assert f'href="{alerts}"' not in html
        assert ">Alerts<" not in html
        assert page.status_code in (403, 404)
