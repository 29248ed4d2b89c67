"""Receipts: a portable proof that one entry is in the ledger, checkable offline.

A receipt holds the entry's index and leaf hash, a signed checkpoint, and the inclusion proof of
the leaf in the tree that checkpoint commits to. Whoever holds the entry (for example a victim's
advocate shown what was shared about them) and the log's public key can check it with
``verify_receipt`` or by hand: hash the entry, run the RFC 9162 inclusion check, check the
checkpoint signature.

JSON form (``receipt_to_json``)::

    {"format": "safeshare-ledger-receipt/2", "index": 41, "leaf_hash": "<base64>",
     "checkpoint": "<signed checkpoint text>", "inclusion_proof": ["<base64>", ...],
     "openings": [{"namespace": "person", "identifier": "<public id>",
                   "opening": "<64 hex digits>"}]}

From entry format 2 an entry names people only by hiding commitments
(``entries.commit_reference``). The receipt given to a person carries the openings of their own
commitments in the entry, so that they (and anyone they show it to) can check that the entry is
about them; it opens nothing else in the entry. A receipt with no openings (format 1 entries) is
written in the ``/1`` form.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from safeshare.ledger.checkpoint import Checkpoint, CheckpointError, VerifierKey, verify_checkpoint
from safeshare.ledger.entries import (
    OPENING_BYTES,
    REFERENCE_FIELDS,
    EntryError,
    commit_reference,
    parse_canonical_json,
)
from safeshare.ledger.merkle import HASH_SIZE, leaf_hash, verify_inclusion

RECEIPT_FORMAT = "safeshare-ledger-receipt/2"
LEGACY_RECEIPT_FORMAT = "safeshare-ledger-receipt/1"
RECEIPT_FORMATS = frozenset({RECEIPT_FORMAT, LEGACY_RECEIPT_FORMAT})


class ReceiptError(ValueError):
    """A receipt is malformed or does not prove what it claims."""


@dataclass(frozen=True)
class Opening:
    """What opens one commitment in an entry (``entries.commit_reference``)."""

    namespace: str
    identifier: str
    opening: bytes

    def commitment(self) -> str:
        """The commitment this opens."""
        return commit_reference(self.opening, self.namespace, self.identifier)


@dataclass(frozen=True)
class Receipt:
    """Proof that ``leaf_hash`` is the leaf of entry ``index`` in the tree ``checkpoint`` signs,
    and (``openings``) that the entry refers to the receipt's holder."""

    index: int
    leaf_hash: bytes
    checkpoint: str
    inclusion_proof: tuple[bytes, ...]
    openings: tuple[Opening, ...] = ()


def make_receipt(
    index: int,
    leaf_hash: bytes,
    checkpoint: str,
    inclusion_proof: Sequence[bytes],
    openings: Sequence[Opening] = (),
) -> Receipt:
    """Build a receipt (the proof is for ``index`` in the checkpoint's tree size)."""
    return Receipt(index, leaf_hash, checkpoint, tuple(inclusion_proof), tuple(openings))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def receipt_to_json(receipt: Receipt) -> str:
    """Return the receipt as compact JSON text."""
    data: dict[str, object] = {
        "format": RECEIPT_FORMAT if receipt.openings else LEGACY_RECEIPT_FORMAT,
        "index": receipt.index,
        "leaf_hash": _b64(receipt.leaf_hash),
        "checkpoint": receipt.checkpoint,
        "inclusion_proof": [_b64(node) for node in receipt.inclusion_proof],
    }
    if receipt.openings:
        data["openings"] = [
            {"namespace": o.namespace, "identifier": o.identifier, "opening": o.opening.hex()}
            for o in receipt.openings
        ]
    return json.dumps(
        data,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _hash_from_b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise ReceiptError(f"{what} must be a base64 string")
    try:
        decoded = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeError, binascii.Error) as error:
        raise ReceiptError(f"{what} is not valid base64") from error
    if len(decoded) != HASH_SIZE:
        raise ReceiptError(f"{what} must be a 32-byte hash")
    return decoded


def receipt_from_json(text: str | bytes) -> Receipt:
    """Parse a receipt's JSON form, raising ``ReceiptError`` if it is malformed."""
    try:
        data = json.loads(text)
    except (UnicodeError, ValueError) as error:
        raise ReceiptError("a receipt must be JSON") from error
    if not isinstance(data, dict) or data.get("format") not in RECEIPT_FORMATS:
        raise ReceiptError(f"not a {RECEIPT_FORMAT} receipt")
    index = data.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ReceiptError("the receipt index must be a non-negative integer")
    checkpoint = data.get("checkpoint")
    if not isinstance(checkpoint, str):
        raise ReceiptError("the receipt must carry a checkpoint")
    proof = data.get("inclusion_proof")
    if not isinstance(proof, list):
        raise ReceiptError("the inclusion proof must be a list")
    return Receipt(
        index=index,
        leaf_hash=_hash_from_b64(data.get("leaf_hash"), "leaf_hash"),
        checkpoint=checkpoint,
        inclusion_proof=tuple(_hash_from_b64(node, "inclusion proof node") for node in proof),
        openings=_openings_from_json(data.get("openings", [])),
    )


def _openings_from_json(value: object) -> tuple[Opening, ...]:
    if not isinstance(value, list):
        raise ReceiptError("the openings must be a list")
    openings = []
    for item in value:
        if not isinstance(item, dict):
            raise ReceiptError("an opening must be an object")
        namespace, identifier, opening = (
            item.get("namespace"),
            item.get("identifier"),
            item.get("opening"),
        )
        if not isinstance(namespace, str) or not isinstance(identifier, str):
            raise ReceiptError("an opening needs a namespace and an identifier")
        if not isinstance(opening, str) or len(opening) != 2 * OPENING_BYTES:
            raise ReceiptError(f"an opening must be {2 * OPENING_BYTES} hex digits")
        try:
            openings.append(Opening(namespace, identifier, bytes.fromhex(opening)))
        except ValueError as error:
            raise ReceiptError("an opening must be hex digits") from error
    return tuple(openings)


def _references(entry: dict[str, object]) -> set[str]:
    """Every commitment in an entry: its subjects and its payload's reference fields."""
    subjects = entry.get("subjects")  # unchecked JSON: anything but a list has no tokens
    found = {str(token) for token in subjects} if isinstance(subjects, list) else set()
    payload = entry.get("payload")
    if isinstance(payload, dict):
        found.update(str(payload[name]) for name in REFERENCE_FIELDS if payload.get(name))
    return found


def check_receipt(
    receipt: Receipt | str | bytes,
    entry_bytes_or_leaf_hash: bytes,
    verifier_keys: Iterable[VerifierKey | str],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Check a receipt against an entry (or its 32-byte leaf hash); return the checkpoint.

    A 32-byte argument is taken as a leaf hash (a valid entry is always longer); anything else
    is taken as the entry's canonical bytes, whose ``index`` must also match the receipt.
    Raises ``ReceiptError`` with the reason if the receipt does not hold.
    """
    if not isinstance(receipt, Receipt):
        receipt = receipt_from_json(receipt)
    try:
        checkpoint = verify_checkpoint(receipt.checkpoint, verifier_keys, origin=origin)
    except CheckpointError as error:
        raise ReceiptError(f"checkpoint: {error}") from error
    if len(entry_bytes_or_leaf_hash) == HASH_SIZE:
        claimed = entry_bytes_or_leaf_hash
    else:
        claimed = leaf_hash(entry_bytes_or_leaf_hash)
        try:
            entry = parse_canonical_json(entry_bytes_or_leaf_hash)
        except EntryError as error:
            raise ReceiptError(f"entry: {error}") from error
        if not isinstance(entry, dict) or entry.get("index") != receipt.index:
            raise ReceiptError("the entry's index is not the receipt's index")
        if receipt.openings:
            references = _references(entry)
            for opening in receipt.openings:
                try:
                    commitment = opening.commitment()
                except ValueError as error:
                    raise ReceiptError(f"opening: {error}") from error
                if commitment not in references:
                    raise ReceiptError(
                        f"the opening for {opening.namespace} {opening.identifier} does not "
                        "open any reference in the entry"
                    )
    if claimed != receipt.leaf_hash:
        raise ReceiptError("the entry does not match the receipt's leaf hash")
    if not verify_inclusion(
        receipt.index, checkpoint.size, receipt.leaf_hash, receipt.inclusion_proof, checkpoint.root
    ):
        raise ReceiptError("the inclusion proof does not lead to the checkpoint's root")
    return checkpoint


def verify_receipt(
    receipt_json: Receipt | str | bytes,
    entry_bytes_or_leaf_hash: bytes,
    verifier_keys: Iterable[VerifierKey | str],
    *,
    origin: str | None = None,
) -> bool:
    """Return True if the receipt proves the entry is in the signed ledger (see check_receipt)."""
    try:
        check_receipt(receipt_json, entry_bytes_or_leaf_hash, verifier_keys, origin=origin)
    except ReceiptError:
        return False
    return True
