"""The service navigation each role sees, declared here, by URL name, for every app's pages.

``web`` is an edge: it names the other apps' pages by URL name only and imports none of them, so
no app has to reach up into ``web`` to add itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from safeshare.accounts.permissions import PUBLIC, SEES_SINGLE_EVENTS, roles_for
from safeshare.kernel.roles import Role


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url_name: str


_PAGES: tuple[tuple[tuple[Role, ...], str, str], ...] = (
    ((Role.POLICE_OFFICER,), "Cases", "cases:list"),
    ((Role.POLICE_OFFICER,), "Refused referrals", "referrals:refused"),
    ((Role.REFERRER,), "Refused referrals", "referrals:authority-refused"),
    ((Role.POLICE_OFFICER,), "Record a case", "cases:create"),
    ((Role.POLICE_OFFICER,), "Import cases", "cases:import"),
    (
        (Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER),
        "Ask for a clearance",
        "protocol:clearance-new",
    ),
    ((Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER), "Your clearances", "protocol:clearance-list"),
    ((Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER), "Worklist", "worklists:clearances"),
    ((Role.IE_SENIOR_APPROVER,), "Overrides", "protocol:override-list"),
    ((Role.PROTOCOL_OFFICER,), "Possible matches", "protocol:review-list"),
    ((Role.PROTOCOL_OFFICER,), "Overrides", "protocol:override-list"),
    ((Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER), "Screen a caseload", "matching:sweep-new"),
    ((Role.OVERSIGHT_ANALYST,), "Statistics", "oversight:dashboard"),
    # Single events: only the roles that may see them (the page says who and why).
    (tuple(sorted(SEES_SINGLE_EVENTS)), "Alerts", "oversight:alerts"),
    ((Role.OVERSIGHT_ANALYST,), "Policy comparison", "oversight:comparison"),
    ((Role.OVERSIGHT_ANALYST,), "Ledger", "oversight:ledger"),
    ((Role.OVERSIGHT_ANALYST,), "Retention", "oversight:retention"),
    ((Role.OVERSIGHT_ANALYST,), "Reads", "oversight:reads"),
    ((Role.ADMINISTRATOR,), "Reset two-step sign-in", "accounts:second-factor-reset"),
    ((Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER), "Letters and advice", "advice:start"),
    ((Role.PROTOCOL_OFFICER,), "Notices", "notifications:list"),
    ((Role.PROTOCOL_OFFICER,), "Worklists", "worklists:holds"),
    ((Role.POLICE_OFFICER,), "Case worklist", "worklists:cases"),
    ((Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER), "Search", "worklists:search"),
    ((Role.ADVOCATE,), "People you support", "advocates:people"),
    (
        (Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER, Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER),
        "Messages",
        "notifications:messages",
    ),
    ((Role.ADMINISTRATOR,), "People", "administration:people"),
    ((Role.ADMINISTRATOR,), "API tokens", "administration:tokens"),
    ((Role.ADMINISTRATOR,), "Webhooks", "administration:webhooks"),
    ((Role.ADMINISTRATOR,), "Data-sharing agreements", "referrals:agreements"),
    ((Role.ADMINISTRATOR,), "Organisations", "administration:organisations"),
)

NAVIGATION: dict[Role, list[NavigationItem]] = {
    role: [NavigationItem("Home", "web:home")]
    + [NavigationItem(label, url_name) for roles, label, url_name in _PAGES if role in roles]
    for role in Role
}


def register(role: Role, label: str, url_name: str) -> None:
    """Add a page to a role's navigation (kept while ``matching`` still registers its own)."""
    items = NAVIGATION[role]
    if all(item.url_name != url_name for item in items):
        items.append(NavigationItem(label, url_name))


def _may_open(role: Role, url_name: str) -> bool:
    """Whether the page table lets ``role`` open the page: the navigation never offers a page
    that would refuse the person."""
    allowed = roles_for(url_name)
    return allowed == PUBLIC or (allowed is not None and role in allowed)


def navigation_for(role: str, current_view_name: str) -> list[dict[str, object]]:
    """The navigation items for a role that it may open, with the current page marked."""
    items = []
    for item in NAVIGATION.get(Role(role), []):
        if not _may_open(Role(role), item.url_name):
            continue
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"label": item.label, "href": href, "current": item.url_name == current_view_name}
        )
    return items
