"""A referral the policy refuses leaves a record, a ledger entry and a line on the worklist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.ledger.models import LedgerEntry
from safeshare.people.identity import IdentityIn
from safeshare.referrals.actions import ReferralRefusedError, do_make_referral
from safeshare.referrals.models import Referral, RefusedReferral
from tests.api_client import BASIS as API_BASIS
from tests.api_client import police
from tests.pages.helpers import BASIS, VICTIM, signed_in, text

pytestmark = pytest.mark.django_db


def test_a_status_only_referral_is_refused_and_recorded(client, case, officer, other_officer):
    victim = case_actions.do_add_party(
        case, Actor.for_user(officer), role="victim", identity=IdentityIn(**VICTIM)
    )
    with pytest.raises(ReferralRefusedError):
        do_make_referral(
            victim,
            Actor.for_user(officer),
            triggers=["status_enquiry"],
            channel="web",
            source_of_information="police",
            basis=BASIS,
        )
    assert not Referral.objects.exists()
    refused = RefusedReferral.objects.get()
    assert refused.rule_codes == ["status_check_only"]
    assert refused.attempted_by.startswith("Test Police officer")
    assert refused.policy_id == "mvp-2021-promise"
    assert len(refused.policy_version) == 64
    entry = LedgerEntry.objects.filter(kind="referral_refused").get()
    assert entry.draft["payload"]["rules"] == ["status_check_only"]
    html = text(signed_in(client, officer).get(reverse("referrals:refused")))
    assert "20/1234/26" in html
    assert "Only to check immigration status" in html
    assert "the 2021 promise: protected while the case is ongoing" in html  # the policy's title
    assert "mvp-2021-promise" not in html
    other = text(signed_in(client, other_officer).get(reverse("referrals:refused")))
    assert "There are no refused referrals." in other


def test_a_refused_api_referral_is_recorded_after_its_transaction_rolls_back(ie_unit):
    api = police()
    case = api.post(
        "/cases", {"crime_reference": "20/777/26", "offence_category": "domestic_abuse"}
    ).json()
    party = api.post(
        f"/cases/{case['id']}/parties",
        {"given_names": "Ana", "family_name": "Pop", "role": "victim"},
    ).json()
    response = api.post(
        "/referrals",
        {
            "case_id": case["id"],
            "party_id": party["id"],
            "triggers": ["status_enquiry"],
            "source_of_information": "police",
            **API_BASIS,
        },
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "referral_refused"
    assert not Referral.objects.exists()
    refused = RefusedReferral.objects.get()
    assert refused.rule_codes == ["status_check_only"]
    assert LedgerEntry.objects.filter(kind="referral_refused").count() == 1


def test_refused_referrals_are_counted_in_the_statistics(case, officer):
    from django.utils import timezone

    from safeshare.oversight.statistics import STATISTICS, Context, Filters

    victim = case_actions.do_add_party(
        case, Actor.for_user(officer), role="victim", identity=IdentityIn(**VICTIM)
    )
    for _ in range(6):
        with pytest.raises(ReferralRefusedError):
            do_make_referral(
                victim,
                Actor.for_user(officer),
                triggers=["status_enquiry"],
                channel="web",
                source_of_information="police",
                basis=BASIS,
            )
    filters = Filters(year=timezone.localdate().year)
    result = STATISTICS["refused-referrals"].build(filters, Context())
    assert result.headline == 6
    table = result.tables[0]
    row = next(r for r in table.rows if r.code == "status_check_only")
    assert row.cells[-1].value == 6
