"""The log asks two witness processes to cosign; the operator rewrites history and re-signs
with the log's key: both witnesses refuse, an alert is raised, and ``verify --witness-key …
--quorum 2`` fails naming the first rewritten entry."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeshare.ledger import publication, service, witnessing
from safeshare.ledger.checkpoint import parse_signer_key, verify_checkpoint
from safeshare.ledger.cosignature import verify_cosignatures
from safeshare.ledger.models import LedgerCheckpoint, LedgerSubtree
from safeshare.ledger.tiles import TileReader, directory_fetcher
from tests.ledger.test_witness_processes import WitnessProcess
from tests.ledger_db.support import TABLE, append, body_of, execute, officer, someone

pytestmark = pytest.mark.django_db


@pytest.fixture
def witnesses(tmp_path: Path, signing_key: str, settings) -> Iterator[list[WitnessProcess]]:
    log_key = str(parse_signer_key(signing_key).verifier)
    started = []
    try:
        for name in ("commissioner.example/witness", "victims.example/witness"):
            directory = tmp_path / name.split(".")[0]
            directory.mkdir()
            started.append(WitnessProcess(directory, name, log_key))
        settings.SAFESHARE_LEDGER_WITNESSES = [f"{w.url} {w.key.verifier}" for w in started]
        settings.SAFESHARE_LEDGER_WITNESS_QUORUM = 2
        yield started
    finally:
        for witness in started:
            witness.stop()


def grow(count: int) -> list[witnessing.WitnessOutcome]:
    """Append one entry at a time, each signed and witnessed, as a busy worker would."""
    actor, person = officer(), someone()
    outcomes = []
    for _ in range(count):
        append(actor, 1, [person])
        service.sequence_pending()
        assert service.make_checkpoint() is not None
        outcome = witnessing.witness_latest()
        assert outcome is not None
        outcomes.append(outcome)
    return outcomes


def rewrite_entry(index: int) -> None:
    """What an operator with the database could do: change an entry and its recorded hash."""
    body = body_of(index)
    position = body.index(b'"subjects":["') + 20
    changed = body[:position] + (b"0" if body[position : position + 1] != b"0" else b"1")
    changed += body[position + 1 :]
    leaf = sha256(b"\x00" + changed).digest()
    execute(
        f'UPDATE {TABLE} SET body = %s, leaf_hash = %s WHERE "index" = %s',  # noqa: S608
        [changed, leaf, index],
    )
    LedgerSubtree.objects.all().delete()


def verify_command(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="did not verify"):
        call_command("ledger", "verify", *args, stdout=out)
    return out.getvalue()


def test_a_rewrite_is_refused_by_both_witnesses_and_named_by_verify(
    witnesses: list[WitnessProcess], caplog: pytest.LogCaptureFixture
) -> None:
    outcomes = grow(10)
    assert all(o.reached_quorum and len(o.cosigned_by) == 2 for o in outcomes)
    keys = [w.key.verifier for w in witnesses]
    latest = service.latest_checkpoint()
    assert latest is not None
    assert len(verify_cosignatures(latest, keys)) == 2
    key_args = [arg for key in keys for arg in ("--witness-key", str(key))]
    out = io.StringIO()
    call_command("ledger", "verify", *key_args, "--quorum", "2", stdout=out)
    assert "Result:       OK" in out.getvalue()

    # The operator rewrites entry 6, drops the checkpoints after it and signs again.
    rewrite_entry(6)
    LedgerCheckpoint.objects.filter(size__gt=6).delete()
    with caplog.at_level(logging.ERROR, logger="safeshare.ledger.witnessing"):
        [outcome] = grow(1)
    assert outcome.cosigned_by == []
    assert set(outcome.refused) == {w.key.name for w in witnesses}
    assert all("422" in reason for reason in outcome.refused.values())
    assert any("ALERT" in record.getMessage() for record in caplog.records)

    # With the log's key alone the rewritten log looks fine: that is why witnesses exist.
    assert service.verify_database().ok
    output = verify_command(*key_args, "--quorum", "2")
    assert "First problem: entry 6:" in output
    # A witness's kept checkpoints locate the rewrite exactly.
    state = str(witnesses[0].state)
    output = verify_command(*key_args, "--quorum", "2", "--trusted-checkpoint", state)
    assert "First problem: entry 6:" in output
    assert "binary search over the checkpoints" in output


def test_a_checkpoint_below_the_quorum_is_published_as_such(
    witnesses: list[WitnessProcess], tmp_path: Path, settings
) -> None:
    grow(3)
    witnesses[1].stop()
    [outcome] = grow(1)
    assert outcome.cosigned_by == [witnesses[0].key.name]
    assert not outcome.reached_quorum
    note = service.latest_checkpoint()
    assert note is not None
    assert "quorum 2 NOT reached" in witnessing.quorum_status(note)
    size, _ = publication.publish_to(tmp_path / "site")
    assert size == 4
    published = (tmp_path / "site" / "checkpoint").read_text()
    assert published == note
    assert "# quorum 2" in (tmp_path / "site" / "witnesses.txt").read_text()


def test_published_tiles_give_the_checkpoints_root(tmp_path: Path, client) -> None:
    actor, person = officer(), someone()
    append(actor, 300, [person])
    service.sequence_pending()
    service.make_checkpoint()
    site = tmp_path / "site"
    size, written = publication.publish_to(site)
    assert size == 300
    assert written > 3
    fetch = directory_fetcher(site)
    checkpoint = verify_checkpoint(fetch("checkpoint").decode(), service.verifier_keys())
    assert TileReader(fetch, size).root() == checkpoint.root
    assert len(TileReader(fetch, size).entries(0)) == 256
    assert (site / "checkpoints" / "300").is_file()
    # The same files are served without a token.
    for relative in ("checkpoint", "tile/0/000", "tile/0/001.p/44", "tile/entries/000"):
        response = client.get(f"/ledger/public/{relative}")
        assert response.status_code == 200, relative
        assert response.content == (site / relative).read_bytes()
    assert client.get("/ledger/public/tile/0/001").status_code == 404
    # Serving the public files writes nothing, even where the subtree cache is empty.
    LedgerSubtree.objects.all().delete()
    response = client.get("/ledger/public/tile/1/000.p/1")
    assert response.status_code == 200
    assert response.content == (site / "tile/1/000.p/1").read_bytes()
    assert LedgerSubtree.objects.count() == 0
    assert client.get("/ledger/public/public-keys.txt").status_code == 200


def test_receipts_carry_the_cosigned_checkpoint_and_name_its_witnesses(
    witnesses: list[WitnessProcess],
) -> None:
    from safeshare.advice import ledger_link

    person = someone()
    append(officer(), 2, [person])
    service.sequence_pending()
    service.make_checkpoint()
    assert witnessing.witness_latest() is not None
    [(_, receipt), *_] = service.receipts_for_person(person)
    assert receipt is not None
    keys = [w.key.verifier for w in witnesses]
    assert len(verify_cosignatures(receipt.checkpoint, keys)) == 2
    assert sorted(ledger_link.witnessed_by(receipt)) == sorted(w.key.name for w in witnesses)


JOBS = ("ledger-sequence", "ledger-checkpoint")


def test_the_worker_asks_the_witnesses_and_publishes(
    witnesses: list[WitnessProcess], tmp_path: Path, settings, monkeypatch
) -> None:
    # The worker drops stale connections between passes; inside the test's transaction the
    # connection must stay open.
    monkeypatch.setattr("safeshare.worker.runner.close_old_connections", lambda: None)
    settings.SAFESHARE_LEDGER_PUBLISH_DIR = str(tmp_path / "site")
    append(officer(), 500, [someone()])
    call_command("worker", "--once", "--only", *JOBS, verbosity=0)
    note = service.latest_checkpoint()
    assert note is not None
    assert len(verify_cosignatures(note, [w.key.verifier for w in witnesses])) == 2
    assert (tmp_path / "site" / "checkpoint").read_text() == note
    fetch = directory_fetcher(tmp_path / "site")
    assert TileReader(fetch, 500).root() == verify_checkpoint(note, service.verifier_keys()).root
    # A second publication writes only what changed.
    append(officer(), 10, [someone()])
    call_command("worker", "--once", "--only", *JOBS, verbosity=0)
    latest = service.latest_checkpoint_record()
    assert latest is not None
    assert TileReader(fetch, 510).root() == bytes(latest.root)
