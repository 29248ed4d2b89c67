"""The ledger export directory: the files that let anyone verify the ledger without SafeShare.

Layout (format ``safeshare-ledger-export/1``, described in docs/ledger.md)::

    export.json        format, origin, number of entries and checkpoints (informative only)
    entries.jsonl      entry i on line i+1: its canonical bytes, then a newline
    leaf-hashes.txt    the log's recorded leaf hash of entry i on line i+1, in hex (optional)
    checkpoints/       one signed checkpoint per file, named by tree size
    public-keys.txt    the log's verifier keys, one a line
    README.txt         how to verify

Only the signed checkpoints are trusted; everything else is checked against them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from safeshare.ledger.checkpoint import VerifierKey, parse_checkpoint, parse_verifier_key
from safeshare.ledger.merkle import HASH_SIZE, leaf_hash

EXPORT_FORMAT = "safeshare-ledger-export/1"
MANIFEST_FILE = "export.json"
ENTRIES_FILE = "entries.jsonl"
LEAF_HASHES_FILE = "leaf-hashes.txt"
CHECKPOINTS_DIR = "checkpoints"
PUBLIC_KEYS_FILE = "public-keys.txt"
README_FILE = "README.txt"

_README = """\
SafeShare ledger export ({format})

entries.jsonl    one ledger entry per line, in index order (canonical JSON)
leaf-hashes.txt  the leaf hash the log recorded for each entry (hex), to pinpoint changes
checkpoints/     signed checkpoints (c2sp.org/tlog-checkpoint), one per file, named by size
public-keys.txt  the log's verifier keys; get them from the operator too, do not rely on this copy

To verify, with the public key obtained independently:

    python -m safeshare.ledger.verify THIS_DIRECTORY --public-key KEY_OR_FILE

The leaf of entry i is SHA-256(0x00 || line i without its newline); the tree is RFC 6962's.
"""


class ExportError(ValueError):
    """An export cannot be written or read."""


@dataclass(frozen=True)
class ExportSummary:
    """What ``write_export`` wrote."""

    directory: Path
    entries: int
    checkpoints: int
    origin: str | None


def write_export(
    directory: str | Path,
    entries_bytes_iter: Iterable[bytes],
    checkpoints: Iterable[str],
    verifier_keys: Iterable[VerifierKey | str],
    *,
    leaf_hashes: Iterable[bytes] | None = None,
) -> ExportSummary:
    """Write an export directory, streaming the entries.

    ``entries_bytes_iter`` yields the canonical bytes of entries 0, 1, 2... ``leaf_hashes``,
    if given, yields the leaf hashes the log recorded when it appended them (read from storage,
    not recomputed), which lets a verifier name the exact entry that was changed; without it the
    file is computed from the entries. The directory must not exist or must be empty.
    """
    root = Path(directory)
    if root.exists() and any(root.iterdir()):
        raise ExportError(f"{root} is not empty")
    (root / CHECKPOINTS_DIR).mkdir(parents=True, exist_ok=True)

    count = 0
    sentinel = object()
    hashes_given = leaf_hashes is not None
    with (
        (root / ENTRIES_FILE).open("wb") as entries_file,
        (root / LEAF_HASHES_FILE).open("w", encoding="ascii") as hashes_file,
    ):
        pairs = zip_longest(entries_bytes_iter, leaf_hashes or (), fillvalue=sentinel)
        for data, recorded in pairs:
            if data is sentinel or (hashes_given and recorded is sentinel):
                raise ExportError("entries and leaf hashes differ in number")
            assert isinstance(data, bytes)
            if b"\n" in data:
                raise ExportError(f"entry {count} contains a newline, so it is not canonical")
            digest = recorded if hashes_given else leaf_hash(data)
            assert isinstance(digest, bytes)
            if len(digest) != HASH_SIZE:
                raise ExportError(f"leaf hash {count} is not 32 bytes")
            entries_file.write(data + b"\n")
            hashes_file.write(digest.hex() + "\n")
            count += 1

    origins = set()
    written = 0
    for text in checkpoints:
        checkpoint = parse_checkpoint(text)
        origins.add(checkpoint.origin)
        name = str(checkpoint.size)
        suffix = 1
        while (root / CHECKPOINTS_DIR / name).exists():
            suffix += 1
            name = f"{checkpoint.size}-{suffix}"
        (root / CHECKPOINTS_DIR / name).write_text(text, encoding="utf-8", newline="")
        written += 1

    keys = [
        key if isinstance(key, VerifierKey) else parse_verifier_key(key) for key in verifier_keys
    ]
    (root / PUBLIC_KEYS_FILE).write_text(
        "# Verifier keys of the log (c2sp.org/signed-note). Check them against a copy you trust.\n"
        + "".join(f"{key}\n" for key in keys),
        encoding="utf-8",
    )
    origin = origins.pop() if len(origins) == 1 else None
    manifest = {
        "format": EXPORT_FORMAT,
        "origin": origin,
        "entries": count,
        "checkpoints": written,
    }
    (root / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (root / README_FILE).write_text(_README.format(format=EXPORT_FORMAT), encoding="utf-8")
    return ExportSummary(root, count, written, origin)


def read_entry_lines(path: Path) -> Iterator[bytes]:
    """Yield each line of an entries file without its final newline."""
    with path.open("rb") as lines:
        for line in lines:
            yield line[:-1] if line.endswith(b"\n") else line


def read_leaf_hashes(path: Path) -> Iterator[bytes]:
    """Yield each recorded leaf hash; a malformed line yields ``b""``, which never matches."""
    with path.open("rb") as lines:
        for line in lines:
            try:
                digest = bytes.fromhex(line.rstrip(b"\n").decode("ascii"))
            except (UnicodeError, ValueError):
                digest = b""
            yield digest if len(digest) == HASH_SIZE else b""


def _size_order(path: Path) -> tuple[int, str]:
    head = path.name.split("-", 1)[0]
    return (int(head) if head.isdigit() else -1, path.name)


def read_checkpoints(directory: Path) -> dict[str, str]:
    """Return ``{"checkpoints/<name>": text}`` in size order, skipping hidden files.

    A file that is not UTF-8 gives ``""``, which then fails as a malformed checkpoint.
    """
    folder = directory / CHECKPOINTS_DIR
    if not folder.is_dir():
        return {}
    result = {}
    files = (p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    for path in sorted(files, key=_size_order):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeError:
            text = ""
        result[f"{CHECKPOINTS_DIR}/{path.name}"] = text
    return result


def read_manifest(directory: Path) -> dict[str, object] | None:
    """Return the export manifest, or None if it is missing or unreadable."""
    try:
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None
