"""Modern slavery on the case (R27): trafficking indicators and the person's answer on a referral
to the National Referral Mechanism, recorded when the person is added (API and page), checked,
read back with an audit record, and used where the policy needs them: the first responder's
next step (the duty to notify where the policy says it applies), the override reviewer's
modern slavery flag, and the advice pack's facts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from safeshare.accounts.models import Organisation
from safeshare.cases.models import Party
from safeshare.cases.modern_slavery import (
    TRAFFICKING_INDICATORS,
    ModernSlaveryStep,
    NrmConsent,
    modern_slavery_next_step_for,
    modern_slavery_problems,
)
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.models import Override
from safeshare.protocol.policy import available_policies, load_policy
from tests import api_client as api

TODAY = dt.date(2026, 12, 7)
SIGNS = ["documents_held_by_others", "debt_bondage"]


# --- The pure core ---------------------------------------------------------------------------


@given(st.text(min_size=1, max_size=30).filter(lambda s: s not in TRAFFICKING_INDICATORS))
def test_an_unknown_indicator_is_refused_by_name(code):
    problems = modern_slavery_problems([code], "given", date_of_birth=None, today=TODAY)
    assert f"'{code}' is not a trafficking indicator" in problems["trafficking_indicators"]


@given(
    st.lists(st.sampled_from(sorted(TRAFFICKING_INDICATORS)), min_size=1, unique=True),
    st.sampled_from([c.value for c in NrmConsent]),
    st.booleans(),
)
def test_indicators_with_any_answer_stand_and_always_lead_somewhere(signs, consent, child):
    assume(child or consent != NrmConsent.CHILD)  # an adult is asked; refused elsewhere
    born = "2012-01-01" if child else "1990-01-01"
    assert modern_slavery_problems(signs, consent, date_of_birth=born, today=TODAY) == {}
    step, text = modern_slavery_next_step_for(
        consent, child=child, duty_to_notify=True, duty_to_notify_law="s.52"
    )
    assert text
    if child:
        # A child is referred: no consent is needed.
        assert step == ModernSlaveryStep.NRM_REFERRAL
    if not child and consent == NrmConsent.REFUSED:
        assert step == ModernSlaveryStep.DUTY_TO_NOTIFY


@pytest.mark.parametrize(
    ("signs", "consent", "born", "field"),
    [
        (SIGNS, "", None, "nrm_consent"),  # signs, but no answer recorded
        ([], "given", None, "nrm_consent"),  # an answer with no signs behind it
        (SIGNS, "child", "1990-05-01", "nrm_consent"),  # a child by a date of birth of 1990
        (SIGNS, "perhaps", None, "nrm_consent"),
        ([*SIGNS, SIGNS[0]], "given", None, "trafficking_indicators"),
    ],
)
def test_what_cannot_stand(signs, consent, born, field):
    problems = modern_slavery_problems(signs, consent, date_of_birth=born, today=TODAY)
    assert set(problems) == {field}


def test_an_adult_who_refuses_where_no_duty_to_notify_applies():
    step, text = modern_slavery_next_step_for(
        "refused", child=False, duty_to_notify=False, duty_to_notify_law=""
    )
    assert step == ModernSlaveryStep.SUPPORT_WITHOUT_REFERRAL
    assert "no duty to notify" in text


# --- Through the API, under every shipped policy ----------------------------------------------


@pytest.fixture
def police(settings, request):
    settings.SAFESHARE_POLICY = request.param
    api.ie()
    return api.police()


@pytest.mark.django_db
@pytest.mark.parametrize("police", available_policies(), indirect=True)
def test_recorded_when_the_person_is_added_and_read_back_with_an_audit(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    case = api.new_case(police)
    party = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="refused")
    assert party["trafficking_indicators"] == SIGNS
    assert party["nrm_consent"] == "refused"
    # West Midlands is in England and Wales: the policy's duty to notify applies, or not.
    duty = policy.jurisdiction("england_wales")
    expected = "duty_to_notify" if duty.duty_to_notify else "support_without_referral"
    assert party["modern_slavery_prompt"]["step"] == expected
    if duty.duty_to_notify:
        assert duty.duty_to_notify_law in party["modern_slavery_prompt"]["message"]

    reads = LedgerEntry.objects.filter(kind="personal_data_read").count()
    shown = api.ok(police.get(f"/cases/{case['id']}"))["parties"][0]
    assert shown == party
    assert LedgerEntry.objects.filter(kind="personal_data_read").count() == reads + 1


@pytest.mark.django_db
@pytest.mark.parametrize("police", ["mvp-2021-promise"], indirect=True)
def test_bad_input_says_what_is_wrong_and_stores_nothing(police):
    case = api.new_case(police)
    cases = [
        ({"trafficking_indicators": ["chained_up"], "nrm_consent": "given"}, "trafficking"),
        ({"trafficking_indicators": SIGNS}, "nrm_consent"),
        ({"nrm_consent": "given"}, "nrm_consent"),
        ({"trafficking_indicators": SIGNS, "nrm_consent": "child"}, "nrm_consent"),
        ({"trafficking_indicators": SIGNS, "nrm_consent": "maybe"}, "nrm_consent"),
    ]
    for extra, field in cases:
        body = {**api.FATEMA, "role": "victim", **extra}
        response = police.post(f"/cases/{case['id']}/parties", body)
        assert response.status_code in {400, 422}, (extra, response.content)
        assert field in response.content.decode(), (extra, response.content)
    assert not Party.objects.exists()


@pytest.mark.django_db
def test_a_child_needs_no_consent_and_scotland_has_no_duty_to_notify(settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    api.ie()
    police = api.police("PSOS")
    Organisation.objects.filter(code="PSOS").update(jurisdiction="scotland")
    case = api.new_case(police)
    child = api.add_party(
        police,
        case,
        given_names="Mira",
        date_of_birth=f"{timezone.localdate().year - 12}-02-01",
        trafficking_indicators=["forced_criminality"],
        nrm_consent="child",
    )
    assert child["modern_slavery_prompt"]["step"] == "nrm_referral"
    adult = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="refused")
    assert adult["modern_slavery_prompt"]["step"] == "support_without_referral"
    nobody = api.add_party(police, case, given_names="Ana", role="witness")
    assert nobody["modern_slavery_prompt"] is None
    assert nobody["trafficking_indicators"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("police", available_policies(), indirect=True)
def test_the_override_reviewer_is_shown_the_signs_recorded_on_the_case(police, settings):
    policy = load_policy(settings.SAFESHARE_POLICY)
    ie = api.ie()
    case = api.new_case(police)
    party = api.add_party(police, case, trafficking_indicators=SIGNS, nrm_consent="not_asked")
    assert party["modern_slavery_prompt"]["step"] == "ask_for_consent"
    api.event(police, case, "investigation_opened")
    if policy.referrals.consent_required:
        path = f"/cases/{case['id']}/parties/{party['id']}/consents"
        api.ok(
            police.post(
                path,
                {
                    "answer": "given",
                    "fields": ["given_names", "family_name", "date_of_birth"],
                    "asked_at": "2026-12-01T10:30:00Z",
                    "language": "Bengali",
                    "interpreter_used": True,
                    "suspect_present": False,
                },
            ),
            201,
        )
    if policy.referrals_possible:
        api.ok(api.refer(police, case, party), 201)
    blocked = api.ok(api.clearance(ie), 201)
    assert blocked["decision"] == "blocked"
    # The requester does not tick the box (IE cannot see the case): the case sets the flag.
    asked = ie.post(
        "/overrides",
        {
            "clearance_id": blocked["id"],
            "exception_category": "national_security_or_public_protection",
            "reasons": "A serious public-protection risk, set out in an intelligence report.",
        },
    )
    assert asked.status_code == 201, asked.content
    assert Override.objects.get(public_id=asked.json()["id"]).statutory_defence_flag


@pytest.mark.django_db
def test_the_page_records_them_and_the_case_page_prompts(settings, client):
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user, organisation_for

    # The firewall protects on registration, so the advice pack can be started at once.
    settings.SAFESHARE_POLICY = "firewall"
    officer = make_user(Role.POLICE_OFFICER, organisation_for(Role.POLICE_OFFICER, "WMP"))
    client.force_login(officer)
    police = api.police()
    case = api.new_case(police)
    url = f"/cases/{case['id']}/people/new/"
    person = {
        "given_names": "Fatema",
        "family_name": "Begum",
        "role": "victim",
        "migrant": "on",
        "trafficking_indicators": SIGNS,
    }
    refused = client.post(url, person)
    assert refused.status_code in {200, 400}
    assert "National Referral Mechanism" in refused.content.decode()
    assert not Party.objects.exists()
    added = client.post(url, {**person, "nrm_consent": "given"})
    assert added.status_code == 302, added.content[:2000]
    page = client.get(f"/cases/{case['id']}/").content.decode()
    assert TRAFFICKING_INDICATORS["debt_bondage"] in page
    assert "Refer the adult to the National Referral Mechanism" in page
    # The advice pack's facts start from the case.
    from safeshare.advice.views import _initial_facts
    from safeshare.protocol.models import Protection

    party = Party.objects.get()
    facts = _initial_facts(Protection.objects.get(person=party.person))
    assert facts["trafficking_indicators"] == "yes"
    assert facts["consents_to_nrm_referral"] == "yes"
