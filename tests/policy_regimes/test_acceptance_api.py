"""The issue's acceptance, as scenarios through the API under every shipped policy: the default
keeps an investigated victim protected after a refused application; no consent, no referral
(and the refusal is recorded); a withdrawn consent tells IE to stop and nothing more is shared."""

from __future__ import annotations

import pytest

from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications.models import StaffNotice
from safeshare.protocol.policy import ConditionsMode, available_policies, load_policy
from safeshare.referrals.models import Referral, RefusedReferral, StopProcessing
from tests import api_client as api

pytestmark = pytest.mark.django_db

POLICIES = available_policies()
CONSENT = {
    "answer": "given",
    "fields": ["given_names", "family_name", "date_of_birth"],
    "asked_at": "2026-12-01T10:30:00Z",
    "language": "Bengali",
    "interpreter_used": True,
    "suspect_present": False,
    "own_words": "They can know who I am so that I am safe.",
}


@pytest.fixture
def police(settings, request):
    settings.SAFESHARE_POLICY = request.param
    api.ie()
    return api.police()


def investigated_victim(police) -> tuple[dict, dict]:
    case = api.new_case(police)
    party = api.add_party(police, case)
    api.event(police, case, "investigation_opened")
    return case, party


def give_consent(police, case: dict, party: dict, **changes) -> dict:
    path = f"/cases/{case['id']}/parties/{party['id']}/consents"
    return api.ok(police.post(path, {**CONSENT, **changes}), 201)


def protection_reference(police, case: dict) -> str:
    parties = api.ok(police.get(f"/cases/{case['id']}"))["parties"]
    return parties[0]["protection"]["reference"]


@pytest.mark.parametrize("police", POLICIES, indirect=True)
def test_an_investigated_victim_after_a_refused_application(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    case, party = investigated_victim(police)
    if policy.referrals.consent_required:
        give_consent(police, case, party)
    referred = api.refer(police, case, party)
    assert referred.status_code == (201 if policy.referrals_possible else 403)
    reference = protection_reference(police, case)
    for status in ("application_pending", "decided_refuse"):
        path = f"/protections/{reference}/regularisation"
        api.ok(police.post(path, {"status": status}))
    status = api.ok(police.get(f"/protections/{reference}"))["status"]
    if policy.protection.conditions_mode == ConditionsMode.OR:
        # The promise: the ongoing investigation alone keeps the victim protected.
        assert status == "active"
    else:
        # mvp-2021, the statement's wording (AND): protection no longer active.
        assert status != "active"


@pytest.mark.parametrize("police", POLICIES, indirect=True)
def test_with_no_consent_recorded(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    case, party = investigated_victim(police)
    response = api.refer(police, case, party)
    if policy.referrals.consent_required or not policy.referrals_possible:
        assert response.status_code == 403, response.content
        assert response.json()["error"]["code"] == "referral_refused"
        assert not Referral.objects.exists()
        refused = RefusedReferral.objects.get()
        if policy.referrals.consent_required:
            assert refused.rule_codes == ["no_consent"]
        assert LedgerEntry.objects.filter(kind=EntryKind.REFERRAL_REFUSED.value).count() == 1
    else:
        assert response.status_code == 201, response.content


@pytest.mark.parametrize("police", POLICIES, indirect=True)
def test_a_withdrawn_consent(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    case, party = investigated_victim(police)
    consent = give_consent(police, case, party)
    assert consent["state"] == "given"
    first = api.refer(police, case, party)
    if not policy.referrals_possible:
        assert first.status_code == 403
    else:
        payload = api.ok(first, 201)["payload"]
        if policy.referrals.consent_required:
            # Only what the person agreed to share travelled.
            assert "nationality" not in payload
            assert payload["given_names"] == "Fatema"
    withdrawn = api.ok(
        police.post(f"/consents/{consent['id']}/withdrawal", {"words": "I have changed my mind."})
    )
    assert withdrawn["state"] == "withdrawn"
    if policy.referrals_possible:
        # IE is told to stop processing what it was sent.
        assert withdrawn["stop_processing_sent_to"] == ["IE-NCCU"]
        assert StopProcessing.objects.count() == 1
        notice = StaffNotice.objects.get(kind="stop_processing")
        assert notice.organisation.code == "IE-NCCU"
    else:
        assert withdrawn["stop_processing_sent_to"] == []
    again = api.refer(police, case, party)
    if policy.referrals.consent_required or not policy.referrals_possible:
        assert again.status_code == 403
        assert Referral.objects.count() == (1 if policy.referrals_possible else 0)
    else:
        # These policies do not rest sharing on consent.
        assert again.status_code == 201
    # A second withdrawal is refused, and says why.
    twice = police.post(f"/consents/{consent['id']}/withdrawal", {})
    assert twice.status_code == 422
    assert "already been withdrawn" in twice.json()["error"]["message"]


@pytest.mark.parametrize("police", ["consent-2025"], indirect=True)
def test_a_consent_given_with_the_suspect_present_or_doubted_blocks_sharing(police):
    case, party = investigated_victim(police)
    unfree = give_consent(police, case, party, suspect_present=True)
    assert unfree["state"] == "not_freely_given"
    assert api.refer(police, case, party).status_code == 403
    fresh = give_consent(police, case, party)
    assert api.refer(police, case, party).status_code == 201
    doubted = api.ok(
        police.post(
            f"/consents/{fresh['id']}/not-freely-given",
            {"reason": "Her employer drove her to the station and waited outside."},
        )
    )
    assert doubted["state"] == "not_freely_given"
    assert api.refer(police, case, party).status_code == 403
    assert [r.rule_codes for r in RefusedReferral.objects.order_by("id")] == [
        ["consent_not_free"],
        ["consent_not_free"],
    ]


@pytest.mark.parametrize("police", ["consent-2025"], indirect=True)
def test_a_consent_record_says_precisely_what_is_wrong(police):
    case, party = investigated_victim(police)
    path = f"/cases/{case['id']}/parties/{party['id']}/consents"
    response = police.post(path, {**CONSENT, "fields": [], "asked_at": "2099-01-01T00:00:00Z"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"fields", "asked_at"}
    unknown = police.post(path, {**CONSENT, "fields": ["crime_narrative"]})
    assert unknown.status_code == 422
    other = api.police("GMP")
    assert other.post(path, CONSENT).status_code == 404


@pytest.mark.parametrize("police", POLICIES[:1], indirect=True)
def test_a_consent_through_the_api_names_the_policy_it_was_given_under(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    case, party = investigated_victim(police)
    consent = give_consent(police, case, party)
    assert (consent["policy_id"], consent["policy_version"]) == (policy.id, policy.version)
