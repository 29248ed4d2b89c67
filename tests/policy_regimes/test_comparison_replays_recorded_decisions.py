"""The oversight policy comparison decides recorded referrals and clearances again from their
stored facts, by the machinery of ``safeshare replay --policy``: the two always agree, and a
referral refused for want of consent shows as sent under a policy that does not ask for it."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.oversight.comparison import CLEARANCE_OUTCOMES, REFERRAL_STATES
from safeshare.oversight.disclosure import SUPPRESSED_MARK
from safeshare.oversight.history import comparison_summary
from safeshare.protocol.policy import available_policies, load_policy
from safeshare.protocol.replaying import replay_clearances
from safeshare.referrals.actions import ReferralRefusedError, do_record_consent
from safeshare.referrals.models import Referral, RefusedReferral
from safeshare.referrals.replaying import replay_referrals
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(settings):
    """Under consent-2025: one victim referred with her consent, one refused without it, and
    three clearances (a block, a hold, a clear)."""
    settings.SAFESHARE_POLICY = "consent-2025"
    caseworker = h.ie()
    officer = h.police("WMP")
    consenting = h.add_victim(h.new_case(officer), officer)
    do_record_consent(
        consenting,
        officer,
        answer="given",
        fields=["given_names", "family_name", "date_of_birth"],
        asked_at=timezone.now(),
        language="English",
        interpreter_used=False,
        suspect_present=False,
    )
    h.refer(consenting, officer)
    unasked = h.add_victim(
        h.new_case(officer, reference="20/5555/26"),
        officer,
        given_names="Amina",
        family_name="Yusuf",
        date_of_birth="1988-01-09",
        nationality="SOM",
    )
    with pytest.raises(ReferralRefusedError):
        h.refer(unasked, officer)
    assert (Referral.objects.count(), RefusedReferral.objects.count()) == (1, 1)
    h.clearance(caseworker)
    h.clearance(caseworker, date_of_birth="1991-07-02")
    h.clearance(caseworker, given_names="Oluwaseun", family_name="Adeyemi")


def _replayed_referrals(policy_id: str) -> Counter:
    return Counter(r.outcome for r in replay_referrals(policy=load_policy(policy_id)))


def _standing_clearances(policy_id: str) -> Counter:
    standing = {
        r.clearance_id: r.outcome for r in replay_clearances(policy=load_policy(policy_id))
    }
    return Counter(standing.values())


@pytest.mark.parametrize("other", [p for p in available_policies() if p != "consent-2025"])
def test_the_comparison_agrees_with_replay(recorded, other):
    a, b = load_policy("consent-2025"), load_policy(other)
    summary, _ = comparison_summary(a, b)
    under_a: Counter = Counter()
    under_b: Counter = Counter()
    for state_a, _force, state_b, count in summary["referrals"]:
        under_a[REFERRAL_STATES[state_a]] += count
        under_b[REFERRAL_STATES[state_b]] += count
    assert under_a == _replayed_referrals("consent-2025") == Counter(sent=1, refused=1)
    assert under_b == _replayed_referrals(other)
    clear_a: Counter = Counter()
    clear_b: Counter = Counter()
    for outcome_a, outcome_b, count in summary["clearances"]:
        clear_a[CLEARANCE_OUTCOMES[outcome_a]] += count
        clear_b[CLEARANCE_OUTCOMES[outcome_b]] += count
    assert clear_a == _standing_clearances("consent-2025")
    assert clear_b == _standing_clearances(other)
    assert summary["recorded"]["referrals"] == 2
    assert summary["recorded"]["clearances"] == 3
    assert summary["not_replayed"] == {"referrals": 0, "clearances": 0}


def test_a_referral_refused_for_want_of_consent_is_sent_under_the_promise(recorded):
    summary, _ = comparison_summary(load_policy("consent-2025"), load_policy("mvp-2021-promise"))
    sent, refused = REFERRAL_STATES.index("sent"), REFERRAL_STATES.index("refused")
    cells = {(row[0], row[2]): row[3] for row in summary["referrals"]}
    assert cells == {(sent, sent): 1, (refused, sent): 1}


def test_the_page_keeps_disclosure_control(recorded, client):
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user, organisation_for

    analyst = make_user(Role.OVERSIGHT_ANALYST, organisation_for(Role.OVERSIGHT_ANALYST, "IOPC"))
    client.force_login(analyst)
    page = client.get(
        reverse("oversight:comparison") + "?policy_a=consent-2025&policy_b=mvp-2021-promise"
    ).content.decode()
    assert 'data-testid="comparison-as-at"' in page
    assert "2 referrals, 3 clearances" in page
    assert "decided again from the facts stored with it" in page
    # Every cell here is a count of one or two: none is published as it is.
    summary, _ = comparison_summary(load_policy("consent-2025"), load_policy("mvp-2021-promise"))
    assert all(row[-1] < 3 for row in summary["referrals"])
    referrals = page[page.index('id="table-comparison-referrals"') :]
    referrals = referrals[: referrals.index("</table>")]
    assert SUPPRESSED_MARK in referrals


def test_opening_the_page_reads_each_decision_once(recorded, client):
    """The page decides every recorded decision under both policies from one read of it (not
    one read per policy)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user, organisation_for

    analyst = make_user(Role.OVERSIGHT_ANALYST, organisation_for(Role.OVERSIGHT_ANALYST, "IOPC"))
    client.force_login(analyst)
    url = reverse("oversight:comparison") + "?policy_a=consent-2025&policy_b=firewall"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    clearance_reads = [s for s in sql if '"history"' in s and "protocol_clearance" in s]
    referral_reads = [
        s for s in sql if '"facts"' in s and ("referrals_referral" in s or "refusedreferral" in s)
    ]
    assert len(clearance_reads) == 1, clearance_reads
    assert len(referral_reads) == 2, referral_reads  # sent ones, then refused ones
