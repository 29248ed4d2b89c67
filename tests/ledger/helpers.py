"""Builders and a deliberately naive RFC 6962 implementation to test the ledger against."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

from safeshare.ledger.checkpoint import (
    VerifierKey,
    generate_signing_key,
    sign_checkpoint,
    verifier_key,
)
from safeshare.ledger.entries import (
    LEGACY_FORMAT_VERSION,
    Entry,
    EntryKind,
    commit_reference,
    entry_bytes,
    format_timestamp,
    person_token,
    public_payload,
    record_token,
)
from safeshare.ledger.export import LEAF_HASHES_FILE, write_export
from safeshare.ledger.merkle import leaf_hash

TOKEN_KEY = bytes(range(32))
POLICY_VERSION = sha256(b"policies/uk-mvp-2022.toml").hexdigest()
ORIGIN = "test.safeshare.example/ledger"


# --- Naive RFC 6962 §2.1, written from the definitions --------------------------------------


def naive_leaf(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def naive_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from RFC 6962 §2.1, recursively, over raw leaf data."""
    n = len(leaves)
    if n == 0:
        return sha256(b"").digest()
    if n == 1:
        return naive_leaf(leaves[0])
    k = naive_split(n)
    return sha256(b"\x01" + naive_mth(leaves[:k]) + naive_mth(leaves[k:])).digest()


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) from RFC 6962 §2.1.1."""
    n = len(leaves)
    if n <= 1:
        return []
    k = naive_split(n)
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) from RFC 6962 §2.1.2."""
    n = len(leaves)
    if m == n:
        return [] if complete else [naive_mth(leaves)]
    k = naive_split(n)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], complete), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


def naive_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) from RFC 6962 §2.1.2 (empty for m == 0 or m == n)."""
    if m in (0, len(leaves)):
        return []
    return naive_subproof(m, leaves, True)


# --- Entries and exports ---------------------------------------------------------------------


def _opening(label: str) -> bytes:
    return sha256(f"opening {label}".encode()).digest()


def make_entry(index: int, **changes: object) -> Entry:
    """A valid entry (format 2) whose content depends on ``index``."""
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=index)
    kind = EntryKind(changes.get("kind", list(EntryKind)[index % len(EntryKind)]))
    fields: dict[str, object] = {
        "index": index,
        "kind": kind,
        "policy_id": "uk-mvp-2022",
        "policy_version": POLICY_VERSION,
        "actor_org": "WMP" if index % 2 else "IE-NCCU",
        "actor_role": "police_officer" if index % 2 else "ie_caseworker",
        "timestamp": format_timestamp(moment),
        "subjects": (commit_reference(_opening(f"s{index}"), "person", f"person-{index % 7}"),),
        "payload": public_payload(
            kind,
            {
                "case": commit_reference(_opening(f"c{index}"), "case", str(index // 3)),
                "clearance": commit_reference(_opening(f"k{index}"), "clearance", str(index)),
                "decision": ("blocked", "hold", "clear")[index % 3],
                "match_count": index % 5,
            },
        ),
    }
    fields.update(changes)
    return Entry(**fields)  # type: ignore[arg-type]


def make_legacy_entry(index: int, **changes: object) -> Entry:
    """A valid entry of format 1 (keyed tokens repeated from entry to entry)."""
    moment = datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=index, microseconds=index)
    kinds = [kind for kind in EntryKind if kind is not EntryKind.FORMAT_CHANGED]
    fields: dict[str, object] = {
        "index": index,
        "kind": kinds[index % len(kinds)],
        "policy_id": "uk-mvp-2022",
        "policy_version": POLICY_VERSION,
        "actor_org": "WMP" if index % 2 else "IE-NCCU",
        "actor_role": "police_officer" if index % 2 else "ie_caseworker",
        "timestamp": format_timestamp(moment),
        "subjects": (person_token(TOKEN_KEY, f"person-{index % 7}"),),
        "payload": {
            "case": record_token(TOKEN_KEY, "case", str(index // 3)),
            "decision": ("blocked", "hold", "clear")[index % 3],
            "match_count": index % 5,
        },
        "version": LEGACY_FORMAT_VERSION,
    }
    fields.update(changes)
    return Entry(**fields)  # type: ignore[arg-type]


def make_log(size: int) -> list[bytes]:
    """Canonical bytes of entries 0..size-1."""
    return [entry_bytes(make_entry(i)) for i in range(size)]


class Signer:
    """A log signing key and its verifier key."""

    def __init__(self, name: str = ORIGIN) -> None:
        self.private_key = generate_signing_key()
        self.name = name
        self.verifier: VerifierKey = verifier_key(name, self.private_key.public_key())

    def checkpoint(self, log: Sequence[bytes], size: int, origin: str = ORIGIN) -> str:
        root = naive_mth(log[:size])
        return sign_checkpoint(origin, size, root, self.private_key, self.name)


def build_export(
    directory: Path,
    log: Sequence[bytes],
    signer: Signer,
    sizes: Sequence[int],
    *,
    with_leaf_hashes: bool = True,
) -> Path:
    """Write an export of ``log`` with checkpoints at ``sizes``."""
    write_export(
        directory,
        log,
        [signer.checkpoint(log, size) for size in sizes],
        [signer.verifier],
        leaf_hashes=[leaf_hash(data) for data in log],
    )
    if not with_leaf_hashes:
        (directory / LEAF_HASHES_FILE).unlink()
    return directory
