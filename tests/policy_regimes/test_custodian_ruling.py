"""The protocol custodian's ruling on a subject, under every shipped policy (ADR 0036).

Under ``firewall`` an override waits for the custodian to rule whether the subject is the
protected person, for a block and a hold alike, so that waiting tells IE nothing; the senior
approver is told so on the page and in the API answer, and cannot approve until then. Under
every policy, a hold ruled "not the same person" becomes a clear: the answer, the ledger and
the IE worklist follow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.actions import CUSTODIAN_YET_TO_RULE, do_resolve_review
from safeshare.protocol.models import Clearance, Override, Protection, Review
from safeshare.protocol.policy import IEDetail, available_policies, load_policy
from safeshare.referrals.actions import IDENTITY_FIELDS, do_record_consent
from tests.api_client import ApiClient
from tests.pages.check_answers import answer_and_confirm
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

ACTION = "immigration_arrest_or_detention"
PROTECTED = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
}
POSSIBLE = {**PROTECTED, "date_of_birth": "1991-07-02"}
OVERRIDE = {
    "exception_category": "suspect_in_public_protection_offence",
    "reasons": "A serious public-protection risk, set out in an intelligence report of today.",
    "suspected_offence": {
        "code": "s18_gbh",
        "description": "Wounding with intent",
        "linked_to_public_protection": True,
        "convicted": False,
    },
}
APPROVAL = {
    "approve": True,
    "reasons": "The intelligence report shows an immediate risk to the public.",
    "statutory_defence_considered": True,
}


@pytest.fixture(params=available_policies())
def policy(request, settings):
    return protected_under(request.param, settings)


def protected_under(policy_id: str, settings):
    """A victim whose case is investigated and who is protected under ``policy_id``."""
    settings.SAFESHARE_POLICY = policy_id
    policy = load_policy(policy_id)
    h.ie("IE-NCCU")
    officer = h.police("WMP")
    party = h.add_victim(h.new_case(officer), officer)
    if policy.referrals.consent_required:
        do_record_consent(
            party,
            officer,
            answer="given",
            fields=IDENTITY_FIELDS,
            asked_at=timezone.now(),
            language="English",
            interpreter_used=False,
            suspect_present=False,
        )
    if policy.referrals_possible:
        h.refer(party, officer)
    h.event(party.case, officer, "investigation_opened")
    assert Protection.objects.get(person=party.person).protects
    return policy


def firewall(policy) -> bool:
    return policy.clearance.ie_detail == IEDetail.CUSTODIAN


def ask(ie: ApiClient, subject: dict) -> dict:
    body = {**subject, "action": ACTION, "information_sources": ["police"]}
    response = ie.post("/clearances", body)
    assert response.status_code == 201, response.content
    return response.json()


def rule(clearance_id: str, verdict: str) -> None:
    review = Review.objects.get(clearance__public_id=clearance_id, status=Review.Status.OPEN)
    do_resolve_review(
        review,
        h.actor(Role.PROTOCOL_OFFICER, "WMP"),
        verdict=verdict,
        reasons="Checked against the passport held on the police record.",
    )


def error_of(response) -> dict:
    return {k: v for k, v in response.json()["error"].items() if k != "request_id"}


def test_an_override_waits_for_the_custodian_only_under_a_firewall(policy):
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    approver = ApiClient(Role.IE_SENIOR_APPROVER, "IE-NCCU")
    blocked = ask(ie, PROTECTED)
    assert blocked["decision"] == "blocked"
    asked = ie.post("/overrides", {**OVERRIDE, "clearance_id": blocked["id"]})
    assert asked.status_code == 201, asked.content
    answer = asked.json()
    assert answer["custodian_ruling_awaited"] is firewall(policy)
    path = f"/overrides/{answer['id']}/approve"
    if not firewall(policy):
        assert answer["message"] == "Waiting for a senior approver's decision."
        decided = approver.post(path, APPROVAL)
        assert decided.status_code == 200, decided.content
        assert decided.json()["status"] == "approved"
        return
    assert answer["message"] == CUSTODIAN_YET_TO_RULE
    refused = approver.post(path, APPROVAL)
    assert refused.status_code == 409
    assert CUSTODIAN_YET_TO_RULE in str(error_of(refused))
    assert Override.objects.get(public_id=answer["id"]).status == Override.Status.PENDING
    # The custodian confirms the subject is the protected person: now it can be approved.
    rule(blocked["id"], "same_person")
    assert ie.get(f"/clearances/{blocked['id']}").json()["decision"] == "blocked"
    decided = approver.post(path, APPROVAL)
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "approved"
    assert decided.json()["custodian_ruling_awaited"] is False


def test_under_a_firewall_the_wait_is_the_same_for_a_block_and_a_hold(settings, client):
    # Only a firewall tells IE a hold as a block; elsewhere a hold cannot be overridden.
    assert firewall(protected_under("firewall", settings))
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    approver = ApiClient(Role.IE_SENIOR_APPROVER, "IE-NCCU")
    exact, possible = ask(ie, PROTECTED), ask(ie, POSSIBLE)
    stored = {str(c.public_id): c.decision for c in Clearance.objects.all()}
    assert (stored[exact["id"]], stored[possible["id"]]) == ("blocked", "hold")
    answers = [
        ie.post("/overrides", {**OVERRIDE, "clearance_id": body["id"]}).json()
        for body in (exact, possible)
    ]
    shown = [{k: v for k, v in a.items() if k not in {"id", "clearance_id"}} for a in answers]
    assert shown[0] == shown[1]
    assert shown[0]["custodian_ruling_awaited"] is True
    tried = [approver.post(f"/overrides/{a['id']}/approve", APPROVAL) for a in answers]
    assert [t.status_code for t in tried] == [409, 409]
    assert error_of(tried[0]) == error_of(tried[1])

    client.force_login(approver.person)
    listing = client.get("/overrides/").content.decode()
    assert listing.count("Custodian to rule") == 2
    pages = [client.get(f"/overrides/{a['id']}/").content.decode() for a in answers]
    for page in pages:
        assert 'data-testid="custodian-yet-to-rule"' in page
        assert 'value="approve"' not in page
        for protection in Protection.objects.all():
            assert protection.reference not in page
    # Approving from the page is refused, with the reason; refusing is open now.
    page = client.post(
        f"/overrides/{answers[1]['id']}/",
        {"decision": "approve", "reasons": APPROVAL["reasons"]},
    )
    assert "You cannot approve the override until the protocol custodian has ruled" in (
        page.content.decode()
    )
    assert Override.objects.get(public_id=answers[1]["id"]).status == Override.Status.PENDING
    refused = answer_and_confirm(
        client,
        f"/overrides/{answers[1]['id']}/",
        {"decision": "refuse", "reasons": "Not proportionate while the match is unconfirmed."},
    )
    assert refused.status_code == 302
    assert Override.objects.get(public_id=answers[1]["id"]).status == Override.Status.REFUSED


def test_a_hold_ruled_not_the_same_person_becomes_a_clear(policy, client):
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    possible = ask(ie, POSSIBLE)
    clearance = Clearance.objects.get(public_id=possible["id"])
    assert clearance.decision == "hold"
    assert possible["decision"] == ("blocked" if firewall(policy) else "hold")
    client.force_login(ie.person)
    waiting = client.get("/worklists/clearances/?show=waiting").content.decode()
    assert (possible["id"] in waiting) is not firewall(policy)
    entries_before = LedgerEntry.objects.filter(kind=EntryKind.CLEARANCE_DECISION.value).count()

    rule(possible["id"], "not_same_person")

    # The answer.
    answer = ie.get(f"/clearances/{possible['id']}").json()
    assert answer["decision"] == "clear"
    assert answer["protection_reference"] is None
    # The ledger: a clearance entry with the answer as IE is now told it.
    entries = LedgerEntry.objects.filter(kind=EntryKind.CLEARANCE_DECISION.value).order_by("pk")
    assert entries.count() == entries_before + 1
    payload = entries.last().draft["payload"]
    assert payload["decision"] == "clear"
    assert set(payload) == {"clearance", "decision", "purpose"}
    # The IE worklist: no longer waiting; listed as a clear about to expire when it is.
    waiting = client.get("/worklists/clearances/?show=waiting").content.decode()
    assert possible["id"] not in waiting
    hours = policy.clearance.clear_valid_hours
    Clearance.objects.filter(public_id=possible["id"]).update(
        decided_at=timezone.now() - dt.timedelta(hours=hours - 5)
    )
    expiring = client.get("/worklists/clearances/?show=expiring").content.decode()
    assert possible["id"] in expiring
