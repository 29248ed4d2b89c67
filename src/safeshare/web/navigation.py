"""The service navigation each role sees. Later issues add their pages here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from safeshare.accounts.roles import Role


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url_name: str


NAVIGATION: dict[Role, list[NavigationItem]] = {
    role: [NavigationItem("Home", "web:home")] for role in Role
}


def register(role: Role, label: str, url_name: str) -> None:
    """Add a page to a role's navigation (called from an app's ``ready``)."""
    items = NAVIGATION[role]
    if all(item.url_name != url_name for item in items):
        items.append(NavigationItem(label, url_name))


def navigation_for(role: str, current_view_name: str) -> list[dict[str, object]]:
    """The navigation items for a role, with the current page marked."""
    items = []
    for item in NAVIGATION.get(Role(role), []):
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"label": item.label, "href": href, "current": item.url_name == current_view_name}
        )
    return items
