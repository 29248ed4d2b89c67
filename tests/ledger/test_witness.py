"""The witness (c2sp.org/tlog-witness) and cosignatures (c2sp.org/tlog-cosignature), without
a database: the protocol's answers, its state file, and refusing rewritten or rolled-back logs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeshare.ledger.checkpoint import CheckpointError, parse_checkpoint, sign_checkpoint
from safeshare.ledger.cosignature import (
    add_cosignatures,
    cosigned_message,
    generate_cosigner,
    parse_cosigner,
    parse_cosigner_verifier,
    verify_cosignatures,
)
from safeshare.ledger.merkle import consistency_proof, leaf_hash, root_from_leaf_hashes
from safeshare.ledger.witness import (
    SIZE_CONTENT_TYPE,
    Witness,
    WitnessState,
    add_checkpoint_body,
    parse_add_checkpoint,
)

from .helpers import ORIGIN, Signer

LEAVES = [leaf_hash(b"entry %d" % i) for i in range(64)]


def checkpoint(signer: Signer, size: int, leaves: list[bytes] = LEAVES) -> str:
    return sign_checkpoint(
        ORIGIN, size, root_from_leaf_hashes(leaves[:size]), signer.private_key, signer.name
    )


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def witness(tmp_path: Path, signer: Signer) -> Witness:
    return Witness(
        generate_cosigner("witness.example/one"),
        WitnessState(tmp_path / "state.json"),
        [signer.verifier],
    )


def add(witness: Witness, old: int, proof: list[bytes], note: str):
    return witness.add_checkpoint(add_checkpoint_body(old, proof, note))


# --- Cosignatures ----------------------------------------------------------------------------


def test_a_cosignature_verifies_and_carries_its_time(signer: Signer) -> None:
    key = generate_cosigner("witness.example/one")
    note = checkpoint(signer, 10)
    line = key.cosign(parse_checkpoint(note).body, timestamp=1_800_000_000)
    cosigned = add_cosignatures(note, [line])
    [found] = verify_cosignatures(cosigned, [key.verifier])
    assert found.timestamp == 1_800_000_000
    assert found.witness.name == "witness.example/one"
    # The log's own signature still verifies; the cosignature is just another line.
    assert parse_checkpoint(cosigned).size == 10


def test_a_cosignature_signs_the_v1_message(signer: Signer) -> None:
    key = generate_cosigner("w")
    body = parse_checkpoint(checkpoint(signer, 5)).body
    line = key.cosign(body, timestamp=42)
    raw = base64.b64decode(line.split(" ")[2])
    assert len(raw) == 4 + 8 + 64
    assert raw[:4] == key.verifier.key_id.to_bytes(4, "big")
    assert int.from_bytes(raw[4:12], "big") == 42
    message = cosigned_message(body, 42)
    assert message.startswith(b"cosignature/v1\ntime 42\n" + ORIGIN.encode() + b"\n")
    key.verifier.public_key.verify(raw[12:], message)


def test_a_forged_or_moved_cosignature_is_an_error(signer: Signer) -> None:
    key = generate_cosigner("w")
    note = checkpoint(signer, 10)
    other = checkpoint(signer, 11)
    line = key.cosign(parse_checkpoint(other).body)
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_cosignatures(add_cosignatures(note, [line]), [key.verifier])
    # An unknown witness's line is ignored, not trusted.
    stranger = generate_cosigner("w2")
    line = stranger.cosign(parse_checkpoint(note).body)
    assert verify_cosignatures(add_cosignatures(note, [line]), [key.verifier]) == []


def test_witness_key_strings_round_trip_and_differ_from_log_keys() -> None:
    key = generate_cosigner("witness.example/one")
    assert parse_cosigner(str(key)).verifier == key.verifier
    assert parse_cosigner_verifier(str(key.verifier)) == key.verifier
    assert base64.b64decode(str(key.verifier).split("+", 2)[2])[0] == 0x04
    with pytest.raises(CheckpointError):
        parse_cosigner_verifier(str(key))  # a private key is refused where a public one goes
    with pytest.raises(CheckpointError):
        parse_cosigner_verifier(str(Signer().verifier))  # a log key (type 0x01) is not one


# --- The add-checkpoint protocol -------------------------------------------------------------


def test_the_first_checkpoint_is_cosigned_and_kept(witness: Witness, signer: Signer) -> None:
    note = checkpoint(signer, 10)
    answer = add(witness, 0, [], note)
    assert answer.status == 200
    assert verify_cosignatures(add_cosignatures(note, [answer.body]), [witness.key.verifier])
    state = json.loads(witness.state.path.read_text())
    assert state["logs"][ORIGIN]["size"] == 10
    assert not [p for p in witness.state.path.parent.iterdir() if p.name.startswith(".")]


def test_a_consistent_checkpoint_is_cosigned(witness: Witness, signer: Signer) -> None:
    assert add(witness, 0, [], checkpoint(signer, 10)).status == 200
    answer = add(witness, 10, consistency_proof(LEAVES, 10, 40), checkpoint(signer, 40))
    assert answer.status == 200
    assert witness.state.get(ORIGIN)[0] == 40


def test_a_wrong_old_size_gets_409_with_the_known_size(witness: Witness, signer: Signer) -> None:
    add(witness, 0, [], checkpoint(signer, 10))
    answer = add(witness, 0, [], checkpoint(signer, 20))
    assert answer.status == 409
    assert answer.content_type == SIZE_CONTENT_TYPE
    assert answer.body == "10\n"


def test_a_rewritten_log_gets_422_and_the_state_stays(witness: Witness, signer: Signer) -> None:
    add(witness, 0, [], checkpoint(signer, 10))
    rewritten = [*LEAVES]
    rewritten[3] = leaf_hash(b"changed")
    note = checkpoint(signer, 20, rewritten)
    answer = add(witness, 10, consistency_proof(rewritten, 10, 20), note)
    assert answer.status == 422
    assert "rewritten" in answer.body
    assert witness.state.get(ORIGIN)[0] == 10


def test_a_rolled_back_or_forked_checkpoint_is_refused(witness: Witness, signer: Signer) -> None:
    add(witness, 0, [], checkpoint(signer, 10))
    add(witness, 10, consistency_proof(LEAVES, 10, 20), checkpoint(signer, 20))
    rolled_back = add(witness, 20, [], checkpoint(signer, 10))
    assert rolled_back.status == 400  # old size larger than the checkpoint
    assert add(witness, 10, [], checkpoint(signer, 10)).status == 409
    forked = [*LEAVES]
    forked[15] = leaf_hash(b"fork")
    assert add(witness, 20, [], checkpoint(signer, 20, forked)).status == 409
    # The same checkpoint again is fine (a log retrying after a lost answer).
    assert add(witness, 20, [], checkpoint(signer, 20)).status == 200


def test_unknown_logs_and_impostors_are_refused(witness: Witness, signer: Signer) -> None:
    other = sign_checkpoint("other.example/log", 1, LEAVES[0], signer.private_key, "other.ex")
    assert add(witness, 0, [], other).status == 404
    impostor = Signer()
    assert add(witness, 0, [], checkpoint(impostor, 10)).status == 403


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 0\n",
        b"new 0\n\nx",
        b"old 01\n\n",
        b"old -1\n\n",
        b"old 0\nnot-base64!\n\n",
        b"old 0\nAAAA\n\n",
        b"\xff\xfe\n\n",
    ],
)
def test_malformed_requests_get_400(witness: Witness, body: bytes) -> None:
    assert witness.add_checkpoint(body).status == 400


def test_control_characters_in_the_checkpoint_are_refused(
    witness: Witness, signer: Signer
) -> None:
    note = checkpoint(signer, 10)
    bad = note.replace("\n\n", "\n\n\u2014 evil\x01name AAAAAAAA\n", 1)
    assert witness.add_checkpoint(add_checkpoint_body(0, [], bad)).status in (400, 403)
    with pytest.raises(CheckpointError, match="control"):
        parse_checkpoint(note + "\u2014 a\x07b AAAAAAAA\n")


def test_the_state_survives_a_restart(tmp_path: Path, witness: Witness, signer: Signer) -> None:
    add(witness, 0, [], checkpoint(signer, 30))
    again = Witness(witness.key, WitnessState(witness.state.path), [signer.verifier])
    assert add(again, 0, [], checkpoint(signer, 10)).status == 409
    assert again.state.get(ORIGIN)[0] == 30


def test_parse_add_checkpoint_reads_the_proof() -> None:
    proof = [bytes([n]) * 32 for n in range(3)]
    old, parsed, note = parse_add_checkpoint(add_checkpoint_body(7, proof, "a\nb\n"))
    assert (old, parsed, note) == (7, proof, "a\nb\n")


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.tuples(st.integers(1, 63), st.integers(1, 64)).filter(lambda t: t[0] < t[1]),
    data=st.data(),
)
def test_any_change_to_a_proof_is_refused(tmp_path_factory, sizes, data) -> None:
    old, new = sizes
    signer = Signer()
    witness = Witness(
        generate_cosigner("w"),
        WitnessState(tmp_path_factory.mktemp("w") / "state.json"),
        [signer.verifier],
    )
    assert add(witness, 0, [], checkpoint(signer, old)).status == 200
    proof = consistency_proof(LEAVES, old, new)
    position = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    changed = [*proof]
    changed[position] = bytes(
        b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(changed[position])
    )
    assert add(witness, old, changed, checkpoint(signer, new)).status == 422
    assert add(witness, old, proof[:-1], checkpoint(signer, new)).status == 422
    assert add(witness, old, proof, checkpoint(signer, new)).status == 200


def test_the_state_keeps_a_history_once_per_checkpoint(witness: Witness, signer: Signer) -> None:
    add(witness, 0, [], checkpoint(signer, 10))
    add(witness, 10, consistency_proof(LEAVES, 10, 20), checkpoint(signer, 20))
    add(witness, 20, [], checkpoint(signer, 20))  # retried
    history = json.loads(witness.state.path.read_text())["logs"][ORIGIN]["history"]
    assert [parse_checkpoint(text).size for text in history] == [10, 20]
    # Each kept checkpoint carries this witness's cosignature.
    assert all(verify_cosignatures(text, [witness.key.verifier]) for text in history)
