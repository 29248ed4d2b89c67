"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification, with SHA-256.

The tree over leaves ``D[0:n]`` is the Merkle Tree Hash of RFC 6962 §2.1: a leaf is
``SHA-256(0x00 ‖ data)``, an interior node ``SHA-256(0x01 ‖ left ‖ right)``, and a tree of
``n > 1`` leaves splits at ``k``, the largest power of two smaller than ``n``. The empty tree
hashes to ``SHA-256("")``.

Three ways to get roots and proofs, from simplest to fastest:

* the functions ``root_from_leaf_hashes``, ``inclusion_proof`` and ``consistency_proof`` over an
  in-memory sequence of leaf hashes (linear time);
* ``CompactRange``, which appends leaf hashes in amortised constant time (O(log n) worst case) and
  gives the root at any moment, keeping only O(log n) hashes;
* ``TreeStore``, which reads leaf hashes from a sequence or a range reader and keeps the hashes of
  perfect subtrees in a ``SubtreeCache``, so that proofs over millions of leaves take a few dozen
  cache look-ups and one short leaf read.

Proof verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, and mirrors
``proof.VerifyInclusion`` and ``proof.VerifyConsistency`` from github.com/transparency-dev/merkle.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from hashlib import sha256
from typing import NamedTuple, Protocol, overload

HASH_SIZE = 32
"""Size in bytes of every hash in the tree."""

EMPTY_ROOT = sha256(b"").digest()
"""Root hash of the empty tree (RFC 6962 §2.1: the hash of an empty string)."""

DEFAULT_MIN_CACHED_LEVEL = 4
"""Lowest subtree level a ``TreeStore`` caches: 16-leaf tiles, about n/8 cached hashes."""


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash ``SHA-256(0x00 ‖ data)``."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 6962 interior node hash ``SHA-256(0x01 ‖ left ‖ right)``."""
    return sha256(b"\x01" + left + right).digest()


def _split_point(size: int) -> int:
    """Return the largest power of two strictly smaller than ``size`` (``size >= 2``)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """Return the Merkle Tree Hash of a whole list of leaf hashes, in linear time.

    Hashing level by level and carrying an odd last node up unchanged gives exactly the RFC 6962
    tree, because every left subtree in that tree is perfect.
    """
    level = list(hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        paired = [
            sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _perfect_root(packed: bytes) -> bytes:
    """The root of the perfect subtree over the leaf hashes packed in ``packed`` (a power of
    two of them, 32 bytes each), hashed level by level."""
    level = packed
    while len(level) > HASH_SIZE:
        level = b"".join(
            [sha256(b"\x01" + level[i : i + 64]).digest() for i in range(0, len(level), 64)]
        )
    return level


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the roots of a range's perfect subtrees (largest first) into the range's root."""
    root = hashes[-1]
    for sibling in reversed(hashes[:-1]):
        root = sha256(b"\x01" + sibling + root).digest()
    return root


class NodeId(NamedTuple):
    """A perfect subtree: ``2**level`` leaves starting at leaf ``index * 2**level``."""

    level: int
    index: int  # type: ignore[assignment]  # shadows tuple.index, never called on a NodeId


NodeVisitor = Callable[[NodeId, bytes], None]
"""Called with each perfect subtree that an append completes, and its hash."""


class CompactRange:
    """The roots of the perfect subtrees that make up the tree ``[0, size)``, largest first.

    This is the "compact range" of transparency-dev/merkle: appending a leaf hash costs one hash on
    average and at most ``log2(size)``, and ``root()`` costs at most ``log2(size)`` hashes. Its
    state (``size`` and ``hashes``) is small enough to store alongside each checkpoint.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @classmethod
    def from_hashes(cls, size: int, hashes: Sequence[bytes]) -> CompactRange:
        """Rebuild a compact range from a stored ``size`` and its perfect subtree roots."""
        if size < 0 or len(hashes) != size.bit_count():
            raise ValueError(f"a tree of size {size} has {size.bit_count()} subtree roots")
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError("every subtree root must be 32 bytes")
        compact = cls()
        compact._size = size
        compact._hashes = list(hashes)
        return compact

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """Roots of the perfect subtrees covering ``[0, size)``, largest (leftmost) first."""
        return tuple(self._hashes)

    def nodes(self) -> list[NodeId]:
        """The perfect subtrees whose roots ``hashes`` holds, in the same order."""
        return _perfect_nodes(0, self._size)

    def append(self, leaf_hash: bytes, on_node: NodeVisitor | None = None) -> None:
        """Append one leaf hash; report each perfect subtree of level >= 1 it completes."""
        if type(leaf_hash) is not bytes:
            leaf_hash = bytes(leaf_hash)
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("a leaf hash must be 32 bytes")
        hashes = self._hashes
        size = self._size
        digest = leaf_hash
        if on_node is None:
            while size & 1:
                digest = sha256(b"\x01" + hashes.pop() + digest).digest()
                size >>= 1
        else:
            level, index = 0, self._size
            while size & 1:
                digest = sha256(b"\x01" + hashes.pop() + digest).digest()
                size >>= 1
                level += 1
                index >>= 1
                on_node(NodeId(level, index), digest)
        hashes.append(digest)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes."""
        for digest in leaf_hashes:
            self.append(digest)

    def extend_packed(self, packed: bytes | bytearray | memoryview) -> None:
        """Append the leaf hashes packed one after another in ``packed`` (32 bytes each).

        The same tree as ``extend``, built faster: the leaves are taken as the largest aligned
        perfect subtrees that fit, each hashed level by level in one tight loop, then folded
        into the range.
        """
        data = bytes(packed)
        if len(data) % HASH_SIZE:
            raise ValueError("packed leaf hashes must be a multiple of 32 bytes")
        count, offset = len(data) // HASH_SIZE, 0
        while offset < count:
            level = (count - offset).bit_length() - 1
            if self._size:
                level = min(level, (self._size & -self._size).bit_length() - 1)
            width = 1 << level
            subtree = data[offset * HASH_SIZE : (offset + width) * HASH_SIZE]
            self._push(level, _perfect_root(subtree))
            offset += width

    def _push(self, level: int, digest: bytes) -> None:
        """Append the root of a perfect subtree of ``2**level`` leaves (``size`` must be a
        multiple of ``2**level``)."""
        hashes = self._hashes
        blocks = self._size >> level
        while blocks & 1:
            digest = sha256(b"\x01" + hashes.pop() + digest).digest()
            blocks >>= 1
        hashes.append(digest)
        self._size += 1 << level

    def root(self) -> bytes:
        """Return the Merkle Tree Hash of ``[0, size)``."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT

    def copy(self) -> CompactRange:
        """Return an independent copy."""
        return CompactRange.from_hashes(self._size, self._hashes)


class SubtreeCache(Protocol):
    """Storage for hashes of perfect subtrees, keyed by ``NodeId`` (level, index).

    In an append-only log a perfect subtree never changes once all its leaves exist, so its hash
    can be cached for ever. Look-ups and writes are batched so that a database-backed cache serves
    a whole proof with one query. ``get_many`` returns only the nodes it holds.
    """

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        """Return the cached hashes among ``nodes``."""
        ...

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        """Store hashes of perfect subtrees (already stored ones may be given again)."""
        ...


class MemorySubtreeCache:
    """A ``SubtreeCache`` kept in a dictionary."""

    def __init__(self) -> None:
        self._hashes: dict[NodeId, bytes] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        """Return the cached hashes among ``nodes``."""
        hashes = self._hashes
        return {node: hashes[node] for node in nodes if node in hashes}

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        """Store hashes of perfect subtrees."""
        self._hashes.update(hashes)


LeafReader = Callable[[int, int], Sequence[bytes]]
"""Reads the leaf hashes with indices ``[start, end)``."""


class PackedHashes(Sequence[bytes]):
    """A growable sequence of 32-byte hashes stored contiguously (32 bytes per hash)."""

    __slots__ = ("_data",)

    def __init__(self, hashes: Iterable[bytes] = ()) -> None:
        self._data = bytearray()
        self.extend(hashes)

    @classmethod
    def from_buffer(cls, data: bytearray) -> PackedHashes:
        """Wrap a buffer of concatenated 32-byte hashes without copying it."""
        if len(data) % HASH_SIZE:
            raise ValueError("the buffer length must be a multiple of 32")
        packed = cls()
        packed._data = data
        return packed

    def __len__(self) -> int:
        return len(self._data) // HASH_SIZE

    def first_difference(self, other: PackedHashes, limit: int | None = None) -> int | None:
        """Index of the first hash (below ``limit``) that differs from ``other``'s, else None.

        A sequence that ends first differs at its end.
        """
        count = min(len(self), len(other))
        stop = count if limit is None else min(count, limit)
        mine, theirs = memoryview(self._data), memoryview(other._data)
        step = 4096
        for start in range(0, stop, step):
            end = min(start + step, stop)
            if (
                mine[start * HASH_SIZE : end * HASH_SIZE]
                != theirs[start * HASH_SIZE : end * HASH_SIZE]
            ):
                for index in range(start, end):
                    if self[index] != other[index]:
                        return index
        if len(self) != len(other) and (limit is None or count < limit):
            return count
        return None

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            data = bytes(self._data[start * HASH_SIZE : stop * HASH_SIZE])
            return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("hash index out of range")
        return bytes(self._data[index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def __iter__(self) -> Iterator[bytes]:
        data = self._data
        for offset in range(0, len(data), HASH_SIZE):
            yield bytes(data[offset : offset + HASH_SIZE])

    def append(self, digest: bytes) -> None:
        """Add one 32-byte hash."""
        if len(digest) != HASH_SIZE:
            raise ValueError("a hash must be 32 bytes")
        self._data += digest

    def extend(self, hashes: Iterable[bytes]) -> None:
        """Add many 32-byte hashes."""
        for digest in hashes:
            self.append(digest)


def _perfect_nodes(start: int, end: int) -> list[NodeId]:
    """Split an aligned range ``[start, end)`` into perfect subtrees, largest first."""
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start & ((1 << level) - 1):
            raise ValueError(f"range [{start}, {end}) is not aligned to a subtree boundary")
        nodes.append(NodeId(level, start >> level))
        start += 1 << level
    return nodes


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form PATH(index, D[0:size]) (RFC 6962 §2.1.1), leaf first."""
    ranges = []
    start, end = 0, size
    while end - start > 1:
        split = start + _split_point(end - start)
        if index < split:
            ranges.append((split, end))
            end = split
        else:
            ranges.append((start, split))
            start = split
    ranges.reverse()
    return ranges


def inclusion_parts(index: int, size: int) -> list[list[NodeId]]:
    """PATH(index, D[0:size]) as the perfect subtrees each of its hashes is folded from (leaf
    first, each hash's subtrees largest first): what a proof reads, before it reads it."""
    _check_inclusion_args(index, size)
    # RFC 9162 §2.1.3.2's split: below level ``inner`` the path of ``index`` and that of the
    # last leaf part, and each sibling is whole or, once at most, the log's ragged right edge;
    # above it, the left siblings of ``index``'s path, each whole.
    inner = (index ^ (size - 1)).bit_length()
    parts = []
    for level in range(inner):
        sibling = (index >> level) ^ 1
        if (sibling + 1) << level <= size:
            parts.append([NodeId(level, sibling)])
        else:
            parts.append(_perfect_nodes(sibling << level, size))
    for level in range(inner, size.bit_length()):
        if index >> level & 1:
            parts.append([NodeId(level, (index >> level) ^ 1)])
    return parts


def fold_parts(parts: Sequence[Sequence[NodeId]], hashes: Mapping[NodeId, bytes]) -> list[bytes]:
    """The proof's hashes from ``inclusion_parts`` and the hashes of their subtrees."""
    return [
        hashes[nodes[0]] if len(nodes) == 1 else _fold([hashes[node] for node in nodes])
        for nodes in parts
    ]


def perfect_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The root of a perfect subtree (a power of two of leaf hashes, in order)."""
    return _perfect_root(b"".join(leaf_hashes))


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose hashes form PROOF(old_size, D[0:new_size]) (RFC 6962 §2.1.2)."""
    ranges = []
    start, end, old, complete = 0, new_size, old_size, True
    while old != end - start:
        split = _split_point(end - start)
        if old <= split:
            ranges.append((start + split, end))
            end = start + split
        else:
            ranges.append((start, start + split))
            start += split
            old -= split
            complete = False
    if not complete:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


def _check_inclusion_args(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside a tree of size {size}")


def _check_consistency_args(old_size: int, new_size: int) -> None:
    if not 0 <= old_size <= new_size:
        raise ValueError(f"cannot prove tree size {old_size} consistent with size {new_size}")


class TreeStore:
    """Roots and proofs over leaf hashes held elsewhere, with an optional subtree cache.

    ``leaves`` is a sequence of leaf hashes or a ``LeafReader`` callable. Every proof is built
    from hashes of perfect subtrees; those at ``min_cached_level`` or above come from the cache
    (and are computed and stored on a miss), and lower ones are computed from one read of at
    most ``2**min_cached_level`` leaf hashes. With a warm cache an inclusion proof costs one
    batched cache look-up, one short leaf read and a few dozen hashes, whatever the tree size.
    """

    def __init__(
        self,
        leaves: Sequence[bytes] | LeafReader,
        cache: SubtreeCache | None = None,
        *,
        min_cached_level: int = DEFAULT_MIN_CACHED_LEVEL,
    ) -> None:
        if min_cached_level < 1:
            raise ValueError("min_cached_level must be at least 1 (leaves are never cached)")
        if isinstance(leaves, Sequence):
            sequence = leaves
            self._read: LeafReader = lambda start, end: sequence[start:end]
        else:
            self._read = leaves
        self._cache = cache
        self._min_level = min_cached_level

    def leaf_hashes(self, start: int, end: int) -> Sequence[bytes]:
        """Read leaf hashes ``[start, end)``, checking that all of them exist."""
        hashes = [h if type(h) is bytes else bytes(h) for h in self._read(start, end)]
        if len(hashes) != end - start:
            raise ValueError(f"leaf range [{start}, {end}) is not fully available")
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError(f"leaf range [{start}, {end}) holds a value that is not a hash")
        return hashes

    def root(self, size: int) -> bytes:
        """Return the root hash of the tree of the first ``size`` leaves."""
        _check_consistency_args(0, size)
        return self._range_hashes([(0, size)])[0] if size else EMPTY_ROOT

    def compact_range(self, size: int) -> CompactRange:
        """Return the compact range of the first ``size`` leaves, ready for further appends."""
        _check_consistency_args(0, size)
        nodes = _perfect_nodes(0, size)
        known = self.subtree_hashes(nodes)
        return CompactRange.from_hashes(size, [known[node] for node in nodes])

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return the audit path for leaf ``index`` in the tree of size ``size``."""
        _check_inclusion_args(index, size)
        return self._range_hashes(_inclusion_ranges(index, size))

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """Return the proof that tree ``old_size`` is a prefix of tree ``new_size``."""
        _check_consistency_args(old_size, new_size)
        if old_size in (0, new_size):
            return []
        return self._range_hashes(_consistency_ranges(old_size, new_size))

    def warm(self, size: int) -> None:
        """Fill the cache for the subtrees making up the tree of ``size`` leaves."""
        if size:
            self.subtree_hashes(_perfect_nodes(0, size))

    def _range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        decompositions = [_perfect_nodes(start, end) for start, end in ranges]
        known = self.subtree_hashes({node for nodes in decompositions for node in nodes})
        return [_fold([known[node] for node in nodes]) for nodes in decompositions]

    def subtree_hashes(self, nodes: Iterable[NodeId]) -> dict[NodeId, bytes]:
        """Return the hashes of the given perfect subtrees, using and filling the cache."""
        min_level = self._min_level
        known: dict[NodeId, bytes] = {}
        low: set[NodeId] = set()
        frontier: set[NodeId] = set()
        for node in nodes:
            (frontier if node.level >= min_level else low).add(node)
        # Walk down from the wanted high nodes: each cache miss above the tile level is
        # computed from its two children, which are looked up in the next round.
        inner_misses: list[NodeId] = []
        visited: set[NodeId] = set()
        while frontier:
            visited |= frontier
            if self._cache is not None:
                found = self._cache.get_many(frontier)
                known.update((node, bytes(digest)) for node, digest in found.items())
            missing = [node for node in frontier if node not in known]
            inner = [node for node in missing if node.level > min_level]
            low.update(node for node in missing if node.level == min_level)
            inner_misses.extend(inner)
            frontier = {
                child
                for node in inner
                for child in (
                    NodeId(node.level - 1, 2 * node.index),
                    NodeId(node.level - 1, 2 * node.index + 1),
                )
                if child not in known and child not in visited
            }
        computed = self._compute_low(low, known)
        # Lower levels first, so that both children of a node are known before it.
        for node in sorted(inner_misses, key=lambda node: node.level):
            left = known[NodeId(node.level - 1, 2 * node.index)]
            right = known[NodeId(node.level - 1, 2 * node.index + 1)]
            known[node] = computed[node] = sha256(b"\x01" + left + right).digest()
        if self._cache is not None and computed:
            self._cache.put_many(computed)
        return known

    def _compute_low(self, low: set[NodeId], known: dict[NodeId, bytes]) -> dict[NodeId, bytes]:
        """Compute nodes at or below the tile level from leaf reads, one read per tile.

        Adds every requested node to ``known`` and returns the tile roots computed, which are
        the only ones worth caching.
        """
        min_level = self._min_level
        by_tile: dict[int, list[NodeId]] = {}
        for node in low:
            by_tile.setdefault(node.index >> (min_level - node.level), []).append(node)
        tile_roots: dict[NodeId, bytes] = {}
        for tile, tile_nodes in by_tile.items():
            first_leaf = tile << min_level
            end_leaf = max((node.index + 1) << node.level for node in tile_nodes)
            layer = list(self.leaf_hashes(first_leaf, end_leaf))
            wanted: dict[int, list[NodeId]] = {}
            for node in tile_nodes:
                wanted.setdefault(node.level, []).append(node)
            top = max(wanted)
            level = 0
            while True:
                offset = first_leaf >> level
                for node in wanted.get(level, ()):
                    known[node] = layer[node.index - offset]
                if level == top:
                    break
                layer = [
                    sha256(b"\x01" + layer[i] + layer[i + 1]).digest()
                    for i in range(0, len(layer) - 1, 2)
                ]
                level += 1
            if top == min_level:
                tile_roots[NodeId(min_level, tile)] = layer[0]
        return tile_roots


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return the RFC 6962 audit path for leaf ``index`` in the tree of its first ``size`` leaves.

    Linear in ``size``; use ``TreeStore`` with a cache for large trees.
    """
    _check_inclusion_args(index, size)
    if size > len(leaf_hashes):
        raise ValueError(f"size {size} exceeds the {len(leaf_hashes)} leaf hashes given")
    return [
        root_from_leaf_hashes(leaf_hashes[start:end])
        for start, end in _inclusion_ranges(index, size)
    ]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """Return the RFC 6962 consistency proof between tree sizes ``old_size`` and ``new_size``.

    The proof is empty when ``old_size`` is 0 or equals ``new_size``. Linear in ``new_size``.
    """
    _check_consistency_args(old_size, new_size)
    if new_size > len(leaf_hashes):
        raise ValueError(f"size {new_size} exceeds the {len(leaf_hashes)} leaf hashes given")
    if old_size in (0, new_size):
        return []
    return [
        root_from_leaf_hashes(leaf_hashes[start:end])
        for start, end in _consistency_ranges(old_size, new_size)
    ]


def _as_hash(value: object) -> bytes | None:
    """The value as 32 bytes if it is a bytes-like hash (database drivers give memoryviews)."""
    if isinstance(value, bytes | bytearray | memoryview) and len(value) == HASH_SIZE:
        return bytes(value)
    return None


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof, following RFC 9162 §2.1.3.2 (``proof.VerifyInclusion``).

    True only if ``proof`` shows that ``leaf_hash`` is leaf ``index`` of the tree of ``size``
    leaves whose root is ``root``. Malformed arguments give False rather than an exception.
    """
    checked_leaf, checked_root = _as_hash(leaf_hash), _as_hash(root)
    path = [_as_hash(p) for p in proof]
    if not (_is_size(index) and _is_size(size)) or checked_leaf is None or checked_root is None:
        return False
    if any(p is None for p in path):
        return False
    # 1. leaf_index must be smaller than tree_size.
    if index >= size:
        return False
    # 2.-3.
    fn, sn = index, size - 1
    r = checked_leaf
    # 4.
    for p in path:
        assert p is not None
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1  # c.
        sn >>= 1
    # 5.
    return sn == 0 and r == checked_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof, following RFC 9162 §2.1.4.2 (``proof.VerifyConsistency``).

    True only if ``proof`` shows that the tree of ``old_size`` leaves with root ``old_root`` is
    a prefix of the tree of ``new_size`` leaves with root ``new_root``. As in
    transparency-dev/merkle, equal sizes need an empty proof and equal roots, and size 0 needs an
    empty proof; in addition ``old_root`` must then be the empty-tree hash. Malformed arguments
    give False.
    """
    first_hash, second_hash = _as_hash(old_root), _as_hash(new_root)
    given = [_as_hash(c) for c in proof]
    if not (_is_size(old_size) and _is_size(new_size)):
        return False
    if first_hash is None or second_hash is None or any(c is None for c in given):
        return False
    old_root, new_root = first_hash, second_hash
    proof = [c for c in given if c is not None]
    if new_size < old_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    # 1. An empty path fails.
    if not proof:
        return False
    # 2. If first is an exact power of 2, prepend first_hash.
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3.
    fn, sn = old_size - 1, new_size - 1
    # 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    # 7.
    return fr == old_root and sr == new_root and sn == 0


def subtree_hash(store: TreeStore, start: int, end: int) -> bytes:
    """The hash of the RFC 6962 subtree over leaves ``[start, end)`` (as the tree splits it)."""
    return store._range_hashes([(start, end)])[0]


def locate_difference(
    size: int,
    root: bytes,
    found: TreeStore,
    sources: Sequence[TreeStore],
    errors: tuple[type[BaseException], ...] = (ValueError, LookupError, OSError),
) -> tuple[int, int]:
    """Narrow down, by binary search, where the leaves in ``found`` depart from the tree of
    ``size`` leaves whose root is ``root`` (trusted, e.g. from a verified checkpoint).

    Walking down from the root, the two children's hashes are taken from the first of
    ``sources`` (stored subtree hashes, published tiles, recorded leaf hashes: none of them
    trusted) whose pair hashes to the parent's trusted hash, which authenticates them; the
    walk goes into the first child whose hash in ``found`` differs. It stops at a single leaf,
    or where no source's pair authenticates. Returns ``[start, end)``: the first differing leaf
    is in that range (it is that leaf when ``end - start == 1``). A source that cannot give a
    hash raises one of ``errors`` and is skipped.
    """
    _check_consistency_args(0, size)
    start, end, expected = 0, size, root
    while end - start > 1:
        split = start + _split_point(end - start)
        for source in sources:
            try:
                left, right = source._range_hashes([(start, split), (split, end)])
            except errors:
                continue
            if node_hash(left, right) == expected:
                break
        else:
            break
        if subtree_hash(found, start, split) != left:
            end, expected = split, left
        else:
            start, expected = split, right
    return start, end
