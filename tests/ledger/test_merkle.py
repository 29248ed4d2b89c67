"""RFC 6962 / RFC 9162 tree hashing, proofs and verification."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from hashlib import sha256
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.ledger.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemorySubtreeCache,
    NodeId,
    PackedHashes,
    TreeStore,
    _inclusion_ranges,
    _perfect_nodes,
    consistency_proof,
    fold_parts,
    inclusion_parts,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

from .helpers import naive_leaf, naive_mth, naive_path, naive_proof, naive_split

# The leaves of the RFC 6962 test tree used by Certificate Transparency, Trillian and
# transparency-dev/merkle.
RFC_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
RFC_LEAF_HASHES = [leaf_hash(data) for data in RFC_LEAVES]

# Roots of the first n of those leaves, from the same test data.
KNOWN_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
KNOWN_INCLUSION_PROOFS = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}
KNOWN_CONSISTENCY_PROOFS = {
    (1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def h(hex_digest: str) -> bytes:
    return bytes.fromhex(hex_digest)


def leaf_hashes_for(count: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


# --- Known answers ---------------------------------------------------------------------------


def test_hash_domain_separation_matches_rfc_6962() -> None:
    assert leaf_hash(b"abc") == sha256(b"\x00abc").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    assert leaf_hash(b"") != sha256(b"").digest()


def test_empty_tree_is_the_hash_of_the_empty_string() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert CompactRange().root() == EMPTY_ROOT


def test_small_trees_match_the_rfc_definitions_written_out() -> None:
    a, b, c, d, e = (leaf_hash(x) for x in (b"a", b"b", b"c", b"d", b"e"))
    assert root_from_leaf_hashes([a]) == a
    assert root_from_leaf_hashes([a, b]) == node_hash(a, b)
    # n = 3: k = 2, so MTH = H(H(a, b), c), not H(a, H(b, c)).
    assert root_from_leaf_hashes([a, b, c]) == node_hash(node_hash(a, b), c)
    assert root_from_leaf_hashes([a, b, c, d]) == node_hash(node_hash(a, b), node_hash(c, d))
    # n = 5: k = 4, the last leaf hangs at the top.
    expected = node_hash(node_hash(node_hash(a, b), node_hash(c, d)), e)
    assert root_from_leaf_hashes([a, b, c, d, e]) == expected
    assert inclusion_proof([a, b, c, d, e], 4, 5) == [node_hash(node_hash(a, b), node_hash(c, d))]
    assert inclusion_proof([a, b, c, d, e], 2, 5) == [d, node_hash(a, b), e]
    assert consistency_proof([a, b, c, d, e], 3, 5) == [c, d, node_hash(a, b), e]


@pytest.mark.parametrize(("size", "root"), sorted(KNOWN_ROOTS.items()))
def test_roots_match_the_rfc_6962_test_vectors(size: int, root: str) -> None:
    assert root_from_leaf_hashes(RFC_LEAF_HASHES[:size]).hex() == root
    compact = CompactRange()
    compact.extend(RFC_LEAF_HASHES[:size])
    assert compact.root().hex() == root
    assert TreeStore(RFC_LEAF_HASHES, min_cached_level=1).root(size).hex() == root


@pytest.mark.parametrize(("position", "proof"), sorted(KNOWN_INCLUSION_PROOFS.items()))
def test_inclusion_proofs_match_the_test_vectors(
    position: tuple[int, int], proof: list[str]
) -> None:
    index, size = position
    assert [node.hex() for node in inclusion_proof(RFC_LEAF_HASHES, index, size)] == proof
    root = h(KNOWN_ROOTS[size])
    assert verify_inclusion(index, size, RFC_LEAF_HASHES[index], [h(p) for p in proof], root)


@pytest.mark.parametrize(("sizes", "proof"), sorted(KNOWN_CONSISTENCY_PROOFS.items()))
def test_consistency_proofs_match_the_test_vectors(
    sizes: tuple[int, int], proof: list[str]
) -> None:
    old, new = sizes
    assert [node.hex() for node in consistency_proof(RFC_LEAF_HASHES, old, new)] == proof
    assert verify_consistency(
        old, new, h(KNOWN_ROOTS[old]), h(KNOWN_ROOTS[new]), [h(p) for p in proof]
    )


# --- Against the naive implementation ---------------------------------------------------------

leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=300)


@given(leaves=leaf_lists)
def test_root_matches_naive_for_every_prefix_size(leaves: list[bytes]) -> None:
    hashes = [naive_leaf(data) for data in leaves]
    compact = CompactRange()
    for size in range(1, len(leaves) + 1):
        compact.append(hashes[size - 1])
        assert compact.root() == naive_mth(leaves[:size])
    assert root_from_leaf_hashes(hashes) == naive_mth(leaves)


@given(leaves=leaf_lists, data=st.data())
def test_inclusion_proofs_match_naive_and_verify(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [naive_leaf(x) for x in leaves]
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = naive_mth(leaves[:size])
    proof = inclusion_proof(hashes, index, size)
    assert proof == naive_path(index, leaves[:size])
    assert (
        TreeStore(hashes, MemorySubtreeCache(), min_cached_level=2).inclusion_proof(index, size)
        == proof
    )
    assert verify_inclusion(index, size, hashes[index], proof, root)


@given(leaves=leaf_lists, data=st.data())
def test_consistency_proofs_match_naive_and_verify(
    leaves: list[bytes], data: st.DataObject
) -> None:
    hashes = [naive_leaf(x) for x in leaves]
    new = data.draw(st.integers(0, len(leaves)), label="new")
    old = data.draw(st.integers(0, new), label="old")
    proof = consistency_proof(hashes, old, new)
    assert proof == naive_proof(old, leaves[:new])
    assert (
        TreeStore(hashes, MemorySubtreeCache(), min_cached_level=2).consistency_proof(old, new)
        == proof
    )
    assert verify_consistency(old, new, naive_mth(leaves[:old]), naive_mth(leaves[:new]), proof)


def test_every_proof_in_trees_up_to_64_leaves() -> None:
    hashes = leaf_hashes_for(64)
    roots = [root_from_leaf_hashes(hashes[:size]) for size in range(65)]
    for size in range(1, 65):
        for index in range(size):
            proof = inclusion_proof(hashes, index, size)
            assert verify_inclusion(index, size, hashes[index], proof, roots[size])
        for old in range(size + 1):
            proof = consistency_proof(hashes, old, size)
            assert verify_consistency(old, size, roots[old], roots[size], proof)


# --- Tampering must fail -----------------------------------------------------------------------


def flip(value: bytes, position: int) -> bytes:
    changed = bytearray(value)
    changed[position % len(changed)] ^= 1 << (position % 8)
    return bytes(changed)


def naive_directions(index: int, size: int) -> list[str]:
    """Which side each audit-path node sits on, from the RFC 6962 PATH recursion."""
    if size <= 1:
        return []
    k = naive_split(size)
    if index < k:
        return [*naive_directions(index, k), "right"]
    return [*naive_directions(index - k, size - k), "left"]


@given(leaves=leaf_lists, data=st.data())
def test_inclusion_fails_when_anything_changes(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [naive_leaf(x) for x in leaves]
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = root_from_leaf_hashes(hashes[:size])
    proof = inclusion_proof(hashes, index, size)
    position = data.draw(st.integers(0, 10_000), label="byte")
    assert not verify_inclusion(index, size, flip(hashes[index], position), proof, root)
    assert not verify_inclusion(index, size, hashes[index], proof, flip(root, position))
    if proof:
        node = data.draw(st.integers(0, len(proof) - 1), label="node")
        broken = [*proof[:node], flip(proof[node], position), *proof[node + 1 :]]
        assert not verify_inclusion(index, size, hashes[index], broken, root)
        assert not verify_inclusion(index, size, hashes[index], proof[:-1], root)
    assert not verify_inclusion(index, size, hashes[index], [*proof, hashes[0]], root)
    # Another position, with the true root of that tree: only its own audit path verifies.
    other_size = data.draw(st.integers(1, len(leaves)), label="other size")
    other_index = data.draw(st.integers(0, other_size - 1), label="other index")
    if (other_index, other_size) != (index, size):
        genuine = naive_path(other_index, leaves[:other_size]) == proof and (
            hashes[other_index] == hashes[index]
        )
        other_root = root_from_leaf_hashes(hashes[:other_size])
        assert verify_inclusion(other_index, other_size, hashes[index], proof, other_root) is (
            genuine
        )


@given(leaves=leaf_lists, data=st.data())
def test_inclusion_binds_the_size_only_through_the_signed_root(
    leaves: list[bytes], data: st.DataObject
) -> None:
    """RFC 9162 property: with the root left unchanged, a different size verifies exactly when
    the audit path has the same shape. Checkpoints therefore sign size and root together."""
    hashes = [naive_leaf(x) for x in leaves]
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = root_from_leaf_hashes(hashes[:size])
    proof = inclusion_proof(hashes, index, size)
    other_size = data.draw(st.integers(index + 1, len(leaves) + 8), label="other size")
    same_shape = naive_directions(index, other_size) == naive_directions(index, size)
    assert verify_inclusion(index, other_size, hashes[index], proof, root) is same_shape


def test_a_proof_for_one_size_can_pass_for_another_with_the_same_root() -> None:
    hashes = leaf_hashes_for(6)
    root5 = root_from_leaf_hashes(hashes[:5])
    proof = consistency_proof(hashes, 4, 5)
    # Size 6 paired with the size-5 root is never signed, so this is harmless in practice ...
    assert verify_consistency(4, 6, root_from_leaf_hashes(hashes[:4]), root5, proof)
    # ... and with the real size-6 root the proof fails.
    root6 = root_from_leaf_hashes(hashes)
    assert not verify_consistency(4, 6, root_from_leaf_hashes(hashes[:4]), root6, proof)


def test_proofs_too_short_for_the_claimed_size_fail() -> None:
    hashes = leaf_hashes_for(9)
    root4, root5 = (root_from_leaf_hashes(hashes[:size]) for size in (4, 5))
    # The computed roots would match; only the size check of RFC 9162 step 7 / step 5 refuses.
    assert not verify_consistency(4, 9, root4, root5, consistency_proof(hashes, 4, 5))
    assert not verify_inclusion(0, 9, hashes[0], inclusion_proof(hashes, 0, 5), root5)


@given(leaves=st.lists(st.binary(max_size=8), min_size=2, max_size=300), data=st.data())
def test_consistency_fails_when_anything_changes(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [naive_leaf(x) for x in leaves]
    new = data.draw(st.integers(2, len(leaves)), label="new")
    old = data.draw(st.integers(1, new - 1), label="old")
    old_root = root_from_leaf_hashes(hashes[:old])
    new_root = root_from_leaf_hashes(hashes[:new])
    proof = consistency_proof(hashes, old, new)
    position = data.draw(st.integers(0, 10_000), label="byte")
    assert not verify_consistency(old, new, flip(old_root, position), new_root, proof)
    assert not verify_consistency(old, new, old_root, flip(new_root, position), proof)
    node = data.draw(st.integers(0, len(proof) - 1), label="node")
    broken = [*proof[:node], flip(proof[node], position), *proof[node + 1 :]]
    assert not verify_consistency(old, new, old_root, new_root, broken)
    assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
    assert not verify_consistency(old, new, old_root, new_root, [*proof, new_root])
    assert not verify_consistency(old, new, old_root, new_root, [])
    assert not verify_consistency(new, old, new_root, old_root, proof)
    # Other sizes, with the true roots of those trees: only their own proof verifies.
    other_new = data.draw(st.integers(1, len(leaves)), label="other new")
    other_old = data.draw(st.integers(1, other_new), label="other old")
    if (other_old, other_new) != (old, new):
        genuine = naive_proof(other_old, leaves[:other_new]) == proof
        other_roots = (
            root_from_leaf_hashes(hashes[:other_old]),
            root_from_leaf_hashes(hashes[:other_new]),
        )
        assert verify_consistency(other_old, other_new, *other_roots, proof) is genuine


def test_verifiers_reject_malformed_arguments() -> None:
    hashes = leaf_hashes_for(5)
    root = root_from_leaf_hashes(hashes)
    proof = inclusion_proof(hashes, 1, 5)
    assert verify_inclusion(1, 5, hashes[1], proof, root)
    assert not verify_inclusion(-1, 5, hashes[1], proof, root)
    assert not verify_inclusion(5, 5, hashes[1], proof, root)
    assert not verify_inclusion(True, 5, hashes[1], proof, root)
    assert not verify_inclusion(1, 5, hashes[1][:31], proof, root)
    assert not verify_inclusion(1, 5, hashes[1], [*proof[:-1], proof[-1] + b"x"], root)
    assert not verify_inclusion(1, 5, "not bytes", proof, root)  # type: ignore[arg-type]
    assert verify_inclusion(1, 5, memoryview(hashes[1]), proof, bytearray(root))
    old_root = root_from_leaf_hashes(hashes[:2])
    consistency = consistency_proof(hashes, 2, 5)
    assert verify_consistency(2, 5, old_root, root, consistency)
    assert not verify_consistency(5, 2, root, old_root, consistency)
    assert not verify_consistency(-1, 5, old_root, root, consistency)
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, root, [root])
    assert not verify_consistency(5, 5, root, old_root, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 5, root, root, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, root, [root])


def test_proof_generators_reject_impossible_requests() -> None:
    hashes = leaf_hashes_for(4)
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(hashes, 4, 4)
    with pytest.raises(ValueError, match="exceeds"):
        inclusion_proof(hashes, 0, 5)
    with pytest.raises(ValueError, match="cannot prove"):
        consistency_proof(hashes, 3, 2)
    with pytest.raises(ValueError, match="not fully available"):
        TreeStore(hashes).root(5)


# --- Compact ranges ----------------------------------------------------------------------------


def test_compact_range_reports_completed_subtrees() -> None:
    hashes = leaf_hashes_for(8)
    completed: list[tuple[NodeId, bytes]] = []
    compact = CompactRange()
    for digest in hashes:
        compact.append(digest, on_node=lambda node, value: completed.append((node, value)))
    assert [node for node, _ in completed] == [
        NodeId(1, 0),
        NodeId(1, 1),
        NodeId(2, 0),
        NodeId(1, 2),
        NodeId(1, 3),
        NodeId(2, 1),
        NodeId(3, 0),
    ]
    for node, value in completed:
        first = node.index << node.level
        assert value == root_from_leaf_hashes(hashes[first : first + (1 << node.level)])


@given(size=st.integers(0, 600))
def test_compact_range_state_round_trips(size: int) -> None:
    hashes = leaf_hashes_for(size + 3)
    compact = CompactRange()
    compact.extend(hashes[:size])
    assert len(compact.hashes) == size.bit_count()
    assert compact.nodes() == [
        node for node in compact.nodes() if (node.index + 1) << node.level <= size
    ]
    restored = CompactRange.from_hashes(compact.size, compact.hashes)
    restored.extend(hashes[size:])
    assert restored.root() == root_from_leaf_hashes(hashes)
    assert TreeStore(hashes, min_cached_level=1).compact_range(size).hashes == compact.hashes


def test_compact_range_rejects_bad_state() -> None:
    with pytest.raises(ValueError, match="subtree roots"):
        CompactRange.from_hashes(3, [b"x" * 32])
    with pytest.raises(ValueError, match="32 bytes"):
        CompactRange().append(b"short")


# --- Tree store and subtree cache ------------------------------------------------------------


class CountingCache(MemorySubtreeCache):
    """Counts batched look-ups, as a database-backed cache would count queries."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0
        self.writes = 0

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        self.lookups += 1
        return super().get_many(nodes)

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        self.writes += 1
        for node, value in hashes.items():
            first = node.index << node.level
            assert (first + (1 << node.level)) <= self.size_limit, "only complete subtrees"
            assert len(value) == 32
        super().put_many(hashes)

    size_limit = 1 << 62


def test_warm_cache_serves_a_proof_with_one_lookup_and_one_short_read() -> None:
    size = 5000
    hashes = leaf_hashes_for(size)
    reads: list[tuple[int, int]] = []

    def read(start: int, end: int) -> list[bytes]:
        reads.append((start, end))
        return hashes[start:end]

    cache = CountingCache()
    cache.size_limit = size
    store = TreeStore(read, cache, min_cached_level=4)
    store.warm(size)
    root = root_from_leaf_hashes(hashes)
    assert store.root(size) == root
    for index in (0, 1, 17, 2047, 2048, 4095, 4999):
        cache.lookups, reads[:] = 0, []
        proof = store.inclusion_proof(index, size)
        assert verify_inclusion(index, size, hashes[index], proof, root)
        assert cache.lookups == 1
        assert sum(end - start for start, end in reads) <= 2 * 16


def test_cold_cache_fills_and_agrees_with_no_cache() -> None:
    hashes = leaf_hashes_for(1000)
    cache = CountingCache()
    cache.size_limit = 700
    cached = TreeStore(hashes, cache, min_cached_level=3)
    plain = TreeStore(hashes)
    for index in range(0, 700, 37):
        assert cached.inclusion_proof(index, 700) == plain.inclusion_proof(index, 700)
    assert len(cache) > 0
    assert cached.consistency_proof(300, 700) == consistency_proof(hashes, 300, 700)
    assert all(node.level >= 3 for node in cache.get_many(list(cache._hashes)))


@given(
    nodes=st.lists(
        st.integers(0, 8).flatmap(
            lambda level: st.tuples(st.just(level), st.integers(0, (300 >> level) - 1))
        ),
        min_size=1,
        max_size=12,
    ),
    min_level=st.integers(1, 5),
    warm=st.booleans(),
)
def test_subtree_hashes_for_any_nodes(
    nodes: list[tuple[int, int]], min_level: int, warm: bool
) -> None:
    hashes = leaf_hashes_for(300)
    store = TreeStore(hashes, MemorySubtreeCache(), min_cached_level=min_level)
    if warm:
        store.warm(300)
    wanted = [NodeId(level, index) for level, index in nodes]
    known = store.subtree_hashes(wanted)
    for node in wanted:
        first = node.index << node.level
        assert known[node] == root_from_leaf_hashes(hashes[first : first + (1 << node.level)])


def test_tree_store_accepts_memoryviews_from_a_database_driver() -> None:
    hashes = leaf_hashes_for(100)
    store = TreeStore(lambda start, end: [memoryview(x) for x in hashes[start:end]])
    proof = store.inclusion_proof(42, 100)
    assert all(type(node) is bytes for node in proof)
    assert verify_inclusion(42, 100, hashes[42], proof, root_from_leaf_hashes(hashes))


def test_tree_store_rejects_values_that_are_not_hashes() -> None:
    store = TreeStore(lambda start, end: [b"short"] * (end - start))
    with pytest.raises(ValueError, match="not a hash"):
        store.root(4)


def test_packed_hashes_behave_like_a_sequence() -> None:
    hashes = leaf_hashes_for(10)
    packed = PackedHashes(hashes)
    assert len(packed) == 10
    assert list(packed) == hashes
    assert packed[3] == hashes[3]
    assert packed[-1] == hashes[-1]
    assert packed[2:5] == hashes[2:5]
    assert packed[::3] == hashes[::3]
    with pytest.raises(IndexError):
        packed[10]
    other = PackedHashes([*hashes[:6], flip(hashes[6], 5), *hashes[7:]])
    assert packed.first_difference(other) == 6
    assert packed.first_difference(other, limit=6) is None
    assert packed.first_difference(PackedHashes(hashes[:4])) == 4
    assert packed.first_difference(PackedHashes(hashes)) is None


@given(
    cuts=st.lists(st.integers(0, 300), max_size=6),
    size=st.integers(0, 300),
)
def test_packed_leaves_give_the_same_range_as_one_by_one(cuts: list[int], size: int) -> None:
    hashes = leaf_hashes_for(size)
    bounds = sorted({0, size, *(cut for cut in cuts if cut <= size)})
    packed = CompactRange()
    for start, end in pairwise(bounds):
        packed.extend_packed(b"".join(hashes[start:end]))
    one_by_one = CompactRange()
    one_by_one.extend(hashes)
    assert packed.size == one_by_one.size == size
    assert packed.hashes == one_by_one.hashes
    assert packed.root() == root_from_leaf_hashes(hashes)


def test_packed_leaves_must_be_whole_hashes() -> None:
    with pytest.raises(ValueError, match="multiple of 32"):
        CompactRange().extend_packed(bytes(33))


@given(
    st.integers(1, 5_000).flatmap(lambda size: st.tuples(st.integers(0, size - 1), st.just(size)))
)
def test_inclusion_parts_are_the_proof_ranges_as_perfect_subtrees(case: tuple[int, int]) -> None:
    index, size = case
    expected = [_perfect_nodes(start, end) for start, end in _inclusion_ranges(index, size)]
    assert inclusion_parts(index, size) == expected
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    known = TreeStore(hashes, min_cached_level=1).subtree_hashes(
        {node for nodes in expected for node in nodes}
    )
    assert fold_parts(inclusion_parts(index, size), known) == inclusion_proof(hashes, index, size)
