"""Referring a person to Immigration Enforcement: form, check-your-answers, send."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.text import slugify

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.ledger.models import LedgerEntry
from safeshare.people.identity import IdentityIn
from safeshare.protocol.models import Protection
from safeshare.referrals.actions import preview_referral
from safeshare.referrals.models import DataSharingAgreement, Referral
from tests.pages.helpers import (
    AGREEMENT_NAME,
    BASIS,
    VICTIM,
    error_summary,
    set_up_agreement,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db

ANSWERS = {
    "triggers": ["safeguarding", "victim_request"],
    "channel": "web",
    "source_of_information": "police",
    "agreement": slugify(AGREEMENT_NAME),
}


@pytest.fixture(autouse=True)
def agreement(officer):
    """The officer's force has set up its data-sharing agreement."""
    set_up_agreement(officer.organisation)
    return DataSharingAgreement.objects.get(organisation=officer.organisation)


def url(name: str, party) -> str:
    return reverse(name, kwargs={"case_id": party.case.public_id, "party_id": party.pk})


def has_draft(client) -> bool:
    keys = client.session.keys()
    return any(key.startswith("safeshare-referral-draft") for key in keys)


def shared_fields(response) -> set[str]:
    return set(re.findall(r'data-field="([a-z_]+)"', response.content.decode()))


def test_the_form_offers_the_forces_agreements_by_name(client, officer, victim):
    html = text(signed_in(client, officer).get(url("referrals:start", victim)))
    assert "Refer Fatema Begum to Immigration Enforcement" in html
    assert f"{AGREEMENT_NAME} (DSA-2026-014)" in html
    # The legal basis is no longer typed in: the agreement carries it.
    assert 'name="controller"' not in html
    assert 'name="dpia_version"' not in html
    # The only agreement is chosen already.
    assert re.search(r'value="home-office-data-sharing-agreement-2026"[^>]*checked', html)
    for trigger in (
        "The person has asked for help with their immigration status",
        "There is a public-protection concern",
    ):
        assert trigger in html


def test_the_form_says_what_the_policy_does_on_referral(client, officer, victim):
    html = text(signed_in(client, officer).get(url("referrals:start", victim)))
    assert "sending this referral opens a protection for this person" in html


def test_a_force_without_an_agreement_is_told_to_ask_its_administrator(
    client, officer, victim, agreement
):
    from safeshare.accounts.administration import operator_actor
    from safeshare.referrals.agreements import do_deactivate_agreement

    do_deactivate_agreement(operator_actor(officer.organisation), agreement)
    response = signed_in(client, officer).get(url("referrals:start", victim))
    assert "Ask your force's SafeShare administrator to set one up" in text(response)
    refused = client.post(url("referrals:start", victim), ANSWERS)
    assert refused.status_code == 400
    assert "Select one of your force's data-sharing agreements" in error_summary(refused)


def test_another_forces_agreement_cannot_be_chosen(client, officer, other_officer, victim):
    other = set_up_agreement(other_officer.organisation, "Metropolitan Police agreement")
    response = signed_in(client, officer).post(
        url("referrals:start", victim), {**ANSWERS, "agreement": other}
    )
    assert response.status_code == 400
    assert "Select one of your force's data-sharing agreements" in error_summary(response)
    assert not has_draft(client)


def test_an_agreement_stopped_after_the_form_sends_the_officer_back(
    client, officer, victim, agreement
):
    from safeshare.accounts.administration import operator_actor
    from safeshare.referrals.agreements import do_deactivate_agreement

    signed_in(client, officer).post(url("referrals:start", victim), ANSWERS)
    do_deactivate_agreement(operator_actor(officer.organisation), agreement)
    response = client.post(url("referrals:check", victim))
    assert response["Location"] == url("referrals:start", victim)
    assert not Referral.objects.exists()
    page = client.get(response["Location"])
    assert "is no longer in use: choose another" in text(page)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"triggers": []}, "Select why the referral is needed"),
        ({"triggers": ["curiosity"]}, "Select why the referral is needed from the list"),
        ({"source_of_information": ""}, "Select where the information came from"),
        ({"source_of_information": "rumour"}, "Select one of the sources listed"),
        ({"channel": "pigeon"}, "Select how the referral will be sent from the list"),
        ({"agreement": ""}, "Select the data-sharing agreement the referral is sent under"),
        ({"agreement": "made-up"}, "Select one of your force's data-sharing agreements"),
    ],
)
def test_bad_answers_show_the_error_summary_and_store_nothing(
    client, officer, victim, changes, message
):
    response = signed_in(client, officer).post(
        url("referrals:start", victim), {**ANSWERS, **changes}
    )
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    assert not has_draft(client)
    assert not Referral.objects.exists()


def test_check_page_shows_exactly_the_fields_that_will_be_shared(client, officer, victim):
    response = signed_in(client, officer).post(url("referrals:start", victim), ANSWERS)
    assert response["Location"] == url("referrals:check", victim)
    page = client.get(response["Location"])
    html = text(page)
    payload, refusals, problems = preview_referral(
        victim,
        Actor.for_user(officer),
        triggers=ANSWERS["triggers"],
        channel="web",
        source="police",
        basis=BASIS,
    )
    assert refusals == []
    assert problems == []
    assert shared_fields(page) == set(payload)
    assert "Check the referral before you send it" in html
    assert "Fatema" in html
    assert "14 March 1991" in html
    assert "Send referral" in html
    assert not Referral.objects.exists()


def test_send_the_referral(client, officer, victim, ie_unit):
    signed_in(client, officer).post(url("referrals:start", victim), ANSWERS)
    response = client.post(url("referrals:check", victim))
    referral = Referral.objects.get()
    assert response["Location"] == reverse(
        "referrals:detail", kwargs={"referral_id": referral.public_id}
    )
    assert referral.trigger == "safeguarding,victim_request"
    assert referral.agreement_id == "DSA-2026-014"
    protection = Protection.objects.get(person=victim.person)
    assert referral.protection == protection
    assert LedgerEntry.objects.filter(kind="disclosure").count() == 1
    detail = client.get(response["Location"])
    html = text(detail)
    assert "Referral sent" in html
    assert protection.reference in html
    assert shared_fields(detail) == set(referral.payload)
    assert not has_draft(client)


def test_a_status_enquiry_alone_cannot_be_sent(client, officer, victim):
    signed_in(client, officer).post(
        url("referrals:start", victim), {**ANSWERS, "triggers": ["status_enquiry"]}
    )
    page = client.get(url("referrals:check", victim))
    html = text(page)
    assert "This referral cannot be sent" in html
    assert "never sent only because an officer wants to know" in html
    assert "Nothing will be sent to Immigration Enforcement" in html
    assert "Send referral" not in html
    assert shared_fields(page) == set()
    response = client.post(url("referrals:check", victim))
    assert "never sent only because" in error_summary(response)
    assert not Referral.objects.exists()


def test_check_page_without_answers_goes_back_to_the_form(client, officer, victim):
    response = signed_in(client, officer).get(url("referrals:check", victim))
    assert response["Location"] == url("referrals:start", victim)


@pytest.mark.parametrize("name", ["referrals:start", "referrals:check"])
def test_another_forces_party_is_not_found(client, other_officer, victim, name):
    assert signed_in(client, other_officer).get(url(name, victim)).status_code == 404


def test_another_forces_referral_is_not_found(client, other_officer, protected_victim):
    referral = Referral.objects.get()
    response = signed_in(client, other_officer).get(
        reverse("referrals:detail", kwargs={"referral_id": referral.public_id})
    )
    assert response.status_code == 404


def test_a_suspect_is_not_offered_a_referral(client, officer, case):
    suspect = case_actions.do_add_party(
        case,
        Actor.for_user(officer),
        role="suspect",
        identity=IdentityIn(given_names="John", family_name="Smith"),
    )
    html = (
        signed_in(client, officer)
        .get(reverse("cases:detail", kwargs={"case_id": case.public_id}))
        .content.decode()
    )
    assert url("referrals:start", suspect) not in html


class TestUnderTheFirewall:
    @pytest.fixture(autouse=True)
    def firewall(self, settings):
        settings.SAFESHARE_POLICY = "firewall"

    def test_the_check_page_says_nothing_can_be_sent_and_offers_the_safe_route(
        self, client, officer, case
    ):
        victim = case_actions.do_add_party(
            case, Actor.for_user(officer), role="victim", identity=IdentityIn(**VICTIM)
        )
        protection = Protection.objects.get(person=victim.person)  # protected on registration
        form = text(signed_in(client, officer).get(url("referrals:start", victim)))
        assert "nothing about a victim, witness or dependant can be sent" in form
        client.post(url("referrals:start", victim), ANSWERS)
        page = client.get(url("referrals:check", victim))
        html = text(page)
        assert "This referral cannot be sent" in html
        assert "Nothing will be sent to Immigration Enforcement" in html
        assert "Firewall" in html
        assert "refer them to a support organisation" in html.lower()
        assert (
            reverse("protocol:protection-letter", kwargs={"reference": protection.reference})
            in html
        )
        assert "Send referral" not in html
        assert shared_fields(page) == set()
        response = client.post(url("referrals:check", victim))
        assert response.status_code == 400  # a refused form is a 4xx
        assert "does not allow a victim to be referred" in error_summary(response)
        assert not Referral.objects.exists()
        assert not LedgerEntry.objects.filter(kind="disclosure").exists()


def test_the_form_says_when_the_policy_opens_no_protection_on_referral(
    client, settings, officer, ie_unit
):
    """The July 2023 restatement covers domestic abuse only: referring the victim of another
    crime opens no protection, and the page says so before anything is sent."""
    settings.SAFESHARE_POLICY = "mvp-2023"
    actor = Actor.for_user(officer)
    other = case_actions.do_create_case(
        actor, crime_reference="20/5555/26", offence_category="hate_crime"
    )
    party = case_actions.do_add_party(other, actor, role="victim", identity=IdentityIn(**VICTIM))
    html = text(signed_in(client, officer).get(url("referrals:start", party)))
    assert "this referral does not open a protection" in html
    assert "does not cover a victim in a case of this kind" in html
