"""The oversight ledger page's view of the ledger: its checkpoint, checks and export.

The ledger's Django side (sequencing, checkpoints, export) belongs to the ledger app; this
module reads it through ``safeshare.ledger.service``. A check is kept only when someone asks
for one (POST) or the worker runs it; opening the page never writes.
"""

from __future__ import annotations

import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.ledger import service as ledger_service
from safeshare.oversight import actions
from safeshare.oversight.models import LedgerCheck


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
    return parse_checkpoint_text(ledger_service.latest_checkpoint())


def _problem_text(problem: object) -> str:
    if problem is None:
        return ""
    message = getattr(problem, "message", None) or str(problem)
    index = getattr(problem, "index", None)
    return f"Entry {index}: {message}" if index is not None else str(message)


def _verify(*, sequence: bool = True) -> dict[str, object]:
    started = time.perf_counter()
    report = ledger_service.verify_database(sequence=sequence)
    return {
        "ok": bool(report.ok),
        "size": int(getattr(report, "size", 0) or 0),
        "first_problem": _problem_text(getattr(report, "first_problem", None)),
        "checkpoint": ledger_service.latest_checkpoint() or "",
        "duration_ms": round((time.perf_counter() - started) * 1000),
    }


def check_now(actor: Actor) -> LedgerCheck:
    """Verify the whole ledger now and keep the result."""
    return actions.do_record_ledger_check(actor, **_verify())  # type: ignore[arg-type]


def check_unsaved(actor: Actor) -> LedgerCheck:
    """Verify the whole ledger now and show the result without keeping it (a page read)."""
    return LedgerCheck(
        **_verify(sequence=False),
        checked_by=f"{actor.label}, {actor.organisation.name}",
        checked_at=timezone.now(),
    )


SMALL_LEDGER = 50_000
"""Up to this many entries, the ledger page checks the ledger when it has never been checked."""


def small_enough() -> bool:
    """Whether the ledger is small enough to check while someone waits."""
    return ledger_service.log_size() <= SMALL_LEDGER


def latest_check() -> LedgerCheck | None:
    return LedgerCheck.objects.order_by("-checked_at").first()


def export_zip_file() -> BinaryIO:
    """The ledger export as a zip archive in an anonymous temporary file (deleted when closed),
    positioned at its start. Streams: a large ledger is never held in memory."""
    # Handed to the response, which closes (and so deletes) it once sent.
    archive_file = tempfile.TemporaryFile(prefix="safeshare-ledger-", suffix=".zip")  # noqa: SIM115
    with tempfile.TemporaryDirectory(prefix="safeshare-ledger-") as tmp:
        directory = Path(tmp) / "export"
        ledger_service.export_to(directory)
        with zipfile.ZipFile(archive_file, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    name = Path("safeshare-ledger-export") / path.relative_to(directory)
                    archive.write(path, name)
    archive_file.seek(0)
    return archive_file
