"""Checkpoints carry the time the log signed them (a ``timestamp`` extension line), with no
witness, and the worker signs one at least every ``SAFESHARE_LEDGER_CHECKPOINT_SECONDS`` while
entries wait."""

from __future__ import annotations

import time

import pytest

from safeshare.ledger import service
from safeshare.ledger.checkpoint import (
    CheckpointError,
    checkpoint_time,
    parse_checkpoint,
    sign_checkpoint,
    verify_checkpoint,
)
from safeshare.worker.jobs import _Checkpoints
from tests.ledger_db.support import append, officer

pytestmark = pytest.mark.django_db


def test_a_checkpoint_without_witnesses_carries_its_time() -> None:
    append(officer(), 3)
    service.sequence_pending()
    before = int(time.time())
    record = service.make_checkpoint()
    assert record is not None
    checkpoint = verify_checkpoint(record.note, service.verifier_keys())
    assert checkpoint.extensions == (f"timestamp {checkpoint_time(checkpoint)}",)
    assert before <= (checkpoint_time(checkpoint) or 0) <= int(time.time())
    assert service.verify_database().ok


def test_a_checkpoint_with_two_times_is_refused(signing_key: str) -> None:
    from safeshare.ledger.checkpoint import parse_signer_key

    note = sign_checkpoint(
        "o.example/log",
        1,
        bytes(32),
        parse_signer_key(signing_key),
        extensions=["timestamp 1", "timestamp 2"],
    )
    with pytest.raises(CheckpointError, match="at most one timestamp"):
        checkpoint_time(parse_checkpoint(note))
    assert checkpoint_time(parse_checkpoint(note.replace("timestamp 2", "other"))) == 1


def test_the_worker_signs_at_least_every_n_seconds_while_entries_wait(settings) -> None:
    settings.SAFESHARE_LEDGER_CHECKPOINT_SECONDS = 10
    settings.SAFESHARE_LEDGER_CHECKPOINT_ENTRIES = 1000
    job = _Checkpoints()
    assert job() == 0  # nothing to sign
    append(officer(), 2)
    service.sequence_pending()
    assert job() == 2  # the first waiting entries are signed at once
    append(officer(), 1)
    service.sequence_pending()
    assert job() == 0  # signed less than 10 s ago: the entry waits
    job.last_signed -= 10  # ten seconds later
    assert job() == 3
    assert job() == 0  # nothing waits
