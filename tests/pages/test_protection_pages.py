"""The protection page, its forms, closing a protection and the printable letter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.models import Protection
from tests.pages.check_answers import answer_and_confirm, confirm
from tests.pages.helpers import error_summary, signed_in, text
from tests.support.pages import without_random_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transition(protection, case, officer) -> Protection:
    actor = Actor.for_user(officer)
    case_actions.do_record_case_event(case, actor, event="investigation_opened")
    case_actions.do_record_case_event(case, actor, event="case_concluded")
    protection.refresh_from_db()
    assert protection.status == "transition"
    return protection


def url(name: str, protection: Protection) -> str:
    return reverse(name, kwargs={"reference": protection.reference})


def test_police_officer_sees_the_protection(client, officer, protection, case):
    response = signed_in(client, officer).get(url("protocol:protection", protection))
    html = text(response)
    assert response.status_code == 200
    assert protection.reference in html
    assert "govuk-tag--green" in html
    assert "Active" in html
    assert "Held open by case 20/1234/26" in html
    assert reverse("cases:detail", kwargs={"case_id": case.public_id}) in html
    assert "West Midlands Police protocol desk" in html
    assert url("protocol:protection-regularisation", protection) in html
    assert url("protocol:protection-nrm", protection) in html
    assert url("protocol:protection-close", protection) not in html


def test_protection_page_records_the_read(client, officer, protection):
    signed_in(client, officer).get(url("protocol:protection", protection))
    entry = LedgerEntry.objects.filter(kind="personal_data_read").latest("id")
    assert entry.draft["payload"]["purpose"] == "protection_page"


def test_reference_is_read_forgivingly(client, officer, protection):
    typed = protection.reference.lower().replace("-", " ")
    response = signed_in(client, officer).get(
        reverse("protocol:protection", kwargs={"reference": typed})
    )
    assert response.status_code == 200


@pytest.mark.parametrize("reference", ["PR-NOPE", "PR-0000-0000-0000-0"])
def test_unknown_or_malformed_reference_is_not_found(client, officer, protection, reference):
    response = signed_in(client, officer).get(
        reverse("protocol:protection", kwargs={"reference": reference})
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["protocol:protection", "protocol:protection-letter", "protocol:protection-nrm"]
)
def test_another_forces_protection_is_not_found(client, other_officer, protection, name):
    assert signed_in(client, other_officer).get(url(name, protection)).status_code == 404


def test_ie_cannot_open_the_protection_page(client, caseworker, protection):
    assert (
        signed_in(client, caseworker).get(url("protocol:protection", protection)).status_code
        == 403
    )


def test_protocol_officer_cannot_close_an_active_protection(client, protocol_officer, protection):
    html = text(signed_in(client, protocol_officer).get(url("protocol:protection", protection)))
    assert "Close protection" not in html
    assert url("protocol:protection-regularisation", protection) not in html
    response = client.post(
        url("protocol:protection-close", protection),
        {"reasons": "The case is over.", "victim_notified": "on"},
    )
    assert "cannot be closed while something holds it open" in error_summary(response)
    protection.refresh_from_db()
    assert protection.status == "active"


# --- Regularisation and NRM ------------------------------------------------------------------


def test_record_regularisation_status(client, officer, protection):
    page = url("protocol:protection-regularisation", protection)
    check = signed_in(client, officer).post(page, {"status": "application_pending"})
    assert "Check the regularisation status before you record it" in text(check)
    assert "Has applied to stay and is waiting for a decision" in text(check)
    assert "No change: the protection stays active" in text(check)
    protection.refresh_from_db()
    assert protection.regularisation_status == "none"  # nothing before the confirm button
    response = confirm(client, page, check)
    assert response["Location"].startswith(page + "?done=")
    protection.refresh_from_db()
    assert protection.regularisation_status == "application_pending"
    assert protection.regularisation_certified_by.startswith("Test Police officer")
    done = text(client.get(response["Location"]))
    assert "Regularisation status recorded" in done
    assert "What happens next" in done
    assert confirm(client, page, check)["Location"] == response["Location"]
    assert len(protection.regularisation_history) == 1


def test_a_status_that_holds_protection_open_says_so_on_the_check_page(
    client, officer, protocol_officer, in_transition
):
    page = url("protocol:protection-regularisation", in_transition)
    check = signed_in(client, officer).post(page, {"status": "application_pending"})
    assert "In transition becomes active as soon as you record this" in text(check)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select where the person stands"),
        ({"status": "deported"}, "Select where the person stands from the list"),
    ],
)
def test_bad_regularisation_status_is_refused(client, officer, protection, data, message):
    response = signed_in(client, officer).post(
        url("protocol:protection-regularisation", protection), data
    )
    assert message in error_summary(response)
    protection.refresh_from_db()
    assert protection.regularisation_status == "none"
    assert protection.regularisation_certified_by == ""


def test_record_an_nrm_decision(client, officer, protection):
    page = url("protocol:protection-nrm", protection)
    signed_in(client, officer)
    response = answer_and_confirm(client, page, {"stage": "positive_reasonable_grounds"})
    assert response.status_code == 302
    protection.refresh_from_db()
    assert protection.nrm_recovery_period is True
    done = text(client.get(response["Location"]))
    assert "National Referral Mechanism decision recorded" in done


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Select the decision"), ({"stage": "maybe"}, "Select the decision from the list")],
)
def test_bad_nrm_decision_is_refused(client, officer, protection, data, message):
    response = signed_in(client, officer).post(url("protocol:protection-nrm", protection), data)
    assert message in error_summary(response)
    protection.refresh_from_db()
    assert protection.nrm_recovery_period is False


# --- Transition and close --------------------------------------------------------------------


def test_a_concluded_case_leaves_the_protection_in_transition(client, officer, in_transition):
    html = text(signed_in(client, officer).get(url("protocol:protection", in_transition)))
    assert "In transition" in html
    assert "Ended" not in html
    assert "govuk-tag--orange" in html
    assert "until a person decides to close it" in html


def test_protocol_officer_is_offered_close_only_in_transition(
    client, protocol_officer, in_transition
):
    html = text(signed_in(client, protocol_officer).get(url("protocol:protection", in_transition)))
    assert url("protocol:protection-close", in_transition) in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"victim_notified": "on"}, "Explain why you are closing the protection"),
        ({"reasons": "Case concluded."}, "must be sent the end-of-protection notice"),
        ({"reasons": "Case concluded.", "victim_notified": "on"}, "at the earliest 90 days"),
    ],
)
def test_close_is_refused_with_the_reason(client, protocol_officer, in_transition, data, message):
    Protection.objects.filter(pk=in_transition.pk).update(
        transition_notice_at=timezone.now() - dt.timedelta(days=10)
    )
    response = signed_in(client, protocol_officer).post(
        url("protocol:protection-close", in_transition), data
    )
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    in_transition.refresh_from_db()
    assert in_transition.status == "transition"
    assert in_transition.closed_at is None


def test_close_a_protection_after_the_notice_period(client, protocol_officer, in_transition):
    Protection.objects.filter(pk=in_transition.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=100),
        transition_notice_at=timezone.now() - dt.timedelta(days=95),
    )
    close = url("protocol:protection-close", in_transition)
    check = signed_in(client, protocol_officer).post(
        close,
        {
            "reasons": "The case concluded and the person has settled status.",
            "victim_notified": "on",
        },
    )
    assert "Check before you close the protection" in text(check)
    assert "no longer stops Immigration Enforcement" in text(check)
    in_transition.refresh_from_db()
    assert in_transition.status == "transition"  # nothing changes before the confirm button
    response = confirm(client, close, check)
    assert response["Location"].startswith(close + "?done=")
    in_transition.refresh_from_db()
    assert in_transition.status == "ended"
    assert LedgerEntry.objects.filter(kind="protection_closed").count() == 1
    html = text(client.get(response["Location"]))
    assert "Protection closed" in html
    assert in_transition.reference in html
    assert "What happens next" in html
    assert confirm(client, close, check)["Location"] == response["Location"]
    assert LedgerEntry.objects.filter(kind="protection_closed").count() == 1
    assert "Ended" in text(client.get(url("protocol:protection", in_transition)))


def test_close_is_refused_until_the_notice_is_delivered(client, protocol_officer, in_transition):
    """R12b: 100 days in transition count for nothing while no notice delivery is recorded."""
    Protection.objects.filter(pk=in_transition.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=100)
    )
    response = signed_in(client, protocol_officer).post(
        url("protocol:protection-close", in_transition),
        {"reasons": "Case concluded.", "victim_notified": "on"},
    )
    assert "No delivery of the end-of-protection notice is recorded" in error_summary(response)
    in_transition.refresh_from_db()
    assert in_transition.status == "transition"


def test_police_officer_cannot_close_a_protection(client, officer, in_transition):
    response = signed_in(client, officer).post(
        url("protocol:protection-close", in_transition),
        {"reasons": "x" * 20, "victim_notified": "on"},
    )
    assert response.status_code == 403
    in_transition.refresh_from_db()
    assert in_transition.status == "transition"


# --- Letter ----------------------------------------------------------------------------------


def test_protection_letter(client, officer, protection):
    response = signed_in(client, officer).get(url("protocol:protection-letter", protection))
    html = text(response)
    assert response.status_code == 200
    assert "Your protection from immigration enforcement" in html
    assert "This letter is for Fatema Begum" in html
    groups = protection.reference.split("-")
    assert "\u2002".join(groups) in html
    assert "Arrest or detention for immigration purposes" in html
    assert "West Midlands Police protocol desk" in html
    assert "999" in html
    assert "govuk-!-display-none-print" in html
    assert "PDF" not in without_random_values(html)
    entry = LedgerEntry.objects.filter(kind="personal_data_read").latest("id")
    assert entry.draft["payload"]["purpose"] == "protection_letter"


def test_protection_letter_for_a_protection_in_transition(client, protocol_officer, in_transition):
    html = text(
        signed_in(client, protocol_officer).get(url("protocol:protection-letter", in_transition))
    )
    assert "The criminal case is over, but you are still protected" in html


def test_record_that_the_notice_was_given_by_hand(client, protocol_officer, in_transition):
    page = url("protocol:protection-notice-given", in_transition)
    signed_in(client, protocol_officer)
    future = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(page, {"given_on": f"{future.day}/{future.month}/{future.year}"})
    assert "must be today or in the past" in error_summary(response)
    response = client.post(page, {"given_on": "31/2/2026"})
    assert "must be a real date" in error_summary(response)
    in_transition.refresh_from_db()
    assert in_transition.transition_notice_at is None
    today = timezone.localdate()
    check = client.post(page, {"given_on": f"{today.day}/{today.month}/{today.year}"})
    assert "The minimum period of 90 days starts from this date" in text(check)
    in_transition.refresh_from_db()
    assert in_transition.transition_notice_at is None  # nothing before the confirm button
    response = confirm(client, page, check)
    assert response["Location"].startswith(page + "?done=")
    in_transition.refresh_from_db()
    assert timezone.localtime(in_transition.transition_notice_at).date() == today
    assert "can be closed on" in text(client.get(response["Location"]))
    assert confirm(client, page, check)["Location"] == response["Location"]
    assert "can be closed from" in text(client.get(url("protocol:protection", in_transition)))
