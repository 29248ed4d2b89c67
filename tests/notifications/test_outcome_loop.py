"""A clear stands for a window and one action; IE reports what it did; suspensions, decided
holds and approved overrides are told to the people who must know."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.kernel.wording import UUID, short_reference
from safeshare.ledger.models import LedgerEntry
from safeshare.notifications.models import StaffNotice
from safeshare.oversight.models import Alert
from safeshare.protocol import actions as protocol_actions
from safeshare.protocol.models import Clearance, OutcomeReport
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
REASONS = "The subject is wanted for a serious assault on a child and poses a risk to the public."


def ask(api, subject=None) -> dict:
    response = api.post("/clearances", subject or SUBJECT)
    assert response.status_code == 201, response.json()
    return response.json()


def report(api, clearance_id, body):
    return api.post(f"/clearances/{clearance_id}/outcome", body)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def test_an_action_within_the_window_has_a_valid_basis():
    api = ie()
    clearance = ask(api, {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    assert clearance["decision"] == "clear"
    response = report(
        api, clearance["id"], {"outcome": "action_taken", "action_taken_at": iso(timezone.now())}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["valid_basis"] is True
    assert body["oversight_alerted"] is False
    assert body["clear_state"] == "used"
    assert Alert.objects.count() == 0
    entry = LedgerEntry.objects.filter(kind="clearance_outcome").get()
    assert entry.draft["payload"]["outcome"] == "action_taken"


def test_a_clear_older_than_the_window_is_refused_as_the_basis():
    api = ie()
    clearance = ask(api, {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    Clearance.objects.filter(public_id=clearance["id"]).update(
        decided_at=timezone.now() - dt.timedelta(hours=73),
        created_at=timezone.now() - dt.timedelta(hours=73),
    )
    not_yet = report(api, clearance["id"], {"outcome": "not_yet"}).json()
    assert not_yet["valid_basis"] is False
    assert not_yet["clear_state"] == "expired"
    assert "ask for a new clearance" in not_yet["basis_reason"]
    body = report(
        api, clearance["id"], {"outcome": "action_taken", "action_taken_at": iso(timezone.now())}
    ).json()
    assert body["valid_basis"] is False
    assert "expired" in body["basis_reason"]
    assert body["oversight_alerted"] is True
    alert = Alert.objects.get()
    assert alert.kind == "action_without_valid_clear"
    assert alert.details["clearance"] == clearance["id"]


def test_an_action_reported_after_a_block_alerts_oversight(monkeypatch, protection):
    fake_matcher(monkeypatch, "match", [protection])
    api = ie()
    clearance = ask(api)
    assert clearance["decision"] == "blocked"
    alerts_before = Alert.objects.count()
    body = report(
        api, clearance["id"], {"outcome": "action_taken", "action_taken_at": iso(timezone.now())}
    ).json()
    assert body["valid_basis"] is False
    assert body["oversight_alerted"] is True
    assert Alert.objects.count() == alerts_before + 1
    assert Alert.objects.filter(kind="action_after_block").exists()


def test_a_protection_opened_after_a_clear_suspends_it_and_tells_the_caseworker(case, officer):
    api = ie()
    clearance = ask(api)
    assert clearance["decision"] == "clear"
    victim_with_contact(case, officer)
    stored = Clearance.objects.get(public_id=clearance["id"])
    assert stored.status == "suspended"
    notice = StaffNotice.objects.get(kind="clear_suspended")
    assert notice.organisation == stored.requested_by
    assert notice.role == "ie_caseworker"
    assert notice.recipient_key == stored.requester_key
    assert "Do not act" in notice.message
    assert f"({stored.reference})" in notice.message
    assert not UUID.search(notice.message)
    assert api.get(f"/clearances/{clearance['id']}").json()["status"] == "suspended"
    body = report(
        api, clearance["id"], {"outcome": "action_taken", "action_taken_at": iso(timezone.now())}
    ).json()
    assert body["valid_basis"] is False
    assert Alert.objects.filter(kind="action_without_valid_clear").exists()


def test_a_used_or_expired_clear_is_not_suspended_again(case, officer):
    api = ie()
    used = ask(api)
    report(api, used["id"], {"outcome": "cancelled"})
    victim_with_contact(case, officer)
    assert Clearance.objects.get(public_id=used["id"]).status == "decided"
    assert not StaffNotice.objects.filter(kind="clear_suspended").exists()


def test_a_resolved_hold_is_told_to_the_caseworker(monkeypatch, protocol_officer, protection):
    fake_matcher(monkeypatch, "possible", [protection])
    api = ie()
    clearance = ask(api)
    assert clearance["decision"] == "hold"
    review = Clearance.objects.get(public_id=clearance["id"]).reviews.get()
    protocol_actions.do_resolve_review(
        review,
        Actor.for_user(protocol_officer),
        verdict="not_same_person",
        reasons="A different date of birth and country.",
    )
    notice = StaffNotice.objects.get(kind="hold_resolved")
    assert notice.organisation.code == "IE-NCCU"
    # People read the clearance's short reference, never its UUID.
    assert f"({short_reference(clearance['id'])})" in notice.message
    assert not UUID.search(notice.message)


def test_an_approved_override_is_told_to_the_force(
    monkeypatch, caseworker, approver, protection, force
):
    fake_matcher(monkeypatch, "match", [protection])
    blocked = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum"},
        information_sources=["immigration_records"],
    ).clearance
    override = protocol_actions.do_request_override(
        blocked,
        Actor.for_user(caseworker),
        category="national_security_or_public_protection",
        reasons=REASONS,
    )
    protocol_actions.do_decide_override(
        override, Actor.for_user(approver), approve=True, reasons=REASONS + " Approved."
    )
    told = StaffNotice.objects.filter(kind="override_approved", organisation=force)
    assert {n.role for n in told} == {Role.PROTOCOL_OFFICER.value, Role.POLICE_OFFICER.value}
    assert all(protection.reference in n.message for n in told)
    # The override is named by its short reference, never its UUID.
    assert all(override.reference in n.message for n in told)
    assert not any(str(override.public_id) in n.message for n in told)
    from safeshare.oversight.models import Alert

    alerts = Alert.objects.filter(kind__in=["override_requested", "override_approved"])
    assert alerts.count() == 2
    assert all(f"override {override.reference}" in alert.summary for alert in alerts)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "arrested"}, "outcome"),
        ({"outcome": "action_taken"}, "action_taken_at"),
        ({"outcome": "action_taken", "action_taken_at": "yesterday"}, "action_taken_at"),
        ({"outcome": "action_taken", "action_taken_at": "2026-01-01T10:00:00"}, "action_taken_at"),
        ({"outcome": "cancelled", "action_taken_at": "2026-01-01T10:00:00Z"}, "action_taken_at"),
        ({"outcome": "not_yet", "note": "extra"}, "note"),
    ],
)
def test_bad_outcome_reports_are_refused_and_nothing_is_stored(body, field):
    api = ie()
    clearance = ask(api, {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    entries = LedgerEntry.objects.count()
    response = report(api, clearance["id"], body)
    assert response.status_code == 422
    assert field in str(response.json())
    assert OutcomeReport.objects.count() == 0
    assert Alert.objects.count() == 0
    assert LedgerEntry.objects.count() == entries


def test_a_future_action_time_is_refused():
    api = ie()
    clearance = ask(api, {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    later = timezone.now() + dt.timedelta(days=1)
    response = report(
        api, clearance["id"], {"outcome": "action_taken", "action_taken_at": iso(later)}
    )
    assert response.status_code == 422
    assert "future" in str(response.json())
    assert OutcomeReport.objects.count() == 0


def test_an_outcome_is_final_once_reported():
    api = ie()
    clearance = ask(api, {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    assert report(api, clearance["id"], {"outcome": "cancelled"}).status_code == 201
    again = report(
        api, clearance["id"], {"outcome": "action_taken", "action_taken_at": iso(timezone.now())}
    )
    assert again.status_code == 422
    assert "already reported" in str(again.json())
    assert OutcomeReport.objects.count() == 1


def test_another_units_clearance_is_not_found(other_ie_unit):
    clearance = ask(ie(), {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    response = report(ie("IE-SOUTH"), clearance["id"], {"outcome": "cancelled"})
    assert response.status_code == 404
    assert OutcomeReport.objects.count() == 0


def test_police_cannot_report_outcomes(case, officer):
    from tests.api_client import police

    clearance = ask(ie(), {**SUBJECT, "given_names": "Nobody", "family_name": "Known"})
    response = report(police(), clearance["id"], {"outcome": "cancelled"})
    assert response.status_code == 403


def test_an_approved_override_shows_on_the_protection_page(
    client, monkeypatch, caseworker, approver, protocol_officer, protection
):
    from django.urls import reverse

    from tests.pages.helpers import signed_in, text

    page = reverse("protocol:protection", kwargs={"reference": protection.reference})
    assert "An override was approved" not in text(signed_in(client, protocol_officer).get(page))
    fake_matcher(monkeypatch, "match", [protection])
    blocked = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum"},
        information_sources=["immigration_records"],
    ).clearance
    override = protocol_actions.do_request_override(
        blocked,
        Actor.for_user(caseworker),
        category="national_security_or_public_protection",
        reasons=REASONS,
    )
    protocol_actions.do_decide_override(
        override, Actor.for_user(approver), approve=True, reasons=REASONS + " Approved."
    )
    html = text(client.get(page))
    assert "An override was approved" in html
    assert "Immigration arrest or detention, approved" in html
    assert "national security or public protection" in html
    case = protection.cases.get()
    officer = case.force.users.filter(role="police_officer").first()
    case_html = text(
        signed_in(client, officer).get(reverse("cases:detail", kwargs={"case_id": case.public_id}))
    )
    assert "Override approved" in case_html


def test_outcomes_are_counted_in_the_statistics():
    from safeshare.oversight.statistics import STATISTICS, Context, Filters

    api = ie()
    for n in range(6):
        clearance = ask(api, {**SUBJECT, "given_names": f"Nobody{n}", "family_name": "Known"})
        report(
            api,
            clearance["id"],
            {"outcome": "action_taken", "action_taken_at": iso(timezone.now())},
        )
    result = STATISTICS["clearance-outcomes"].build(
        Filters(year=timezone.localdate().year), Context()
    )
    table = result.tables[0]
    arrest = next(r for r in table.rows if r.code == "immigration_arrest_or_detention")
    # Columns: on a valid clear, without one, cancelled, not reported; then the total.
    assert [c.value for c in arrest.cells] == [6, 0, 0, 0, 6]
    assert result.headline == 6


def outcome_page(clearance) -> str:
    from django.urls import reverse

    return reverse("protocol:clearance-outcome", kwargs={"clearance_id": clearance.public_id})


def test_the_ie_page_reports_an_outcome_and_alerts_after_a_block(
    client, monkeypatch, caseworker, protection
):
    from tests.pages.check_answers import confirm
    from tests.pages.helpers import signed_in, text

    fake_matcher(monkeypatch, "match", [protection])
    blocked = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Fatema", "family_name": "Begum"},
        information_sources=["immigration_records"],
    ).clearance
    signed_in(client, caseworker)
    today = timezone.localtime()
    check = client.post(
        outcome_page(blocked),
        {
            "outcome": "action_taken",
            "action_date": f"{today.day}/{today.month}/{today.year}",
            "action_time": "00:01",
        },
    )
    assert "Oversight bodies are alerted as soon as you report it" in text(check)
    assert "The action was taken after a block, not a clear." in text(check)
    assert not Alert.objects.exists()  # nothing before the confirm button
    response = confirm(client, outcome_page(blocked), check)
    assert response.status_code == 302
    done = text(client.get(response["Location"]))
    assert "Report sent" in done
    assert "Oversight bodies have been alerted" in done
    assert Alert.objects.filter(kind="action_after_block").count() == 1
    confirm(client, outcome_page(blocked), check)
    assert OutcomeReport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select what was done"),
        ({"outcome": "arrested"}, "Select what was done from the list"),
        ({"outcome": "action_taken"}, "Enter the date the action was taken"),
        (
            {"outcome": "action_taken", "action_date": "31/2/2026", "action_time": "10:00"},
            "real date",
        ),
        (
            {"outcome": "action_taken", "action_date": "1/2/2026", "action_time": "25:00"},
            "real time",
        ),
        ({"outcome": "cancelled", "action_date": "1/2/2026"}, "only when the action was taken"),
    ],
)
def test_bad_outcome_pages_are_refused_and_nothing_is_stored(client, caseworker, data, message):
    from tests.pages.helpers import error_summary, signed_in

    clear = protocol_actions.do_request_clearance(
        Actor.for_user(caseworker),
        action_code="immigration_arrest_or_detention",
        subject={"given_names": "Nobody", "family_name": "Known"},
        information_sources=["immigration_records"],
    ).clearance
    response = signed_in(client, caseworker).post(outcome_page(clear), data)
    assert response.status_code == 400
    assert message in error_summary(response)
    assert OutcomeReport.objects.count() == 0
    assert Alert.objects.count() == 0
