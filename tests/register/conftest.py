"""Organisations, files and table counts for the register-in-the-database tests."""

from __future__ import annotations

import io

import pytest
from django.apps import apps

from safeshare.accounts.actors import Actor
from safeshare.accounts.models import Organisation
from safeshare.kernel.roles import OrganisationKind, Role
from safeshare.register import storage
from tests.support.factories import organisation

HEADER = "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref"
REGISTER = f"""{HEADER},address,postcode
W1,Fatema,Begum,Fatima Begum;F Begum,1991-03-14,F,Bangladeshi,,,"12 High Street, Aston",B6 4AA
W2,Ali,Khan,,1980,M,PK,AB1234567,,,
W3,Maria,Ionescu,,1988-07-02,F,Romanian,,K1234567,,
W4,Tran,Thi Lan,,1995-11,F,VN,,,,
"""
# Every table an import, a screen or a sweep could write to.
STATE_MODELS = [
    "people.Person",
    "people.Identity",
    "protocol.Protection",
    "protocol.ProtectionCase",
    "protocol.Clearance",
    "matching.RegisterEntry",
    "matching.RegisterKey",
    "matching.RegisterImport",
    "matching.Sweep",
    "ledger.LedgerEntry",
]


def counts() -> dict[str, int]:
    return {name: apps.get_model(name).objects.count() for name in STATE_MODELS}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Entries are cached by id per process; ids are reused between test transactions."""
    storage.CACHE.clear()
    storage.forget_token_neighbours()
    yield
    storage.CACHE.clear()
    storage.forget_token_neighbours()


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
def importer(force) -> Actor:
    return Actor(organisation=force, role=Role.PROTOCOL_OFFICER)


@pytest.fixture
def caseworker(ie_unit) -> Actor:
    return Actor(organisation=ie_unit, role=Role.IE_CASEWORKER)


def as_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))
