"""People, organisations and records for the page tests, made through the actions layer."""

from __future__ import annotations

import pytest

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation, User
from safeshare.cases.models import Case, Party
from safeshare.kernel.roles import OrganisationKind, Role
from tests.pages.helpers import BASIS, VICTIM
from tests.support.factories import (
    CaseFactory,
    PartyFactory,
    ReferralFactory,
    make_user,
    organisation,
)


@pytest.fixture
def force(db) -> Organisation:
    return organisation(
        "WMP",
        OrganisationKind.POLICE_FORCE,
        "West Midlands Police",
        "West Midlands Police protocol desk, 0121 000 0000",
    )


@pytest.fixture
def other_force(db) -> Organisation:
    return organisation("GMP", OrganisationKind.POLICE_FORCE, "Greater Manchester Police")


@pytest.fixture
def ie_unit(db) -> Organisation:
    return organisation("IE-NCCU", OrganisationKind.IE_UNIT, "Immigration Enforcement NCCU")


@pytest.fixture
def other_ie_unit(db) -> Organisation:
    return organisation("IE-SOUTH", OrganisationKind.IE_UNIT, "Immigration Enforcement South")


@pytest.fixture
def officer(force) -> User:
    return make_user(Role.POLICE_OFFICER, force)


@pytest.fixture
def other_officer(other_force) -> User:
    return make_user(Role.POLICE_OFFICER, other_force)


@pytest.fixture
def protocol_officer(force) -> User:
    return make_user(Role.PROTOCOL_OFFICER, force)


@pytest.fixture
def caseworker(ie_unit) -> User:
    return make_user(Role.IE_CASEWORKER, ie_unit)


@pytest.fixture
def approver(ie_unit) -> User:
    return make_user(Role.IE_SENIOR_APPROVER, ie_unit)


@pytest.fixture
def case(officer) -> Case:
    return CaseFactory.create(actor=Actor.for_user(officer), crime_reference="20/1234/26")


@pytest.fixture
def victim(case, officer) -> Party:
    return PartyFactory.create(case=case, actor=Actor.for_user(officer), **VICTIM)


@pytest.fixture
def protected_victim(victim, officer, ie_unit) -> Party:
    """A victim referred to IE, which opens her protection (mvp-2021)."""
    ReferralFactory.create(party=victim, actor=Actor.for_user(officer), basis=BASIS)
    return victim


@pytest.fixture
def protection(protected_victim):
    from safeshare.protocol.models import Protection

    return Protection.objects.get(person=protected_victim.person)
