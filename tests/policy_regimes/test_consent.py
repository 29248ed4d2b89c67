"""consent-2025: nothing about a victim, witness or dependant goes to IE without their recorded,
informed consent; a withdrawal stops further sharing and tells IE to stop processing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safeshare.notifications.models import StaffNotice
from safeshare.referrals.actions import (
    ReferralRefusedError,
    consent_counts,
    do_flag_consent_not_free,
    do_record_consent,
    do_withdraw_consent,
)
from safeshare.referrals.models import Referral, RefusedReferral, StopProcessing
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(settings):
    settings.SAFESHARE_POLICY = "consent-2025"
    h.ie()
    officer = h.police("WMP")
    return h.add_victim(h.new_case(officer), officer), officer


def consent(party, officer, **overrides):
    fields = {
        "answer": "given",
        "fields": ["given_names", "family_name", "date_of_birth"],
        "asked_at": timezone.now(),
        "language": "Bengali",
        "interpreter_used": True,
        "suspect_present": False,
        "own_words": "I want them to know I am a victim.",
        **overrides,
    }
    return do_record_consent(party, officer, **fields)


def test_no_consent_no_referral_and_the_refusal_is_recorded(victim):
    party, officer = victim
    with pytest.raises(ReferralRefusedError):
        h.refer(party, officer)
    assert not Referral.objects.exists()
    assert RefusedReferral.objects.get().rule_codes == ["no_consent"]


def test_with_consent_only_the_agreed_fields_travel(victim):
    party, officer = victim
    consent(party, officer)
    referral = h.refer(party, officer)
    identity = {"given_names", "family_name", "date_of_birth", "nationality", "sex"}
    assert set(referral.payload) & identity == {"given_names", "family_name", "date_of_birth"}
    assert referral.protection is not None
    assert referral.payload["protection_flag"] is True


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"answer": "refused", "fields": []}, "consent_refused"),
        ({"suspect_present": True}, "consent_not_free"),
    ],
)
def test_a_refused_or_unfree_consent_blocks_sharing(victim, overrides, code):
    party, officer = victim
    consent(party, officer, **overrides)
    with pytest.raises(ReferralRefusedError):
        h.refer(party, officer)
    assert RefusedReferral.objects.get().rule_codes == [code]


def test_an_officer_can_mark_a_consent_as_possibly_not_freely_given(victim):
    party, officer = victim
    given = consent(party, officer)
    do_flag_consent_not_free(given, officer, reason="Her partner's brother was in the room.")
    with pytest.raises(ReferralRefusedError):
        h.refer(party, officer)


def test_a_withdrawal_tells_ie_to_stop_and_nothing_more_is_shared(victim):
    party, officer = victim
    given = consent(party, officer)
    referral = h.refer(party, officer)
    stops = do_withdraw_consent(given, officer, words="I do not want them to have it any more.")
    assert [s.referral for s in stops] == [referral]
    assert StopProcessing.objects.get().recipient == referral.recipient
    notice = StaffNotice.objects.get(kind="stop_processing")
    assert notice.organisation == referral.recipient
    assert "Stop processing" in notice.message
    with pytest.raises(ReferralRefusedError):
        h.refer(party, officer)
    assert Referral.objects.count() == 1
    assert RefusedReferral.objects.get().rule_codes == ["consent_withdrawn"]
    assert consent_counts() == {
        "asked": 1,
        "given": 1,
        "refused": 0,
        "withdrawn": 1,
        "not_freely_given": 0,
    }


def test_a_consent_record_says_precisely_what_is_wrong(victim):
    party, officer = victim
    with pytest.raises(ValidationError) as raised:
        consent(party, officer, fields=["crime_narrative"], language=" ")
    assert set(raised.value.message_dict) == {"fields", "language"}


def test_other_policies_do_not_ask_for_consent(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    h.ie()
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    assert h.refer(party, officer).payload["given_names"] == "Fatema"


def test_statistics_count_consents_asked_given_refused_and_withdrawn(victim):
    from safeshare.oversight.disclosure import MARGIN
    from safeshare.oversight.statistics import STATISTICS, Context, Filters

    states = ["given", "withdrawn", "not_freely_given", "refused"]  # the rows, in order
    party, officer = victim
    given = [consent(party, officer) for _ in range(7)]
    for _ in range(5):
        consent(party, officer, answer="refused", fields=[])
    do_withdraw_consent(given[0], officer)
    do_flag_consent_not_free(given[1], officer, reason="Her employer waited outside the room.")
    context = Context()
    result = STATISTICS["consents"].build(Filters(timezone.localdate().year), context)
    cube, suppressed = context.cubes[("consents", timezone.localdate().year)]
    truth = {"given": 5, "withdrawn": 1, "not_freely_given": 1, "refused": 5}
    for position, state in enumerate(states):
        assert cube.values[cube.total((position,))] == truth[state]
    assert cube.values[cube.total((MARGIN,))] == 12
    assert result.headline == 12  # asked
    rows = {row.code: row.cells[-1].value for row in result.tables[0].rows}
    # Small figures are hidden, and so is enough else that none can be worked out.
    assert rows["withdrawn"] is None
    assert rows["not_freely_given"] is None
    assert all(rows[s] in (None, truth[s]) for s in states)
    for key, value in cube.values.items():
        if 1 <= value <= 4:
            assert key in suppressed
