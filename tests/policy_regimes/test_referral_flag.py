"""The referral payload's protection flag is what the decision produced (issue: honesty of what
is sent): true only when the referral opens or extends a protection."""

from __future__ import annotations

import pytest

from safeshare.accounts.actors import Actor
from safeshare.protocol.models import Protection
from safeshare.referrals.actions import do_make_referral
from tests.cases.factories import CaseFactory, PartyFactory
from tests.pages.helpers import BASIS, VICTIM


def refer(officer, offence: str):
    actor = Actor.for_user(officer)
    case = CaseFactory.create(actor=actor, offence_category=offence)
    party = PartyFactory.create(case=case, actor=actor, **VICTIM)
    return party, do_make_referral(
        party,
        actor,
        triggers=["safeguarding"],
        channel="web",
        source_of_information="police",
        basis=BASIS,
    )


@pytest.mark.parametrize(
    ("policy_id", "offence", "opens"),
    [
        ("mvp-2021-promise", "hate_crime", True),
        ("mvp-2021", "hate_crime", True),
        ("mvp-2023", "domestic_abuse", True),
        # The 2023 restatement covers domestic abuse only: the referral goes, no protection opens.
        ("mvp-2023", "hate_crime", False),
    ],
)
def test_the_flag_says_whether_a_protection_was_opened(
    settings, officer, ie_unit, policy_id, offence, opens
):
    settings.SAFESHARE_POLICY = policy_id
    party, referral = refer(officer, offence)
    assert referral.payload["protection_flag"] is opens
    assert (referral.protection is not None) is opens
    assert Protection.objects.filter(person=party.person).exists() is opens
