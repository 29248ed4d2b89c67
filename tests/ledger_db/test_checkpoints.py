"""Checkpoints: signed in batches off the request path, consistent, verifiable after rotation."""

from __future__ import annotations

import json
import os
import stat
from itertools import pairwise

import pytest

from safeshare.ledger import service, signing, storage
from safeshare.ledger.checkpoint import (
    generate_signing_key,
    parse_signer_key,
    signer_key_string,
    verify_checkpoint,
)
from safeshare.ledger.merkle import verify_consistency
from safeshare.ledger.models import LedgerCheckpoint
from tests.ledger_db.support import ORIGIN, append, execute, officer, someone

pytestmark = pytest.mark.django_db


def test_a_checkpoint_signs_the_root_of_every_sequenced_entry(signing_key):
    append(officer(), 21)
    service.sequence_pending()
    checkpoint = service.make_checkpoint()
    assert checkpoint is not None
    assert checkpoint.size == 21
    parsed = verify_checkpoint(checkpoint.note, service.verifier_keys(), origin=ORIGIN)
    assert parsed.size == 21
    assert parsed.root == bytes(checkpoint.root) == storage.tree().root(21)
    assert checkpoint.key_name == parse_signer_key(signing_key).verifier.key_id
    assert service.latest_checkpoint() == checkpoint.note


def test_nothing_new_means_no_new_checkpoint():
    assert service.make_checkpoint() is None  # an empty log
    append(officer(), 3)
    assert service.make_checkpoint() is None  # queued entries are not in the tree yet
    service.sequence_pending()
    assert service.make_checkpoint() is not None
    assert service.make_checkpoint() is None
    assert LedgerCheckpoint.objects.count() == 1


def test_successive_checkpoints_are_consistent():
    actor = officer()
    notes = []
    for count in (5, 11, 16, 1):
        append(actor, count)
        service.sequence_pending()
        notes.append(service.make_checkpoint().note)
    keys = service.verifier_keys()
    parsed = [verify_checkpoint(note, keys) for note in notes]
    assert [c.size for c in parsed] == [5, 16, 32, 33]
    for old, new in pairwise(parsed):
        proof = service.consistency_proof(old.size, new.size)
        assert verify_consistency(old.size, new.size, old.root, new.root, proof)


def test_a_rewritten_history_is_never_signed():
    append(officer(), 20)
    service.sequence_pending()
    service.make_checkpoint()
    # Someone rewrites entry 3 and, to hide it, its recorded leaf hash and the cached subtrees.
    execute('UPDATE "ledger_ledgerentry" SET leaf_hash = %s WHERE "index" = 3', [bytes(32)])
    execute('DELETE FROM "ledger_ledgersubtree"')
    append(officer(), 2)
    service.sequence_pending()
    with pytest.raises(service.LedgerIntegrityError, match="not an extension of checkpoint 20"):
        service.make_checkpoint()
    assert LedgerCheckpoint.objects.count() == 1


def test_a_checkpoint_that_no_longer_verifies_stops_signing():
    append(officer(), 4)
    service.sequence_pending()
    service.make_checkpoint()
    execute('UPDATE "ledger_ledgercheckpoint" SET note = %s', ["not a checkpoint"])
    append(officer(), 1)
    service.sequence_pending()
    with pytest.raises(service.LedgerIntegrityError, match="does not verify"):
        service.make_checkpoint()


def test_rotation_co_signs_then_old_checkpoints_verify_with_the_old_key(settings, signing_key):
    actor = officer()
    append(actor, 3)
    service.sequence_pending()
    old_note = service.make_checkpoint().note
    old_verifier = str(parse_signer_key(signing_key).verifier)

    new_key = signer_key_string(ORIGIN, generate_signing_key())
    setattr(settings, signing.SIGNING_KEY_ENV, new_key)
    setattr(settings, signing.PREVIOUS_SIGNING_KEY_ENV, signing_key)
    append(actor, 2)
    service.sequence_pending()
    both = service.make_checkpoint()
    signed_by = verify_checkpoint(both.note, service.verifier_keys()).verified_by
    assert len(signed_by) == 2

    setattr(settings, signing.PREVIOUS_SIGNING_KEY_ENV, "")
    setattr(settings, signing.OLD_VERIFIER_KEYS_ENV, old_verifier)
    append(actor, 1)
    service.sequence_pending()
    service.make_checkpoint()
    keys = service.verifier_keys()
    assert keys[0] == str(parse_signer_key(new_key).verifier)
    assert old_verifier in keys
    verify_checkpoint(old_note, keys)
    assert service.verify_database().ok
    setattr(settings, signing.OLD_VERIFIER_KEYS_ENV, "")
    report = service.verify_database()
    assert not report.ok  # without the old key, the first checkpoint is not trusted
    assert report.first_problem.checkpoint == "checkpoint 3"


def test_a_verifier_key_alone_publishes_without_the_signing_key(settings, signing_key):
    verifier = str(parse_signer_key(signing_key).verifier)
    setattr(settings, signing.SIGNING_KEY_ENV, "")
    setattr(settings, signing.VERIFIER_KEY_ENV, verifier)
    assert service.verifier_keys() == [verifier]


def test_without_a_key_in_the_environment_one_is_made_in_var(settings, tmp_path):
    setattr(settings, signing.SIGNING_KEY_ENV, "")
    settings.VAR_DIR = tmp_path
    append(officer(), 2)
    service.sequence_pending()
    checkpoint = service.make_checkpoint()
    path = tmp_path / signing.SIGNING_KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = parse_signer_key(path.read_text())
    assert key.name == ORIGIN
    verify_checkpoint(checkpoint.note, [key.verifier])
    assert service.verifier_keys() == [str(key.verifier)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_signing_never_happens_while_reading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("signed on a read path")

    person = someone()
    append(officer(), 5, [person])
    monkeypatch.setattr("safeshare.ledger.service.sign_checkpoint", refuse)
    assert [receipt for _entry, receipt in service.receipts_for_person(person)] == [None] * 5
    service.sequence_pending()  # the worker's job; reading receipts sequences nothing
    service.inclusion_proof(2, 5)
    service.consistency_proof(1, 5)
    service.entries_range(0, 5)
    service.latest_checkpoint()
    service.verify_database()
    assert not LedgerCheckpoint.objects.exists()


def test_the_rotation_commands_record_the_rotation_and_co_sign(settings, signing_key):
    import io

    from django.core.management import call_command

    from safeshare.ledger.models import LedgerEntry

    append(officer("WMP"), 2)
    call_command("ledger", "checkpoint", stdout=io.StringIO())
    out = io.StringIO()
    call_command("ledger", "new-key", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    new_key = lines[signing.SIGNING_KEY_ENV]
    assert lines[signing.VERIFIER_KEY_ENV] == str(parse_signer_key(new_key).verifier)

    setattr(settings, signing.SIGNING_KEY_ENV, new_key)
    setattr(settings, signing.PREVIOUS_SIGNING_KEY_ENV, signing_key)
    call_command("ledger", "record-rotation", "--org", "wmp", stdout=io.StringIO())
    call_command("ledger", "checkpoint", stdout=io.StringIO())
    entry = LedgerEntry.objects.get(kind="key_rotated")
    payload = json.loads(bytes(entry.body))["payload"]
    assert payload["verifier_key"] == str(parse_signer_key(new_key).verifier)
    assert payload["previous_verifier_key"] == str(parse_signer_key(signing_key).verifier)
    note = service.latest_checkpoint()
    assert len(verify_checkpoint(note, service.verifier_keys()).verified_by) == 2
    assert service.verify_database().ok


def test_verify_only_reads_and_a_missing_checkpoint_fails_without_advice_to_sign():
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    append(officer(), 3)
    service.sequence_pending()
    append(officer(), 2)  # queued: verify must leave them to the worker
    out = io.StringIO()
    with pytest.raises(CommandError, match="did not verify") as failure:
        call_command("ledger", "verify", stdout=out)
    assert "no valid checkpoint covers any entry" in out.getvalue()
    assert "checkpoint`" not in out.getvalue() + str(failure.value)
    assert service.log_size() == 3
    assert LedgerCheckpoint.objects.count() == 0
    call_command("ledger", "checkpoint", stdout=io.StringIO())
    call_command("ledger", "verify", stdout=io.StringIO())
