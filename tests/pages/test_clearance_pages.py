"""Immigration Enforcement pages: ask for a clearance, the result, the list, ask to override."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Override
from tests.accounts.factories import make_user
from tests.pages.check_answers import confirm
from tests.pages.helpers import (
    error_summary,
    fake_matcher,
    panel,
    shows_short_reference_only,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db

SUBJECT = {
    "action": "immigration_arrest_or_detention",
    "given_names": "Mst Fatimma",
    "family_name": "Begom",
    "date_of_birth": "1991-03-14",
    "information_sources": ["immigration_records"],
}
REASONS = "The subject is wanted for a serious assault on a child and poses a risk to the public."


def ask(client, user, **changes):
    return signed_in(client, user).post(reverse("protocol:clearance-new"), {**SUBJECT, **changes})


def detail_url(clearance: Clearance) -> str:
    return reverse("protocol:clearance", kwargs={"clearance_id": clearance.public_id})


def override_url(clearance: Clearance) -> str:
    return reverse("protocol:override-new", kwargs={"clearance_id": clearance.public_id})


@pytest.fixture
def blocked(monkeypatch, caseworker, protection) -> Clearance:
    fake_matcher(monkeypatch, "match", [protection])
    result = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="removal_directions",
        subject={"given_names": "Fatema", "family_name": "Begum"},
        information_sources=["immigration_records"],
    )
    assert result.clearance.decision == "blocked"
    return result.clearance


# --- Ask for a clearance ---------------------------------------------------------------------


def test_clearance_form_lists_actions_identity_fields_and_sources(client, caseworker):
    html = text(signed_in(client, caseworker).get(reverse("protocol:clearance-new")))
    assert "Arrest or detention for immigration purposes" in html
    assert "Removal directions and removal dates" in html
    for label in (
        "Given names",
        "Family name",
        "Date of birth",
        "Passport number",
        "Home Office reference",
        "Immigration records",
        "The alleged perpetrator or their associates",
        "When is the action planned?",
    ):
        assert label in html


def test_clear_when_nobody_matches(client, caseworker, monkeypatch):
    fake_matcher(monkeypatch, "none")
    response = ask(client, caseworker, scheduled_for="1/1/2099")
    clearance = Clearance.objects.get()
    assert response["Location"] == detail_url(clearance)
    assert clearance.requested_by == caseworker.organisation
    assert clearance.scheduled_for == dt.date(2099, 1, 1)
    assert clearance.subject["family_name"] == "Begom"
    html = text(client.get(response["Location"]))
    assert "govuk-panel--confirmation" in html
    assert "No protection applies" in html


def test_blocked_shows_only_decision_reference_message_and_contact(
    client, caseworker, protection, monkeypatch
):
    fake_matcher(monkeypatch, "match", [protection])
    response = ask(client, caseworker)
    html = text(client.get(response["Location"]))
    assert "govuk-tag--red" in html
    assert "Blocked" in html
    assert protection.reference in html
    assert "Protected — do not act — contact West Midlands Police protocol desk" in html
    # Never case details (R18, invariant 5).
    for secret in (
        "20/1234/26",
        "Domestic abuse",
        "domestic",
        "Victim",
        "victim",
        "Fatema",
        "investigation",
        "BGD",
    ):
        assert secret not in html
    assert override_url(Clearance.objects.get()) in html


def test_hold_says_do_not_act_until_reviewed(client, caseworker, protection, monkeypatch):
    fake_matcher(monkeypatch, "possible", [protection])
    response = ask(client, caseworker)
    html = text(client.get(response["Location"]))
    assert "govuk-tag--orange" in html
    assert "On hold" in html
    assert "do not act until a protocol officer has reviewed it" in html
    assert protection.reference not in html
    assert "20/1234/26" not in html


def test_the_real_matcher_does_not_clear_a_differently_spelt_victim(
    client, caseworker, protection
):
    """With the trained model: 'Mst Fatimma Begom', same date of birth and nationality, is held
    or blocked (invariant 1)."""
    ask(client, caseworker, nationality="Bangladeshi")
    assert Clearance.objects.get().decision in {"blocked", "hold"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"action": ""}, "Select the action you want to take"),
        ({"action": "tea_and_biscuits"}, "Select an action from the list"),
        ({"information_sources": []}, "Select where the information behind this action came"),
        ({"information_sources": ["gossip"]}, "Select one of the sources listed"),
        ({"given_names": "", "family_name": ""}, "Give at least a given name or a family name"),
        ({"date_of_birth": "March 1991"}, "Date of birth must be a real date"),
        ({"sex": "x"}, "Select the person's sex from the list"),
        ({"scheduled_for": "40/1/2030"}, "The planned date must be a real date"),
        ({"scheduled_for": "1/1/2020"}, "The planned date must be today or in the future"),
    ],
)
def test_bad_clearance_input_stores_nothing(client, caseworker, monkeypatch, changes, message):
    fake_matcher(monkeypatch, "none")
    response = ask(client, caseworker, **changes)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    assert not Clearance.objects.exists()


# --- Your clearances -------------------------------------------------------------------------


def test_your_clearances_lists_only_your_organisations_newest_first(
    client, caseworker, approver, other_ie_unit, monkeypatch
):
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user

    fake_matcher(monkeypatch, "none")
    ask(client, caseworker, family_name="Older")
    ask(client, approver, family_name="Newer")  # same organisation, another person
    ask(client, make_user(Role.IE_CASEWORKER, other_ie_unit), family_name="Elsewhere")
    html = text(signed_in(client, caseworker).get(reverse("protocol:clearance-list")))
    assert "Newer" in html
    assert "Older" in html
    assert html.index("Newer") < html.index("Older")
    assert "Elsewhere" not in html
    assert "govuk-tag--green" in html


def test_another_organisations_clearance_is_not_found(client, blocked, other_ie_unit):
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user

    other = make_user(Role.IE_CASEWORKER, other_ie_unit)
    assert signed_in(client, other).get(detail_url(blocked)).status_code == 404
    assert client.get(override_url(blocked)).status_code == 404


def test_police_cannot_open_a_clearance(client, officer, blocked):
    assert signed_in(client, officer).get(detail_url(blocked)).status_code == 403


# --- Ask to override -------------------------------------------------------------------------


def test_override_form_offers_the_policys_exceptions(client, caseworker, blocked):
    html = text(signed_in(client, caseworker).get(override_url(blocked)))
    assert "Foreign national offender liable to deportation" in html
    assert "National security or serious public-protection risk" in html
    assert "Write at least 40 characters." in html


def test_ask_to_override(client, caseworker, blocked):
    url = override_url(blocked)
    check = signed_in(client, caseworker).post(
        url, {"category": "national_security_or_public_protection", "reasons": REASONS}
    )
    assert "Check your override request before you send it" in text(check)
    assert "Oversight bodies are alerted as soon as you send it" in text(check)
    assert not Override.objects.exists()  # nothing sent before the confirm button
    response = confirm(client, url, check)
    assert response["Location"].startswith(url + "?done=")
    override = Override.objects.get()
    assert override.status == "pending"
    assert override.requester_key == f"user:{caseworker.pk}"
    done_page = client.get(response["Location"])
    done = text(done_page)
    assert "Override requested" in done
    assert shows_short_reference_only(panel(done_page), override)
    assert "A second, senior person decides it" in done
    assert confirm(client, url, check)["Location"] == response["Location"]
    assert Override.objects.count() == 1
    html = text(client.get(detail_url(blocked)))
    assert "Waiting for approval" in html
    assert f'href="{override_url(blocked)}"' not in html  # no second request while one waits


def test_an_immigration_status_offence_is_refused_with_the_reason(client, caseworker, blocked):
    response = signed_in(client, caseworker).post(
        override_url(blocked),
        {
            "category": "suspect_in_public_protection_offence",
            "reasons": REASONS,
            "offence_code": "illegal_entry",
            "offence_description": "Entered the UK illegally",
            "offence_linked_to_public_protection": "on",
        },
    )
    assert response.status_code == 400  # a refused form is a 4xx
    assert "immigration-status offences such as illegal entry" in error_summary(response)
    assert not Override.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reasons": REASONS}, "Select the exception that applies"),
        ({"category": "bored", "reasons": REASONS}, "Select an exception from the list"),
        ({"category": "foreign_national_offender"}, "Explain why the block should be set aside"),
        (
            {"category": "national_security_or_public_protection", "reasons": "Risky."},
            "Explain the reasons in at least 40 characters",
        ),
        (
            {"category": "foreign_national_offender", "reasons": REASONS, "offence_code": "X1"},
            "Describe the offence",
        ),
        (
            {
                "category": "foreign_national_offender",
                "reasons": REASONS,
                "offence_description": "Robbery",
            },
            "Enter the offence code",
        ),
        (
            {
                "category": "foreign_national_offender",
                "reasons": REASONS,
                "offence_code": "ROB",
                "offence_description": "Robbery",
            },
            "This exception needs a conviction",
        ),
    ],
)
def test_bad_override_input_stores_nothing(client, caseworker, blocked, data, message):
    response = signed_in(client, caseworker).post(override_url(blocked), data)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    assert not Override.objects.exists()


def test_only_a_blocked_clearance_can_be_overridden(client, caseworker, monkeypatch):
    fake_matcher(monkeypatch, "none")
    ask(client, caseworker)
    clearance = Clearance.objects.get()
    html = text(client.get(detail_url(clearance)))
    assert override_url(clearance) not in html
    response = client.post(
        override_url(clearance),
        {"category": "national_security_or_public_protection", "reasons": REASONS},
    )
    assert "Only a blocked clearance can be overridden." in error_summary(response)
    assert not Override.objects.exists()


def test_a_subject_too_thin_to_search_is_refused_with_the_fields_it_needs(client, caseworker):
    response = ask(client, caseworker, given_names="Ali", family_name="", date_of_birth="")
    assert response.status_code == 400
    summary = error_summary(response)
    assert "not enough about the subject to search the register" in summary
    assert "a full date of birth, a passport number or a Home Office reference" in summary
    assert not Clearance.objects.exists()


def test_a_hold_for_want_of_evidence_says_what_would_settle_it(
    client, caseworker, monkeypatch, protection
):
    from safeshare.protocol.clearance import MatchCandidate, MatchDecision, MatchOutcome
    from tests.pages.helpers import FakeMatchResult

    def match_subject(subject_ref, fields):
        candidate = MatchCandidate(
            str(protection.person.identities.first().pk),
            (str(protection.pk),),
            0.0,
            MatchDecision.NONE,
            probability=0.3,
        )
        outcome = MatchOutcome(
            subject_ref, MatchDecision.POSSIBLE, (candidate,), False, "test", 0.3,
            ("date_of_birth", "passport_number"),
        )  # fmt: skip
        return outcome, FakeMatchResult(["possible; model test"])

    monkeypatch.setattr("safeshare.protocol.actions.match_subject", match_subject)
    response = ask(client, caseworker, date_of_birth="1991")
    clearance = Clearance.objects.get()
    assert clearance.decision == "hold"
    html = text(client.get(response["Location"]))
    assert "Ask again with a full date of birth or a passport number" in html


# --- Withdrawing an override request ---------------------------------------------------------


def withdraw_url(clearance: Clearance) -> str:
    return reverse("protocol:override-withdraw", kwargs={"clearance_id": clearance.public_id})


def test_ie_withdraws_its_own_pending_override_request(client, caseworker, approver, blocked):
    override = protocol_actions.do_request_override(
        blocked,
        Actor.for_user(approver),
        category="national_security_or_public_protection",
        reasons=REASONS,
    )
    signed_in(client, caseworker)
    assert withdraw_url(blocked) in text(client.get(detail_url(blocked)))
    url = withdraw_url(blocked)
    refused = client.post(url, {"reasons": "No."})
    assert "Explain why you are withdrawing the request" in error_summary(refused)
    check = client.post(url, {"reasons": "The removal was cancelled by the court."})
    assert "The block stays, so you may not take the action" in text(check)
    assert override.reference in text(check)
    override.refresh_from_db()
    assert override.status == "pending"  # nothing changes before the confirm button
    response = confirm(client, url, check)
    override.refresh_from_db()
    assert override.status == "withdrawn"
    assert override.decision_reasons == "The removal was cancelled by the court."
    assert LedgerEntry.objects.filter(kind="override_withdrawn").count() == 1
    done_page = client.get(response["Location"])
    done = text(done_page)
    assert "Override request withdrawn" in done
    assert shows_short_reference_only(panel(done_page), override)
    assert "What happens next" in done
    assert confirm(client, url, check)["Location"] == response["Location"]
    assert LedgerEntry.objects.filter(kind="override_withdrawn").count() == 1
    blocked.refresh_from_db()
    assert (blocked.ie_decision or blocked.decision) == "blocked"
    page = text(client.get(detail_url(blocked)))
    assert "Withdrawn" in page
    assert override.reference in page
    assert f'href="{override_url(blocked)}"' in page  # a new request may be made
    # Nobody can decide it any more.
    with pytest.raises(protocol_actions.ProtocolError, match="already been decided"):
        protocol_actions.do_decide_override(
            override, Actor.for_user(approver), approve=False, reasons="Too late to refuse."
        )


def test_another_unit_cannot_withdraw_an_override(client, caseworker, other_ie_unit, blocked):
    override = protocol_actions.do_request_override(
        blocked,
        Actor.for_user(caseworker),
        category="national_security_or_public_protection",
        reasons=REASONS,
    )
    other = make_user(Role.IE_CASEWORKER, other_ie_unit)
    assert signed_in(client, other).get(withdraw_url(blocked)).status_code == 404
    with pytest.raises(protocol_actions.ProtocolError, match="Only the unit that asked"):
        protocol_actions.do_withdraw_override(
            override, Actor.for_user(other), reasons="Not mine to withdraw."
        )
    override.refresh_from_db()
    assert override.status == "pending"
