"""Receipts: proof that an entry is in the signed ledger."""

from __future__ import annotations

import base64
import json

import pytest

from safeshare.ledger.checkpoint import generate_signing_key, verifier_key
from safeshare.ledger.entries import OPENING_BYTES, canonical_json
from safeshare.ledger.merkle import TreeStore, leaf_hash
from safeshare.ledger.receipts import (
    LEGACY_RECEIPT_FORMAT,
    RECEIPT_FORMAT,
    Opening,
    ReceiptError,
    check_receipt,
    make_receipt,
    receipt_from_json,
    receipt_to_json,
    verify_receipt,
)

from .helpers import ORIGIN, Signer, make_log

LOG = make_log(40)
HASHES = [leaf_hash(data) for data in LOG]


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def receipt_json(signer: Signer, index: int, size: int = 37) -> str:
    proof = TreeStore(HASHES).inclusion_proof(index, size)
    return receipt_to_json(make_receipt(index, HASHES[index], signer.checkpoint(LOG, size), proof))


@pytest.mark.parametrize("index", [0, 1, 17, 36])
def test_a_receipt_verifies_with_the_entry_or_its_leaf_hash(signer: Signer, index: int) -> None:
    text = receipt_json(signer, index)
    assert verify_receipt(text, LOG[index], [signer.verifier])
    assert verify_receipt(text, HASHES[index], [str(signer.verifier)])
    checkpoint = check_receipt(text, LOG[index], [signer.verifier], origin=ORIGIN)
    assert checkpoint.size == 37


def test_receipt_json_round_trips(signer: Signer) -> None:
    text = receipt_json(signer, 5)
    data = json.loads(text)
    assert data["format"] == LEGACY_RECEIPT_FORMAT  # no openings
    assert data["index"] == 5
    assert base64.b64decode(data["leaf_hash"]) == HASHES[5]
    assert all(len(base64.b64decode(node)) == 32 for node in data["inclusion_proof"])
    assert receipt_to_json(receipt_from_json(text)) == text


def test_a_receipt_does_not_verify_another_entry(signer: Signer) -> None:
    text = receipt_json(signer, 5)
    assert not verify_receipt(text, LOG[6], [signer.verifier])
    assert not verify_receipt(text, HASHES[6], [signer.verifier])
    with pytest.raises(ReceiptError, match="index"):
        check_receipt(text, LOG[6], [signer.verifier])


def test_a_changed_entry_fails(signer: Signer) -> None:
    text = receipt_json(signer, 5)
    changed = LOG[5].replace(b'"policy_id":"uk-mvp-2022"', b'"policy_id":"uk-mvp-2023"')
    assert changed != LOG[5]
    with pytest.raises(ReceiptError, match="leaf hash"):
        check_receipt(text, changed, [signer.verifier])


def test_an_unknown_key_fails(signer: Signer) -> None:
    other = verifier_key(ORIGIN, generate_signing_key().public_key())
    with pytest.raises(ReceiptError, match="checkpoint"):
        check_receipt(receipt_json(signer, 5), LOG[5], [other])
    assert not verify_receipt(receipt_json(signer, 5), LOG[5], ["not a key"])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: {**r, "index": r["index"] + 1},
        lambda r: {**r, "inclusion_proof": r["inclusion_proof"][:-1]},
        lambda r: {**r, "inclusion_proof": list(reversed(r["inclusion_proof"]))},
        lambda r: {**r, "leaf_hash": r["inclusion_proof"][0]},
        lambda r: {**r, "checkpoint": r["checkpoint"].replace("\n37\n", "\n38\n")},
    ],
)
def test_tampered_receipts_fail(signer: Signer, tamper: object) -> None:
    original = json.loads(receipt_json(signer, 9))
    tampered = json.dumps(tamper(original))  # type: ignore[operator]
    assert not verify_receipt(tampered, HASHES[9], [signer.verifier])


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": "other"}),
        json.dumps({"format": RECEIPT_FORMAT, "index": -1}),
        json.dumps({"format": RECEIPT_FORMAT, "index": True}),
        json.dumps({"format": RECEIPT_FORMAT, "index": 1, "checkpoint": "x"}),
        json.dumps(
            {
                "format": RECEIPT_FORMAT,
                "index": 1,
                "checkpoint": "x",
                "inclusion_proof": ["AAAA"],
                "leaf_hash": base64.b64encode(bytes(32)).decode(),
            }
        ),
    ],
)
def test_malformed_receipts_are_rejected(text: str) -> None:
    with pytest.raises(ReceiptError):
        receipt_from_json(text)


@pytest.mark.parametrize("subjects", [5, "a-string", {"a": 1}, None])
def test_an_entry_whose_subjects_are_not_a_list_opens_nothing(
    signer: Signer, subjects: object
) -> None:
    proof = TreeStore(HASHES).inclusion_proof(3, 37)
    opening = Opening("person", "P-1", bytes(OPENING_BYTES))
    receipt = make_receipt(3, HASHES[3], signer.checkpoint(LOG, 37), proof, [opening])
    forged = canonical_json({"index": 3, "subjects": subjects, "payload": {}})
    with pytest.raises(ReceiptError, match="does not open any reference"):
        check_receipt(receipt, forged, [signer.verifier])
