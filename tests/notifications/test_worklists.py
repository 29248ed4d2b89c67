"""Staff worklists and search: scoped to the officer's force, filtered, sorted, paginated,
audited; holds escalated when past their target; IE told by a signed, retried webhook."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.advice import actions as advice_actions
from safeshare.cases import actions as case_actions
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications import ie_webhook
from safeshare.notifications.models import IeWebhookMessage, Notification, StaffNotice
from safeshare.oversight.models import Alert
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, Protection, Review
from safeshare.protocol.outcomes import escalate_overdue_holds
from tests.api_client import ie
from tests.notifications.conftest import victim_with_contact
from tests.pages.helpers import fake_matcher

pytestmark = pytest.mark.django_db

SUBJECT = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
    "action": "immigration_arrest_or_detention",
    "information_sources": ["immigration_records"],
}


def held(monkeypatch, protection) -> Review:
    fake_matcher(monkeypatch, "possible", [protection])
    response = ie().post("/clearances", SUBJECT)
    assert response.json()["decision"] == "hold"
    return Clearance.objects.get(public_id=response.json()["id"]).reviews.get()


def audited(purpose: str) -> int:
    return sum(
        1
        for entry in LedgerEntry.objects.filter(kind="personal_data_read")
        if (entry.draft.get("payload") or {}).get("purpose") == purpose
    )


# --- Holds -----------------------------------------------------------------------------------


def test_holds_by_age_against_the_target_and_only_the_forces_own(
    client, monkeypatch, protection, protocol_officer, other_force, settings
):
    settings.SAFESHARE_HOLD_TARGET_HOURS = 8
    review = held(monkeypatch, protection)
    client.force_login(protocol_officer)
    page = client.get(reverse("worklists:holds")).content.decode()
    assert "Within target" in page
    assert f"Possible match {review.reference}" in page
    assert "Overdue" not in page.split('data-testid="holds"')[1]
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - dt.timedelta(hours=9))
    overdue = client.get(reverse("worklists:holds"), {"show": "overdue"}).content.decode()
    assert "Overdue" in overdue.split('data-testid="holds"')[1]
    csv = client.get(reverse("worklists:holds"), {"format": "csv"}).content.decode()
    assert "overdue" in csv
    assert str(review.clearance.public_id) in csv
    # Another force's protocol officer sees none of it.
    from safeshare.kernel.roles import Role
    from tests.accounts.factories import make_user

    client.force_login(make_user(Role.PROTOCOL_OFFICER, other_force))
    assert b"no-holds" in client.get(reverse("worklists:holds")).content


def test_an_overdue_hold_is_escalated_once_to_the_force_and_oversight(
    monkeypatch, protection, force, settings
):
    settings.SAFESHARE_HOLD_TARGET_HOURS = 8
    review = held(monkeypatch, protection)
    assert escalate_overdue_holds(timezone.now()) == 0
    later = timezone.now() + dt.timedelta(hours=8, minutes=1)
    assert escalate_overdue_holds(later) == 1
    notice = StaffNotice.objects.get(kind="hold_overdue")
    assert (notice.organisation, notice.role) == (force, "protocol_officer")
    assert notice.link == f"/reviews/{review.reference}/"
    alert = Alert.objects.get(kind="hold_overdue")
    assert alert.details["clearance"] == str(review.clearance.public_id)
    assert escalate_overdue_holds(later + dt.timedelta(hours=1)) == 0
    assert StaffNotice.objects.filter(kind="hold_overdue").count() == 1


def test_a_decided_hold_is_not_escalated(monkeypatch, protection, protocol_officer):
    review = held(monkeypatch, protection)
    protocol_actions.do_resolve_review(
        review, Actor.for_user(protocol_officer), verdict="not_same_person",
        reasons="A different date of birth and country.",
    )  # fmt: skip
    assert escalate_overdue_holds(timezone.now() + dt.timedelta(days=3)) == 0


# --- Transitions, exemptions, cases ------------------------------------------------------------


def test_protections_in_transition_show_the_notice_and_earliest_close(
    client, case, officer, protocol_officer
):
    victim = victim_with_contact(case, officer)
    actor = Actor.for_user(officer)
    case_actions.do_record_case_event(case, actor, event="investigation_opened")
    case_actions.do_record_case_event(case, actor, event="case_concluded")
    protection = Protection.objects.get(person=victim.person)
    assert protection.status == "transition"
    client.force_login(protocol_officer)
    page = client.get(reverse("worklists:transitions")).content.decode()
    table = page.split('data-testid="transitions"')[1]
    assert protection.reference in table
    assert "Not set: no delivery recorded" in table
    assert "Not sent: no safe way to send it" in table


def test_exemptions_due_for_review(client, protection, officer, protocol_officer):
    today = timezone.localdate()
    advice_actions.do_record_exemption(
        protection.person, Actor.for_user(protocol_officer), item_kind="case_event",
        item_id="soon-1", basis="dpa2018_sch2_para2",
        risk_assessment="Giving this record now would prejudice an ongoing investigation.",
        review_on=today + dt.timedelta(days=10),
    )  # fmt: skip
    advice_actions.do_record_exemption(
        protection.person, Actor.for_user(protocol_officer), item_kind="case_event",
        item_id="later-2", basis="dpa2018_sch2_para2",
        risk_assessment="Giving this record now would prejudice an ongoing investigation.",
        review_on=today + dt.timedelta(days=90),
    )  # fmt: skip
    client.force_login(protocol_officer)
    due = client.get(reverse("worklists:exemptions")).content.decode()
    assert "soon-1" in due
    assert "later-2" not in due
    assert (
        "later-2" in client.get(reverse("worklists:exemptions"), {"show": "all"}).content.decode()
    )


def test_police_case_worklist_filters_sorts_and_downloads(client, officer, other_officer):
    actor = Actor.for_user(officer)
    first = case_actions.do_create_case(actor, crime_reference="20/0001/26",
                                        offence_category="domestic_abuse")  # fmt: skip
    case_actions.do_create_case(actor, crime_reference="20/0002/26",
                                offence_category="modern_slavery_trafficking")  # fmt: skip
    case_actions.do_create_case(Actor.for_user(other_officer), crime_reference="30/0003/26",
                                offence_category="domestic_abuse")  # fmt: skip
    case_actions.do_record_case_event(first, actor, event="investigation_opened")
    client.force_login(officer)
    everything = client.get(reverse("worklists:cases")).content.decode()
    assert "20/0001/26" in everything
    assert "20/0002/26" in everything
    assert "30/0003/26" not in everything
    abuse = client.get(reverse("worklists:cases"), {"offence": "domestic_abuse"}).content.decode()
    assert "20/0001/26" in abuse
    assert "20/0002/26" not in abuse
    mine = client.get(reverse("worklists:cases"), {"officer": "me"}).content.decode()
    assert "20/0001/26" in mine
    assert "20/0002/26" not in mine
    stage = client.get(reverse("worklists:cases"), {"stage": "under_investigation"})
    assert "20/0001/26" in stage.content.decode()
    assert "20/0002/26" not in stage.content.decode()
    ordered = client.get(reverse("worklists:cases"), {"sort": "reference", "format": "csv"})
    lines = ordered.content.decode().splitlines()
    assert lines[1].startswith("20/0001/26")
    assert lines[2].startswith("20/0002/26")
    # Unknown filter values fall back to none, never an error.
    assert client.get(reverse("worklists:cases"), {"stage": "<x>"}).status_code == 200


def test_the_case_worklist_pages(client, officer):
    actor = Actor.for_user(officer)
    for n in range(30):
        case_actions.do_create_case(actor, crime_reference=f"20/{n:04d}/26",
                                    offence_category="domestic_abuse")  # fmt: skip
    client.force_login(officer)
    first = client.get(reverse("worklists:cases"), {"sort": "reference"}).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("worklists:cases"), {"sort": "reference", "page": 2})
    assert "20/0029/26" in second.content.decode()


# --- Search ----------------------------------------------------------------------------------


def test_search_by_reference_name_and_crime_reference_is_audited(
    client, protection, protected_victim, case, officer, other_officer
):
    client.force_login(officer)
    by_reference = client.get(reverse("worklists:search"), {"q": protection.reference.lower()})
    assert protection.reference in by_reference.content.decode()
    by_name = client.get(reverse("worklists:search"), {"q": "fatema begum", "dob": "1991"})
    assert protection.reference in by_name.content.decode()
    by_crime = client.get(reverse("worklists:search"), {"q": case.crime_reference})
    assert f"Case {case.crime_reference}" in by_crime.content.decode()
    assert audited("staff_search") == 3
    wrong_dob = client.get(reverse("worklists:search"), {"q": "fatema", "dob": "1970"})
    assert b"no-results" in wrong_dob.content
    # Another force finds nothing of it, and nothing is audited for an empty answer.
    client.force_login(other_officer)
    other = client.get(reverse("worklists:search"), {"q": protection.reference})
    assert protection.reference not in other.content.decode().split("Results")[1]
    assert audited("staff_search") == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "Enter a protection reference, a crime reference or a name"),
        ({"q": "x" * 201}, "The search must be 200 characters or fewer"),
        ({"q": "fatema", "dob": "14/03/1991"}, "Enter a date of birth like 1991-03-27"),
    ],
)
def test_bad_searches_say_what_is_wrong_and_read_nothing(client, officer, protection, params,
                                                         message):  # fmt: skip
    client.force_login(officer)
    response = client.get(reverse("worklists:search"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"govuk-error-summary" in response.content
    assert audited("staff_search") == 0


# --- IE's webhook ------------------------------------------------------------------------------


class Receiver:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/safeshare"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    made = Receiver([])
    settings.SAFESHARE_IE_WEBHOOK_URL = made.url
    settings.SAFESHARE_IE_WEBHOOK_SECRET = "ie-shared-secret"
    yield made
    made.close()


def _signature_ok(headers: dict, body: bytes) -> bool:
    expected = "sha256=" + hmac.new(b"ie-shared-secret", body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["x-safeshare-signature"], expected)


def test_a_resolved_hold_reaches_ies_webhook_signed_and_retried(
    receiver, monkeypatch, protection, protocol_officer
):
    review = held(monkeypatch, protection)
    receiver.statuses[:] = [503]
    protocol_actions.do_resolve_review(
        review, Actor.for_user(protocol_officer), verdict="not_same_person",
        reasons="A different date of birth and country.",
    )  # fmt: skip
    message = IeWebhookMessage.objects.get(kind="hold_resolved")
    now = timezone.now()
    assert ie_webhook.send_due(now) == (1, 0)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.response_status) == ("pending", 1, 503)
    assert message.next_attempt_at >= now + dt.timedelta(minutes=5)
    assert ie_webhook.send_due(now) == (0, 0)  # backing off
    assert ie_webhook.send_due(now + dt.timedelta(minutes=6)) == (1, 1)
    message.refresh_from_db()
    assert message.status == "delivered"
    headers, body = receiver.requests[-1]
    assert _signature_ok(headers, body)
    sent = json.loads(body)
    assert sent["type"] == "safeshare.clearance.hold_resolved"
    assert sent["data"]["clearance_id"] == str(review.clearance.public_id)
    assert sent["organisation_code"] == "IE-NCCU"
    for detail in ("Fatema", "Begum", "1991"):
        # Whole words only: a random identifier or timestamp can hold "1991" by chance.
        assert not re.search(rf"\b{detail}\b", body.decode())


def test_a_suspended_clear_reaches_ies_webhook(receiver, case, officer):
    response = ie().post("/clearances", SUBJECT)
    assert response.json()["decision"] == "clear"
    victim_with_contact(case, officer)
    message = IeWebhookMessage.objects.get(kind="suspended")
    assert message.body["clearance_id"] == response.json()["id"]
    assert ie_webhook.send_due(timezone.now()) == (1, 1)
    headers, body = receiver.requests[0]
    assert _signature_ok(headers, body)
    assert json.loads(body)["data"]["state"] == "suspended"


def test_without_a_webhook_nothing_is_queued(settings, case, officer):
    settings.SAFESHARE_IE_WEBHOOK_URL = ""
    ie().post("/clearances", SUBJECT)
    victim_with_contact(case, officer)
    assert not IeWebhookMessage.objects.exists()


# --- Victims told of overrides, advice and case updates -----------------------------------------

SAFE_EMAIL = {
    "channel": "email",
    "email": "fatema.safe@example.org",
    "address_shared_with_perpetrator": False,
    "language": "en",
}


def test_an_approved_override_advice_and_case_updates_are_told_to_the_victim(
    smtp_server, monkeypatch, case, officer, caseworker, approver
):
    from tests.advice_web.support import facts

    victim = victim_with_contact(case, officer, **SAFE_EMAIL, case_updates=True)
    protection = Protection.objects.get(person=victim.person)
    fake_matcher(monkeypatch, "match", [protection])
    blocked = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker), action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum"},
        information_sources=["immigration_records"],
    ).clearance  # fmt: skip
    reasons = "The subject is wanted for a serious assault on a child and poses a risk to all."
    override = protocol_actions.do_request_override(
        blocked, Actor.for_user(caseworker), category="national_security_or_public_protection",
        reasons=reasons,
    )  # fmt: skip
    protocol_actions.do_decide_override(override, Actor.for_user(approver), approve=True,
                                        reasons=reasons + " Approved.")  # fmt: skip
    advice_actions.do_issue_advice_pack(
        protection, Actor.for_user(officer), facts=facts(), language="en",
        channel="online_only", view_url="http://testserver/my-protection/",
    )  # fmt: skip
    case_actions.do_record_case_event(case, Actor.for_user(officer), event="investigation_opened")
    events = set(Notification.objects.filter(person=victim.person).values_list("event", flat=True))
    assert {"override_approved", "advice_pack_ready", "case_update"} <= events
    from safeshare.notifications import actions as notices

    notices.deliver_due()
    subjects = {message["Subject"] for _, message in smtp_server.messages}
    assert "Important: please contact us about your SafeShare record" in subjects
    assert "Your advice is ready" in subjects
    assert "There is an update for you" in subjects
    for _, message in smtp_server.messages:
        body = message.get_content().lower()
        for detail in ("override", "arrest", "immigration enforcement", "assault"):
            assert detail not in body


def test_case_updates_only_for_a_victim_who_opted_in(case, officer):
    victim = victim_with_contact(case, officer, **SAFE_EMAIL)
    case_actions.do_record_case_event(case, Actor.for_user(officer), event="investigation_opened")
    assert not Notification.objects.filter(person=victim.person, event="case_update").exists()
