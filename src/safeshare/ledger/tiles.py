"""The log as static files: C2SP tlog-tiles (c2sp.org/tlog-tiles), written and read.

A published log is a folder that any web server can serve::

    checkpoint                      the latest signed checkpoint (with its cosignatures)
    tile/<L>/<N>[.p/<W>]            hash tiles: up to 256 hashes of tree level 8·L
    tile/entries/<N>[.p/<W>]        entry bundles: up to 256 entries, each a 2-byte length
                                    and the entry's canonical bytes

``<N>`` is written in groups of three digits, every group but the last with an ``x`` prefix
(``x001/x234/067``). A tile of 256 hashes is full and never changes; ``.p/<W>`` is a partial
tile of ``W`` hashes at the right edge of the tree.

Entries of format 1 are withheld (ADR 0007): an entry bundle is published only for a range of
256 entries that holds no withheld entry; the hash tiles still cover every leaf, so the tree,
every proof and every checkpoint can be checked over the whole log.

``TileReader`` is the client side: it reads only these files (through any ``fetch`` function)
and gives roots and proofs, without trusting anything but the checkpoint it checks them against.
Pure module: no Django.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from safeshare.ledger.merkle import (
    HASH_SIZE,
    NodeId,
    TreeStore,
    node_hash,
)

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_BYTES = 0xFFFF


class TileError(ValueError):
    """A tile is missing or has the wrong length."""


def encode_index(index: int) -> str:
    """``1234067`` → ``x001/x234/067`` (tlog-tiles path encoding of a tile index)."""
    if index < 0:
        raise ValueError("tile index must not be negative")
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if not index:
            break
    groups.reverse()
    return "/".join([*(f"x{group}" for group in groups[:-1]), groups[-1]])


def tile_path(level: int | str, index: int, width: int = TILE_WIDTH) -> str:
    """The path of a tile: ``tile/<L>/<N>`` or, when partial, ``tile/<L>/<N>.p/<W>``."""
    if not 0 < width <= TILE_WIDTH:
        raise ValueError("tile width must be between 1 and 256")
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


def _tile_widths(count: int) -> list[tuple[int, int]]:
    """``(index, width)`` of the tiles holding ``count`` hashes of one level."""
    tiles = [(index, TILE_WIDTH) for index in range(count // TILE_WIDTH)]
    if count % TILE_WIDTH:
        tiles.append((count // TILE_WIDTH, count % TILE_WIDTH))
    return tiles


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def hash_tiles(leaf_hashes: Sequence[bytes]) -> dict[str, bytes]:
    """Every hash tile of the tree over ``leaf_hashes``, by path."""
    tiles: dict[str, bytes] = {}
    level_hashes = list(leaf_hashes)
    level = 0
    while level_hashes:
        for index, width in _tile_widths(len(level_hashes)):
            start = index * TILE_WIDTH
            tiles[tile_path(level, index, width)] = b"".join(level_hashes[start : start + width])
        # The next tile level holds the roots of each full group of 256 hashes.
        upper = []
        for start in range(0, len(level_hashes) - TILE_WIDTH + 1, TILE_WIDTH):
            nodes = level_hashes[start : start + TILE_WIDTH]
            while len(nodes) > 1:
                nodes = [node_hash(nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
            upper.append(nodes[0])
        level_hashes = upper
        level += 1
    return tiles


def bundle(chunk: Sequence[bytes | None]) -> bytes | None:
    """One entry bundle (each entry a 2-byte big-endian length and its bytes), or ``None`` if
    an entry in it is withheld."""
    if any(entry is None for entry in chunk):
        return None
    parts = []
    for entry in chunk:
        assert entry is not None
        if len(entry) > MAX_ENTRY_BYTES:
            raise TileError("an entry is longer than an entry bundle can hold")
        parts.append(len(entry).to_bytes(2, "big") + entry)
    return b"".join(parts)


def entry_bundles(entries: Iterable[bytes | None]) -> Iterator[tuple[str, bytes]]:
    """``(path, bundle)`` for every range of 256 entries (or the last partial one) in which no
    entry is withheld (``None``); reads ``entries`` once, 256 at a time."""
    chunk: list[bytes | None] = []
    index = 0
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == TILE_WIDTH:
            data = bundle(chunk)
            if data is not None:
                yield tile_path("entries", index), data
            chunk, index = [], index + 1
    if chunk:
        data = bundle(chunk)
        if data is not None:
            yield tile_path("entries", index, len(chunk)), data


def write_files(directory: Path, files: Iterable[tuple[str, bytes]]) -> int:
    """Write published files under ``directory``, each atomically; a full tile already on disk
    is left alone (it never changes). Returns how many were written."""
    written = 0
    for relative, data in files:
        path = directory / relative
        if relative.startswith("tile/") and ".p/" not in relative and path.exists():
            continue
        write_atomic(path, data)
        written += 1
    return written


def write_tiles(
    directory: Path,
    leaf_hashes: Sequence[bytes],
    entries: Iterable[bytes | None],
    checkpoint: str,
) -> int:
    """Write the tiles of the first ``len(leaf_hashes)`` entries, then the checkpoint (last,
    so that a reader never sees a checkpoint before its tiles). Returns the files written."""
    written = write_files(directory, hash_tiles(leaf_hashes).items())
    written += write_files(directory, entry_bundles(entries))
    return written + write_files(directory, [("checkpoint", checkpoint.encode("utf-8"))])


def read_entry_bundle(data: bytes) -> list[bytes]:
    """Split an entry bundle into its entries."""
    entries, position = [], 0
    while position < len(data):
        if position + 2 > len(data):
            raise TileError("truncated entry bundle")
        length = int.from_bytes(data[position : position + 2], "big")
        position += 2
        if position + length > len(data):
            raise TileError("truncated entry bundle")
        entries.append(data[position : position + length])
        position += length
    return entries


class _TileCache:
    """Perfect subtree hashes read from hash tiles (the ``SubtreeCache`` of a ``TreeStore``)."""

    def __init__(self, reader: TileReader) -> None:
        self._reader = reader

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        return {node: self._reader.node(node.level, node.index) for node in nodes}

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        """Tiles are read only."""


class TileReader:
    """Roots and proofs of the tree of ``size`` leaves, read from tiles through ``fetch``.

    ``fetch(path)`` returns the bytes of a published file (``tile/0/x001/234``) or raises.
    Nothing read is trusted: compare ``root()`` with a verified checkpoint's root.
    """

    def __init__(self, fetch: Callable[[str], bytes], size: int) -> None:
        self._fetch = fetch
        self.size = size
        self._tiles: dict[tuple[int, int], list[bytes]] = {}
        self.store = TreeStore(self.leaf_hashes, _TileCache(self), min_cached_level=1)

    def _tile(self, level: int, index: int) -> list[bytes]:
        key = (level, index)
        if key not in self._tiles:
            count = self.size >> (TILE_HEIGHT * level)
            width = min(TILE_WIDTH, count - index * TILE_WIDTH)
            if width <= 0:
                raise TileError(f"tile {level}/{index} is beyond a tree of {self.size}")
            data = self._fetch(tile_path(level, index, width))
            if len(data) != width * HASH_SIZE:
                raise TileError(f"{tile_path(level, index, width)} has the wrong length")
            self._tiles[key] = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        return self._tiles[key]

    def _stored(self, tree_level: int, index: int) -> bytes:
        tile_level = tree_level // TILE_HEIGHT
        tile = self._tile(tile_level, index // TILE_WIDTH)
        return tile[index % TILE_WIDTH]

    def node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree of ``2**level`` leaves at ``index``."""
        base = level - level % TILE_HEIGHT
        span = 1 << (level - base)
        hashes = [self._stored(base, index * span + i) for i in range(span)]
        while len(hashes) > 1:
            hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def leaf_hashes(self, start: int, end: int) -> list[bytes]:
        """Leaf hashes ``[start, end)``."""
        return [self._stored(0, index) for index in range(start, end)]

    def root(self) -> bytes:
        """The root of the tree of ``size`` leaves."""
        return self.store.root(self.size)

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """The proof that the tree of ``old_size`` leaves is a prefix of this one."""
        return self.store.consistency_proof(old_size, self.size)

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The audit path of leaf ``index``."""
        return self.store.inclusion_proof(index, self.size)

    def entries(self, tile_index: int) -> list[bytes]:
        """The entries of one entry bundle (raises if it is not published)."""
        width = min(TILE_WIDTH, self.size - tile_index * TILE_WIDTH)
        return read_entry_bundle(self._fetch(tile_path("entries", tile_index, width)))


def directory_fetcher(directory: Path) -> Callable[[str], bytes]:
    """A ``fetch`` that reads published files from a local folder."""

    def fetch(relative: str) -> bytes:
        return (directory / relative).read_bytes()

    return fetch


def url_fetcher(base_url: str, timeout: float = 10.0) -> Callable[[str], bytes]:
    """A ``fetch`` that reads published files over HTTP(S) below ``base_url``."""
    import urllib.request

    base = base_url.rstrip("/") + "/"

    def fetch(relative: str) -> bytes:
        with urllib.request.urlopen(base + relative, timeout=timeout) as response:  # noqa: S310
            return response.read()

    return fetch
