"""Screening a caseload against the register: ``safeshare screen`` and IE's background sweeps.

The engine is the online clearance's (``service.matcher()``, the same evidence floor): each
batch of subjects fetches every key and candidate it needs in a few queries
(``storage.PrefetchedRegister``), then ``Matcher.match_many`` decides. The decision maps as
the clearance does (``match`` blocked, ``possible`` hold, ``none`` clear), raised to a hold
where the evidence floor would hold the subject online.

Background sweeps are run by the worker (``safeshare sweeps run``, through ``jobs.run_sweep``),
never by the web process. Each writes a heartbeat as it goes; a sweep whose heartbeat stops
(the process died) is started again from the top, at most ``MAX_ATTEMPTS`` times, then marked
failed with a message saying so. See docs/adr/0005-register-storage.md.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import cast

from django.conf import settings
from django.utils import timezone

from safeshare.kernel.policy import policy_in_force
from safeshare.matching.matcher import CLEARANCE, CandidateScore, Matcher, MatchResult
from safeshare.matching.record import prepare
from safeshare.register.csvfiles import (
    OUTPUT_COLUMNS,
    IdentityRow,
    safe_cell,
)
from safeshare.register.models import RegisterEntry, Sweep
from safeshare.register.service import match_prepared, outcome_from_result
from safeshare.register.service import matcher as default_matcher
from safeshare.register.storage import PrefetchedRegister

log = logging.getLogger(__name__)

BATCH = 1000
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(seconds=getattr(settings, "SAFESHARE_SWEEP_STALE_SECONDS", 120))
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.csv")


@dataclass(frozen=True, slots=True)
class Screened:
    """One line of a sweep's result."""

    query_id: str
    register_id: str
    decision: str  # blocked, hold or clear
    score: float | None

    def as_row(self) -> list[str]:
        score = "" if self.score is None else f"{self.score:.2f}"
        return [safe_cell(self.query_id), safe_cell(self.register_id), self.decision, score]


def sweep_decision(result: MatchResult) -> tuple[str, CandidateScore | None]:
    """The matcher's decision, raised to ``possible`` where the clearance core's evidence floor
    would hold the subject, and the candidate it is about (None when clear)."""
    if result.decision == "none":
        held = outcome_from_result("sweep", result, {}).candidates
        if not held:
            return "none", None
        wanted = held[0].identity_id
        return "possible", next(c for c in result.candidates if str(c.register_id) == wanted)
    best = next((c for c in result.candidates if c.decision == result.decision), result.best)
    return result.decision, best


def register_ids(entry_ids: Iterable[int]) -> dict[int, str]:
    """The id each entry was imported with, or its protection's reference when it came from a
    case (there is no import id to give)."""
    found: dict[int, str] = {}
    rows = RegisterEntry.objects.filter(id__in=list(entry_ids)).values_list(
        "id", "external_id", "protection__reference"
    )
    for entry_id, external_id, reference in rows:
        found[entry_id] = external_id or reference or ""
    return found


def screen_rows(
    rows: Iterable[IdentityRow],
    *,
    matcher: Matcher | None = None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Screened]:
    """Decide about every row, in order, a batch at a time."""
    engine = matcher or default_matcher()
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch)):
        yield from screen_batch(chunk, engine)
        if progress is not None:
            progress(len(chunk))


def screen_batch(chunk: Sequence[IdentityRow], engine: Matcher) -> list[Screened]:
    prepared = [prepare(row.record()) for row in chunk]
    if engine is default_matcher():
        results = match_prepared(prepared)
    else:
        results = engine.match_many(prepared, PrefetchedRegister(prepared, engine.thresholds))
    decided = [sweep_decision(result) for result in results]
    # The register's candidates are its entries, so their ids are entry ids (int).
    wanted = {int(cast(int, best.register_id)) for _, best in decided if best is not None}
    names = register_ids(wanted) if wanted else {}
    # Under a firewall (``ie_detail = "custodian"``) a sweep tells IE only what a clearance
    # would: IE's own row id and "blocked" (do not act) or "clear"; no register or force record
    # id, no score, and a possible match looks like a protected person (docs/adr/0022).
    custodian = str(policy_in_force().clearance.ie_detail) == "custodian"
    screened = []
    for row, (decision, best) in zip(chunk, decided, strict=True):
        clear = decision == "none"
        if custodian:
            screened.append(Screened(row.id, "", "clear" if clear else CLEARANCE["match"], None))
            continue
        screened.append(
            Screened(
                query_id=row.id,
                register_id=""
                if clear or best is None
                else names.get(int(cast(int, best.register_id)), ""),
                decision=CLEARANCE[decision],
                score=None if best is None else round(best.weight, 2),
            )
        )
    return screened


class ScreenWriter:
    """Writes ``query_id, register_id, decision, score`` and counts the decisions."""

    def __init__(self, handle) -> None:
        self._writer = csv.writer(handle, lineterminator="\n")
        self._writer.writerow(OUTPUT_COLUMNS)
        self.counts = {"blocked": 0, "hold": 0, "clear": 0}

    def write(self, screened: Iterable[Screened]) -> None:
        for item in screened:
            self.counts[item.decision] += 1
            self._writer.writerow(item.as_row())

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- Background sweeps -----------------------------------------------------------------------


def sweep_dir() -> Path:
    """``var/sweeps/``: uploaded caseloads and results, readable by this service only."""
    path = Path(settings.VAR_DIR) / "sweeps"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def stored_path(sweep: Sweep, *, results: bool = False) -> Path:
    """The file of a sweep; its name is generated, never the uploaded one."""
    if not _STORED_NAME.fullmatch(sweep.stored_name):
        raise ValueError("not a stored sweep file name")
    name = sweep.result_name if results else sweep.stored_name
    return sweep_dir() / name


def is_stale(sweep: Sweep) -> bool:
    """Queued or running, and nothing heard from it for ``STALE_AFTER``."""
    if sweep.status not in (Sweep.Status.QUEUED, Sweep.Status.RUNNING):
        return False
    beat = sweep.heartbeat_at or sweep.created_at
    return beat < timezone.now() - STALE_AFTER
