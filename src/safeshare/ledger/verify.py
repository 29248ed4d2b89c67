"""Verify a ledger, from an export directory or from any stream of entries and checkpoints.

Run ``python -m safeshare.ledger.verify DIR --public-key KEY_OR_FILE [--json]``. It needs no
database and no Django. It recomputes the leaf of every entry, checks that entries are canonical,
allowed and numbered 0..n-1 without gaps, checks every checkpoint's signature, that each
checkpoint's root is the root of the recomputed tree at its size, and that successive checkpoints
are consistent. It names the first entry that does not fit and exits with status 1 (2 if the
export cannot be read).

``verify_log`` is the pure core, taking iterables, so the same checks run over database rows.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import accumulate, islice, pairwise
from pathlib import Path
from typing import Any

from safeshare.ledger.checkpoint import (
    Checkpoint,
    CheckpointError,
    VerifierKey,
    load_verifier_keys,
    parse_verifier_key,
    verify_checkpoint,
)
from safeshare.ledger.cosignature import (
    CosignerVerifier,
    parse_cosigner_verifier,
    verify_cosignatures,
)
from safeshare.ledger.entries import (
    ENTRY_FORMAT_VERSION,
    LEGACY_FORMAT_VERSION,
    EntryError,
    EntryKind,
    assert_no_personal_data,
    entry_format,
    parse_canonical_json,
)
from safeshare.ledger.export import (
    ENTRIES_FILE,
    EXPORT_FORMAT,
    LEAF_HASHES_FILE,
    PUBLIC_KEYS_FILE,
    ExportError,
    read_checkpoints,
    read_entry_lines,
    read_leaf_hashes,
    read_manifest,
)
from safeshare.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    CompactRange,
    MemorySubtreeCache,
    PackedHashes,
    TreeStore,
    root_from_leaf_hashes,
    verify_consistency,
)

MAX_PROBLEMS = 100
"""Problems listed in full; further ones are only counted."""

_INDEX_PREFIX = re.compile(
    rb'\{"actor_org":"[^"\\]*","actor_role":"[^"\\]*","index":([0-9]+),"kind":"'
)
"""The start of a canonical entry, up to its index (keys are sorted, so ``index`` is third)."""


@dataclass(frozen=True)
class Problem:
    """Something that does not fit. ``index`` is the first entry concerned, if any."""

    code: str
    message: str
    index: int | None = None
    checkpoint: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "code": self.code,
            "message": self.message,
            "index": self.index,
            "checkpoint": self.checkpoint,
        }


@dataclass
class CheckpointResult:
    """The outcome for one checkpoint (``status`` is ``verified``, ``invalid``, ``mismatch``,
    ``beyond-end`` or ``verified-duplicate``)."""

    label: str
    status: str
    size: int | None = None
    root: bytes | None = None
    key_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "label": self.label,
            "status": self.status,
            "size": self.size,
            "root": base64.b64encode(self.root).decode() if self.root is not None else None,
            "signed_by": list(self.key_ids),
        }


@dataclass
class VerificationReport:
    """Everything the verifier found. ``ok`` is true only if nothing failed."""

    entries: int = 0
    root: bytes = EMPTY_ROOT
    origin: str | None = None
    checkpoints: list[CheckpointResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problems_not_listed: int = 0
    verified_size: int = 0
    key_source: str = "given"
    source: str = "the export"
    """What was verified, named in a problem about no entry or checkpoint in particular."""

    @property
    def ok(self) -> bool:
        """True if every check passed."""
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        """The problem about the earliest entry, else the first problem found."""
        with_index = [p for p in self.problems if p.index is not None]
        if with_index:
            return min(with_index, key=lambda problem: problem.index or 0)
        return self.problems[0] if self.problems else None

    def add(self, problem: Problem) -> None:
        """Record a problem, listing at most ``MAX_PROBLEMS``."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.problems_not_listed += 1

    def to_dict(self) -> dict[str, object]:
        """JSON form."""
        first = self.first_problem
        return {
            "ok": self.ok,
            "origin": self.origin,
            "entries": self.entries,
            "root": base64.b64encode(self.root).decode(),
            "verified_size": self.verified_size,
            "unverified_entries": self.entries - self.verified_size,
            "key_source": self.key_source,
            "checkpoints": [result.to_dict() for result in self.checkpoints],
            "first_problem": first.to_dict() if first else None,
            "problems": [problem.to_dict() for problem in self.problems],
            "problems_not_listed": self.problems_not_listed,
        }

    def summary(self) -> str:
        """A short account for people."""
        verified = [r for r in self.checkpoints if r.status == "verified"]
        keys = sorted({key for r in verified for key in r.key_ids})
        last = f"{self.entries - 1:,}" if self.entries else "-"
        lines = [
            f"Origin:       {self.origin or 'unknown'}",
            f"Entries:      {self.entries:,} (indices 0 to {last})",
            f"Checkpoints:  {len(verified)} of {len(self.checkpoints)} verified"
            + (f", largest size {max(r.size or 0 for r in verified):,}" if verified else ""),
            f"Signed by:    {', '.join(keys) or 'no trusted key'}"
            + (" (keys from the export itself)" if self.key_source == "export" else ""),
            f"Tree root:    {base64.b64encode(self.root).decode()}",
        ]
        if self.entries > self.verified_size and self.ok:
            lines.append(
                f"Not yet covered by a checkpoint: entries {self.verified_size:,} onwards"
            )
        first = self.first_problem
        if first is None:
            lines.append("Result:       OK")
        else:
            where = (
                f"entry {first.index}"
                if first.index is not None
                else (first.checkpoint or self.source)
            )
            lines.append("Result:       FAILED")
            lines.append(f"First problem: {where}: {first.message}")
            others = len(self.problems) - 1 + self.problems_not_listed
            if others:
                lines.append(f"Other problems: {others} (use --json to list them)")
        return "\n".join(lines) + "\n"


def _as_keys(keys: Iterable[VerifierKey | str]) -> list[VerifierKey]:
    return [key if isinstance(key, VerifierKey) else parse_verifier_key(key) for key in keys]


def _check_checkpoints(
    checkpoints: Mapping[str, str] | Iterable[str],
    keys: Sequence[VerifierKey],
    origin: str | None,
    report: VerificationReport,
    witness_keys: Sequence[CosignerVerifier] = (),
    quorum: int = 0,
    trusted: Mapping[str, str] | None = None,
) -> dict[int, tuple[CheckpointResult, Checkpoint]]:
    """Check signatures; return the valid checkpoints by size.

    With ``quorum``, a checkpoint is trusted only if at least that many of ``witness_keys``
    cosigned it; the others are reported (``below-quorum``) and not used. ``trusted``
    checkpoints (given out of band, for example kept by a witness) need the log's signature
    only, and are checked against the entries like the others.
    """
    items = (
        list(checkpoints.items())
        if isinstance(checkpoints, Mapping)
        else [(f"checkpoint {n + 1}", text) for n, text in enumerate(checkpoints)]
    )
    trusted_labels = set(trusted or {})
    items += list((trusted or {}).items())
    parsed: list[tuple[CheckpointResult, Checkpoint]] = []
    for label, text in items:
        try:
            checkpoint = verify_checkpoint(text, keys)
            cosigned = verify_cosignatures(checkpoint, witness_keys) if witness_keys else []
        except CheckpointError as error:
            report.checkpoints.append(CheckpointResult(label, "invalid"))
            report.add(Problem("checkpoint-invalid", str(error), checkpoint=label))
            continue
        if quorum and label not in trusted_labels and len(cosigned) < quorum:
            report.checkpoints.append(
                CheckpointResult(label, "below-quorum", checkpoint.size, checkpoint.root)
            )
            names = ", ".join(c.witness.name for c in cosigned) or "no witness"
            report.add(
                Problem(
                    "below-quorum",
                    f"cosigned by {names}: {len(cosigned)} of the {quorum} witnesses required, "
                    "so it is not trusted",
                    checkpoint=label,
                )
            )
            continue
        result = CheckpointResult(
            label,
            "pending",
            checkpoint.size,
            checkpoint.root,
            tuple(key.key_id for key in checkpoint.verified_by),
        )
        report.checkpoints.append(result)
        parsed.append((result, checkpoint))
    parsed.sort(key=lambda pair: pair[1].size)
    if origin is None and parsed:
        origin = parsed[0][1].origin
    report.origin = origin
    by_size: dict[int, tuple[CheckpointResult, Checkpoint]] = {}
    for result, checkpoint in parsed:
        if checkpoint.origin != origin:
            result.status = "invalid"
            report.add(
                Problem(
                    "checkpoint-origin",
                    f"origin {checkpoint.origin!r} is not the log's origin {origin!r}",
                    checkpoint=result.label,
                )
            )
            continue
        earlier = by_size.get(checkpoint.size)
        if earlier is not None and earlier[1].root != checkpoint.root:
            result.status = "invalid"
            report.add(
                Problem(
                    "checkpoint-fork",
                    f"signed with a different root from {earlier[0].label} for the same size "
                    f"{checkpoint.size}: the log has shown two different histories",
                    checkpoint=result.label,
                )
            )
            continue
        if earlier is not None:
            result.status = "verified-duplicate"
            continue
        by_size[checkpoint.size] = (result, checkpoint)
    return by_size


def _entry_problem(data: bytes, position: int, check_content: bool) -> Problem | None:
    """Check one entry's bytes on their own: canonical, allowed, and numbered ``position``."""
    try:
        obj = parse_canonical_json(data)
        if not isinstance(obj, dict):
            raise EntryError("an entry must be a JSON object")
        if check_content:
            assert_no_personal_data(obj)
    except EntryError as error:
        return Problem("entry-invalid", str(error), index=position)
    index = obj.get("index")
    if type(index) is not int or index != position:
        return Problem(
            "index-out-of-order",
            f"line {position + 1} holds index {index!r}, expected {position} "
            "(an entry is missing, inserted or out of order)",
            index=position,
        )
    return None


_FORMAT_CHANGED = b'"kind":"' + EntryKind.FORMAT_CHANGED.value.encode() + b'"'


def _format_problem(
    data: bytes, position: int, previous: int | None
) -> tuple[int | None, Problem | None]:
    """Check the entry's format against the one before: formats only move forward, and the
    first format-2 entry after format-1 ones is the ``format_changed`` entry."""
    version = entry_format(data)
    if version is None or previous is None or version == previous:
        return version, None
    if previous == LEGACY_FORMAT_VERSION and version == ENTRY_FORMAT_VERSION:
        if _FORMAT_CHANGED in data:
            return version, None
        return version, Problem(
            "format-unannounced",
            "the first format-2 entry after format-1 entries must be a format_changed entry",
            index=position,
        )
    return version, Problem(
        "format-backwards",
        f"an entry in format {version} follows one in format {previous}",
        index=position,
    )


def verify_log(
    entries: Iterable[bytes],
    checkpoints: Mapping[str, str] | Iterable[str],
    verifier_keys: Iterable[VerifierKey | str],
    *,
    leaf_hashes: Iterable[bytes] | None = None,
    origin: str | None = None,
    check_content: bool = True,
    recheck_signed_entries: bool = True,
    witness_keys: Iterable[CosignerVerifier | str] = (),
    quorum: int = 0,
    trusted_checkpoints: Mapping[str, str] | None = None,
) -> VerificationReport:
    """Recompute the tree over ``entries`` (canonical bytes, in index order) and check it.

    ``checkpoints`` are signed checkpoint texts, optionally keyed by a label used in messages.
    ``leaf_hashes``, if given, are the leaf hashes the log recorded at append time; where a
    checkpoint authenticates them they pinpoint the exact entry that was changed. With
    ``check_content`` every entry must also pass ``assert_no_personal_data``.

    With ``recheck_signed_entries`` false, an entry below the largest checkpoint's size is only
    read for its index (from its canonical prefix) unless that prefix does not parse: the
    log validated it before signing, and the checkpoint's root proves the bytes unchanged, so
    this is the fast integrity check. Later entries always get every check.
    """
    report = VerificationReport()
    keys = _as_keys(verifier_keys)
    witnesses = [
        key if isinstance(key, CosignerVerifier) else parse_cosigner_verifier(key)
        for key in witness_keys
    ]
    by_size = _check_checkpoints(
        checkpoints, keys, origin, report, witnesses, quorum, trusted_checkpoints
    )
    sizes = sorted(by_size)
    pending = iter(sizes)
    next_size = next(pending, None)

    leaf_buffer = bytearray()
    recorded_buffer = bytearray()
    recorded_iter = iter(leaf_hashes) if leaf_hashes is not None else None
    recorded_break: int | None = None  # where the recorded hashes stop being one per entry
    tree = CompactRange()
    located: set[int] = set()

    def grow_tree(size: int) -> None:
        # The tree is built from the leaf buffer only where a root is needed, in bulk.
        tree.extend_packed(leaf_buffer[tree.size * HASH_SIZE : size * HASH_SIZE])

    def check_at(size: int) -> None:
        result, checkpoint = by_size[size]
        grow_tree(size)
        if tree.root() == checkpoint.root:
            result.status = "verified"
            report.verified_size = size
            return
        result.status = "mismatch"
        if any(p.code == "entry-changed" for p in report.problems):
            return  # later checkpoints fail because of the change already found
        index = _locate_change(size, checkpoint.root, leaf_buffer, recorded_buffer)
        if index is not None:
            message = (
                f"not the entry that {result.label} commits to: its leaf hash differs from "
                "the log's recorded leaf hash, which that checkpoint authenticates"
            )
        else:
            start = report.verified_size
            exact = [p.index for p in report.problems if p.index is not None and p.index >= start]
            index = min(exact, default=start)
            message = (
                f"entries {start} to {size - 1} do not give the root of {result.label}; the "
                "first changed entry is among them"
                + (
                    f", and entry {index} is the first that visibly does not fit"
                    if exact
                    else " (no authenticated leaf hashes narrow it down)"
                )
            )
        located.add(index)
        report.add(Problem("entry-changed", message, index=index, checkpoint=result.label))

    if next_size == 0:
        check_at(0)
        next_size = next(pending, None)

    position = 0
    version: int | None = None
    rotations: list[tuple[int, bytes]] = []
    quick_until = 0 if recheck_signed_entries else max(sizes, default=0)
    index_prefix = _INDEX_PREFIX.match
    items = iter(entries)
    # Entries are taken in batches that never cross a checkpoint's size (nor the end of the
    # quick region), so each checkpoint is checked with exactly the problems found before it.
    # A batch of signed entries whose indices all read right needs no look at each entry; any
    # other batch is checked entry by entry, as are all entries under ``check_content``.
    while True:
        limit = position + _BATCH
        if next_size is not None:
            limit = min(limit, next_size)
        if position < quick_until:
            limit = min(limit, quick_until)
        batch = list(islice(items, limit - position))
        if not batch:
            break
        if set(map(type, batch)) != {bytes}:
            batch = [item if type(item) is bytes else bytes(item) for item in batch]
        end = position + len(batch)
        joined = b"\n".join([b"", *batch])
        if not (position < quick_until and _indices_read_right(joined, batch, position)):
            for offset, data in enumerate(batch):
                at = position + offset
                problem: Problem | None
                if at < quick_until:
                    match = index_prefix(data)
                    problem = (
                        None
                        if match is not None and match[1] == b"%d" % at
                        else _entry_problem(data, at, check_content)
                    )
                else:
                    problem = _entry_problem(data, at, check_content)
                if problem is None and check_content:
                    version, problem = _format_problem(data, at, version)
                if problem is not None:
                    report.add(problem)
        if _KEY_ROTATED in joined:
            rotations += _rotation_candidates(joined, batch, position)
        leaf_buffer += b"".join([sha256(b"\x00" + data).digest() for data in batch])
        if recorded_iter is not None:
            recorded = list(islice(recorded_iter, len(batch)))
            if len(recorded) == len(batch) and _whole_hashes(recorded):
                recorded_buffer += b"".join(recorded)
            else:
                good = 0
                while good < len(recorded) and _whole_hashes(recorded[good : good + 1]):
                    good += 1
                recorded_buffer += b"".join(recorded[:good])
                recorded_iter, recorded_break = None, position + good
        position = end
        while next_size == position:
            check_at(position)
            next_size = next(pending, None)

    report.entries = position
    grow_tree(position)
    report.root = tree.root()
    checked = [size for size in sizes if size <= position]
    for size in sizes[len(checked) :]:
        result, _ = by_size[size]
        result.status = "beyond-end"
        report.add(
            Problem(
                "entries-missing",
                f"{result.label} covers {size} entries but there are only {position}",
                index=position,
                checkpoint=result.label,
            )
        )
    if recorded_iter is not None and next(recorded_iter, None) is not None:
        recorded_break = position
    if recorded_break is not None:
        report.add(
            Problem(
                "leaf-hashes-count",
                "the recorded leaf hashes are malformed, or are not one per entry, from line "
                f"{recorded_break + 1}",
                index=recorded_break if recorded_break >= report.verified_size else None,
            )
        )
    if leaf_hashes is not None:
        differs = PackedHashes.from_buffer(leaf_buffer).first_difference(
            PackedHashes.from_buffer(recorded_buffer),
            limit=min(position, len(recorded_buffer) // HASH_SIZE),
        )
        if differs is not None and differs < report.verified_size:
            report.add(
                Problem(
                    "leaf-hashes-wrong",
                    f"the recorded leaf hash of entry {differs} is wrong, although the entry "
                    "itself matches a signed checkpoint",
                )
            )
        elif differs is not None and differs not in located:
            report.add(
                Problem(
                    "leaf-hash-differs",
                    "its leaf hash differs from the leaf hash the log recorded for it",
                    index=differs,
                )
            )
    _check_consistency(report, by_size, checked, PackedHashes.from_buffer(leaf_buffer))
    _check_key_changes(report, by_size, rotations)
    unwitnessed = [
        r for r in report.checkpoints if r.status == "below-quorum" and r.size is not None
    ]
    if unwitnessed and report.verified_size < min(position, max(r.size or 0 for r in unwitnessed)):
        report.add(
            Problem(
                "unwitnessed",
                f"entries {report.verified_size} onwards are covered by no checkpoint that "
                f"{quorum} witnesses cosigned: the first entry the witnesses have not vouched "
                "for (a rewrite, if any, starts here or later)",
                index=report.verified_size,
            )
        )
    if position and not by_size:
        report.add(Problem("no-checkpoint", "no valid checkpoint covers any entry"))
    return report


_KEY_ROTATED = b'"kind":"key_rotated"'
_BATCH = 4096
"""Entries checked and hashed together by ``verify_log``."""


_INDEX_LINES = re.compile(b"\n" + _INDEX_PREFIX.pattern)
"""The prefix of each entry in a batch joined by newlines, after one (a literal start, which the
regular expression engine finds quickly)."""


def _indices_read_right(joined: bytes, batch: list[bytes], first: int) -> bool:
    """Whether every entry of ``batch`` starts with a canonical prefix holding its index
    (``first``, ``first + 1``, …): the quick check of signed entries, for a whole batch.

    ``joined`` is the batch with a newline before each entry. With no newline inside any entry,
    each line is one entry; a match starts at a newline, and one that ran on into the next line
    would take that line's newline and leave it without a match, so a match on every line means
    a match at the start of every entry.
    """
    if joined.count(b"\n") != len(batch):
        return False
    expected = list(map(b"%d".__mod__, range(first, first + len(batch))))
    return bool(_INDEX_LINES.findall(joined) == expected)


def _rotation_candidates(joined: bytes, batch: list[bytes], first: int) -> list[tuple[int, bytes]]:
    """The entries of ``batch`` (each after a newline in ``joined``) that hold the
    ``key_rotated`` kind, with their positions (the pattern holds no newline, so a match is
    within one entry)."""
    starts_of_next = list(accumulate(map((1).__add__, map(len, batch)), initial=1))[1:]
    found: list[tuple[int, bytes]] = []
    at = joined.find(_KEY_ROTATED)
    while at >= 0:
        offset = bisect_right(starts_of_next, at)
        found.append((first + offset, batch[offset]))
        at = joined.find(_KEY_ROTATED, starts_of_next[offset])
    return found


def _whole_hashes(values: list[Any]) -> bool:
    """Whether every value is 32 bytes long (``None``, which has no length, is not)."""
    try:
        return set(map(len, values)) <= {HASH_SIZE}
    except TypeError:
        return False


def _rotation_key_id(data: bytes) -> str | None:
    """The ``<name>+<key hash>`` a ``key_rotated`` entry rotates to, if it parses."""
    try:
        parsed = parse_canonical_json(data)
        payload = parsed.get("payload") if isinstance(parsed, dict) else None
        value = payload.get("verifier_key") if isinstance(payload, dict) else None
        return parse_verifier_key(str(value)).key_id if value else None
    except (EntryError, CheckpointError, ValueError):
        return None


def _check_key_changes(
    report: VerificationReport,
    by_size: Mapping[int, tuple[CheckpointResult, Checkpoint]],
    rotations: Sequence[tuple[int, bytes]],
) -> None:
    """A checkpoint signed by none of the keys of the one before it needs a ``key_rotated``
    entry, before its size, that names one of its keys: otherwise the key changed silently.

    ``rotations`` are the entries that may be ``key_rotated`` ones, with their positions; they
    are parsed only when a key changes."""
    sizes = sorted(by_size)
    keys: dict[int, str | None] = {}

    def rotated_to(position: int, data: bytes) -> str | None:
        if position not in keys:
            keys[position] = _rotation_key_id(data)
        return keys[position]

    for old_size, new_size in pairwise(sizes):
        old_result, _ = by_size[old_size]
        new_result, _ = by_size[new_size]
        if set(old_result.key_ids) & set(new_result.key_ids):
            continue
        if any(
            position < new_size and rotated_to(position, data) in new_result.key_ids
            for position, data in rotations
        ):
            continue
        report.add(
            Problem(
                "key-changed",
                f"signed by {', '.join(new_result.key_ids)}, none of the keys of "
                f"{old_result.label}, and no key_rotated entry announces the new key",
                checkpoint=new_result.label,
            )
        )


def _locate_change(
    size: int, root: bytes, leaf_buffer: bytearray, recorded_buffer: bytearray
) -> int | None:
    """The first entry below ``size`` whose leaf differs from the recorded leaf hashes, if the
    recorded hashes are authenticated by ``root``; otherwise None."""
    if len(recorded_buffer) < size * HASH_SIZE:
        return None
    recorded = PackedHashes.from_buffer(recorded_buffer[: size * HASH_SIZE])
    if root_from_leaf_hashes(recorded) != root:
        return None
    return PackedHashes.from_buffer(leaf_buffer).first_difference(recorded, limit=size)


def _check_consistency(
    report: VerificationReport,
    by_size: Mapping[int, tuple[CheckpointResult, Checkpoint]],
    sizes: Sequence[int],
    leaves: PackedHashes,
) -> None:
    """Check successive checkpoints with consistency proofs built from the recomputed tree.

    Where the later checkpoint matches the entries, a failing proof shows that the earlier
    checkpoint committed to a different history. Two checkpoints that both match the entries
    are consistent by construction (both roots come from the same leaves), so no proof is built
    for them: on a sound log this costs nothing.
    """
    store = TreeStore(leaves, MemorySubtreeCache(), min_cached_level=8)
    for old_size, new_size in pairwise(sizes):
        old_result, old = by_size[old_size]
        new_result, new = by_size[new_size]
        if new_result.status != "verified" or old_result.status == "verified":
            continue
        proof = store.consistency_proof(old_size, new_size)
        if not verify_consistency(old_size, new_size, old.root, new.root, proof):
            report.add(
                Problem(
                    "checkpoints-inconsistent",
                    f"{old_result.label} is not a prefix of {new_result.label}: the log was "
                    "rewritten after it was signed",
                    checkpoint=old_result.label,
                )
            )


def verify_export(
    path: str | Path,
    verifier_keys: Iterable[VerifierKey | str] | None = None,
    *,
    origin: str | None = None,
    check_content: bool = True,
    witness_keys: Iterable[CosignerVerifier | str] = (),
    quorum: int = 0,
    trusted_checkpoints: Mapping[str, str] | None = None,
) -> VerificationReport:
    """Verify an export directory against verifier keys got out of band.

    The export's own ``public-keys.txt`` is never trusted: whoever wrote the export could have
    put their own key there. Raises ``ExportError`` if no key is given, or if the directory or
    its entries file cannot be read.
    """
    directory = Path(path)
    if not verifier_keys:
        raise ExportError(
            "no trusted public key: give the log's key with --public-key, got from somewhere "
            f"other than this export (its own {PUBLIC_KEYS_FILE} proves nothing)"
        )
    entries_path = directory / ENTRIES_FILE
    if not entries_path.is_file():
        raise ExportError(f"{entries_path} not found")
    hashes_path = directory / LEAF_HASHES_FILE
    report = verify_log(
        read_entry_lines(entries_path),
        read_checkpoints(directory),
        verifier_keys,
        leaf_hashes=read_leaf_hashes(hashes_path) if hashes_path.is_file() else None,
        origin=origin,
        check_content=check_content,
        witness_keys=witness_keys,
        quorum=quorum,
        trusted_checkpoints=trusted_checkpoints,
    )
    manifest = read_manifest(directory)
    if manifest is not None and manifest.get("format") != EXPORT_FORMAT:
        report.add(Problem("export-format", f"unknown export format {manifest.get('format')!r}"))
    return report


def load_trusted_checkpoints(paths: Iterable[str | Path]) -> dict[str, str]:
    """Checkpoints trusted out of band, by label: each file is one signed checkpoint, or a
    witness's state file (every checkpoint it kept for each log)."""
    trusted: dict[str, str] = {}
    for value in paths:
        path = Path(value)
        text = path.read_text(encoding="utf-8")
        if text.lstrip().startswith("{"):
            state = json.loads(text)
            for log_origin, record in dict(state.get("logs", {})).items():
                notes = list(record.get("history") or [record["checkpoint"]])
                for number, note in enumerate(notes):
                    trusted[f"{path.name} ({log_origin}, kept checkpoint {number + 1})"] = note
        else:
            trusted[f"trusted checkpoint {path.name}"] = text
    return trusted


def load_witness_keys(values: Iterable[str]) -> list[CosignerVerifier]:
    """Witness public keys, each given as a key or as a file of keys (one a line)."""
    keys = []
    for value in values:
        path = Path(value)
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else [value]
        keys += [
            parse_cosigner_verifier(line)
            for line in lines
            if line.strip() and not line.lstrip().startswith("#")
        ]
    return keys


def _load_key_argument(value: str) -> list[VerifierKey]:
    path = Path(value)
    if path.is_file():
        return load_verifier_keys(path.read_text(encoding="utf-8"))
    return [parse_verifier_key(value)]


def _check_receipt_file(args: argparse.Namespace) -> int:
    """Check a receipt bundle: inclusion in a signed checkpoint, and the holder's openings."""
    from safeshare.ledger.receipts import ReceiptError, check_receipt, receipt_from_json

    try:
        bundle = json.loads(Path(args.receipt).read_text(encoding="utf-8"))
        if not isinstance(bundle, dict) or not isinstance(bundle.get("entry"), str):
            raise ReceiptError("not a receipt bundle: it needs the entry and the receipt")
        receipt = receipt_from_json(json.dumps(bundle.get("receipt")))
        keys = (
            [key for value in args.public_key for key in _load_key_argument(value)]
            if args.public_key
            else list(bundle.get("verifier_keys") or [])
        )
        checkpoint = check_receipt(
            receipt, bundle["entry"].encode("utf-8"), keys, origin=args.origin
        )
    except (ReceiptError, CheckpointError, OSError, UnicodeError, ValueError) as error:
        sys.stdout.write(f"Receipt {args.receipt}\nResult:       NOT VALID: {error}\n")
        return 1
    opened = ", ".join(f"{o.namespace} {o.identifier}" for o in receipt.openings) or "none"
    sys.stdout.write(
        f"Receipt {args.receipt}\nEntry:        {receipt.index}\n"
        f"Checkpoint:   {checkpoint.origin}, size {checkpoint.size}\n"
        f"About:        {opened}\nResult:       OK\n"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m safeshare.ledger.verify",
        description="Verify a SafeShare ledger export without a database.",
    )
    parser.add_argument("directory", nargs="?", help="the export directory")
    parser.add_argument(
        "--receipt",
        metavar="FILE",
        help="check a receipt bundle (the JSON a victim downloads: entry, receipt, keys) "
        "instead of an export",
    )
    parser.add_argument(
        "--public-key",
        action="append",
        metavar="KEY_OR_FILE",
        help="the log's verifier key, or a file of them (repeatable), got out of band; "
        "required: the export's own public-keys.txt is never trusted",
    )
    parser.add_argument(
        "--witness-key",
        action="append",
        default=[],
        metavar="KEY_OR_FILE",
        help="a witness's public key, or a file of them (repeatable)",
    )
    parser.add_argument(
        "--quorum",
        type=int,
        default=0,
        help="trust only checkpoints cosigned by at least this many of the witnesses",
    )
    parser.add_argument(
        "--trusted-checkpoint",
        action="append",
        default=[],
        metavar="FILE",
        help="a checkpoint, or a witness's state file, trusted out of band: the log must be "
        "consistent with it (repeatable)",
    )
    parser.add_argument("--origin", help="the log origin the checkpoints must name")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument(
        "--no-content-check",
        action="store_true",
        help="skip the allow-list check of entry fields (for logs newer than this verifier)",
    )
    args = parser.parse_args(argv)
    if args.receipt:
        return _check_receipt_file(args)
    if not args.directory:
        parser.error("give an export directory, or --receipt FILE")
    if args.quorum > len(args.witness_key) and not any(
        Path(value).is_file() for value in args.witness_key
    ):
        parser.error("--quorum needs at least that many --witness-key")
    try:
        keys = [key for value in args.public_key or [] for key in _load_key_argument(value)]
        report = verify_export(
            args.directory,
            keys,
            origin=args.origin,
            check_content=not args.no_content_check,
            witness_keys=load_witness_keys(args.witness_key),
            quorum=args.quorum,
            trusted_checkpoints=load_trusted_checkpoints(args.trusted_checkpoint),
        )
    except (ExportError, CheckpointError, OSError, UnicodeError, ValueError) as error:
        sys.stderr.write(f"cannot verify: {error}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(f"Ledger export {args.directory}\n{report.summary()}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
