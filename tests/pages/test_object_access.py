"""Pages about one object, opened by every role against real objects: own side and other side.

The role-by-page matrix (tests/web/test_access_matrix.py) proves who may open each route at all;
this proves the views' scoping: another force's case, protection or review, and another IE
unit's clearance, are not found (404, no existence leak).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.protocol import actions as protocol_actions
from safeshare.referrals.models import Referral
from tests.accounts.factories import make_user, organisation_for
from tests.pages.helpers import fake_matcher

pytestmark = pytest.mark.django_db

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
WHO = [
    "police_own",
    "police_other",
    "protocol_own",
    "protocol_other",
    "ie_own",
    "ie_other",
    "senior_own",
    "senior_other",
    "oversight",
    "advocate",
    "administrator",
]


def expect(**statuses: int) -> dict[str, int]:
    """Everyone not named is refused by the page table (403)."""
    return {who: statuses.get(who, FORBIDDEN) for who in WHO}


POLICE_ONLY = expect(police_own=OK, police_other=NOT_FOUND)
PROTECTION_PAGE = expect(
    police_own=OK, police_other=NOT_FOUND, protocol_own=OK, protocol_other=NOT_FOUND
)
IE_CLEARANCE = expect(ie_own=OK, ie_other=NOT_FOUND, senior_own=OK, senior_other=NOT_FOUND)

EXPECTED: dict[str, dict[str, int]] = {
    "cases:detail": POLICE_ONLY,
    "cases:add-party": POLICE_ONLY,
    "cases:record-event": POLICE_ONLY,
    # Without checked answers, the check page sends the officer back to the question.
    "protocol:case-event": expect(police_own=REDIRECT, police_other=NOT_FOUND),
    "cases:party-nrm": POLICE_ONLY,
    "cases:person-duplicates": POLICE_ONLY,
    "referrals:start": POLICE_ONLY,
    # Without answers in the session, the check page sends the officer back to the form.
    "referrals:check": expect(police_own=REDIRECT, police_other=NOT_FOUND),
    "referrals:detail": POLICE_ONLY,
    "referrals:consent": POLICE_ONLY,
    "protocol:protection": PROTECTION_PAGE,
    "protocol:protection-letter": PROTECTION_PAGE,
    "protocol:protection-regularisation": POLICE_ONLY,
    "protocol:protection-nrm": POLICE_ONLY,
    "protocol:protection-close": expect(protocol_own=OK, protocol_other=NOT_FOUND),
    "protocol:protection-notice-given": expect(protocol_own=OK, protocol_other=NOT_FOUND),
    "protocol:clearance": IE_CLEARANCE,
    "protocol:override-new": IE_CLEARANCE,
    # The blocked clearance here has an override waiting, which its unit may withdraw.
    "protocol:override-withdraw": IE_CLEARANCE,
    "protocol:clearance-outcome": IE_CLEARANCE,
    "protocol:review": expect(protocol_own=OK, protocol_other=NOT_FOUND),
    "protocol:override": expect(
        protocol_own=OK, protocol_other=NOT_FOUND, senior_own=OK, senior_other=NOT_FOUND
    ),
}


@pytest.fixture
def world(monkeypatch, force, other_force, ie_unit, other_ie_unit, case, protected_victim):
    """One of everything, owned by WMP and IE-NCCU, and a user for every role on each side."""
    users = {
        "police_own": make_user(Role.POLICE_OFFICER, force),
        "police_other": make_user(Role.POLICE_OFFICER, other_force),
        "protocol_own": make_user(Role.PROTOCOL_OFFICER, force),
        "protocol_other": make_user(Role.PROTOCOL_OFFICER, other_force),
        "ie_own": make_user(Role.IE_CASEWORKER, ie_unit),
        "ie_other": make_user(Role.IE_CASEWORKER, other_ie_unit),
        "senior_own": make_user(Role.IE_SENIOR_APPROVER, ie_unit),
        "senior_other": make_user(Role.IE_SENIOR_APPROVER, other_ie_unit),
        "oversight": make_user(Role.OVERSIGHT_ANALYST),
        "advocate": make_user(Role.ADVOCATE),
        "administrator": make_user(Role.ADMINISTRATOR, organisation_for(Role.ADMINISTRATOR)),
    }
    protection = protected_victim.person.protections.get()
    caseworker = Actor.for_user(users["ie_own"])

    def clearance():
        return protocol_actions.do_request_clearance(
            caseworker,
            action_code="removal_directions",
            subject={"given_names": "Fatema", "family_name": "Begum"},
            information_sources=["immigration_records"],
        ).clearance

    fake_matcher(monkeypatch, "possible", [protection])
    review = clearance().reviews.get()
    fake_matcher(monkeypatch, "match", [protection])
    blocked = clearance()
    override = protocol_actions.do_request_override(
        blocked,
        caseworker,
        category="national_security_or_public_protection",
        reasons="A serious public-protection risk, set out in the attached intelligence report.",
    )
    party = {"case_id": case.public_id, "party_id": protected_victim.pk}
    kwargs = {
        "cases:detail": {"case_id": case.public_id},
        "cases:add-party": {"case_id": case.public_id},
        "cases:record-event": {"case_id": case.public_id},
        "protocol:case-event": {"case_id": case.public_id},
        "cases:party-nrm": party,
        "cases:person-duplicates": {"person_id": protected_victim.person.public_id},
        "referrals:start": party,
        "referrals:check": party,
        "referrals:consent": party,
        "referrals:detail": {"referral_id": Referral.objects.get().public_id},
        "protocol:protection": {"reference": protection.reference},
        "protocol:protection-letter": {"reference": protection.reference},
        "protocol:protection-regularisation": {"reference": protection.reference},
        "protocol:protection-nrm": {"reference": protection.reference},
        "protocol:protection-close": {"reference": protection.reference},
        "protocol:protection-notice-given": {"reference": protection.reference},
        "protocol:clearance": {"clearance_id": blocked.public_id},
        "protocol:override-new": {"clearance_id": blocked.public_id},
        "protocol:override-withdraw": {"clearance_id": blocked.public_id},
        "protocol:clearance-outcome": {"clearance_id": blocked.public_id},
        "protocol:review": {"reference": review.reference},
        "protocol:override": {"override_id": override.public_id},
    }
    return users, kwargs


@pytest.mark.parametrize("route", list(EXPECTED))
def test_every_role_against_real_objects(client, world, route):
    users, kwargs = world
    url = reverse(route, kwargs=kwargs[route])
    seen = {}
    for who in WHO:
        client.force_login(users[who])
        seen[who] = client.get(url).status_code
        client.logout()
    assert seen == EXPECTED[route]


def test_every_route_with_an_object_is_checked():
    """Every object route of the case, referral and protocol pages is checked here; the other
    apps' object routes are walked with real objects by tests/security/test_access_table.py."""
    from tests.web.test_access_matrix import ROUTE_KWARGS

    covered_apps = {"cases", "referrals", "protocol"}
    assert {route for route in ROUTE_KWARGS if route.split(":")[0] in covered_apps} == set(
        EXPECTED
    )
