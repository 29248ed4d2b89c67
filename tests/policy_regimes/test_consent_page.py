"""The police page for consent: record the person's answer, see every answer, record a
withdrawal (IE is told to stop) or a doubt; errors say precisely what is wrong."""

from __future__ import annotations

import pytest

from safeshare.accounts.models import ReadAudit
from safeshare.notifications.models import StaffNotice
from safeshare.referrals.models import Consent
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

ANSWER = {
    "action": "record",
    "consent-answer": "given",
    "consent-agreed_fields": ["given_names", "family_name"],
    "consent-language": "Bengali",
    "consent-interpreter_used": "yes",
    "consent-suspect_present": "no",
    "consent-own_words": "They can know my name.",
}


@pytest.fixture
def page(settings, client):
    settings.SAFESHARE_POLICY = "consent-2025"
    h.ie()
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    client.force_login(officer.user)
    url = f"/cases/{party.case.public_id}/people/{party.pk}/consent/"
    return client, url, party, officer


def test_the_answer_is_recorded_and_shown(page):
    client, url, party, officer = page
    first = client.get(url)
    assert first.status_code == 200
    assert "has not been asked yet" in first.content.decode()
    assert ReadAudit.objects.filter(purpose="consent_page").count() == 1
    done = client.post(url, ANSWER)
    assert done.status_code == 302
    consent = Consent.objects.get()
    assert consent.fields == ["given_names", "family_name"]
    assert consent.interpreter_used
    assert not consent.suspect_present
    assert consent.language == "Bengali"
    shown = client.get(url).content.decode()
    assert "Consent in force" in shown
    assert "Given names, Family name" in shown
    # With consent, a referral carries only what they agreed to.
    referral = h.refer(party, officer)
    assert "date_of_birth" not in referral.payload


def test_errors_say_precisely_what_is_wrong_and_record_nothing(page):
    client, url, _party, _officer = page
    response = client.post(url, {"action": "record", "consent-answer": "given"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter the language the person was asked in" in text
    assert "Select yes or no: was an interpreter used" in text
    assert "Select what the person agreed to share" not in text  # one error at a time per field
    no_fields = client.post(url, {**ANSWER, "consent-agreed_fields": []})
    assert no_fields.status_code == 400
    assert "Select what the person agreed to share" in no_fields.content.decode()
    assert not Consent.objects.exists()


def test_a_withdrawal_and_a_doubt_are_recorded(page):
    client, url, party, officer = page
    client.post(url, ANSWER)
    h.refer(party, officer)
    consent = Consent.objects.get()
    short = client.post(url, {"action": "doubt", "consent": consent.public_id, "words": "No"})
    assert short.status_code == 400
    assert "Explain in at least 10 characters why" in short.content.decode()
    client.post(
        url,
        {"action": "doubt", "consent": consent.public_id, "words": "Her husband drove her here."},
    )
    consent.refresh_from_db()
    assert consent.not_freely_given
    withdrawn = client.post(
        url, {"action": "withdraw", "consent": consent.public_id, "words": "I changed my mind."}
    )
    assert withdrawn.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_words == "I changed my mind."
    assert StaffNotice.objects.filter(kind="stop_processing").count() == 1
    assert "Withdrawn" in client.get(url).content.decode()


def test_another_forces_person_is_not_found(page, client):
    _client, url, _party, _officer = page
    client.force_login(h.police("GMP").user)
    assert client.get(url).status_code == 404
    assert client.post(url, ANSWER).status_code == 404
