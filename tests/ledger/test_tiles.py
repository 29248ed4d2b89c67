"""C2SP tlog-tiles: paths, written tiles, and a client that reads only static files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeshare.ledger.checkpoint import parse_checkpoint, sign_checkpoint, verify_checkpoint
from safeshare.ledger.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from safeshare.ledger.tiles import (
    TileReader,
    directory_fetcher,
    encode_index,
    entry_bundles,
    hash_tiles,
    read_entry_bundle,
    tile_path,
    write_tiles,
)

from .helpers import ORIGIN, Signer


@pytest.mark.parametrize(
    ("index", "path"),
    [(0, "000"), (7, "007"), (999, "999"), (1000, "x001/000"), (1234067, "x001/x234/067")],
)
def test_tile_indices_are_written_in_groups_of_three(index: int, path: str) -> None:
    assert encode_index(index) == path


def test_partial_tiles_say_their_width() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 3, 17) == "tile/1/003.p/17"
    assert tile_path("entries", 0, 5) == "tile/entries/000.p/5"


def test_tiles_of_a_log_of_100_000_entries_give_the_checkpoints_root(tmp_path: Path) -> None:
    size = 100_000
    entries = [b"entry %d" % i for i in range(size)]
    leaves = [leaf_hash(entry) for entry in entries]
    signer = Signer()
    note = sign_checkpoint(
        ORIGIN, size, root_from_leaf_hashes(leaves), signer.private_key, signer.name
    )
    write_tiles(tmp_path, leaves, entries, note)
    # The client reads only the published files, and trusts only the log's key.
    fetch = directory_fetcher(tmp_path)
    checkpoint = verify_checkpoint(fetch("checkpoint").decode(), [signer.verifier])
    reader = TileReader(fetch, checkpoint.size)
    assert reader.root() == checkpoint.root
    assert (tmp_path / "tile/0/390.p/160").is_file()  # 100,000 = 390 × 256 + 160
    assert (tmp_path / "tile/1/001.p/134").is_file()  # 390 = 256 + 134
    assert (tmp_path / "tile/2/000.p/1").is_file()
    for index in (0, 255, 256, 65_535, 99_999):
        proof = reader.inclusion_proof(index)
        assert verify_inclusion(index, size, leaves[index], proof, checkpoint.root)
    assert reader.entries(390) == entries[390 * 256 :]
    old = 70_001
    proof = reader.consistency_proof(old)
    old_root = root_from_leaf_hashes(leaves[:old])
    assert verify_consistency(old, size, old_root, checkpoint.root, proof)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 1500), old=st.integers(0, 1500))
def test_proofs_from_tiles_match_proofs_from_the_leaves(size: int, old: int) -> None:
    old = min(old, size)
    leaves = [leaf_hash(b"%d" % i) for i in range(size)]
    files = hash_tiles(leaves)
    reader = TileReader(lambda path: files[path], size)
    assert reader.root() == root_from_leaf_hashes(leaves)
    assert reader.consistency_proof(old) == consistency_proof(leaves, old, size)
    assert reader.inclusion_proof(size - 1) == inclusion_proof(leaves, size - 1, size)


def test_a_changed_tile_gives_another_root(tmp_path: Path) -> None:
    leaves = [leaf_hash(b"%d" % i) for i in range(600)]
    files = hash_tiles(leaves)
    files["tile/0/002.p/88"] = files["tile/0/002.p/88"][:-1] + b"\x00"
    assert TileReader(lambda path: files[path], 600).root() != root_from_leaf_hashes(leaves)
    files["tile/0/002.p/88"] = files["tile/0/002.p/88"][:-1]
    with pytest.raises(ValueError, match="wrong length"):
        TileReader(lambda path: files[path], 600).root()


def test_withheld_entries_leave_their_bundle_unpublished() -> None:
    entries: list[bytes | None] = [b"e%d" % i for i in range(600)]
    entries[300] = None  # a format-1 entry (ADR 0007)
    bundles = dict(entry_bundles(entries))
    assert sorted(bundles) == ["tile/entries/000", "tile/entries/002.p/88"]
    assert read_entry_bundle(bundles["tile/entries/000"]) == entries[:256]


def test_publishing_again_keeps_full_tiles_and_moves_the_checkpoint(tmp_path: Path) -> None:
    signer = Signer()
    leaves = [leaf_hash(b"%d" % i) for i in range(300)]

    def note(size: int) -> str:
        root = root_from_leaf_hashes(leaves[:size])
        return sign_checkpoint(ORIGIN, size, root, signer.private_key, signer.name)

    write_tiles(tmp_path, leaves[:200], [None] * 200, note(200))
    assert (tmp_path / "tile/0/000.p/200").is_file()
    write_tiles(tmp_path, leaves, [None] * 300, note(300))
    assert parse_checkpoint((tmp_path / "checkpoint").read_text()).size == 300
    reader = TileReader(directory_fetcher(tmp_path), 300)
    assert reader.root() == root_from_leaf_hashes(leaves)
