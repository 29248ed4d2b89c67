"""The oversight ledger page's view of the ledger service, through a small interface.

The ledger's Django side (sequencing, checkpoints, export) belongs to the ledger app. Oversight
needs three functions from ``safeshare.ledger.service``:

- ``latest_checkpoint() -> str | None``: the latest signed checkpoint (signed-note text);
- ``verify_database()`` returning a report with ``.ok``, ``.size`` and ``.first_problem``;
- ``export_to(directory)``: write an export directory for independent verification.

Until they exist, ``service()`` returns ``None`` and the page says the service is not available.
"""

from __future__ import annotations

import importlib
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import BinaryIO

from safeshare.accounts.actors import Actor
from safeshare.oversight import actions
from safeshare.oversight.models import LedgerCheck

REQUIRED = ("latest_checkpoint", "verify_database", "export_to")


def service() -> ModuleType | None:
    """The ledger service module, or ``None`` if it (or one of the functions) is missing."""
    try:
        module = importlib.import_module("safeshare.ledger.service")
    except ImportError:
        return None
    if not all(callable(getattr(module, name, None)) for name in REQUIRED):
        return None
    return module


@dataclass(frozen=True)
class CheckpointView:
    text: str
    origin: str
    size: int | None
    root: str


def parse_checkpoint_text(text: str | None) -> CheckpointView | None:
    """The origin, size and root hash lines of a signed checkpoint (c2sp.org/tlog-checkpoint)."""
    if not text:
        return None
    lines = text.splitlines()
    size = int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else None
    return CheckpointView(
        text=text,
        origin=lines[0] if lines else "",
        size=size,
        root=lines[2] if len(lines) > 2 else "",
    )


def latest_checkpoint() -> CheckpointView | None:
    module = service()
    return parse_checkpoint_text(module.latest_checkpoint()) if module else None


def _problem_text(problem: object) -> str:
    if problem is None:
        return ""
    message = getattr(problem, "message", None) or str(problem)
    index = getattr(problem, "index", None)
    return f"Entry {index}: {message}" if index is not None else str(message)


def check_now(actor: Actor) -> LedgerCheck | None:
    """Verify the whole ledger now and keep the result; ``None`` without the service."""
    module = service()
    if module is None:
        return None
    started = time.perf_counter()
    report = module.verify_database()
    checkpoint = module.latest_checkpoint() or ""
    return actions.do_record_ledger_check(
        actor,
        ok=bool(report.ok),
        size=int(getattr(report, "size", 0) or 0),
        first_problem=_problem_text(getattr(report, "first_problem", None)),
        checkpoint=checkpoint,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )


SMALL_LEDGER = 50_000
"""Up to this many entries, the ledger page checks the ledger when it has never been checked."""


def small_enough() -> bool:
    """Whether the ledger is small enough to check while someone waits."""
    module = service()
    size = getattr(module, "log_size", None) if module else None
    return callable(size) and size() <= SMALL_LEDGER


def latest_check() -> LedgerCheck | None:
    return LedgerCheck.objects.order_by("-checked_at").first()


def export_zip_file() -> BinaryIO | None:
    """The ledger export as a zip archive in an anonymous temporary file (deleted when closed),
    positioned at its start; ``None`` without the service. Streams: a large ledger is never held
    in memory."""
    module = service()
    if module is None:
        return None
    # Handed to the response, which closes (and so deletes) it once sent.
    archive_file = tempfile.TemporaryFile(prefix="safeshare-ledger-", suffix=".zip")  # noqa: SIM115
    with tempfile.TemporaryDirectory(prefix="safeshare-ledger-") as tmp:
        directory = Path(tmp) / "export"
        module.export_to(directory)
        with zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    name = Path("safeshare-ledger-export") / path.relative_to(directory)
                    archive.write(path, name)
    archive_file.seek(0)
    return archive_file
