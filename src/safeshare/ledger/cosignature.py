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

import base64
import binascii
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from safeshare.ledger.checkpoint import (
    SIGNATURE_PREFIX,
    Checkpoint,
    CheckpointError,
    parse_checkpoint,
)

ALG_COSIGNATURE_V1 = 0x04
"""Signed-note signature type of a tlog-cosignature/v1 Ed25519 key."""

COSIGNATURE_BYTES = 4 + 8 + 64


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name)


def cosigner_key_id(name: str, public_key: Ed25519PublicKey) -> int:
    """First 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x04 ‖ public key), as an integer."""
    message = (
        name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + _public_bytes(public_key)
    )
    return int.from_bytes(sha256(message).digest()[:4], "big")


@dataclass(frozen=True)
class CosignerVerifier:
    """A witness's public key: checks its cosignatures."""

    name: str
    key_id: int
    public_key: Ed25519PublicKey = field(compare=False)

    def __str__(self) -> str:
        encoded = _b64(bytes([ALG_COSIGNATURE_V1]) + _public_bytes(self.public_key))
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
        encoded = _b64(bytes([ALG_COSIGNATURE_V1]) + seed)
        return f"PRIVATE+KEY+{self.name}+{key.key_id:08x}+{encoded}"

    def cosign(self, checkpoint_body: str, timestamp: int | None = None) -> str:
        """Return the cosignature line (ending in a newline) for a checkpoint's note text."""
        when = int(time.time()) if timestamp is None else timestamp
        message = cosigned_message(checkpoint_body, when)
        signature = self.private_key.sign(message)
        raw = self.verifier.key_id.to_bytes(4, "big") + when.to_bytes(8, "big") + signature
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(raw)}\n"


def generate_cosigner(name: str) -> Cosigner:
    """A new random witness key named ``name``."""
    if not _valid_name(name):
        raise CheckpointError(f"invalid key name {name!r}")
    return Cosigner(name, Ed25519PrivateKey.generate())


def cosigned_message(checkpoint_body: str, timestamp: int) -> bytes:
    """The bytes a witness signs: ``cosignature/v1``, ``time <t>``, then the checkpoint text."""
    if not 0 <= timestamp < 1 << 64:
        raise CheckpointError("the cosignature time is out of range")
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_body}".encode()


def _decode(text: str) -> tuple[str, str, bytes]:
    text = text.strip()
    if text.startswith("PRIVATE+KEY+"):
        text = text[len("PRIVATE+KEY+") :]
    pieces = text.split("+", 2)
    if len(pieces) != 3:
        raise CheckpointError("malformed key string")
    name, key_id, encoded = pieces
    if not _valid_name(name) or not re.fullmatch(r"[0-9a-f]{8}", key_id):
        raise CheckpointError("malformed key string")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise CheckpointError("the key is not valid base64") from error
    if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
        raise CheckpointError("a witness key is a cosignature/v1 key (type 0x04, 32 bytes)")
    return name, key_id, raw[1:]


def parse_cosigner_verifier(text: str) -> CosignerVerifier:
    """Parse ``<name>+<hex key ID>+<base64(0x04 ‖ public key)>``, checking the key ID."""
    if text.strip().startswith("PRIVATE+"):
        raise CheckpointError("that is a private key; give the witness's public key")
    name, key_id, raw = _decode(text)
    public_key = Ed25519PublicKey.from_public_bytes(raw)
    key = CosignerVerifier(name, cosigner_key_id(name, public_key), public_key)
    if f"{key.key_id:08x}" != key_id:
        raise CheckpointError(f"key ID of {name!r} does not match its key")
    return key


def parse_cosigner(text: str) -> Cosigner:
    """Parse ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x04 ‖ seed)>``."""
    if not text.strip().startswith("PRIVATE+KEY+"):
        raise CheckpointError("a witness signing key starts with PRIVATE+KEY+")
    name, key_id, raw = _decode(text)
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
