"""Interoperability with the ``sigstore`` package's RFC 6962 inclusion check
(``sigstore._internal.merkle.verify_merkle_inclusion``) and checkpoint check
(``sigstore._internal.rekor.checkpoint.verify_checkpoint``): an independent implementation
accepts our leaf hashes, audit paths and signed checkpoints (with the timestamp extension line
and witnesses' cosignatures), and refuses them altered.

The wheel is in the ``dev`` dependency group, so the suite and CI have it; where it is missing
the tests are skipped with the reason.
"""

from __future__ import annotations

import base64
import time

import pytest

from safeshare.ledger.checkpoint import (
    generate_signing_key,
    parse_checkpoint,
    sign_checkpoint,
    timestamp_extension,
    verifier_key,
)
from safeshare.ledger.cosignature import add_cosignatures, generate_cosigner
from safeshare.ledger.merkle import TreeStore, leaf_hash, root_from_leaf_hashes

from .helpers import make_log

merkle = pytest.importorskip("sigstore._internal.merkle", reason="the sigstore wheel is missing")
rekor_checkpoint = pytest.importorskip("sigstore._internal.rekor.checkpoint")
trust = pytest.importorskip("sigstore._internal.trust")
models = pytest.importorskip("sigstore.models")
errors = pytest.importorskip("sigstore.errors")
common_v1 = pytest.importorskip("sigstore_models.common.v1")
rekor_v1 = pytest.importorskip("sigstore_models.rekor.v1")

from cryptography.hazmat.primitives.serialization import (  # noqa: E402
    Encoding,
    PublicFormat,
)

ORIGIN = "interop.safeshare.example/ledger"
LOG = make_log(41)
LEAVES = [leaf_hash(entry) for entry in LOG]
PRIVATE = generate_signing_key()
KEY = verifier_key(ORIGIN, PRIVATE.public_key())


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def keyring():
    """Sigstore's keyring holding the log's Ed25519 public key."""
    der = PRIVATE.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    public = common_v1.PublicKey(
        raw_bytes=b64(der), key_details=common_v1.PublicKeyDetails.PKIX_ED25519
    )
    return trust.RekorKeyring(trust.Keyring([public]))


def checkpoint(size: int, *, cosigned: bool = False) -> str:
    root = root_from_leaf_hashes(LEAVES[:size])
    note = sign_checkpoint(
        ORIGIN, size, root, PRIVATE, extensions=[timestamp_extension(int(time.time()))]
    )
    if cosigned:
        body = parse_checkpoint(note).body
        witnesses = [generate_cosigner(f"w{n}.example/witness") for n in range(2)]
        note = add_cosignatures(note, [w.cosign(body) for w in witnesses])
    return note


def log_entry(index: int, size: int, note: str, body: bytes | None = None):
    """Our entry, audit path and checkpoint as sigstore's ``TransparencyLogEntry``."""
    proof = TreeStore(LEAVES).inclusion_proof(index, size)
    root = parse_checkpoint(note).root
    # Sigstore names the log by a key ID whose first four bytes are the note's key hash.
    log_id = KEY.key_hash.to_bytes(4, "big") + bytes(28)
    inner = rekor_v1.TransparencyLogEntry(
        log_index=str(index),
        log_id=common_v1.LogId(key_id=b64(log_id)),
        kind_version=rekor_v1.KindVersion(kind="safeshare", version="2"),
        integrated_time="0",
        inclusion_proof=rekor_v1.InclusionProof(
            log_index=str(index),
            root_hash=b64(root),
            tree_size=str(size),
            hashes=[b64(step) for step in proof],
            checkpoint=rekor_v1.Checkpoint(envelope=note),
        ),
        canonicalized_body=b64(LOG[index] if body is None else body),
    )
    return models.TransparencyLogEntry(inner)


@pytest.mark.parametrize(("index", "size"), [(0, 1), (0, 41), (17, 41), (40, 41), (31, 32)])
def test_sigstore_accepts_our_inclusion_proofs_and_checkpoints(index: int, size: int) -> None:
    entry = log_entry(index, size, checkpoint(size, cosigned=index % 2 == 1))
    merkle.verify_merkle_inclusion(entry)
    rekor_checkpoint.verify_checkpoint(keyring(), entry)


def test_sigstore_refuses_a_changed_entry() -> None:
    entry = log_entry(5, 41, checkpoint(41), body=LOG[5].replace(b'"kind"', b'"kinD"'))
    with pytest.raises(errors.VerificationError, match="invalid root hash"):
        merkle.verify_merkle_inclusion(entry)


def test_sigstore_refuses_a_changed_checkpoint() -> None:
    note = checkpoint(41)
    forged = note.replace("\n41\n", "\n40\n", 1)
    with pytest.raises(errors.VerificationError, match="invalid signature"):
        rekor_checkpoint.verify_checkpoint(keyring(), log_entry(5, 41, forged))


def test_sigstore_refuses_a_checkpoint_by_another_key() -> None:
    other = sign_checkpoint(
        ORIGIN, 41, parse_checkpoint(checkpoint(41)).root, generate_signing_key()
    )
    with pytest.raises(errors.VerificationError):
        rekor_checkpoint.verify_checkpoint(keyring(), log_entry(5, 41, other))
