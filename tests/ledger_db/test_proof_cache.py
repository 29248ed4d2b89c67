"""Inclusion proofs read through each process's cache of upper subtrees (``UpperNodes``) and
one query of a fixed text: they equal proofs computed from the leaf hashes alone, at every
tree size, verify with RFC 9162's algorithm and with the ``sigstore`` package's, and the cache
never serves another log's hashes.

The cache is used only outside transactions (it keeps committed data only), so these tests run
without the usual per-test transaction and build their logs with plain inserts: recorded leaf
hashes and the subtree rows that sequencing writes, as ``bench/ledger.py`` does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeshare.kernel.roles import Role
from safeshare.ledger import service, storage
from safeshare.ledger.merkle import (
    CompactRange,
    NodeId,
    inclusion_proof,
    root_from_leaf_hashes,
    verify_inclusion,
)
from safeshare.ledger.models import LedgerEntry, LedgerSubtree
from tests.api_client import ApiClient

SIZE = 1_100
"""Enough entries for subtrees up to level 10, so that every part of a proof is exercised."""

pytestmark = pytest.mark.django_db(transaction=True)


def build_log(size: int, seed: bytes) -> list[bytes]:
    """Write a log of ``size`` sequenced entries (their leaf hashes made from ``seed``) and its
    subtree rows; return the leaf hashes."""
    leaves = [hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(size)]
    compact = CompactRange()
    nodes: dict[NodeId, bytes] = {}

    def keep(node: NodeId, digest: bytes) -> None:
        if node.level >= storage.MIN_CACHED_LEVEL:
            nodes[node] = digest

    for digest in leaves:
        compact.append(digest, on_node=keep)
    now = timezone.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            index=i,
            kind="test",
            draft=json.dumps({}),
            body=b"{}",
            leaf_hash=digest,
            created_at=now,
        )
        for i, digest in enumerate(leaves)
    )
    LedgerSubtree.objects.bulk_create(
        LedgerSubtree(level=node.level, index=node.index, hash=digest)
        for node, digest in nodes.items()
    )
    return leaves


def clear_log() -> None:
    LedgerSubtree.objects.all().delete()
    LedgerEntry.objects.all().delete()


@pytest.fixture
def log() -> Iterator[list[bytes]]:
    storage.forget_upper_nodes()
    leaves = build_log(SIZE, b"first log")
    yield leaves
    storage.forget_upper_nodes()


def sigstore_root(leaf: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """The root that the ``sigstore`` package's RFC 6962 chaining gives for the proof."""
    merkle = pytest.importorskip(
        "sigstore._internal.merkle", reason="the sigstore wheel is missing"
    )
    inner, border = merkle._decomp_inclusion_proof(index, size)
    assert len(proof) == inner + border
    return merkle._chain_border_right(
        merkle._chain_inner(leaf, proof[:inner], index), proof[inner:]
    )


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_cached_proof_equals_one_computed_from_the_leaves(log, data) -> None:
    size = data.draw(
        st.one_of(
            st.integers(1, SIZE),
            st.sampled_from([1, 2, 16, 17, 255, 256, 257, 511, 512, 513, 1024, 1025, SIZE]),
        ),
        label="size",
    )
    index = data.draw(st.integers(0, size - 1), label="index")
    cached = storage.prove_with_upper_nodes(index, size)
    assert cached is not None, "the cache did not serve the proof"
    assert cached.log_size == SIZE
    assert cached.leaf_hash == log[index]
    assert cached.proof == inclusion_proof(log, index, size)
    root = root_from_leaf_hashes(log[:size])
    assert verify_inclusion(index, size, log[index], cached.proof, root)
    assert sigstore_root(log[index], index, size, cached.proof) == root


def test_the_service_gives_the_cached_proof_and_refuses_a_size_beyond_the_log(log) -> None:
    proved = service.prove_inclusion(700, 1_000)
    assert proved.proof == inclusion_proof(log, 700, 1_000)
    assert proved.leaf_hash == log[700]
    assert storage.upper_nodes().get(8, 0) == root_from_leaf_hashes(log[:256])
    with pytest.raises(service.LedgerRangeError, match="at most 1100"):
        service.prove_inclusion(3, SIZE + 1)


def test_only_complete_subtrees_are_held(log) -> None:
    service.prove_inclusion(5, SIZE)
    upper = storage.upper_nodes()
    assert sorted(upper.levels) == [8, 9, 10]
    for level, hashes in upper.levels.items():
        assert len(hashes) == SIZE >> level  # the complete ones, and no more
        for index, digest in enumerate(hashes):
            start = index << level
            assert digest == root_from_leaf_hashes(log[start : start + (1 << level)])


def test_inside_a_transaction_the_cache_is_neither_used_nor_filled(log) -> None:
    with transaction.atomic():
        assert storage.prove_with_upper_nodes(300, SIZE) is None
        assert service.inclusion_proof(300, SIZE) == inclusion_proof(log, 300, SIZE)
    assert not storage.upper_nodes().levels


def test_a_log_made_anew_is_not_served_from_the_old_logs_hashes(log) -> None:
    assert service.inclusion_proof(10, SIZE) == inclusion_proof(log, 10, SIZE)
    assert storage.upper_nodes().levels
    clear_log()
    other = build_log(SIZE, b"second log")
    for index in (10, 600, SIZE - 1):
        assert service.inclusion_proof(index, SIZE) == inclusion_proof(other, index, SIZE)
    assert storage.upper_nodes().get(8, 0) == root_from_leaf_hashes(other[:256])


def test_a_subtree_missing_from_the_table_is_computed_the_slow_way(log) -> None:
    LedgerSubtree.objects.filter(level=5).delete()
    LedgerSubtree.objects.filter(level=9, index=1).delete()
    for index in (40, 700):
        assert storage.prove_with_upper_nodes(index, SIZE) is None
        assert service.inclusion_proof(index, SIZE) == inclusion_proof(log, index, SIZE)


def test_the_log_growing_adds_its_new_subtrees(log) -> None:
    assert service.inclusion_proof(3, SIZE) == inclusion_proof(log, 3, SIZE)
    clear_log()
    longer = [*log, *build_log(SIZE + 300, b"first log")[SIZE:]]
    # The same log, longer: the first rows are kept under new ids, so the cache starts again.
    assert service.inclusion_proof(1_300, SIZE + 300) == inclusion_proof(longer, 1_300, SIZE + 300)
    assert len(storage.upper_nodes().levels[8]) == (SIZE + 300) // 256


def test_the_api_serves_proofs_from_the_cache(log) -> None:
    advocate = ApiClient(Role.ADVOCATE, "SUPPORT1")
    body = advocate.get("/ledger/entries/700/proof", size=SIZE).json()
    assert [base64.b64decode(node) for node in body["inclusion_proof"]] == inclusion_proof(
        log, 700, SIZE
    )
    assert storage.upper_nodes().levels  # a request is not a transaction: the cache was used
