"""What IE learns about a protected person under each shipped policy, from real API answers
(run with ``-s`` to print them)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.protocol.models import Protection
from safeshare.protocol.policy import IEDetail, available_policies, load_policy
from safeshare.referrals.actions import IDENTITY_FIELDS, do_record_consent
from tests.api_client import ApiClient
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("policy_id", available_policies())
def test_what_ie_learns_about_a_protected_person(settings, policy_id):
    settings.SAFESHARE_POLICY = policy_id
    policy = load_policy(policy_id)
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    if policy.referrals.consent_required:
        do_record_consent(
            party,
            officer,
            answer="given",
            fields=IDENTITY_FIELDS,
            asked_at=timezone.now(),
            language="English",
            interpreter_used=False,
            suspect_present=False,
        )
    if policy.referrals_possible:
        h.refer(party, officer)
    protection = Protection.objects.get(person=party.person)
    body = ie.post(
        "/clearances",
        {
            "given_names": "Fatema",
            "family_name": "Begum",
            "date_of_birth": "1991-03-14",
            "nationality": "BGD",
            "action": "immigration_arrest_or_detention",
            "information_sources": ["police"],
        },
    ).json()
    shown = {k: v for k, v in body.items() if k not in {"id", "created_at", "policy_version"}}
    print(f"\n{policy_id}: " + json.dumps(shown, ensure_ascii=False))  # noqa: T201 (with -s)
    assert body["decision"] == "blocked"
    if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
        assert body["protection_reference"] is None
        assert protection.opened_by.name not in json.dumps(body)
    else:
        assert body["protection_reference"] == protection.reference
