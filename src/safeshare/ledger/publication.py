"""Publishing the log for monitors and witnesses that never load the application.

The same files are served without a token under ``/ledger/public/`` and written to a folder by
``safeshare ledger publish DIR`` for any static web server (or object store):

- ``checkpoint``: the latest checkpoint with its witnesses' cosignatures;
- ``checkpoints/<size>``: every stored checkpoint (the history);
- ``public-keys.txt``: the log's verifier keys, current first; ``witnesses.txt``: the
  configured witnesses' keys and the quorum;
- ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``: C2SP tlog-tiles (``tiles``).

Format-1 entries are withheld (ADR 0007): an entry bundle that would hold one is not published;
the hash tiles cover every leaf. Entries hold no personal data (``entries``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from django.conf import settings

from safeshare.ledger import service, storage, witnessing
from safeshare.ledger.entries import ENTRY_FORMAT_VERSION, entry_format
from safeshare.ledger.merkle import NodeId, TreeStore
from safeshare.ledger.models import LedgerCheckpoint, LedgerEntry
from safeshare.ledger.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    bundle,
    tile_path,
    write_files,
)

_TILE = re.compile(r"tile/(entries|[0-9]+)/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([0-9]+))?")


def public_body(body: bytes | memoryview | None) -> bytes | None:
    """The entry as published: format-2 entries whole; format-1 entries withheld (None)."""
    data = bytes(body or b"")
    return data if entry_format(data) == ENTRY_FORMAT_VERSION else None


def witnesses_text() -> str:
    """The configured witnesses, one public key a line, and the quorum."""
    lines = [f"# quorum {witnessing.quorum()}"]
    lines += [str(w.key) for w in witnessing.configured_witnesses()]
    return "\n".join(lines) + "\n"


def static_file(relative: str) -> tuple[bytes, str] | None:
    """One published file and its content type, computed from the database; None if absent.

    Tiles are served for the latest checkpoint's size only, so that they match it.
    """
    text = "text/plain; charset=utf-8"
    latest = service.latest_checkpoint_record()
    if relative == "checkpoint":
        return (latest.note.encode(), text) if latest else None
    if relative == "public-keys.txt":
        return "".join(f"{key}\n" for key in service.verifier_keys()).encode(), text
    if relative == "witnesses.txt":
        return witnesses_text().encode(), text
    if relative.startswith("checkpoints/") and relative[12:].isdigit():
        note = service.checkpoint_at(int(relative[12:]))
        return (note.encode(), text) if note else None
    match = _TILE.fullmatch(relative)
    if match is None or latest is None:
        return None
    index = int(match[2].replace("x", "").replace("/", ""))
    width = int(match[3]) if match[3] else TILE_WIDTH
    if tile_path(match[1], index, width) != relative:
        return None  # not the canonical form of that path
    data = _tile(match[1], index, width, latest.size)
    return (data, "application/octet-stream") if data is not None else None


def _tile(level_name: str, index: int, width: int, size: int) -> bytes | None:
    level = 0 if level_name == "entries" else int(level_name)
    count = size >> (TILE_HEIGHT * level)
    # A full tile is served if it is complete; a partial one only at the exact right edge.
    available = min(TILE_WIDTH, count - index * TILE_WIDTH)
    if available <= 0 or width > available or (width < TILE_WIDTH and width != available):
        return None
    start = index * TILE_WIDTH
    if level_name == "entries":
        rows = (
            LedgerEntry.objects.filter(index__gte=start, index__lt=start + width)
            .order_by("index")
            .values_list("body", flat=True)
        )
        bodies = [public_body(body) for body in rows]
        return bundle(bodies) if len(bodies) == width else None
    if level == 0:
        return b"".join(storage.read_leaf_hashes(start, start + width))
    nodes = [NodeId(TILE_HEIGHT * level, start + i) for i in range(width)]
    tree = TreeStore(
        storage.read_leaf_hashes,
        _ReadOnlyCache(storage.DatabaseSubtreeCache()),
        min_cached_level=storage.MIN_CACHED_LEVEL,
    )
    known = tree.subtree_hashes(nodes)
    return b"".join(known[node] for node in nodes)


class _ReadOnlyCache:
    """The subtree cache, read but never written: serving the public files writes nothing."""

    def __init__(self, cache: storage.DatabaseSubtreeCache) -> None:
        self._cache = cache

    def get_many(self, nodes: Collection[NodeId]) -> Mapping[NodeId, bytes]:
        return self._cache.get_many(nodes)

    def put_many(self, hashes: Mapping[NodeId, bytes]) -> None:
        """Computed hashes are not stored (the worker fills the cache)."""


def _all_files(size: int, directory: Path) -> Iterator[tuple[str, bytes]]:
    for relative in ("public-keys.txt", "witnesses.txt"):
        found = static_file(relative)
        assert found is not None
        yield relative, found[0]
    for record_size, note in LedgerCheckpoint.objects.order_by("size").values_list("size", "note"):
        yield f"checkpoints/{record_size}", note.encode()
    level = 0
    while size >> (TILE_HEIGHT * level):
        count = size >> (TILE_HEIGHT * level)
        for index in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
            width = min(TILE_WIDTH, count - index * TILE_WIDTH)
            relative = tile_path(level, index, width)
            if width == TILE_WIDTH and (directory / relative).exists():
                continue  # a full tile never changes: written by an earlier publication
            data = _tile(str(level), index, width, size)
            if data is not None:
                yield relative, data
        level += 1
    bundles = (size + TILE_WIDTH - 1) // TILE_WIDTH
    for index in range(bundles):
        width = min(TILE_WIDTH, size - index * TILE_WIDTH)
        relative = tile_path("entries", index, width)
        if width == TILE_WIDTH and (directory / relative).exists():
            continue
        data = _tile("entries", index, width, size)
        if data is not None:
            yield relative, data


def publish_to(directory: Path) -> tuple[int, int]:
    """Write the published files for the latest checkpoint to ``directory``; the checkpoint
    last. Returns ``(size, files written)``; nothing is written before the first checkpoint."""
    latest = service.latest_checkpoint_record()
    if latest is None:
        return 0, 0
    directory.mkdir(parents=True, exist_ok=True)
    written = write_files(directory, _all_files(latest.size, directory))
    written += write_files(directory, [("checkpoint", latest.note.encode())])
    return latest.size, written


def after_checkpoint() -> None:
    """The worker's periodic work after it signs a checkpoint: ask the witnesses, then write
    the published files to ``settings.SAFESHARE_LEDGER_PUBLISH_DIR`` if one is set."""
    witnessing.witness_latest()
    folder = getattr(settings, "SAFESHARE_LEDGER_PUBLISH_DIR", "")
    if folder:
        publish_to(Path(folder))
