"""Protocol officers decide possible matches; a second, senior person decides overrides."""

from __future__ import annotations

import pytest
from django.urls import reverse

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Override, Protection, Review
from safeshare.referrals.actions import do_make_referral
from tests.accounts.factories import make_user
from tests.cases.factories import CaseFactory, PartyFactory
from tests.pages.check_answers import answer_and_confirm, confirm
from tests.pages.helpers import (
    BASIS,
    VICTIM,
    error_summary,
    fake_matcher,
    panel,
    shows_short_reference_only,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db

REASONS = "The subject is wanted for a serious assault on a child and poses a risk to the public."
SUBJECT = {"given_names": "Mst Fatimma", "family_name": "Begom", "date_of_birth": "1991-03-14"}


def clearance_for(user, decision: str = "blocked") -> Clearance:
    result = protocol_actions.do_request_clearance(
        Actor.for_user(user),
        action_code="immigration_arrest_or_detention",
        subject=SUBJECT,
        information_sources=["immigration_records"],
    )
    assert result.clearance.decision == decision
    return result.clearance


@pytest.fixture
def held(monkeypatch, caseworker, protection) -> Review:
    fake_matcher(monkeypatch, "possible", [protection])
    return clearance_for(caseworker, "hold").reviews.get()


@pytest.fixture
def pending(monkeypatch, caseworker, protection) -> Override:
    fake_matcher(monkeypatch, "match", [protection])
    return protocol_actions.do_request_override(
        clearance_for(caseworker),
        Actor.for_user(caseworker),
        category="national_security_or_public_protection",
        reasons=REASONS,
    )


def review_url(review: Review) -> str:
    return reverse("protocol:review", kwargs={"reference": review.reference})


def override_url(override: Override) -> str:
    return reverse("protocol:override", kwargs={"override_id": override.public_id})


# --- Possible matches ------------------------------------------------------------------------


def test_review_queue_lists_open_reviews_for_the_officers_force(client, protocol_officer, held):
    html = text(signed_in(client, protocol_officer).get(reverse("protocol:review-list")))
    assert "Arrest or detention for immigration purposes" in html
    assert "Immigration Enforcement NCCU" in html
    assert review_url(held) in html
    assert 'data-module="moj-sortable-table"' in html


def test_another_forces_protocol_officer_sees_no_review(client, other_force, held):
    other = make_user(Role.PROTOCOL_OFFICER, other_force)
    html = text(signed_in(client, other).get(reverse("protocol:review-list")))
    assert "There are no possible matches waiting for a decision" in html
    assert client.get(review_url(held)).status_code == 404


def test_review_page_compares_identities_and_records_the_read(client, protocol_officer, held):
    response = signed_in(client, protocol_officer).get(review_url(held))
    html = text(response)
    assert "Is this the protected person?" in html
    assert "Immigration Enforcement's subject" in html
    assert "Mst Fatimma" in html
    assert "Fatema" in html
    assert "14 March 1991" in html
    assert held.candidates.get().reference in html
    assert "Family name sounds the same (Begom ~ Begum)" in html
    assert "The same person" in html
    assert "Not the same person" in html
    entry = LedgerEntry.objects.filter(kind="personal_data_read").latest("id")
    assert entry.draft["payload"]["purpose"] == "review_page"


def test_review_page_says_in_words_which_details_agree_and_why_it_was_held(
    client, protocol_officer, held
):
    html = text(signed_in(client, protocol_officer).get(review_url(held)))
    # Family name Begom ~ Begum: similar; the full date of birth: the same.
    assert "Why this is a possible match:" in html
    assert "The date of birth is the same and the family name is similar" in html
    for word in ("Same", "Similar"):
        assert f"data-agreement>{word}</strong>" in html
    assert "The matcher&#x27;s working" in html or "The matcher's working" in html


def test_review_page_shows_only_the_officers_own_forces_people(
    monkeypatch, client, protocol_officer, protection, other_force, other_officer, caseworker
):
    other_case = CaseFactory.create(
        actor=Actor.for_user(other_officer), crime_reference="06/9999/26"
    )
    other_victim = PartyFactory.create(
        case=other_case,
        actor=Actor.for_user(other_officer),
        **{**VICTIM, "given_names": "Zarina", "family_name": "Begum"},
    )
    do_make_referral(
        other_victim,
        Actor.for_user(other_officer),
        triggers=["safeguarding"],
        channel="web",
        source_of_information="police",
        basis=BASIS,
    )
    theirs = Protection.objects.get(person=other_victim.person)
    fake_matcher(monkeypatch, "possible", [protection, theirs])
    review = clearance_for(caseworker, "hold").reviews.get()
    html = text(signed_in(client, protocol_officer).get(review_url(review)))
    assert protection.reference in html
    assert theirs.reference not in html
    assert "Zarina" not in html
    assert "One other possible match is a person protected by another force" in html


def test_the_same_person_keeps_the_action_blocked(client, protocol_officer, held):
    url = review_url(held)
    check = signed_in(client, protocol_officer).post(
        url, {"verdict": "same_person", "reasons": "Same date of birth and name."}
    )
    assert "Check your decision" in text(check)
    assert "The clearance becomes" in text(check)
    assert "Blocked" in text(check)
    assert "may not go ahead with the arrest or detention" in text(check)
    held.refresh_from_db()
    assert held.status == "open"  # nothing decided before the confirm button
    response = confirm(client, url, check)
    assert response["Location"].startswith(url + "?done=")
    held.refresh_from_db()
    held.clearance.refresh_from_db()
    assert held.status == "resolved"
    assert held.clearance.decision == "blocked"
    html = text(client.get(response["Location"]))
    assert "Decision saved" in html
    assert "The clearance is now <strong>blocked</strong>" in html
    assert "What happens next" in html
    entries = LedgerEntry.objects.filter(kind="review_resolved").count()
    assert confirm(client, url, check)["Location"] == response["Location"]
    assert LedgerEntry.objects.filter(kind="review_resolved").count() == entries == 1


def test_not_the_same_person_decides_the_clearance_again(client, protocol_officer, held):
    signed_in(client, protocol_officer)
    check = client.post(
        review_url(held),
        {"verdict": "not_same_person", "reasons": "Different place of birth and parents."},
    )
    assert "may go ahead with the arrest or detention" in text(check)
    held.clearance.refresh_from_db()
    assert held.clearance.decision == "hold"
    confirm(client, review_url(held), check)
    held.clearance.refresh_from_db()
    assert held.clearance.decision == "clear"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reasons": "Same date of birth."}, "Select whether the subject is the protected person"),
        ({"verdict": "perhaps", "reasons": "Same date of birth."}, "Select whether the subject"),
        ({"verdict": "same_person"}, "Explain your decision"),
        ({"verdict": "same_person", "reasons": "Same."}, "at least 10 characters"),
    ],
)
def test_bad_review_decision_stores_nothing(client, protocol_officer, held, data, message):
    response = signed_in(client, protocol_officer).post(review_url(held), data)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    held.refresh_from_db()
    assert held.status == "open"
    assert Clearance.objects.get().decision == "hold"


def test_a_decided_review_cannot_be_decided_again(client, protocol_officer, held):
    signed_in(client, protocol_officer)
    answer_and_confirm(
        client, review_url(held), {"verdict": "same_person", "reasons": "Same date of birth."}
    )
    html = text(client.get(review_url(held)))
    assert "Save decision" not in html
    assert 'name="verdict"' not in html
    response = client.post(
        review_url(held), {"verdict": "not_same_person", "reasons": "Changed my mind entirely."}
    )
    assert "This review has already been decided." in error_summary(response)
    assert Clearance.objects.get().decision == "blocked"


# --- Overrides -------------------------------------------------------------------------------


def test_protocol_officer_and_senior_approver_see_the_pending_override(
    client, protocol_officer, approver, pending
):
    for user in (protocol_officer, approver):
        html = text(signed_in(client, user).get(reverse("protocol:override-list")))
        assert "National security or serious public-protection risk" in html
        assert override_url(pending) in html
        assert pending.reference in html


def test_others_do_not_see_the_override(client, other_force, other_ie_unit, pending):
    for user in (
        make_user(Role.PROTOCOL_OFFICER, other_force),
        make_user(Role.IE_SENIOR_APPROVER, other_ie_unit),
    ):
        html = text(signed_in(client, user).get(reverse("protocol:override-list")))
        assert "There are no overrides waiting for approval" in html
        assert client.get(override_url(pending)).status_code == 404


def test_ie_caseworker_cannot_decide_overrides(client, caseworker, pending):
    assert signed_in(client, caseworker).get(override_url(pending)).status_code == 403


def test_approve_an_override(client, approver, pending):
    response = signed_in(client, approver).get(override_url(pending))
    html = text(response)
    assert REASONS in html
    assert pending.clearance.protections.get().reference in html
    assert pending.reference in html
    url = override_url(pending)
    check = client.post(url, {"decision": "approve", "reasons": REASONS + " Approved."})
    assert "Check your decision" in text(check)
    assert "The block is set aside" in text(check)
    assert pending.reference in text(check)
    assert "Oversight bodies are alerted" in text(check)
    pending.refresh_from_db()
    assert pending.status == "pending"  # nothing decided before the confirm button
    response = confirm(client, url, check)
    assert response["Location"].startswith(url + "?done=")
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert Clearance.objects.get().decision == "clear"
    done_page = client.get(response["Location"])
    done = text(done_page)
    assert "Override approved" in done
    assert shows_short_reference_only(panel(done_page), pending)
    assert "What happens next" in done
    assert confirm(client, url, check)["Location"] == response["Location"]
    assert LedgerEntry.objects.filter(kind="override_approved").count() == 1


def test_refuse_an_override(client, protocol_officer, pending):
    signed_in(client, protocol_officer)
    check = client.post(
        override_url(pending), {"decision": "refuse", "reasons": "No evidence of any risk."}
    )
    assert "The block stays" in text(check)
    done_page = client.get(confirm(client, override_url(pending), check)["Location"])
    assert "Override refused" in panel(done_page)
    pending.refresh_from_db()
    assert pending.status == "refused"
    assert shows_short_reference_only(panel(done_page), pending)
    assert Clearance.objects.get().decision == "blocked"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reasons": REASONS}, "Select whether you approve the override"),
        ({"decision": "shrug", "reasons": REASONS}, "Select whether you approve the override"),
        ({"decision": "approve"}, "Explain your decision"),
        ({"decision": "approve", "reasons": "Fine."}, "at least 40 characters"),
    ],
)
def test_bad_override_decision_stores_nothing(client, approver, pending, data, message):
    response = signed_in(client, approver).post(override_url(pending), data)
    assert response.status_code == 400  # a refused form is a 4xx
    assert message in error_summary(response)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_requester_can_never_approve_their_own(client, approver, protection, monkeypatch):
    fake_matcher(monkeypatch, "match", [protection])
    own = protocol_actions.do_request_override(
        clearance_for(approver),
        Actor.for_user(approver),
        category="national_security_or_public_protection",
        reasons=REASONS,
    )
    html = text(signed_in(client, approver).get(override_url(own)))
    assert "You asked for this override, so someone else must decide it" in html
    assert 'name="decision"' not in html  # no decision form that they may not use
    response = client.post(override_url(own), {"decision": "approve", "reasons": REASONS})
    assert "You asked for this override, so someone else must decide it." in error_summary(
        response
    )
    own.refresh_from_db()
    assert own.status == "pending"


def test_statutory_defence_must_be_confirmed_when_flagged(
    client, caseworker, protocol_officer, protection, monkeypatch
):
    fake_matcher(monkeypatch, "match", [protection])
    flagged = protocol_actions.do_request_override(
        clearance_for(caseworker),
        Actor.for_user(caseworker),
        category="national_security_or_public_protection",
        reasons=REASONS,
        modern_slavery_indicators=True,
    )
    html = text(signed_in(client, protocol_officer).get(override_url(flagged)))
    assert "modern slavery statutory defence" in html
    assert "Modern Slavery Act 2015, s.45" in html
    data = {"decision": "approve", "reasons": REASONS}
    response = client.post(override_url(flagged), data)
    assert "considered the modern slavery statutory defence" in error_summary(response)
    flagged.refresh_from_db()
    assert flagged.status == "pending"
    answer_and_confirm(
        client, override_url(flagged), {**data, "statutory_defence_considered": "on"}
    )
    flagged.refresh_from_db()
    assert flagged.status == "approved"


def test_no_statutory_defence_box_when_not_flagged(client, approver, pending):
    html = text(signed_in(client, approver).get(override_url(pending)))
    assert "statutory_defence_considered" not in html
