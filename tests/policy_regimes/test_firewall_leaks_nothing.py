"""Under ``firewall`` IE learns nothing that tells a protected person from anyone else it may not
act against: the clearance answer, the clearance page, a suspension notice and a sweep's result
carry no reference, no force, no force record id and no sign of registration (ADR 0022)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from safeshare.kernel.roles import Role
from safeshare.kernel.wording import UUID, short_reference
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.models import Clearance, Protection
from safeshare.register.csvfiles import IdentityRow
from safeshare.register.sweeps import default_matcher, screen_batch
from tests.api_client import ApiClient
from tests.scenarios.helpers import add_victim, new_case, police

pytestmark = pytest.mark.django_db

ACTION = "immigration_arrest_or_detention"
PROTECTED = {
    "given_names": "Fatema",
    "family_name": "Begum",
    "date_of_birth": "1991-03-14",
    "nationality": "BGD",
}
# The same names with another date of birth: not enough to be sure, too close to clear.
POSSIBLE = {**PROTECTED, "date_of_birth": "1991-07-02"}
NOBODY = {
    "given_names": "Oluwaseun",
    "family_name": "Adeyemi",
    "date_of_birth": "1984-11-30",
    "nationality": "NGA",
}


def ask(ie: ApiClient, subject: dict) -> dict:
    response = ie.post(
        "/clearances", {**subject, "action": ACTION, "information_sources": ["police"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # The page IE reads says the same.
    assert body == ie.get(f"/clearances/{body['id']}").json()
    return body


def without_identity(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in {"id", "created_at"}}


def secrets_of(protection: Protection) -> list[str]:
    force = protection.opened_by
    values = [protection.reference, force.code, force.name]
    if force.contact_point:
        values.append(force.contact_point)
    return values


@pytest.fixture
def protected(settings):
    settings.SAFESHARE_POLICY = "firewall"
    officer = police("WMP")
    party = add_victim(new_case(officer), officer)
    protection = Protection.objects.get(person=party.person)
    assert protection.protects  # the firewall protects from registration
    return protection


def test_a_protected_person_and_a_possible_match_get_the_same_answer(protected):
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    exact, possible, nobody = ask(ie, PROTECTED), ask(ie, POSSIBLE), ask(ie, NOBODY)

    stored = {c.public_id.hex: c.decision for c in Clearance.objects.all()}
    assert stored[exact["id"].replace("-", "")] == "blocked"
    assert stored[possible["id"].replace("-", "")] == "hold"
    # What IE receives: identical, apart from the clearance's own id and time.
    assert without_identity(exact) == without_identity(possible)
    assert exact["decision"] == "blocked"
    assert exact["protection_reference"] is None
    assert exact["evidence_requested"] == []
    assert "custodian" in exact["message"]
    # Against someone nobody protects: the same fields; only what the firewall allows differs.
    assert set(nobody) == set(exact)
    differing = {k for k in without_identity(exact) if exact[k] != nobody[k]}
    assert differing == {"decision", "message", "contact_point", "contact"}
    # The custodian's national contact point, never the force's (ADR 0053).
    assert exact["contact"]["team"] == settings.SAFESHARE_NATIONAL_CONTACT["team"]
    for body in (exact, possible, nobody):
        text = json.dumps(body)
        for secret in secrets_of(protected):
            assert secret not in text


def test_the_ledger_entries_ie_can_read_say_no_more_than_the_answer(protected):
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    ask(ie, PROTECTED)
    ask(ie, POSSIBLE)
    drafts = [
        e.draft["payload"]
        for e in LedgerEntry.objects.filter(kind=EntryKind.CLEARANCE_DECISION.value)
    ]
    assert [d["decision"] for d in drafts] == ["blocked", "blocked"]
    assert all("match_count" not in d for d in drafts)


def test_the_clearance_pages_show_ie_no_hold_and_no_force(protected, client):
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    exact, possible = ask(ie, PROTECTED), ask(ie, POSSIBLE)
    client.force_login(ie.person)
    pages = [client.get(f"/clearances/{body['id']}/") for body in (exact, possible)]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        for secret in secrets_of(protected):
            assert secret not in html
        assert "Possible match" not in html
    listing = client.get("/clearances/").content.decode()
    assert "Possible match" not in listing
    assert "On hold" not in listing


def test_a_sweep_tells_ie_only_its_own_row_ids_and_do_not_act(protected):
    rows = [
        IdentityRow(row=1, id="ie-row-1", **_row(PROTECTED)),
        IdentityRow(row=2, id="ie-row-2", **_row(POSSIBLE)),
        IdentityRow(row=3, id="ie-row-3", **_row(NOBODY)),
    ]
    screened = screen_batch(rows, default_matcher())
    assert [s.as_row() for s in screened] == [
        ["ie-row-1", "", "blocked", ""],
        ["ie-row-2", "", "blocked", ""],
        ["ie-row-3", "", "clear", ""],
    ]


def test_under_the_protocol_a_block_still_names_the_reference(protected, settings):
    settings.SAFESHARE_POLICY = "mvp-2021-promise"
    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    # Under the protocol the registration alone opened nothing new, but the firewall's
    # protection is live; the protocol's answer names it (what ie_detail = "protection" allows).
    exact = ask(ie, PROTECTED)
    assert exact["decision"] == "blocked"
    assert exact["protection_reference"] == protected.reference


def _row(subject: dict) -> dict:
    return {
        "given_names": subject["given_names"],
        "family_name": subject["family_name"],
        "aliases": (),
        "dob": subject["date_of_birth"],
        "sex": "",
        "nationality": subject["nationality"],
        "passport_no": "",
        "ho_ref": "",
    }


OVERRIDE = {
    "exception_category": "national_security_or_public_protection",
    "reasons": "A serious public-protection risk, set out in an intelligence report of today.",
}


def test_asking_to_override_a_hold_answers_exactly_as_for_a_block(protected):
    from safeshare.notifications.models import StaffNotice
    from safeshare.oversight.models import Alert
    from safeshare.protocol.actions import CUSTODIAN_YET_TO_RULE, do_resolve_review
    from safeshare.protocol.models import Override, Review
    from tests.scenarios.helpers import actor

    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    exact, possible = ask(ie, PROTECTED), ask(ie, POSSIBLE)
    # A refused request is refused in the same words for both.
    short = [
        ie.post("/overrides", {**OVERRIDE, "reasons": "Too short", "clearance_id": body["id"]})
        for body in (exact, possible)
    ]
    assert short[0].status_code == short[1].status_code
    errors = [{k: v for k, v in r.json()["error"].items() if k != "request_id"} for r in short]
    assert errors[0] == errors[1]

    answers = [
        ie.post("/overrides", {**OVERRIDE, "clearance_id": body["id"]})
        for body in (exact, possible)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    shown = [
        {k: v for k, v in a.json().items() if k not in {"id", "clearance_id"}} for a in answers
    ]
    assert (
        shown[0]
        == shown[1]
        == {
            "exception_category": OVERRIDE["exception_category"],
            "status": "pending",
            "clearance_decision": "blocked",
            # Both wait for the custodian's ruling (ADR 0036).
            "custodian_ruling_awaited": True,
            "message": CUSTODIAN_YET_TO_RULE,
        }
    )
    assert Alert.objects.filter(kind="override_requested").count() == 2
    # The custodian rules the possible match not the person: the clearance is clear, the
    # waiting override is closed as no longer needed, and IE hears only that its answer changed.
    review = Review.objects.get(clearance__public_id=possible["id"])
    do_resolve_review(
        review,
        actor(Role.PROTOCOL_OFFICER, "WMP"),
        verdict="not_same_person",
        reasons="Another woman: the dates of birth and passports differ.",
    )
    waiting = Override.objects.get(clearance__public_id=possible["id"])
    assert waiting.status == Override.Status.REFUSED
    assert "No longer needed" in waiting.decision_reasons
    notice = StaffNotice.objects.get(organisation__code="IE-NCCU", kind="answer_changed")
    assert "hold" not in notice.message.lower()
    # The clearance is named by its short reference, never its UUID.
    assert f"({short_reference(possible['id'])})" in notice.message
    assert not UUID.search(notice.message)


def test_under_the_firewall_a_confirmed_match_tells_ie_nothing_new(protected):
    from safeshare.notifications.models import StaffNotice
    from safeshare.protocol.actions import do_resolve_review
    from safeshare.protocol.models import Review
    from tests.scenarios.helpers import actor

    ie = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    possible = ask(ie, POSSIBLE)
    do_resolve_review(
        Review.objects.get(clearance__public_id=possible["id"]),
        actor(Role.PROTOCOL_OFFICER, "WMP"),
        verdict="same_person",
        reasons="The same woman: her passport number matches.",
    )
    assert ie.get(f"/clearances/{possible['id']}").json() == possible
    assert not StaffNotice.objects.filter(organisation__code="IE-NCCU").exists()
