"""A sweep obeys the same rules as a clearance, under every shipped policy (ADR 0041): each
person it finds becomes a clearance of its own, so a hold is a review on the protocol officer's
worklist and its outcome flows back to IE by the policy's answer rules; each person gets their
own ledger entry, unlinkable to the sweep, that their receipts show; and a sweep's result tells
IE only what a clearance would."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone

from safeshare.advice.ledger_link import receipts_for_person
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry
from safeshare.protocol.actions import do_resolve_review
from safeshare.protocol.models import Clearance, Protection, Review
from safeshare.protocol.policy import IEDetail, available_policies, load_policy
from safeshare.referrals.actions import IDENTITY_FIELDS, do_record_consent
from safeshare.register import jobs, sweeps
from safeshare.register.actions import do_start_sweep
from safeshare.register.models import Sweep
from tests.scenarios import helpers as h

pytestmark = pytest.mark.django_db

HEADER = "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"
CASELOAD = (
    HEADER
    + "IE-1,Fatema,Begum,,1991-03-14,F,BGD,,\n"  # the protected person
    + "IE-2,Fatema,Begum,,1991-07-02,F,BGD,,\n"  # a possible match
    + "IE-3,Oluwaseun,Adeyemi,,1984-11-30,M,NGA,,\n"  # a stranger
)


def protect(policy_id: str) -> Protection:
    """A victim protected under the policy (referred where the policy needs it)."""
    policy = load_policy(policy_id)
    h.ie()  # the unit referrals go to
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
    protection = Protection.objects.get(person=party.person)
    assert protection.protects
    return protection


def run_sweep(caseworker) -> tuple[Sweep, list[dict[str, str]]]:
    sweep = do_start_sweep(io.BytesIO(CASELOAD.encode()), "caseload.csv", caseworker)
    assert jobs.run_sweep(sweep.pk)
    sweep.refresh_from_db()
    assert sweep.status == Sweep.Status.DONE, sweep.error
    text = sweeps.stored_path(sweep, results=True).read_text()
    return sweep, list(csv.DictReader(io.StringIO(text)))


def asked(caseworker, **fields) -> Clearance:
    return h.clearance(caseworker, action="enforcement_tasking", **fields).clearance


@pytest.fixture(params=available_policies())
def policy_id(request, settings, tmp_path):
    settings.SAFESHARE_POLICY = request.param
    settings.VAR_DIR = tmp_path
    return request.param


def test_a_sweep_tells_ie_what_a_clearance_would_and_its_holds_are_reviewed(policy_id):
    policy = load_policy(policy_id)
    protection = protect(policy_id)
    caseworker = h.ie()
    _, rows = run_sweep(caseworker)
    by_row = {row["query_id"]: row for row in rows}

    # Each person the sweep found is a clearance of its own; the stranger is not.
    found = {c.subject["date_of_birth"]: c for c in Clearance.objects.exclude(sweep_row="")}
    assert set(found) == {"1991-03-14", "1991-07-02"}
    exact, possible = found["1991-03-14"], found["1991-07-02"]
    assert (exact.decision, possible.decision) == ("blocked", "hold")
    # The row's answer is the clearance's answer as IE is shown it.
    assert by_row["IE-1"]["decision"] == exact.ie_decision == "blocked"
    assert by_row["IE-2"]["decision"] == possible.ie_decision
    assert by_row["IE-3"]["decision"] == "clear"
    # Only what the clearance gave: the reference of a block where the policy gives one; no
    # force record id, no score.
    assert by_row["IE-1"]["register_id"] == exact.ie_protection_reference
    assert by_row["IE-2"]["register_id"] == by_row["IE-3"]["register_id"] == ""
    assert {row["score"] for row in rows} == {""}
    # The same as IE's own question about the same people gets.
    for row, subject in (("IE-1", {}), ("IE-2", {"date_of_birth": "1991-07-02"})):
        assert by_row[row]["decision"] == asked(caseworker, **subject).ie_decision
    if policy.clearance.ie_detail == IEDetail.CUSTODIAN:
        # A protected person and a possible match: the same line, IE's own row id only.
        assert possible.ie_decision == "blocked"
        assert {k: v for k, v in by_row["IE-1"].items() if k != "query_id"} == {
            k: v for k, v in by_row["IE-2"].items() if k != "query_id"
        }
        assert by_row["IE-1"]["register_id"] == by_row["IE-1"]["score"] == ""
        text = json.dumps(rows)
        for secret in (protection.reference, protection.opened_by.code, "hold"):
            assert secret not in text
    else:
        assert possible.ie_decision == "hold"

    # The hold is on the protocol officer's worklist, as a clearance's is.
    (review,) = Review.objects.filter(clearance=possible, status=Review.Status.OPEN)
    assert list(review.candidates.all()) == [protection]
    officer = h.actor(h.Role.PROTOCOL_OFFICER, "WMP")
    do_resolve_review(
        review, officer, verdict="not_same_person", reasons="Different date of birth and town."
    )
    possible.refresh_from_db()
    # The outcome flows back to IE as a clearance's does: not the same person is a clear.
    assert possible.ie_decision == "clear"


def test_each_person_a_sweep_finds_gets_their_own_unlinkable_entry(policy_id):
    protection = protect(policy_id)
    caseworker = h.ie()
    sweep, _ = run_sweep(caseworker)
    entries = list(
        LedgerEntry.objects.filter(kind=EntryKind.CLEARANCE_DECISION.value).order_by("id")
    )
    sweep_entries = [e for e in entries if e.draft["payload"].get("reason_code") == "sweep"]
    found_entries = [e for e in entries if e.draft["payload"].get("reason_code") != "sweep"]
    assert len(sweep_entries) == 1
    assert len(found_entries) == 2  # the protected person and the possible match
    # The person's receipts show the sweep's finding about them.
    mine = {entry.pk for entry, _ in receipts_for_person(protection.person)}
    assert {found_entries[0].pk, found_entries[1].pk} <= mine
    # Nothing in a finding's entry names the sweep or another finding.
    sweep_token = sweep_entries[0].draft["payload"]["sweep"]
    for entry in found_entries:
        text = json.dumps(entry.draft)
        assert sweep_token not in text
        assert str(sweep.public_id) not in text
    tokens = [json.dumps(e.draft["payload"]["clearance"]) for e in found_entries]
    assert len(set(tokens)) == 2


def test_a_sweep_started_again_asks_about_each_person_once(policy_id):
    protect(policy_id)
    caseworker = h.ie()
    sweep, first = run_sweep(caseworker)
    # The process died after the findings were asked: the sweep runs again from the top.
    Sweep.objects.filter(pk=sweep.pk).update(status=Sweep.Status.QUEUED)
    assert jobs.run_sweep(sweep.pk)
    text = sweeps.stored_path(sweep, results=True).read_text()
    assert list(csv.DictReader(io.StringIO(text))) == first
    assert Clearance.objects.exclude(sweep_row="").count() == 2
