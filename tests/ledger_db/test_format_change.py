"""A log written in format 1 moves to format 2 (docs/adr/0007-unlinkable-entries.md): the switch
is recorded in the log itself, the whole log still verifies, tampering on either side of the
switch is still found and named, and the API no longer serves the format-1 entries' tokens."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from safeshare.kernel.roles import Role
from safeshare.ledger import service
from safeshare.ledger.entries import (
    LEGACY_FORMAT_VERSION,
    EntryKind,
    entry_format,
    format_timestamp,
    person_token,
    record_token,
)
from safeshare.ledger.keys import hmac_key
from safeshare.ledger.models import LedgerEntry, LedgerSubject
from safeshare.protocol.active import active_policy
from tests.api_client import ApiClient
from tests.ledger_db.support import append, body_of, officer, set_body, someone

pytestmark = pytest.mark.django_db


def queue_legacy(count: int, people) -> None:
    """Queue entries as the code before format 2 did: keyed tokens repeated in every entry."""
    policy = active_policy()
    for n in range(count):
        person = people[n % len(people)]
        token = person_token(hmac_key(), str(person.public_id))
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                kind="case_event",
                draft={
                    "v": LEGACY_FORMAT_VERSION,
                    "kind": "case_event",
                    "policy_id": policy.id,
                    "policy_version": policy.version,
                    "actor_org": "WMP",
                    "actor_role": "police_officer",
                    "timestamp": format_timestamp(timezone.now()),
                    "subjects": [token],
                    "payload": {
                        "case": record_token(hmac_key(), "case", "7"),
                        "event_type": "suspect_charged",
                        "case_status": "charged",
                    },
                },
            )
            LedgerSubject.objects.create(entry=entry, token=token)


@pytest.fixture
def people():
    return [someone() for _ in range(3)]


@pytest.fixture
def switched(people) -> int:
    """12 format-1 entries (signed at 12), then 9 format-2 ones (signed at 22); returns the
    index of the format_changed entry."""
    queue_legacy(12, people)
    service.sequence_pending()
    service.make_checkpoint()
    append(officer(), 9, people)
    service.sequence_pending()
    service.make_checkpoint()
    return 12


def test_the_switch_is_recorded_in_the_log_and_everything_verifies(switched):
    formats = [entry_format(body_of(index)) for index in range(service.log_size())]
    assert formats == [1] * 12 + [2] * 10
    changed = json.loads(body_of(switched))
    assert changed["kind"] == EntryKind.FORMAT_CHANGED
    assert changed["payload"] == {"entry_format": 2, "previous_entry_format": 1}
    assert changed["subjects"] == []
    report = service.verify_database(check_content=True)
    assert report.ok, report.summary()
    assert report.verified_size == 22
    call_command("ledger", "verify", stdout=io.StringIO())


def test_only_one_switch_is_recorded(switched, people):
    append(officer(), 3, people)
    service.sequence_pending()
    kinds = list(LedgerEntry.objects.filter(kind=EntryKind.FORMAT_CHANGED).values_list("index"))
    assert kinds == [(switched,)]


@pytest.mark.parametrize("index", [3, 12, 17])
def test_tampering_either_side_of_the_switch_is_named(switched, index):
    body = body_of(index)
    set_body(index, body.replace(b'"actor_org":"', b'"actor_org":"X', 1))
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"entry {index}"):
        call_command("ledger", "verify", stdout=out)
    assert f"First problem: entry {index}:" in out.getvalue()


def test_a_format_1_entry_after_the_switch_is_refused_by_the_sequencer(switched, people):
    queue_legacy(1, people)
    with pytest.raises(service.SequencingError, match="format"):
        service._sequence_batch(10)


def test_the_api_serves_format_1_entries_as_leaf_hashes_only(switched, people):
    reader = ApiClient(Role.IE_CASEWORKER, "IE-NCCU")
    answer = reader.get("/ledger/entries", start=0, end=22).json()
    legacy = [item for item in answer["entries"] if item["index"] < switched]
    assert legacy
    assert all(item["entry"] is None and item["withheld"] for item in legacy)
    assert all(
        item["leaf_hash"] == _b64(service.prove_inclusion(item["index"], 22).leaf_hash)
        for item in legacy
    )
    text = json.dumps(answer)
    for person in people:
        assert person_token(hmac_key(), str(person.public_id)) not in text
    assert record_token(hmac_key(), "case", "7") not in text
    current = [item for item in answer["entries"] if item["index"] >= switched]
    assert current
    assert all(json.loads(item["entry"])["v"] == 2 for item in current)


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def test_receipts_of_format_2_entries_carry_openings_and_format_1_ones_still_verify(
    switched, people
):
    from safeshare.ledger.receipts import verify_receipt

    person = people[0]
    pairs = service.receipts_for_person(person)
    assert {entry_format(bytes(entry.body)) for entry, _ in pairs} == {1, 2}
    for entry, receipt in pairs:
        assert receipt is not None
        assert verify_receipt(receipt, bytes(entry.body), service.verifier_keys())
        if entry_format(bytes(entry.body)) == 2:
            assert [o.identifier for o in receipt.openings] == [str(person.public_id)]
        else:
            assert receipt.openings == ()


def run_verifier(*args: str):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "safeshare.ledger.verify", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_offline_verifier_passes_an_export_across_the_switch_and_names_a_change(
    switched, tmp_path
):
    from safeshare.ledger.export import ENTRIES_FILE

    directory = tmp_path / "export"
    service.export_to(directory)
    keys = tmp_path / "keys.txt"
    keys.write_text("".join(f"{key}\n" for key in service.verifier_keys()))
    good = run_verifier(str(directory), "--public-key", str(keys))
    assert good.returncode == 0, good.stdout + good.stderr
    lines = (directory / ENTRIES_FILE).read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b'"actor_org":"', b'"actor_org":"X', 1)
    lines[15] = lines[15].replace(b'"actor_org":"', b'"actor_org":"X', 1)
    (directory / ENTRIES_FILE).write_bytes(b"\n".join(lines))
    bad = run_verifier(str(directory), "--public-key", str(keys), "--json")
    assert bad.returncode == 1
    problems = json.loads(bad.stdout)["problems"]
    assert {problem["index"] for problem in problems if problem["code"] == "entry-changed"} >= {5}


def test_the_offline_verifier_checks_a_victims_receipt_and_its_opening(switched, people, tmp_path):
    from safeshare.advice.disclosures import receipt_bundle

    person = people[1]
    entry, receipt = next(
        (entry, receipt)
        for entry, receipt in service.receipts_for_person(person)
        if entry_format(bytes(entry.body)) == 2
    )
    bundle = json.loads(receipt_bundle(entry, receipt, service.verifier_keys()))
    keys = tmp_path / "keys.txt"
    keys.write_text("".join(f"{key}\n" for key in service.verifier_keys()))
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(bundle))
    good = run_verifier("--receipt", str(path), "--public-key", str(keys))
    assert good.returncode == 0, good.stdout + good.stderr
    assert f"person {person.public_id}" in good.stdout
    bundle["receipt"]["openings"][0]["identifier"] = str(people[0].public_id)
    path.write_text(json.dumps(bundle))
    forged = run_verifier("--receipt", str(path), "--public-key", str(keys))
    assert forged.returncode == 1
    assert "does not open" in forged.stdout
