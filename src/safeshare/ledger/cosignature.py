"""Witness cosignatures of checkpoints (c2sp.org/tlog-cosignature, ``cosignature/v1``).

A witness signs, with Ed25519, the message::

    cosignature/v1
    time <seconds since the epoch>
    <the checkpoint's note text: origin, size, root, extension lines>

and adds it to the checkpoint as an ordinary signed-note line ``— <witness name> <base64(key
ID ‖ timestamp ‖ signature)>``: a 4-byte key ID, the timestamp as an 8-byte big-endian integer,
then the 64-byte signature. The key ID is the first four bytes of ``SHA-256(name ‖ "\\n" ‖ 0x04
‖ public key)``: signature type 0x04 keeps a cosignature from ever being mistaken for a log
signature by the same key. Verifier keys are written ``<name>+<hex key ID>+<base64(0x04 ‖
public key)>``. Pure module: no Django.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from safeshare.ledger.checkpoint import (
    SIGNATURE_PREFIX,
    Checkpoint,
    CheckpointError,
    b64,
    is_valid_key_name,
    parse_checkpoint,
    public_bytes,
    split_note_key,
)

ALG_COSIGNATURE_V1 = 0x04
"""Signed-note signature type of a tlog-cosignature/v1 Ed25519 key."""

COSIGNATURE_BYTES = 4 + 8 + 64


def cosigner_key_id(name: str, public_key: Ed25519PublicKey) -> int:
    """First 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x04 ‖ public key), as an integer."""
    message = name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_bytes(public_key)
    return int.from_bytes(sha256(message).digest()[:4], "big")


@dataclass(frozen=True)
class CosignerVerifier:
    """A witness's public key: checks its cosignatures."""

    name: str
    key_id: int
    public_key: Ed25519PublicKey = field(compare=False)

    def __str__(self) -> str:
        encoded = b64(bytes([ALG_COSIGNATURE_V1]) + public_bytes(self.public_key))
        return f"{self.name}+{self.key_id:08x}+{encoded}"

    @property
    def label(self) -> str:
        """``<name>+<hex key ID>``, naming the witness in messages."""
        return f"{self.name}+{self.key_id:08x}"


@dataclass(frozen=True)
class Cosigner:
    """A witness's private key."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @property
    def verifier(self) -> CosignerVerifier:
        """The matching public key."""
        public_key = self.private_key.public_key()
        return CosignerVerifier(self.name, cosigner_key_id(self.name, public_key), public_key)

    def __str__(self) -> str:
        seed = self.private_key.private_bytes_raw()
        key = self.verifier
        encoded = b64(bytes([ALG_COSIGNATURE_V1]) + seed)
        return f"PRIVATE+KEY+{self.name}+{key.key_id:08x}+{encoded}"

    def cosign(self, checkpoint_body: str, timestamp: int | None = None) -> str:
        """Return the cosignature line (ending in a newline) for a checkpoint's note text."""
        when = int(time.time()) if timestamp is None else timestamp
        message = cosigned_message(checkpoint_body, when)
        signature = self.private_key.sign(message)
        raw = self.verifier.key_id.to_bytes(4, "big") + when.to_bytes(8, "big") + signature
        return f"{SIGNATURE_PREFIX}{self.name} {b64(raw)}\n"


def generate_cosigner(name: str) -> Cosigner:
    """A new random witness key named ``name``."""
    if not is_valid_key_name(name):
        raise CheckpointError(f"invalid key name {name!r}")
    return Cosigner(name, Ed25519PrivateKey.generate())


def cosigned_message(checkpoint_body: str, timestamp: int) -> bytes:
    """The bytes a witness signs: ``cosignature/v1``, ``time <t>``, then the checkpoint text."""
    if not 0 <= timestamp < 1 << 64:
        raise CheckpointError("the cosignature time is out of range")
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_body}".encode()


def parse_cosigner_verifier(text: str) -> CosignerVerifier:
    """Parse ``<name>+<hex key ID>+<base64(0x04 ‖ public key)>``, checking the key ID."""
    name, key_id, raw = split_note_key(text, ALG_COSIGNATURE_V1, private=False, what="witness's")
    public_key = Ed25519PublicKey.from_public_bytes(raw)
    key = CosignerVerifier(name, cosigner_key_id(name, public_key), public_key)
    if f"{key.key_id:08x}" != key_id:
        raise CheckpointError(f"key ID of {name!r} does not match its key")
    return key


def parse_cosigner(text: str) -> Cosigner:
    """Parse ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x04 ‖ seed)>``."""
    name, key_id, raw = split_note_key(text, ALG_COSIGNATURE_V1, private=True, what="witness's")
    signer = Cosigner(name, Ed25519PrivateKey.from_private_bytes(raw))
    if f"{signer.verifier.key_id:08x}" != key_id:
        raise CheckpointError(f"key ID of {name!r} does not match its key")
    return signer


@dataclass(frozen=True)
class VerifiedCosignature:
    """A cosignature that verified: who, and when they saw the checkpoint."""

    witness: CosignerVerifier
    timestamp: int


def verify_cosignatures(
    checkpoint: Checkpoint | str, witnesses: Iterable[CosignerVerifier | str]
) -> list[VerifiedCosignature]:
    """The cosignatures on ``checkpoint`` by the given witnesses that verify.

    Signature lines by other keys are ignored (the log's own, unknown witnesses). A line whose
    key ID is a given witness's but whose signature does not verify is an error: somebody
    forged or altered it.
    """
    if isinstance(checkpoint, str):
        checkpoint = parse_checkpoint(checkpoint)
    keys = {}
    key: CosignerVerifier | None
    for witness in witnesses:
        key = (
            witness if isinstance(witness, CosignerVerifier) else parse_cosigner_verifier(witness)
        )
        keys[(key.name, key.key_id)] = key
    verified = []
    for line in checkpoint.signatures:
        key = keys.get((line.name, line.key_hash))
        if key is None:
            continue
        if len(line.signature) != COSIGNATURE_BYTES - 4:
            raise CheckpointError(f"the cosignature by {key.label} is malformed")
        timestamp = int.from_bytes(line.signature[:8], "big")
        try:
            key.public_key.verify(line.signature[8:], cosigned_message(checkpoint.body, timestamp))
        except InvalidSignature as error:
            raise CheckpointError(f"the cosignature by {key.label} does not verify") from error
        verified.append(VerifiedCosignature(key, timestamp))
    return verified


def add_cosignatures(note: str, lines: Iterable[str]) -> str:
    """Append cosignature lines to a signed note, skipping keys that already signed it."""
    checkpoint = parse_checkpoint(note)
    seen = {s.key_id for s in checkpoint.signatures}
    result = note
    for line in lines:
        text = line if line.endswith("\n") else line + "\n"
        merged = parse_checkpoint(checkpoint.body + "\n" + text)
        signature = merged.signatures[0]
        if signature.key_id in seen:
            continue
        seen.add(signature.key_id)
        result += text
    parse_checkpoint(result)
    return result
