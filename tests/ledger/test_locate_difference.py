"""``merkle.locate_difference``: binary search for the first changed leaf, trusting a source's
hashes only where they hash up to the trusted root (property tests)."""

from __future__ import annotations

from hashlib import sha256

from hypothesis import given
from hypothesis import strategies as st

from safeshare.ledger.merkle import (
    MemorySubtreeCache,
    TreeStore,
    locate_difference,
    root_from_leaf_hashes,
)


def leaves(size: int, salt: bytes = b"") -> list[bytes]:
    return [sha256(salt + i.to_bytes(4, "big")).digest() for i in range(size)]


@st.composite
def rewrites(draw):
    size = draw(st.integers(min_value=1, max_value=300))
    first = draw(st.integers(min_value=0, max_value=size - 1))
    last = draw(st.integers(min_value=first, max_value=size - 1))
    return size, first, last


def rewritten(original: list[bytes], first: int, last: int) -> list[bytes]:
    return original[:first] + leaves(last - first + 1, b"x") + original[last + 1 :]


@given(rewrites())
def test_trusted_hashes_name_the_first_rewritten_leaf(case) -> None:
    size, first, last = case
    original = leaves(size)
    found = TreeStore(rewritten(original, first, last), MemorySubtreeCache())
    source = TreeStore(original, MemorySubtreeCache())
    root = root_from_leaf_hashes(original)
    assert locate_difference(size, root, found, [source]) == (first, first + 1)


@given(rewrites(), st.integers(min_value=0, max_value=299))
def test_rewritten_hashes_never_mislead_the_search(case, other: int) -> None:
    size, first, last = case
    original = leaves(size)
    changed = rewritten(original, first, last)
    # The sources were rewritten too (as the operator would), and one more leaf is damaged.
    damaged = list(changed)
    damaged[other % size] = bytes(32)
    sources = [TreeStore(changed, MemorySubtreeCache()), TreeStore(damaged, MemorySubtreeCache())]
    start, end = locate_difference(
        size, root_from_leaf_hashes(original), TreeStore(changed), sources
    )
    assert start <= first < end


def test_a_source_that_cannot_answer_is_skipped() -> None:
    original = leaves(40)
    found = TreeStore(rewritten(original, 21, 21), MemorySubtreeCache())

    def missing(start: int, end: int) -> list[bytes]:
        raise LookupError("not published")

    sources = [TreeStore(missing), TreeStore(original, MemorySubtreeCache())]
    assert locate_difference(40, root_from_leaf_hashes(original), found, sources) == (21, 22)
    assert locate_difference(40, root_from_leaf_hashes(original), found, [TreeStore(missing)]) == (
        0,
        40,
    )
