"""Reads of personal data through the API and the pages named in the security review each write
one audit record (a ``personal_data_read`` ledger entry: who by organisation and role, which
people by keyed token, why by the route's purpose)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from tests import api_client as api
from tests.security.conftest import user_for

pytestmark = pytest.mark.django_db


def reads(purpose: str) -> list[LedgerEntry]:
    return [
        entry
        for entry in LedgerEntry.objects.filter(kind="personal_data_read").order_by("id")
        if entry.draft["payload"]["purpose"] == purpose
    ]


def one_new_read(purpose: str, call, *, role: Role, org: str) -> LedgerEntry:
    before = len(reads(purpose))
    response = call()
    assert response.status_code == 200, response.content[:300]
    after = reads(purpose)
    assert len(after) == before + 1, purpose
    entry = after[-1]
    assert entry.draft["actor_role"] == role.value
    assert entry.draft["actor_org"] == org
    assert entry.draft["payload"]["count"] == len(entry.draft["subjects"]) >= 1
    return entry


def test_api_reads_of_personal_data_are_audited(world):
    own = world.own
    police, ie, officer = api.police("WMP"), api.ie("IE-NCCU"), api.protocol_officer("WMP")
    reference = own.protection.reference
    one_new_read(
        "api_protection_read",
        lambda: police.get(f"/protections/{reference}"),
        role=Role.POLICE_OFFICER,
        org="WMP",
    )
    one_new_read(
        "api_protection_check",
        lambda: ie.get(f"/protections/{reference}"),
        role=Role.IE_CASEWORKER,
        org="IE-NCCU",
    )
    one_new_read(
        "api_case_read",
        lambda: police.get(f"/cases/{own.case.public_id}"),
        role=Role.POLICE_OFFICER,
        org="WMP",
    )
    one_new_read(
        "api_clearance_read",
        lambda: ie.get(f"/clearances/{own.blocked.public_id}"),
        role=Role.IE_CASEWORKER,
        org="IE-NCCU",
    )
    one_new_read(
        "api_review_list", lambda: officer.get("/reviews"), role=Role.PROTOCOL_OFFICER, org="WMP"
    )


def test_a_refused_read_writes_no_audit_record(world):
    other_force = api.police("GMP")
    before = LedgerEntry.objects.filter(kind="personal_data_read").count()
    assert other_force.get(f"/cases/{world.own.case.public_id}").status_code == 404
    assert other_force.get(f"/protections/{world.own.protection.reference}").status_code == 404
    assert LedgerEntry.objects.filter(kind="personal_data_read").count() == before


def test_page_reads_named_in_the_review_are_audited(world):
    own = world.own
    officer, police = Client(), Client()
    officer.force_login(user_for(Role.PROTOCOL_OFFICER))
    police.force_login(own.police.user)
    one_new_read(
        "review_list",
        lambda: officer.get(reverse("protocol:review-list")),
        role=Role.PROTOCOL_OFFICER,
        org="WMP",
    )
    one_new_read(
        "override_page",
        lambda: officer.get(reverse("protocol:override", args=[own.override.public_id])),
        role=Role.PROTOCOL_OFFICER,
        org="WMP",
    )
    one_new_read(
        "subject_access_page",
        lambda: police.get(reverse("advice:subject-access", args=[own.victim.person.public_id])),
        role=Role.POLICE_OFFICER,
        org="WMP",
    )
