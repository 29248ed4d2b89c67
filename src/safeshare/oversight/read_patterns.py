"""Unusual patterns in reads of personal data, per user. Pure: no Django.

The oversight report of reads per user (``oversight.reads``) counts, for each person or API
client in a period, their reads, the distinct people they read about, and the reads outside
working hours; ``assess`` flags what oversight should look at. A flag is a prompt to ask, not a
finding: a protocol officer on a night shift reads outside working hours for good reason.

The rules (docs/security.md, "Reads of personal data"):

- **far above peers**: reads at least ``PEER_FACTOR`` times the median of the other users with
  the same role (and at least ``MIN_READS``); a role with no peers is not compared;
- **outside working hours**: at least ``MIN_OUT_OF_HOURS`` reads, and at least
  ``OUT_OF_HOURS_SHARE`` of the user's reads, outside 08:00–18:00 Monday to Friday (UK time);
- **many distinct people**: at least ``PEER_FACTOR`` times the peers' median of distinct people
  (and at least ``MIN_PEOPLE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

PEER_FACTOR = 3
MIN_READS = 20
MIN_PEOPLE = 15
MIN_OUT_OF_HOURS = 5
OUT_OF_HOURS_SHARE = 0.25
WORKDAY_START_HOUR = 8
WORKDAY_END_HOUR = 18

FLAG_LABELS = {
    "far_above_peers": "Reads far above their peers'",
    "out_of_hours": "Many reads outside working hours",
    "many_people": "Read about many distinct people",
}


def outside_working_hours(moment: datetime) -> bool:
    """``moment`` in UK local time: a weekend, or before 08:00 or from 18:00 on a weekday."""
    return moment.weekday() >= 5 or not (WORKDAY_START_HOUR <= moment.hour < WORKDAY_END_HOUR)


@dataclass(frozen=True)
class Read:
    """One audit record, as the report sees it."""

    reader: str  # a stable key: "user:<id>" or "token:<id>"
    role: str
    at: datetime  # UK local time
    people: tuple[str, ...]  # keyed person tokens
    person_count: int


@dataclass
class ReaderSummary:
    reader: str
    role: str
    reads: int = 0
    people: set[str] = field(default_factory=set)
    unregistered: int = 0
    out_of_hours: int = 0
    flags: tuple[str, ...] = ()

    @property
    def distinct_people(self) -> int:
        """Distinct people on the register, plus people shown who are not on it."""
        return len(self.people) + self.unregistered


def summarise(reads: Iterable[Read]) -> dict[str, ReaderSummary]:
    summaries: dict[str, ReaderSummary] = {}
    for read in reads:
        summary = summaries.setdefault(read.reader, ReaderSummary(read.reader, read.role))
        summary.reads += 1
        summary.people.update(read.people)
        summary.unregistered += max(read.person_count - len(read.people), 0)
        if outside_working_hours(read.at):
            summary.out_of_hours += 1
    return summaries


def _peer_median(values: Sequence[int]) -> float | None:
    return median(values) if values else None


def assess(summaries: Iterable[ReaderSummary]) -> list[ReaderSummary]:
    """The summaries with their flags set, most reads first."""
    rows = list(summaries)
    by_role: dict[str, list[ReaderSummary]] = {}
    for row in rows:
        by_role.setdefault(row.role, []).append(row)
    for row in rows:
        peers = [other for other in by_role[row.role] if other.reader != row.reader]
        flags = []
        reads_median = _peer_median([p.reads for p in peers])
        if (
            reads_median is not None
            and row.reads >= MIN_READS
            and row.reads >= PEER_FACTOR * reads_median
        ):
            flags.append("far_above_peers")
        if (
            row.out_of_hours >= MIN_OUT_OF_HOURS
            and row.out_of_hours >= OUT_OF_HOURS_SHARE * row.reads
        ):
            flags.append("out_of_hours")
        people_median = _peer_median([p.distinct_people for p in peers])
        if (
            people_median is not None
            and row.distinct_people >= MIN_PEOPLE
            and row.distinct_people >= PEER_FACTOR * people_median
        ):
            flags.append("many_people")
        row.flags = tuple(flags)
    return sorted(rows, key=lambda r: (-r.reads, r.reader))
