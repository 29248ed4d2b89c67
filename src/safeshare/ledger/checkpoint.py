"""Signed tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint) in signed notes.

A checkpoint is a signed note (c2sp.org/signed-note, golang.org/x/mod/sumdb/note) whose text is::

    <origin>\\n<tree size in decimal>\\n<base64 root hash>\\n[extension lines]

followed by a blank line and one or more signature lines ``— <key name> <base64(key hash ‖
signature)>``. Keys are Ed25519 (signature type 0x01); a key hash is the first four bytes of
``SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)``. Keys are written as note key strings:
``<name>+<hex key hash>+<base64(0x01 ‖ public key)>`` for verifiers and
``PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 ‖ seed)>`` for signers.

Verification accepts several verifier keys, so checkpoints signed before a key rotation stay
verifiable with the old public key. Signatures by unknown keys (such as witness cosignatures)
are kept but not trusted; a known key's bad signature is an error.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from hashlib import sha256

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
"""Signed-note signature type for Ed25519."""

SIGNATURE_PREFIX = "\u2014 "
"""Start of every signature line: an em dash (U+2014) and a space."""

MAX_NOTE_BYTES = 64 * 1024
MAX_SIGNATURES = 100
HASH_SIZE = 32

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class CheckpointError(ValueError):
    """A checkpoint or key is malformed, or a signature does not verify."""


def _is_valid_name(name: str) -> bool:
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and not _CONTROL.search(name)
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeError, binascii.Error) as error:
        raise CheckpointError(f"{what} is not valid base64") from error
    if _b64(data) != text:
        raise CheckpointError(f"{what} is not in canonical base64")
    return data


def _public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public_key: Ed25519PublicKey) -> int:
    """Return the note key hash: the first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key)."""
    message = name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + _public_bytes(public_key)
    return int.from_bytes(sha256(message).digest()[:4], "big")


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key that checkpoints are verified against."""

    name: str
    key_hash: int
    public_key: Ed25519PublicKey = field(compare=False)

    def __str__(self) -> str:
        encoded = _b64(bytes([ALG_ED25519]) + _public_bytes(self.public_key))
        return f"{self.name}+{self.key_hash:08x}+{encoded}"

    @property
    def key_id(self) -> str:
        """``<name>+<hex key hash>``, naming the key in messages."""
        return f"{self.name}+{self.key_hash:08x}"


@dataclass(frozen=True)
class SignerKey:
    """A named Ed25519 private key that signs checkpoints."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @property
    def verifier(self) -> VerifierKey:
        """The matching verifier key."""
        return verifier_key(self.name, self.private_key.public_key())

    def __str__(self) -> str:
        seed = self.private_key.private_bytes_raw()
        key = self.verifier
        return f"PRIVATE+KEY+{self.name}+{key.key_hash:08x}+{_b64(bytes([ALG_ED25519]) + seed)}"


def generate_signing_key() -> Ed25519PrivateKey:
    """Return a new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def verifier_key(name: str, public_key: Ed25519PublicKey) -> VerifierKey:
    """Name a public key, checking that the name is valid for signed notes."""
    if not _is_valid_name(name):
        raise CheckpointError(f"invalid key name {name!r}")
    return VerifierKey(name, key_hash(name, public_key), public_key)


def verifier_key_string(name: str, public_key: Ed25519PublicKey) -> str:
    """Return ``<name>+<hex key hash>+<base64(0x01 ‖ public key)>``."""
    return str(verifier_key(name, public_key))


def signer_key_string(name: str, private_key: Ed25519PrivateKey) -> str:
    """Return ``PRIVATE+KEY+<name>+<hex key hash>+<base64(0x01 ‖ seed)>``; keep it secret."""
    verifier_key(name, private_key.public_key())
    return str(SignerKey(name, private_key))


def is_valid_key_name(name: str) -> bool:
    """A signed-note key name: non-empty, no ``+``, no white space, no control characters."""
    return _is_valid_name(name)


def b64(data: bytes) -> str:
    """Standard base64 with padding, as signed notes write keys and signatures."""
    return _b64(data)


def public_bytes(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return _public_bytes(public_key)


def split_note_key(text: str, alg: int, *, private: bool, what: str) -> tuple[str, str, bytes]:
    """Parse a note key string of signature type ``alg``: ``<name>+<hex key hash>+<base64(alg
    ‖ 32-byte key)>``, after ``PRIVATE+KEY+`` for a private key. Returns the name, the hex key
    hash and the key's 32 bytes; the caller checks the hash against the key. The one parser of
    note keys, for the log's keys (0x01) and witnesses' cosignature keys (0x04)."""
    text = text.strip()
    is_private = text.startswith("PRIVATE+")
    if private and not text.startswith("PRIVATE+KEY+"):
        raise CheckpointError(f"a {what} signer key starts with PRIVATE+KEY+")
    if not private and is_private:
        raise CheckpointError(f"that is a private key; give the {what} public key")
    pieces = text.split("+", 4 if private else 2)
    if len(pieces) != (5 if private else 3):
        raise CheckpointError("malformed key string")
    name, hash_hex, key_b64 = pieces[-3:]
    if not _is_valid_name(name):
        raise CheckpointError(f"invalid key name {name!r}")
    if not re.fullmatch(r"[0-9a-f]{8}", hash_hex):
        raise CheckpointError("the key hash must be 8 lower-case hex digits")
    key = _unb64(key_b64, "key")
    if len(key) != 33 or key[0] != alg:
        raise CheckpointError(f"a {what} key is of signature type 0x{alg:02x}, with 32 bytes")
    return name, hash_hex, key[1:]


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse a note verifier key string, checking its key hash."""
    name, hash_hex, raw = split_note_key(text, ALG_ED25519, private=False, what="log's")
    key = verifier_key(name, Ed25519PublicKey.from_public_bytes(raw))
    if f"{key.key_hash:08x}" != hash_hex:
        raise CheckpointError(f"key hash of {name!r} does not match its key")
    return key


def parse_signer_key(text: str) -> SignerKey:
    """Parse a note signer key string, checking its key hash."""
    name, hash_hex, raw = split_note_key(text, ALG_ED25519, private=True, what="log's")
    private_key = Ed25519PrivateKey.from_private_bytes(raw)
    if f"{key_hash(name, private_key.public_key()):08x}" != hash_hex:
        raise CheckpointError(f"key hash of {name!r} does not match its key")
    return SignerKey(name, private_key)


def load_verifier_keys(text: str) -> list[VerifierKey]:
    """Parse verifier keys, one a line; blank lines and lines starting with ``#`` are skipped."""
    return [
        parse_verifier_key(line)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _as_verifier_keys(keys: Iterable[VerifierKey | str]) -> list[VerifierKey]:
    return [key if isinstance(key, VerifierKey) else parse_verifier_key(key) for key in keys]


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note."""

    name: str
    key_hash: int
    signature: bytes

    @property
    def key_id(self) -> str:
        """``<name>+<hex key hash>``."""
        return f"{self.name}+{self.key_hash:08x}"


@dataclass(frozen=True)
class Checkpoint:
    """A parsed checkpoint. ``verified_by`` lists the trusted keys whose signatures verified."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]
    body: str
    signatures: tuple[NoteSignature, ...]
    text: str
    verified_by: tuple[VerifierKey, ...] = ()


TIMESTAMP_EXTENSION = "timestamp"
"""The extension line ``timestamp <seconds since the epoch>`` of a checkpoint: when the log
signed it. Signed with the rest, so a client can tell a frozen log from a quiet one even
without witnesses (whose cosignatures carry their own time)."""

_TIMESTAMP = re.compile(r"timestamp (0|[1-9][0-9]{0,18})")


def timestamp_extension(seconds: int) -> str:
    """The extension line stating when a checkpoint was signed."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise CheckpointError("a checkpoint's time is a non-negative whole number of seconds")
    return f"{TIMESTAMP_EXTENSION} {seconds}"


def checkpoint_time(checkpoint: Checkpoint) -> int | None:
    """When the log signed the checkpoint (seconds since the epoch), from its ``timestamp``
    extension line; ``None`` if it has none. Two such lines make the checkpoint malformed."""
    found = [m for line in checkpoint.extensions if (m := _TIMESTAMP.fullmatch(line))]
    if len(found) > 1:
        raise CheckpointError("a checkpoint has at most one timestamp line")
    return int(found[0][1]) if found else None


def checkpoint_body(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """Return the unsigned checkpoint text ``<origin>\\n<size>\\n<base64 root>\\n[extensions]``."""
    if not origin or "\n" in origin or _CONTROL.search(origin):
        raise CheckpointError("the origin must be one non-empty line")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise CheckpointError("the tree size must be a non-negative integer")
    if len(root) != HASH_SIZE:
        raise CheckpointError("the root hash must be 32 bytes")
    for line in extensions:
        if not line or "\n" in line or _CONTROL.search(line):
            raise CheckpointError("extension lines must be non-empty single lines")
    return "".join(f"{line}\n" for line in (origin, str(size), _b64(root), *extensions))


def _signature_line(body: str, private_key: Ed25519PrivateKey, key_name: str) -> str:
    key = verifier_key(key_name, private_key.public_key())
    signature = private_key.sign(body.encode("utf-8"))
    return f"{SIGNATURE_PREFIX}{key_name} {_b64(key.key_hash.to_bytes(4, 'big') + signature)}\n"


def sign_note(body: str, private_key: Ed25519PrivateKey, key_name: str) -> str:
    """Sign note text (which must end in a newline) and return the signed note."""
    _check_text(body)
    return f"{body}\n{_signature_line(body, private_key, key_name)}"


def add_signature(note: str, private_key: Ed25519PrivateKey, key_name: str) -> str:
    """Add one more signature to a signed note, for example a second key during rotation."""
    body, _ = _split_note(note)
    return note + _signature_line(body, private_key, key_name)


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    private_key: Ed25519PrivateKey | SignerKey,
    key_name: str | None = None,
    *,
    extensions: Sequence[str] = (),
) -> str:
    """Return a signed checkpoint. The key name defaults to the signer key's name or the origin."""
    if isinstance(private_key, SignerKey):
        key_name = key_name or private_key.name
        private_key = private_key.private_key
    return sign_note(
        checkpoint_body(origin, size, root, extensions), private_key, key_name or origin
    )


def _check_text(body: str) -> None:
    if not body.endswith("\n") or "\n\n" in body:
        raise CheckpointError("note text must end with a newline and have no blank lines")
    if _CONTROL.search(body):
        raise CheckpointError("note text must not contain control characters")
    try:
        body.encode("utf-8")
    except UnicodeError as error:
        raise CheckpointError("note text must be valid UTF-8") from error


def _split_note(note: str) -> tuple[str, list[NoteSignature]]:
    if len(note.encode("utf-8", "surrogatepass")) > MAX_NOTE_BYTES:
        raise CheckpointError("note is too long")
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("malformed note: no blank line before the signatures")
    body, signature_block = note[: split + 1], note[split + 2 :]
    _check_text(body)
    if _CONTROL.search(signature_block):
        raise CheckpointError("malformed note: control characters in the signatures")
    if not signature_block.endswith("\n"):
        raise CheckpointError("malformed note: signatures must end with a newline")
    signatures = []
    seen = set()
    for line in signature_block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("malformed note: signature lines start with '— '")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not _is_valid_name(name) or not encoded:
            raise CheckpointError("malformed note: bad signature line")
        raw = _unb64(encoded, "signature")
        if len(raw) < 5:
            raise CheckpointError("malformed note: signature too short")
        signature = NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])
        if signature.key_id in seen:
            raise CheckpointError(f"malformed note: two signatures by {signature.key_id}")
        seen.add(signature.key_id)
        signatures.append(signature)
    if len(signatures) > MAX_SIGNATURES:
        raise CheckpointError("malformed note: too many signatures")
    return body, signatures


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a signed checkpoint without checking its signatures."""
    if not isinstance(text, str):
        raise CheckpointError("a checkpoint is text")
    body, signatures = _split_note(text)
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a size and a root hash")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise CheckpointError("the checkpoint origin is empty")
    if not _SIZE.fullmatch(size_text) or int(size_text) >= 1 << 64:
        raise CheckpointError("the tree size must be a decimal number without leading zeros")
    root = _unb64(root_text, "root hash")
    if len(root) != HASH_SIZE:
        raise CheckpointError("the root hash must be 32 bytes")
    if any(not line for line in extensions):
        raise CheckpointError("checkpoint extension lines must not be empty")
    return Checkpoint(
        origin=origin,
        size=int(size_text),
        root=root,
        extensions=tuple(extensions),
        body=body,
        signatures=tuple(signatures),
        text=text,
    )


def verify_checkpoint(
    text: str, verifier_keys: Iterable[VerifierKey | str], *, origin: str | None = None
) -> Checkpoint:
    """Parse a checkpoint and check its signatures against trusted verifier keys.

    Raises ``CheckpointError`` if the note is malformed, if ``origin`` is given and differs, if
    any signature by a trusted key fails, or if no trusted key signed it.
    """
    checkpoint = parse_checkpoint(text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    trusted = {key.key_id: key for key in _as_verifier_keys(verifier_keys)}
    message = checkpoint.body.encode("utf-8")
    verified = []
    for signature in checkpoint.signatures:
        key = trusted.get(signature.key_id)
        if key is None:
            continue
        try:
            key.public_key.verify(signature.signature, message)
        except InvalidSignature as error:
            raise CheckpointError(f"the signature by {key.key_id} does not verify") from error
        verified.append(key)
    if not verified:
        names = ", ".join(s.key_id for s in checkpoint.signatures)
        raise CheckpointError(f"no signature from a trusted key (signed by {names})")
    return replace(checkpoint, verified_by=tuple(verified))
