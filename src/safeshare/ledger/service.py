"""The ledger's Django side: sequencing, checkpoints, proofs, receipts, verification and export.

Thin adapters between the pure core (``merkle``, ``entries``, ``checkpoint``, ``receipts``,
``export``, ``verify``) and the tables. Appends are queued by ``actions.append_entry`` in each
action's transaction; ``sequence_pending`` gives them indices in commit order without gaps and
fills the subtree cache; ``make_checkpoint`` signs the tree head. Only the worker and the
``checkpoint`` command sign: nothing on the request path does. See docs/ledger.md and
docs/adr/0003-ledger-sequencing.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import chain, tee
from operator import itemgetter
from pathlib import Path

from django.db import transaction
from django.db.models import F

from safeshare.ledger import actions, signing, storage
from safeshare.ledger.checkpoint import (
    CheckpointError,
    add_signature,
    parse_checkpoint,
    sign_checkpoint,
    timestamp_extension,
    verify_checkpoint,
)
from safeshare.ledger.cosignature import CosignerVerifier
from safeshare.ledger.entries import (
    ENTRY_FORMAT_VERSION,
    LEGACY_FORMAT_VERSION,
    Entry,
    EntryError,
    EntryKind,
    entry_bytes,
    entry_from_dict,
)
from safeshare.ledger.export import ExportSummary, write_export
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.merkle import (
    HASH_SIZE,
    CompactRange,
    MemorySubtreeCache,
    NodeId,
    PackedHashes,
    TreeStore,
    _consistency_ranges,
    _inclusion_ranges,
    leaf_hash,
    locate_difference,
    verify_consistency,
)
from safeshare.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerSubject
from safeshare.ledger.receipts import Opening, Receipt, make_receipt
from safeshare.ledger.tiles import TileError, TileReader, directory_fetcher, url_fetcher
from safeshare.ledger.verify import Problem, VerificationReport, verify_log

logger = logging.getLogger(__name__)

SEQUENCE_BATCH = 2000
"""Entries sequenced per transaction (the lock is held for one batch at a time)."""

Progress = Callable[[int, int], None]
"""Called with (entries done, entries in all) while verifying or exporting."""


class LedgerIntegrityError(RuntimeError):
    """The stored log does not fit its own signed checkpoints: nothing is sequenced or signed
    until someone has looked (run ``safeshare ledger verify``)."""


class SequencingError(RuntimeError):
    """A queued entry cannot be made into a valid entry (it would block the log)."""


class LedgerRangeError(ValueError):
    """Asked for entries or proofs outside the log."""


# --- Sequencing ------------------------------------------------------------------------------


def _latest_checkpoint_size() -> int | None:
    return LedgerCheckpoint.objects.order_by("-size").values_list("size", flat=True).first()


def _sequence_batch(limit: int) -> int:
    """Sequence up to ``limit`` queued entries in one transaction; return how many."""
    with transaction.atomic():
        storage.lock_ledger()
        queued = storage.queued_drafts(limit)
        if not queued:
            return 0
        size = storage.sequenced_size()
        signed = _latest_checkpoint_size()
        if signed is not None and size < signed:
            raise LedgerIntegrityError(
                f"the log has {size} entries but checkpoint {signed} was signed: entries are "
                "missing, so nothing more is sequenced"
            )
        compact = storage.tree().compact_range(size)
        nodes: dict[NodeId, bytes] = {}

        def keep(node: NodeId, digest: bytes) -> None:
            if node.level >= storage.MIN_CACHED_LEVEL:
                nodes[node] = digest

        rows = []
        switches = []
        version: object = storage.last_entry_format(size)  # then each draft's "v", unchecked
        index = size
        for row_id, draft in queued:
            drafted = draft.get("v")
            if drafted == ENTRY_FORMAT_VERSION and version == LEGACY_FORMAT_VERSION:
                data = entry_bytes(_format_changed_entry(index, draft))
                digest = leaf_hash(data)
                compact.append(digest, on_node=keep)
                switches.append((index, data, digest))
                index += 1
            elif drafted != ENTRY_FORMAT_VERSION and version == ENTRY_FORMAT_VERSION:
                raise SequencingError(
                    f"queued ledger row {row_id} is in format {drafted!r}, but the log has "
                    f"moved to format {ENTRY_FORMAT_VERSION}: stop the old version's writers"
                )
            version = drafted
            try:
                data = entry_bytes(entry_from_dict({**draft, "index": index}))
            except (EntryError, KeyError, TypeError, ValueError) as error:
                raise SequencingError(
                    f"queued ledger row {row_id} is not valid: {error}"
                ) from error
            digest = leaf_hash(data)
            compact.append(digest, on_node=keep)
            rows.append((row_id, index, data, digest))
            index += 1
        for position, data, digest in switches:
            actions.do_store_format_change(position, data, digest)
        storage.store_sequenced(rows)
        storage.DatabaseSubtreeCache().put_many(nodes)
        return len(rows)


FORMAT_CHANGE_ORG = "SAFESHARE"
"""``actor_org`` of the ``format_changed`` entry: the service itself, not a person's action."""


def _format_changed_entry(index: int, draft: dict[str, object]) -> Entry:
    """The entry that records, in the log itself, that the entry format changes here."""
    return Entry(
        index=index,
        kind=EntryKind.FORMAT_CHANGED,
        policy_id=str(draft["policy_id"]),
        policy_version=str(draft["policy_version"]),
        actor_org=FORMAT_CHANGE_ORG,
        actor_role="system",
        timestamp=str(draft["timestamp"]),
        payload={
            "entry_format": ENTRY_FORMAT_VERSION,
            "previous_entry_format": LEGACY_FORMAT_VERSION,
        },
    )


def sequence_pending(limit: int | None = None) -> int:
    """Give queued entries their indices, in commit order, with no gaps; return how many.

    Each batch is its own transaction under the ledger lock, so concurrent sequencers never
    interleave (and the unique index on ``index`` is the backstop). Never signs.
    """
    if not storage.has_queued():  # the usual case on a read path: take no lock at all
        return 0
    done = 0
    while limit is None or done < limit:
        batch = SEQUENCE_BATCH if limit is None else min(SEQUENCE_BATCH, limit - done)
        count = _sequence_batch(batch)
        done += count
        if count < batch:
            break
    return done


# --- Checkpoints -----------------------------------------------------------------------------


def make_checkpoint() -> LedgerCheckpoint | None:
    """Sign a checkpoint over every sequenced entry; ``None`` if there is nothing new to sign.

    Before signing it checks, with a consistency proof, that the tree extends the last signed
    checkpoint: a log whose stored history was rewritten is never signed. Call it only from the
    worker or the ``checkpoint`` command, never on a request path.
    """
    signer = signing.signing_key()
    previous = signing.previous_signing_key()
    with transaction.atomic():
        storage.lock_ledger()
        size = storage.sequenced_size()
        last = LedgerCheckpoint.objects.order_by("-size").first()
        if last is not None and last.size > size:
            raise LedgerIntegrityError(
                f"checkpoint {last.size} was signed but the log has only {size} entries"
            )
        if size == 0 or (last is not None and last.size == size):
            return None
        tree = storage.tree()
        root = tree.root(size)
        if last is not None:
            try:
                old = verify_checkpoint(last.note, signing.verifier_keys())
            except CheckpointError as error:
                raise LedgerIntegrityError(
                    f"the stored checkpoint {last.size} does not verify: {error}"
                ) from error
            proof = tree.consistency_proof(old.size, size)
            if not verify_consistency(old.size, size, old.root, root, proof):
                raise LedgerIntegrityError(
                    f"the stored entries are not an extension of checkpoint {old.size}: the "
                    "history was changed, so nothing is signed"
                )
        note = sign_checkpoint(
            signing.origin(),
            size,
            root,
            signer,
            extensions=[timestamp_extension(int(time.time()))],
        )
        if previous is not None and previous.verifier.key_id != signer.verifier.key_id:
            note = add_signature(note, previous.private_key, previous.name)
        return actions.do_store_checkpoint(
            size=size, root=root, note=note, key_name=signer.verifier.key_id
        )


def latest_checkpoint_record() -> LedgerCheckpoint | None:
    """The largest signed checkpoint."""
    return LedgerCheckpoint.objects.order_by("-size").first()


def latest_checkpoint() -> str | None:
    """The note text of the largest signed checkpoint, or ``None`` before the first."""
    checkpoint = latest_checkpoint_record()
    return checkpoint.note if checkpoint is not None else None


def checkpoint_at(size: int) -> str | None:
    """The note of the checkpoint of exactly ``size`` entries, if one was signed."""
    return LedgerCheckpoint.objects.filter(size=size).values_list("note", flat=True).first()


def verifier_keys() -> list[str]:
    """The log's verifier keys (note key strings), the current one first."""
    return [str(key) for key in signing.verifier_keys()]


# --- Proofs and entries ----------------------------------------------------------------------


def log_size() -> int:
    """Number of sequenced entries."""
    return storage.sequenced_size()


@dataclass(frozen=True)
class InclusionProof:
    """Entry ``index``'s recorded leaf hash and its audit path in the tree of ``size``."""

    index: int
    size: int
    leaf_hash: bytes
    proof: list[bytes]


def prove_inclusion(index: int, size: int) -> InclusionProof:
    """The audit path of entry ``index`` in the tree of the first ``size`` entries, with the
    entry's recorded leaf hash. Outside a transaction the upper subtrees come from this
    process's memory and the rest from one query of a fixed text (ADR 0043); otherwise one
    query reads the cached subtrees, the few leaf hashes and the log's size it needs."""
    if not 0 <= index < size:
        raise LedgerRangeError("an inclusion proof needs 0 <= index < size")
    cached = storage.prove_with_upper_nodes(index, size)
    if cached is not None:
        if size > cached.log_size:
            raise LedgerRangeError(f"the size must be at most {cached.log_size}, the log's size")
        return InclusionProof(index, size, cached.leaf_hash, cached.proof)
    read = storage.tree_for_ranges([*_inclusion_ranges(index, size), (index, index + 1)])
    if size > read.size:
        raise LedgerRangeError(f"the size must be at most {read.size}, the log's size")
    proof = read.tree.inclusion_proof(index, size)
    digest = read.leaves.get(index) or storage.read_leaf_hashes(index, index + 1)[0]
    return InclusionProof(index, size, digest, proof)


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """The audit path of entry ``index`` in the tree of the first ``size`` entries."""
    return prove_inclusion(index, size).proof


def consistency_proof(old: int, new: int) -> list[bytes]:
    """The proof that the tree of ``old`` entries is a prefix of the tree of ``new`` entries."""
    if not 0 <= old <= new:
        raise LedgerRangeError("a consistency proof needs 0 <= first <= second")
    ranges = [] if old in (0, new) else _consistency_ranges(old, new)
    read = storage.tree_for_ranges(ranges)
    if new > read.size:
        raise LedgerRangeError(f"the second size must be at most {read.size}, the log's size")
    return read.tree.consistency_proof(old, new)


def entries_range(start: int, end: int) -> list[LedgerEntry]:
    """Sequenced entries with ``start <= index < end``, in index order."""
    if not 0 <= start <= end:
        raise LedgerRangeError("a range needs 0 <= start <= end")
    return list(
        LedgerEntry.objects.filter(index__gte=start, index__lt=end)
        .only("id", "index", "kind", "body", "leaf_hash", "created_at")
        .order_by("index")
    )


# --- Receipts --------------------------------------------------------------------------------


def _person_tokens(person: object) -> dict[str, str]:
    """The person's token, and those of any person records merged into them: token -> id."""
    ids = [person.public_id]  # type: ignore[attr-defined]
    merged = getattr(person, "merged_from", None) if getattr(person, "pk", None) else None
    if merged is not None:
        ids += list(merged.values_list("public_id", flat=True))
    return {token_for_person(public_id): str(public_id) for public_id in ids}


def person_openings(person: object) -> dict[int, list[Opening]]:
    """The openings of the person's commitments (format 2), by entry row id, found through the
    keyed tokens; each entry's list is in a fixed order."""
    tokens = _person_tokens(person)
    openings: dict[int, list[Opening]] = {}
    for entry_id, token, opening in LedgerSubject.objects.filter(
        token__in=tokens, field=storage.SUBJECT_FIELD, opening__isnull=False
    ).values_list("entry_id", "token", "opening"):
        assert opening is not None  # the query asks for opening__isnull=False
        openings.setdefault(entry_id, []).append(Opening("person", tokens[token], bytes(opening)))
    for found in openings.values():
        found.sort(key=lambda item: item.identifier)
    return openings


def receipts_for_person(person: object) -> list[tuple[LedgerEntry, Receipt | None]]:
    """Every entry about the person, newest first, each with its receipt.

    Reading writes nothing: entries the worker has not sequenced yet are listed without a
    receipt, as are entries no signed checkpoint covers yet. The receipt proves inclusion in
    the latest signed checkpoint and, for a format-2 entry, carries the openings of the
    person's own commitments in it (nobody else's); it is ``None`` for an entry that no
    checkpoint covers yet. Found through the keyed tokens, which only the service holds.
    """
    tokens = _person_tokens(person)
    openings = person_openings(person)
    entries = list(
        LedgerEntry.objects.filter(
            subject_rows__token__in=tokens, subject_rows__field=storage.SUBJECT_FIELD
        )
        .distinct()
        .order_by(F("index").desc(nulls_first=True), "-id")
    )
    checkpoint = latest_checkpoint_record()
    tree = storage.tree()
    result: list[tuple[LedgerEntry, Receipt | None]] = []
    for entry in entries:
        receipt = None
        if (
            checkpoint is not None
            and entry.index is not None
            and entry.index < checkpoint.size
            and entry.leaf_hash is not None
        ):
            proof = tree.inclusion_proof(entry.index, checkpoint.size)
            receipt = make_receipt(
                entry.index,
                bytes(entry.leaf_hash),
                checkpoint.note,
                proof,
                openings=openings.get(entry.pk, []),
            )
        result.append((entry, receipt))
    return result


# --- Verification and export -----------------------------------------------------------------


class DatabaseVerificationReport(VerificationReport):
    """The pure verifier's report over the database's rows (``size`` is the entries read)."""

    @property
    def size(self) -> int:
        """Number of sequenced entries read."""
        return self.entries


def _sequence_quietly() -> None:
    try:
        sequence_pending()
    except (LedgerIntegrityError, SequencingError) as error:
        logger.warning("Queued ledger entries were not sequenced: %s", error)


def _pages(
    size: int, progress: Progress | None
) -> Iterator[tuple[Sequence[bytes], Sequence[bytes]]]:
    done = 0
    for page in storage.stream_pages(size, storage.STREAM_PAGE):
        yield page
        done += len(page[0])
        if progress is not None:
            progress(done, size)
    if progress is not None and not size:
        progress(done, size)


def verify_database(
    *,
    check_content: bool = False,
    progress: Progress | None = None,
    witness_keys: Sequence[CosignerVerifier] = (),
    quorum: int = 0,
    trusted_checkpoints: Mapping[str, str] | None = None,
    sequence: bool = False,
    tiles: str | Path | None = None,
) -> DatabaseVerificationReport:
    """Recompute the tree from the stored entries and check every checkpoint against it.

    Checks every checkpoint's signature and that successive checkpoints are consistent, that
    entries are numbered 0..n-1 in order, and compares each entry with the leaf hash recorded
    when it was sequenced, so that the report names the first entry that does not fit. Entries
    a checkpoint covers were validated before they were signed, so by default only their index
    is re-read; ``check_content`` re-checks every entry's canonical form and allow-list too.


    By default it only reads: queued entries are the worker's to sequence. A caller that
    handles a POST may pass ``sequence=True`` to sequence queued entries first. ``witness_keys``
    and ``quorum`` trust only checkpoints enough witnesses cosigned; ``trusted_checkpoints``
    (given out of band, for example a witness's) must fit the stored entries too. ``tiles``
    (a folder or address of the published tiles, perhaps a monitor's copy) helps to name the
    first rewritten entry exactly.
    """
    if sequence:
        _sequence_quietly()
    size = storage.sequenced_size()
    # Pages of (bodies, recorded leaf hashes), flattened into the two streams the verifier
    # pulls in step, one of each per entry, without a Python call per row.
    for_bodies, for_leaves = tee(_pages(size, progress))
    report = verify_log(
        chain.from_iterable(map(itemgetter(0), for_bodies)),
        storage.checkpoint_notes(),
        signing.verifier_keys(),
        leaf_hashes=chain.from_iterable(map(itemgetter(1), for_leaves)),
        check_content=check_content,
        recheck_signed_entries=check_content,
        witness_keys=witness_keys,
        quorum=quorum,
        trusted_checkpoints=trusted_checkpoints,
    )
    result = DatabaseVerificationReport(
        **{field.name: getattr(report, field.name) for field in fields(report)}
    )
    result.source = "the ledger"
    _find_inserted_entry(result, size)
    _locate_rewrite(result, tiles)
    return result


class _ReadOnlySubtrees:
    """The stored subtree hashes, read but never written (verifying writes nothing)."""

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        return storage.DatabaseSubtreeCache().get_many(nodes)

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        """Nothing is stored."""


def _tile_source(tiles: str | Path) -> TreeStore | None:
    """A tree read from published tiles (a folder or an address), at their checkpoint's size;
    ``None`` if the published checkpoint cannot be read."""
    text = str(tiles)
    fetch = (
        url_fetcher(text)
        if text.startswith(("http://", "https://"))
        else directory_fetcher(Path(text))
    )
    try:
        size = parse_checkpoint(fetch("checkpoint").decode("utf-8")).size
    except (OSError, UnicodeError, CheckpointError):
        return None
    return TileReader(fetch, size).store


def _locate_rewrite(report: DatabaseVerificationReport, tiles: str | Path | None) -> None:
    """Name the first changed entry under the first checkpoint the entries do not fit, by binary
    search over subtree hashes that checkpoint authenticates (docs/ledger.md, "Verifying
    the database"; docs/adr/0026-checkpoint-time-and-locating-rewrites.md).

    The verifier already knows the stretch between the last checkpoint that fits and the first
    that does not. Walking down the first failing checkpoint's tree, each pair of child hashes
    is taken from published tiles (if given), else the stored subtree hashes and recorded leaf
    hashes, and trusted only if it hashes to its parent: a rewritten cache or rewritten leaf
    hashes cannot mislead the search, they only stop it higher up (at worst, at the stretch).
    """
    changed = [(n, p) for n, p in enumerate(report.problems) if p.code == "entry-changed"]
    bad = [r for r in report.checkpoints if r.status == "mismatch" and r.size and r.root]
    if not changed or not bad or any(p.code == "entry-inserted" for p in report.problems):
        return  # nothing to locate, or an inserted entry explains the failure
    position, problem = changed[0]
    first_bad = min(bad, key=lambda result: result.size or 0)
    if problem.checkpoint != first_bad.label or "recorded leaf hash" in problem.message:
        return  # already named exactly, by the leaf hashes that checkpoint authenticates
    size, root = first_bad.size or 0, first_bad.root or b""
    found = PackedHashes(
        leaf_hash(body or b"") for _index, body, _leaf in storage.stream_entries(below=size)
    )
    if len(found) != size:
        return
    sources = [
        TreeStore(
            storage.read_leaf_hashes,
            _ReadOnlySubtrees(),
            min_cached_level=storage.MIN_CACHED_LEVEL,
        )
    ]
    published = _tile_source(tiles) if tiles is not None else None
    if published is not None:
        sources.insert(0, published)
    start, end = locate_difference(
        size,
        root,
        TreeStore(found, MemorySubtreeCache(), min_cached_level=8),
        sources,
        errors=(ValueError, LookupError, OSError, TileError),
    )
    start = max(start, report.verified_size)
    end = min(end, size)
    if start >= end:
        return
    if end - start == 1:
        message = (
            f"not the entry that {first_bad.label} commits to: binary search over the "
            "checkpoints and the subtree hashes they authenticate leads to this entry"
        )
    else:
        visible = [
            p.index
            for p in report.problems
            if p.index is not None and start <= p.index < end and p.code != "entry-changed"
        ]
        message = (
            f"entries {start} to {end - 1} do not give the subtree hash that {first_bad.label} "
            "authenticates: the first changed entry is among them"
            + (
                f", and entry {min(visible)} is the first that visibly does not fit"
                if visible
                else " (no trusted hashes narrow it further)"
            )
        )
        start = min(visible, default=start)
    report.problems[position] = Problem(
        "entry-changed", message, index=start, checkpoint=first_bad.label
    )


MAX_INSERTION_SEARCH = 1024
"""Largest stretch between checkpoints searched for a single inserted entry."""


def _find_inserted_entry(report: DatabaseVerificationReport, size: int) -> None:
    """Name an entry inserted into the stored history, if that explains the first bad checkpoint.

    An entry slipped in by renumbering the rows after it (and given a matching leaf hash) makes
    every later entry look out of place. If removing exactly one entry between the last good
    checkpoint and the first bad one gives that checkpoint's root, that entry is the intruder.
    """
    bad = [r for r in report.checkpoints if r.status == "mismatch" and r.size is not None]
    if not bad:
        return
    first_bad = min(bad, key=lambda result: result.size or 0)
    start, end = report.verified_size, first_bad.size or 0
    if end - start > MAX_INSERTION_SEARCH or end + 1 > size:
        return
    prefix = CompactRange()
    window: list[bytes] = []
    for position, (_index, body, _leaf) in enumerate(storage.stream_entries(below=None)):
        if position > end:
            break
        digest = leaf_hash(body or b"")
        if position < start:
            prefix.append(digest)
        else:
            window.append(digest)
    if len(window) != end - start + 1:
        return
    head = prefix
    for skipped, digest in enumerate(window):
        candidate = head.copy()
        candidate.extend(window[skipped + 1 :])
        if candidate.root() == first_bad.root:
            report.add(
                Problem(
                    "entry-inserted",
                    f"not in the history {first_bad.label} signed: without this entry, "
                    f"entries {start} to {end} give that checkpoint's root exactly",
                    index=start + skipped,
                    checkpoint=first_bad.label,
                )
            )
            return
        head.append(digest)


def export_to(directory: Path, *, progress: Progress | None = None) -> ExportSummary:
    """Write an export directory (docs/ledger.md, "The export") for independent verification.

    Entries are streamed with the leaf hashes recorded when they were sequenced, every signed
    checkpoint and the verifier keys. The directory must not exist or must be empty.
    """
    _sequence_quietly()
    size = storage.sequenced_size()
    for_bodies, for_leaves = tee(_pages(size, progress))
    # A damaged row is exported as found; a missing hash becomes one that never matches.
    leaves = (
        leaf if len(leaf) == HASH_SIZE else bytes(HASH_SIZE)
        for leaf in chain.from_iterable(map(itemgetter(1), for_leaves))
    )
    notes = storage.checkpoint_notes()
    return write_export(
        Path(directory),
        chain.from_iterable(map(itemgetter(0), for_bodies)),
        list(notes.values()),
        verifier_keys(),
        leaf_hashes=leaves,
    )
