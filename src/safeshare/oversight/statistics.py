"""Oversight statistics (R30–R32): aggregate counts, disclosure-controlled, never personal data.

Each statistic counts one population in one calendar year and breaks it down several ways. All
the breakdowns of one population are protected *together* (``disclosure.linked_cube``), over
the force × offence axes where the filters apply, so that every page, download and API answer
is a view of the same protected figures and no two views can be set against each other.

Periods are whole calendar years and nothing is published across years, so that no figure for
one year can be worked out from a longer period's total. Force and offence filters pick one
line of the protected cube; they apply to referrals and protections (clearances, holds and
overrides belong to Immigration Enforcement and have no force or offence).
"""

from __future__ import annotations

import statistics as pystats
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.cases.lifecycle import OffenceCategory
from safeshare.cases.models import OFFENCE_LABELS
from safeshare.kernel.roles import OrganisationKind
from safeshare.oversight import actions, sources
from safeshare.oversight.disclosure import MARGIN, Cube, linked_cube, protect
from safeshare.oversight.models import StatisticsSnapshot
from safeshare.oversight.tables import PublishedTable, line_table, matrix_table
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.models import Clearance, Override, Protection, ProtectionCase, Review
from safeshare.protocol.policy import ExceptionCategory
from safeshare.referrals.models import Referral

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_LABELS = tuple((f"{i + 1:02d}", name) for i, name in enumerate(MONTHS))
OFFENCES = tuple(OffenceCategory)
OFFENCE_CHOICES = tuple((o.value, OFFENCE_LABELS[o]) for o in OFFENCES)
REFERRAL_ROLES = (("victim", "Victim"), ("witness", "Witness"), ("dependant", "Dependant"))
CHANNELS = tuple((c.value, c.label) for c in Referral.Channel)
REFERRAL_OUTCOMES = (
    ("none", "No protection opened"),
    ("active", "Protection active now"),
    ("transition", "Protection in transition now"),
    ("ended", "Protection ended"),
)
PROTECTION_STATUSES = (("active", "Active"), ("transition", "In transition"), ("ended", "Ended"))
TRIGGERS = (
    ("registration", "Registration as a victim, witness or dependant"),
    ("police_referral", "Police referral"),
    ("other_authority_referral", "Referral by another authority"),
)
DECISIONS = (("blocked", "Blocked"), ("hold", "On hold"), ("clear", "Clear"))
REVIEW_OUTCOMES = (
    ("open", "Waiting for a decision"),
    ("same_person", "The same person: blocked"),
    ("not_same_person", "Not the same person"),
)
REVIEW_TIMES = (
    ("under_1h", "Under 1 hour"),
    ("1h_4h", "1 to 4 hours"),
    ("4h_24h", "4 to 24 hours"),
    ("1d_3d", "1 to 3 days"),
    ("over_3d", "Over 3 days"),
    ("waiting", "Not decided yet"),
)
REVIEW_LIMITS = (timedelta(hours=1), timedelta(hours=4), timedelta(hours=24), timedelta(days=3))
OVERRIDE_STATUSES = tuple((s.value, s.label) for s in Override.Status)
CATEGORIES = tuple((c.value, c.label) for c in ExceptionCategory)
EVER_PROTECTED_BASES = (
    ("override", "Under an approved override"),
    ("ended", "The protection had ended"),
)
DAY_BUCKETS = (
    ("under_7d", "Under 7 days"),
    ("7d_28d", "7 to 28 days"),
    ("29d_90d", "29 to 90 days"),
    ("over_90d", "Over 90 days"),
    ("not_yet", "Not yet"),
)
DAY_LIMITS = (timedelta(days=7), timedelta(days=29), timedelta(days=91))
MIN_FOR_AVERAGES = 5

SCOPE_NOTE_IE = (
    "Clearances, holds and overrides are Immigration Enforcement's and have no force or "
    "offence: only the year applies to them."
)


@dataclass(frozen=True)
class Filters:
    """A calendar year, and optionally one police force and one offence category."""

    year: int
    force: str = ""
    offence: str = ""

    def as_query(self) -> dict[str, str]:
        return {
            k: str(v)
            for k, v in (("year", self.year), ("force", self.force), ("offence", self.offence))
            if v
        }


@dataclass
class StatisticResult:
    """One statistic's tables for one set of filters, and any averages that may be shown."""

    slug: str
    title: str
    description: str
    tables: list[PublishedTable]
    facts: list[tuple[str, str]] = field(default_factory=list)
    no_data: str = ""
    scope_note: str = ""
    headline: int | None = None
    headline_suppressed: bool = False
    as_at: datetime | None = None


@dataclass(frozen=True)
class Statistic:
    slug: str
    title: str
    description: str
    by_force_and_offence: bool
    build: Callable[[Filters, Context], StatisticResult]


@dataclass
class Counted:
    """A statistic's raw counts: base axis sizes and each breakdown's counts (and any extras,
    such as a median). Stored as a snapshot; protected each time it is shown."""

    base_sizes: tuple[int, ...]
    breakdowns: dict[str, tuple[int, dict[tuple[int, ...], int]]]
    extras: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "base_sizes": list(self.base_sizes),
            "breakdowns": {
                name: [size, [[*key, n] for key, n in counts.items() if n]]
                for name, (size, counts) in self.breakdowns.items()
            },
            "extras": self.extras,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counted:
        breakdowns = {
            name: (size, {tuple(row[:-1]): row[-1] for row in rows})
            for name, (size, rows) in data["breakdowns"].items()
        }
        return cls(tuple(data["base_sizes"]), breakdowns, dict(data.get("extras") or {}))


def max_age() -> timedelta:
    """How long a snapshot is used without checking whether the data changed."""
    return timedelta(seconds=int(settings.SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE))


_PROTECTED: dict[tuple, tuple[Cube, frozenset]] = {}
"""Protected cubes built in this process, by statistic, year and when they were counted."""
_PROTECTED_LIMIT = 64


class Context:
    """Lookups shared by every statistic in one request: forces, and protected cubes.

    ``cube`` counts a statistic (or reuses its snapshot while the data is unchanged, or while
    the snapshot is younger than ``max_age()``), then applies disclosure control. Snapshots are
    written only by a refresh (the worker's ``statistics`` job): reading never writes.
    """

    def __init__(self, *, refresh: bool = False) -> None:
        # Only a refresh (the worker's job, or the ``oversight refresh-statistics`` command)
        # keeps what it counts; a page counts afresh in memory and writes nothing.
        self.refresh = refresh
        self._markers: dict[Callable[[], str], str] = {}
        self._forces: list[tuple[int, str, str]] | None = None
        self.cubes: dict[tuple, tuple[Cube, frozenset]] = {}
        self.counted: dict[tuple, Counted] = {}
        self.as_at: dict[tuple, datetime] = {}

    @property
    def forces(self) -> list[tuple[int, str, str]]:
        """(pk, code, name) of every police force, by name."""
        if self._forces is None:
            self._forces = list(
                Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE)
                .order_by("name")
                .values_list("pk", "code", "name")
            )
        return self._forces

    def force_index(self) -> dict[int, int]:
        return {pk: i for i, (pk, _, _) in enumerate(self.forces)}

    def force_position(self, code: str) -> int:
        for i, (_, force_code, _) in enumerate(self.forces):
            if force_code == code:
                return i
        return MARGIN

    def _counted(
        self, name: str, year: int, build: Callable[[], Counted], marker: Callable[[], str]
    ) -> tuple[Counted, datetime]:
        forces = ",".join(code for _, code, _ in self.forces)
        snapshot = StatisticsSnapshot.objects.filter(name=name, year=year).first()
        current = None
        if snapshot is not None and not self.refresh and snapshot.counts.get("forces") == forces:
            age = timezone.now() - snapshot.computed_at
            if age < max_age():
                return Counted.from_json(snapshot.counts), snapshot.computed_at
            current = self.marker(marker)
            if snapshot.marker == current:
                return Counted.from_json(snapshot.counts), snapshot.computed_at
        current = current or self.marker(marker)
        started = time.perf_counter()
        counted = build()
        if not self.refresh:
            return counted, timezone.now()
        stored = actions.do_store_statistics_snapshot(
            name=name,
            year=year,
            marker=current,
            counts={**counted.to_json(), "forces": forces},
            duration_ms=round((time.perf_counter() - started) * 1000),
        )
        return counted, stored.computed_at

    def marker(self, marker: Callable[[], str]) -> str:
        """A data marker, worked out once per request."""
        if marker not in self._markers:
            self._markers[marker] = marker()
        return self._markers[marker]

    def cube(
        self, name: str, year: int, build: Callable[[], Counted], marker: Callable[[], str]
    ) -> tuple[Cube, frozenset]:
        key = (name, year)
        if key not in self.cubes:
            counted, as_at = self._counted(name, year, build, marker)
            cache_key = (name, year, as_at.isoformat(), tuple(counted.base_sizes))
            protected = _PROTECTED.get(cache_key)
            if protected is None:
                cube = linked_cube(counted.base_sizes, counted.breakdowns)
                protected = (cube, protect(cube.values, cube.groups))
                if len(_PROTECTED) >= _PROTECTED_LIMIT:
                    _PROTECTED.pop(next(iter(_PROTECTED)))
                _PROTECTED[cache_key] = protected
            self.cubes[key] = protected
            self.counted[key] = counted
            self.as_at[key] = as_at
        return self.cubes[key]

    @property
    def oldest(self) -> datetime | None:
        """When the oldest figures shown were counted."""
        return min(self.as_at.values(), default=None)


def refresh_year(year: int) -> dict[str, int]:
    """Count every statistic for a year again and keep the snapshots; milliseconds each."""
    context = Context(refresh=True)
    timings = {}
    for slug, spec in STATISTICS.items():
        started = time.perf_counter()
        spec.build(Filters(year), context)
        timings[slug] = round((time.perf_counter() - started) * 1000)
    return timings


def _marker(queryset, *fields: str) -> str:
    """Changes whenever a row is added or (through ``fields``) changed. Rows are never deleted
    (every foreign key protects), so the highest id tells when one was added."""
    aggregates = {"id": Max("pk")}
    aggregates.update({f: Max(f) for f in fields})
    values = queryset.order_by().aggregate(**aggregates)
    return ",".join(str(values[key]) for key in aggregates)


def _protections_marker() -> str:
    advice = sources.advice_marker()
    return "|".join(
        [
            _marker(Protection.objects, "status_changed_at", "regularisation_certified_at"),
            _marker(ProtectionCase.objects),
            advice,
        ]
    )


def _referrals_marker() -> str:
    # The protection outcome of a referral changes with its protection's status.
    return _marker(Referral.objects) + "|" + _protections_marker()


def _clearances_marker() -> str:
    return _marker(Clearance.objects, "decided_at")


def _overrides_marker() -> str:
    return _marker(Override.objects, "decided_at")


def _reviews_marker() -> str:
    return _marker(Review.objects, "resolved_at")


def offence_position(code: str) -> int:
    for i, offence in enumerate(OFFENCES):
        if offence.value == code:
            return i
    return MARGIN


def _positions(choices: Sequence[tuple[str, str]]) -> dict[str, int]:
    return {code: i for i, (code, _) in enumerate(choices)}


def _bucket(delta: timedelta | None, limits: Sequence[timedelta]) -> int:
    """Position of a duration among ``limits`` (the last bucket is "not yet")."""
    if delta is None:
        return len(limits) + 1
    for position, limit in enumerate(limits):
        if delta < limit:
            return position
    return len(limits)


def _grouped(
    rows: Sequence[Mapping[str, Any]],
    force_index: Mapping[int, int],
    force_field: str,
    offence_field: str,
    category: Callable[[Mapping[str, object]], int | None],
) -> dict[tuple[int, ...], int]:
    counts: dict[tuple[int, ...], int] = {}
    for row in rows:
        force = force_index.get(row[force_field])
        offence = offence_position(str(row[offence_field]))
        position = category(row)
        if force is None or offence == MARGIN or position is None:
            continue
        key = (force, offence, position)
        counts[key] = counts.get(key, 0) + int(row["n"])
    return counts


def _by(field_name: str, choices: Sequence[tuple[str, str]]):
    positions = _positions(choices)
    return lambda row: positions.get(str(row[field_name]))


def _month(row: Mapping[str, Any]) -> int | None:
    month = row["month"]
    return None if month is None else int(month) - 1


# --- Tables from a force × offence cube --------------------------------------------------------


def _coordinates(filters: Filters, context: Context) -> tuple[int, int]:
    force = context.force_position(filters.force) if filters.force else MARGIN
    offence = offence_position(filters.offence) if filters.offence else MARGIN
    return force, offence


def _breakdown_table(
    cube: Cube,
    suppressed: frozenset,
    *,
    name: str,
    base: tuple[int, ...],
    choices: Sequence[tuple[str, str]],
    slug: str,
    title: str,
    row_heading: str,
    column: str,
    notes: Sequence[str] = (),
) -> PublishedTable:
    return line_table(
        slug=slug,
        title=title,
        row_heading=row_heading,
        column=column,
        labels=choices,
        keys=[cube.cell(name, base, p) for p in range(len(choices))],
        total_key=cube.total(base),
        values=cube.values,
        suppressed=suppressed,
        notes=notes,
    )


def _force_and_offence_tables(
    cube: Cube,
    suppressed: frozenset,
    filters: Filters,
    context: Context,
    *,
    slug: str,
    what: str,
    column: str,
) -> list[PublishedTable]:
    force, offence = _coordinates(filters, context)
    tables = []
    if not filters.force:
        table = line_table(
            slug=f"{slug}-by-force",
            title=f"{what} by police force",
            row_heading="Police force",
            column=column,
            labels=[(code, name) for _, code, name in context.forces],
            keys=[cube.total((i, offence)) for i in range(len(context.forces))],
            total_key=cube.total((MARGIN, offence)),
            values=cube.values,
            suppressed=suppressed,
            notes=("Forces with none are not listed.",),
        )
        rows = tuple(r for r in table.rows if r.cells[0].value != 0)
        tables.append(
            PublishedTable(
                table.slug,
                table.title,
                table.row_heading,
                table.columns,
                rows,
                table.total,
                table.notes,
            )
        )
    if not filters.offence:
        tables.append(
            line_table(
                slug=f"{slug}-by-offence",
                title=f"{what} by offence",
                row_heading="Offence",
                column=column,
                labels=OFFENCE_CHOICES,
                keys=[cube.total((force, i)) for i in range(len(OFFENCES))],
                total_key=cube.total((force, MARGIN)),
                values=cube.values,
                suppressed=suppressed,
            )
        )
    return tables


# --- Referrals (R30, R31) ----------------------------------------------------------------------


def _referral_counts(year: int, context: Context) -> Counted:
    force_index = context.force_index()
    base = Referral.objects.filter(created_at__year=year)
    offence = "case__offence_category"

    def rows(*fields, **annotations):
        return list(
            base.annotate(**annotations)
            .values("force_id", offence, *fields)
            .annotate(n=Count("id"))
            .order_by()
        )

    def grouped(data, category):
        return _grouped(data, force_index, "force_id", offence, category)

    outcome = _by("outcome", REFERRAL_OUTCOMES)
    outcome_rows = rows("protection__status")
    for row in outcome_rows:
        row["outcome"] = row["protection__status"] or "none"
    return Counted(
        (len(context.forces), len(OFFENCES)),
        {
            "role": (len(REFERRAL_ROLES), grouped(rows("role"), _by("role", REFERRAL_ROLES))),
            "channel": (len(CHANNELS), grouped(rows("channel"), _by("channel", CHANNELS))),
            "month": (12, grouped(rows("month", month=ExtractMonth("created_at")), _month)),
            "outcome": (len(REFERRAL_OUTCOMES), grouped(outcome_rows, outcome)),
        },
    )


def referrals(filters: Filters, context: Context) -> StatisticResult:
    cube, suppressed = context.cube(
        "referrals", filters.year, lambda: _referral_counts(filters.year, context),
        _referrals_marker,
    )  # fmt: skip
    base = _coordinates(filters, context)
    column = "Referrals"
    tables = _force_and_offence_tables(
        cube, suppressed, filters, context, slug="referrals", what="Referrals", column=column
    )
    for name, choices, title, heading, notes in (
        ("role", REFERRAL_ROLES, "Referrals by the person's role", "Role", ()),
        ("channel", CHANNELS, "Referrals by channel", "Channel", ()),
        ("month", MONTH_LABELS, "Referrals by month", "Month", ()),
        (
            "outcome",
            REFERRAL_OUTCOMES,
            "Referrals by protection outcome",
            "Protection outcome",
            ("The protection's status now, for the person referred.",),
        ),
    ):
        tables.append(
            _breakdown_table(
                cube,
                suppressed,
                name=name,
                base=base,
                choices=choices,
                slug=f"referrals-by-{name}",
                title=title,
                row_heading=heading,
                column=column,
                notes=notes,
            )
        )
    total_key = cube.total(base)
    return StatisticResult(
        slug="referrals",
        title="Referrals to Immigration Enforcement",
        description=(
            "Referrals of victims, witnesses and dependants that police sent to Immigration "
            "Enforcement in the year, recorded the same way whatever the channel."
        ),
        tables=tables,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


# --- Protections, advice and regularisation (R31) ----------------------------------------------


def _with_first_offence(protections, *fields: str):
    """Rows of ``fields`` for each protection, with the offence of the first case linked to it
    last: one ordered query, one row per protection (later links are skipped)."""
    rows = protections.order_by("pk", "links__id").values_list(
        "pk", *fields, "links__case__offence_category"
    )
    last = None
    for row in rows.iterator(chunk_size=20000):
        if row[0] != last:
            last = row[0]
            yield row


def _protection_counts(year: int, context: Context) -> Counted:
    """Protections opened in the year, five ways at once, in one pass over them."""
    force_index = context.force_index()
    protections = Protection.objects.filter(opened_at__year=year)
    offences = {o.value: i for i, o in enumerate(OFFENCES)}
    advised = sources.first_advice_by_protection(protections)
    status_position = _positions(PROTECTION_STATUSES)
    trigger_position = _positions(TRIGGERS)
    by_status: dict[tuple[int, ...], int] = {}
    by_month: dict[tuple[int, ...], int] = {}
    by_trigger: dict[tuple[int, ...], int] = {}
    by_advice: dict[tuple[int, ...], int] = {}
    by_regularisation: dict[tuple[int, ...], int] = {}
    zone = timezone.get_current_timezone()
    decided = {"decided_grant", "decided_refuse"}
    not_yet = len(DAY_LIMITS) + 1

    def add(table: dict, key: tuple[int, ...]) -> None:
        table[key] = table.get(key, 0) + 1

    rows = _with_first_offence(
        protections, "opened_by_id", "status", "trigger", "opened_at", "regularisation_status",
        "regularisation_certified_at",
    )  # fmt: skip
    for pk, force_id, status, trigger, opened_at, regularisation, certified, offence in rows:
        f = force_index.get(force_id)
        o = offences.get(offence)
        if f is None or o is None:
            continue
        if (position := status_position.get(status)) is not None:
            add(by_status, (f, o, position))
        if (position := trigger_position.get(trigger)) is not None:
            add(by_trigger, (f, o, position))
        add(by_month, (f, o, opened_at.astimezone(zone).month - 1))
        first_advice = advised.get(pk)
        if first_advice is not None and first_advice >= opened_at:
            add(by_advice, (f, o, _bucket(first_advice - opened_at, DAY_LIMITS)))
        else:
            add(by_advice, (f, o, not_yet))
        if regularisation in decided and certified is not None:
            add(by_regularisation, (f, o, _bucket(certified - opened_at, DAY_LIMITS)))
        else:
            add(by_regularisation, (f, o, not_yet))
    return Counted(
        (len(context.forces), len(OFFENCES)),
        {
            "status": (len(PROTECTION_STATUSES), by_status),
            "month": (12, by_month),
            "trigger": (len(TRIGGERS), by_trigger),
            "advice": (len(DAY_BUCKETS), by_advice),
            "regularisation": (len(DAY_BUCKETS), by_regularisation),
        },
    )


def _ended_counts(year: int, context: Context) -> Counted:
    force_index = context.force_index()
    ended = Protection.objects.filter(status="ended", closed_at__year=year)
    offences = {o.value: i for i, o in enumerate(OFFENCES)}
    zone = timezone.get_current_timezone()
    counts: dict[tuple[int, ...], int] = {}
    for _, force_id, closed_at, offence in _with_first_offence(ended, "opened_by_id", "closed_at"):
        force = force_index.get(force_id)
        position = offences.get(offence)
        if force is None or position is None:
            continue
        key = (force, position, closed_at.astimezone(zone).month - 1)
        counts[key] = counts.get(key, 0) + 1
    return Counted((len(context.forces), len(OFFENCES)), {"month": (12, counts)})


PROTECTION_NOTE = (
    "Protections are counted by the force that opened them and the offence of the first case "
    "that held them open."
)


def protections(filters: Filters, context: Context) -> StatisticResult:
    cube, suppressed = context.cube(
        "protections", filters.year, lambda: _protection_counts(filters.year, context),
        _protections_marker,
    )  # fmt: skip
    base = _coordinates(filters, context)
    column = "Protections"
    tables = _force_and_offence_tables(
        cube,
        suppressed,
        filters,
        context,
        slug="protections",
        what="Protections opened",
        column=column,
    )
    for name, choices, title, heading in (
        (
            "status",
            PROTECTION_STATUSES,
            "Protections opened in the year, by status now",
            "Status now",
        ),
        ("month", MONTH_LABELS, "Protections opened, by month", "Month"),
        ("trigger", TRIGGERS, "Protections opened, by what opened them", "Opened by"),
    ):
        tables.append(
            _breakdown_table(
                cube,
                suppressed,
                name=name,
                base=base,
                choices=choices,
                slug=f"protections-by-{name}",
                title=title,
                row_heading=heading,
                column=column,
                notes=(PROTECTION_NOTE,),
            )
        )
    ended, ended_suppressed = context.cube(
        "protections-ended", filters.year, lambda: _ended_counts(filters.year, context),
        _protections_marker,
    )  # fmt: skip
    tables.append(
        _breakdown_table(
            ended,
            ended_suppressed,
            name="month",
            base=base,
            choices=MONTH_LABELS,
            slug="protections-ended-by-month",
            title="Protections ended in the year, by month",
            row_heading="Month",
            column="Protections ended",
            notes=(
                "A protection ends only when a person closes it after its transition.",
                PROTECTION_NOTE,
            ),
        )
    )
    total_key = cube.total(base)
    return StatisticResult(
        slug="protections",
        title="Protections opened, in transition and ended",
        description=(
            "Protections opened in the year, what opened them and where they stand now, and "
            "protections that a person closed in the year."
        ),
        tables=tables,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


def advice(filters: Filters, context: Context) -> StatisticResult:
    cube, suppressed = context.cube(
        "protections", filters.year, lambda: _protection_counts(filters.year, context),
        _protections_marker,
    )  # fmt: skip
    base = _coordinates(filters, context)
    tables = []
    no_data = ""
    if not sources.advice_records_exist():
        no_data = (
            "No data yet: no advice has been recorded as issued through SafeShare. This figure "
            "is counted from the transparency log's advice-issued entries and will appear once "
            "advice packs are issued."
        )
    else:
        tables.append(
            _breakdown_table(
                cube,
                suppressed,
                name="advice",
                base=base,
                choices=DAY_BUCKETS,
                slug="advice-time",
                title="Time from protection to advice",
                row_heading="Time to first advice",
                column="Protections",
                notes=(
                    "Protections opened in the year, by the time until the person was first "
                    "issued advice on regularising their stay.",
                    PROTECTION_NOTE,
                ),
            )
        )
    tables.append(
        _breakdown_table(
            cube,
            suppressed,
            name="regularisation",
            base=base,
            choices=DAY_BUCKETS,
            slug="regularisation-time",
            title="Time from protection to a regularisation decision",
            row_heading="Time to decision",
            column="Protections",
            notes=(
                "Protections opened in the year, by the time until a decision on the "
                "person's immigration application was recorded.",
                PROTECTION_NOTE,
            ),
        )
    )
    return StatisticResult(
        slug="advice",
        title="Time to advice and to a regularisation decision",
        description=(
            "How long people waited, after their protection opened, for advice on regularising "
            "their stay and for a decision on their application."
        ),
        tables=tables,
        no_data=no_data,
    )


# --- Clearances (IE: year only) ----------------------------------------------------------------


def _actions() -> tuple[tuple[str, str], ...]:
    return tuple((a.code, a.name) for a in enforcement_actions().actions)


def _clearance_counts(year: int) -> Counted:
    action_labels = _actions()
    action_position, decision_position = _positions(action_labels), _positions(DECISIONS)
    base = Clearance.objects.filter(created_at__year=year)
    by_action: dict[tuple[int, ...], int] = {}
    for row in base.values("decision", "action_code").annotate(n=Count("id")).order_by():
        d, a = decision_position.get(row["decision"]), action_position.get(row["action_code"])
        if d is not None and a is not None:
            by_action[(d, a)] = by_action.get((d, a), 0) + row["n"]
    by_month: dict[tuple[int, ...], int] = {}
    months = base.annotate(month=ExtractMonth("created_at")).values("decision", "month")
    for counted in months.annotate(n=Count("id")).order_by():
        d = decision_position.get(counted["decision"])
        if d is not None and counted["month"]:
            month = counted["month"] - 1
            by_month[(d, month)] = by_month.get((d, month), 0) + counted["n"]
    return Counted(
        (len(DECISIONS),), {"action": (len(action_labels), by_action), "month": (12, by_month)}
    )


def clearances(filters: Filters, context: Context) -> StatisticResult:
    cube, suppressed = context.cube(
        "clearances", filters.year, lambda: _clearance_counts(filters.year), _clearances_marker
    )
    action_labels = _actions()
    tables = [
        matrix_table(
            slug="clearances-by-action",
            title="Clearances by enforcement action and decision",
            row_heading="Enforcement action",
            row_labels=action_labels,
            column_labels=DECISIONS,
            key=lambda r, c: cube.cell("action", (c,), r) if r != MARGIN else cube.total((c,)),
            values=cube.values,
            suppressed=suppressed,
            notes=("The decision as it stands, after any review or override.",),
        ),
        matrix_table(
            slug="clearances-by-month",
            title="Clearances by month and decision",
            row_heading="Month",
            row_labels=MONTH_LABELS,
            column_labels=DECISIONS,
            key=lambda r, c: cube.cell("month", (c,), r) if r != MARGIN else cube.total((c,)),
            values=cube.values,
            suppressed=suppressed,
        ),
    ]
    total_key = cube.total((MARGIN,))
    return StatisticResult(
        slug="clearances",
        title="Clearances by action and decision",
        description=(
            "Immigration Enforcement's requests to act against someone, and SafeShare's "
            "answers: blocked, on hold for a review, or clear."
        ),
        tables=tables,
        scope_note=SCOPE_NOTE_IE,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


def _review_counts(year: int) -> Counted:
    outcome_position = {"same_person": 1, "not_same_person": 2}
    counts: dict[tuple[int, ...], int] = {}
    hours: list[float] = []
    rows = Review.objects.filter(created_at__year=year).values_list(
        "status", "verdict", "created_at", "resolved_at"
    )
    for status, verdict, created_at, resolved_at in rows.iterator(chunk_size=5000):
        if status == Review.Status.RESOLVED and resolved_at is not None:
            outcome = outcome_position.get(verdict, 2)
            delta = resolved_at - created_at
            hours.append(delta.total_seconds() / 3600)
            bucket = _bucket(delta, REVIEW_LIMITS)
        else:
            outcome, bucket = 0, len(REVIEW_LIMITS) + 1
        counts[(outcome, bucket)] = counts.get((outcome, bucket), 0) + 1
    extras: dict[str, Any] = {"decided": len(hours)}
    if len(hours) >= MIN_FOR_AVERAGES:
        ordered = sorted(hours)
        extras["median_hours"] = pystats.median(ordered)
        extras["p90_hours"] = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return Counted((len(REVIEW_OUTCOMES),), {"time": (len(REVIEW_TIMES), counts)}, extras)


def holds(filters: Filters, context: Context) -> StatisticResult:
    cube, suppressed = context.cube(
        "holds", filters.year, lambda: _review_counts(filters.year), _reviews_marker
    )
    extras = context.counted[("holds", filters.year)].extras
    table = matrix_table(
        slug="holds",
        title="Holds by outcome and time to a protocol officer's decision",
        row_heading="Outcome",
        row_labels=REVIEW_OUTCOMES,
        column_labels=REVIEW_TIMES,
        key=lambda r, c: cube.cell("time", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=(
            "A hold is a possible match to a protected person: nothing may be done until a "
            "protocol officer decides whether it is the same person.",
        ),
    )
    facts = []
    if "median_hours" in extras:
        facts = [
            ("Median time to a decision", _hours_text(float(extras["median_hours"]))),
            ("90% decided within", _hours_text(float(extras["p90_hours"]))),
        ]
    elif extras.get("decided"):
        facts = [("Median time to a decision", "Not shown: fewer than 5 holds were decided")]
    total_key = cube.total((MARGIN,))
    return StatisticResult(
        slug="holds",
        title="Holds and time to review",
        description="Possible matches held for a protocol officer, and how long they waited.",
        tables=[table],
        facts=facts,
        scope_note=SCOPE_NOTE_IE,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


def _hours_text(hours: float) -> str:
    if hours < 1:
        return f"{round(hours * 60)} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def overrides(filters: Filters, context: Context) -> StatisticResult:
    def build() -> Counted:
        status_position, category_position = _positions(OVERRIDE_STATUSES), _positions(CATEGORIES)
        counts: dict[tuple[int, ...], int] = {}
        rows = Override.objects.filter(created_at__year=filters.year).values(
            "exception_category", "status"
        )
        for row in rows.annotate(n=Count("id")).order_by():
            c = category_position.get(row["exception_category"])
            s = status_position.get(row["status"])
            if c is not None and s is not None:
                counts[(c, s)] = counts.get((c, s), 0) + row["n"]
        return Counted((len(CATEGORIES),), {"status": (len(OVERRIDE_STATUSES), counts)})

    cube, suppressed = context.cube("overrides", filters.year, build, _overrides_marker)
    table = matrix_table(
        slug="overrides",
        title="Overrides by exception category and decision",
        row_heading="Exception category",
        row_labels=CATEGORIES,
        column_labels=OVERRIDE_STATUSES,
        key=lambda r, c: cube.cell("status", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=("Requests to act despite a block, under a named exception.",),
    )
    total_key = cube.total((MARGIN,))
    return StatisticResult(
        slug="overrides",
        title="Overrides by exception category",
        description="Requests to override a block, by the exception relied on and the decision.",
        tables=[table],
        scope_note=SCOPE_NOTE_IE,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


def ever_protected(filters: Filters, context: Context) -> StatisticResult:
    def build() -> Counted:
        action_labels = _actions()
        action_position = _positions(action_labels)
        approved = Override.objects.filter(
            clearance=OuterRef("pk"), status=Override.Status.APPROVED
        )
        rows = (
            Clearance.objects.filter(
                created_at__year=filters.year, ever_protected=True, decision="clear"
            )
            .annotate(overridden=Exists(approved))
            .values("action_code", "overridden")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts: dict[tuple[int, ...], int] = {}
        for row in rows:
            a = action_position.get(row["action_code"])
            if a is not None:
                key = (a, 0 if row["overridden"] else 1)
                counts[key] = counts.get(key, 0) + row["n"]
        return Counted((len(action_labels),), {"basis": (len(EVER_PROTECTED_BASES), counts)})

    cube, suppressed = context.cube(
        "ever-protected", filters.year, build,
        lambda: _clearances_marker() + "|" + _overrides_marker(),
    )  # fmt: skip
    table = matrix_table(
        slug="ever-protected",
        title="Clearances to act against a person who is or was protected",
        row_heading="Enforcement action",
        row_labels=_actions(),
        column_labels=EVER_PROTECTED_BASES,
        key=lambda r, c: cube.cell("basis", (r,), c) if c != MARGIN else cube.total((r,)),
        values=cube.values,
        suppressed=suppressed,
        notes=("Each of these also reached the oversight inbox as an alert when it happened.",),
    )
    total_key = cube.total((MARGIN,))
    return StatisticResult(
        slug="ever-protected",
        title="Enforcement action against a person who is or was protected",
        description=(
            "Clearances that let Immigration Enforcement act against someone who was protected "
            "at some time: under an approved override, or after the protection ended."
        ),
        tables=[table],
        scope_note=SCOPE_NOTE_IE,
        headline=None if total_key in suppressed else cube.values[total_key],
        headline_suppressed=total_key in suppressed,
    )


STATISTICS: dict[str, Statistic] = {
    s.slug: s
    for s in (
        Statistic(
            "referrals",
            "Referrals",
            "By force, offence, role, channel and month.",
            True,
            referrals,
        ),
        Statistic(
            "protections", "Protections", "Opened, in transition and ended.", True, protections
        ),
        Statistic(
            "clearances", "Clearances", "By enforcement action and decision.", False, clearances
        ),
        Statistic(
            "holds",
            "Holds and time to review",
            "Possible matches and how long they waited for a protocol officer.",
            False,
            holds,
        ),
        Statistic(
            "overrides", "Overrides", "By exception category and decision.", False, overrides
        ),
        Statistic(
            "ever-protected",
            "Action against protected people",
            "Clearances to act against a person who is or was protected.",
            False,
            ever_protected,
        ),
        Statistic(
            "advice",
            "Time to advice",
            "From protection to advice, and to a regularisation decision.",
            True,
            advice,
        ),
    )
}


def available_years() -> list[int]:
    """Every year from the first record to this year, newest first. Records are added in time
    order, so the first by id (an index lookup, not a scan) is the earliest."""
    this_year = timezone.localdate().year
    firsts = [
        Referral.objects.order_by("pk").values_list("created_at", flat=True).first(),
        Protection.objects.order_by("pk").values_list("opened_at", flat=True).first(),
        Clearance.objects.order_by("pk").values_list("created_at", flat=True).first(),
    ]
    years = [timezone.localtime(f).year for f in firsts if f is not None]
    start = min([*years, this_year])
    return list(range(this_year, start - 1, -1))


def _loop_statistics() -> None:
    from safeshare.oversight import loop_statistics as loop

    for statistic in (
        Statistic(
            "notices",
            "Notices to protected people",
            "Sent, delivered, failed and not sent for safety.",
            False,
            loop.notices,
        ),
        Statistic(
            "clearance-outcomes",
            "What was done after clearances",
            "Actions on a valid clear, without one, cancelled or not reported.",
            False,
            loop.clearance_outcomes,
        ),
        Statistic(
            "hold-times",
            "Holds' time to a decision",
            "Decided within the target time, after it, or still waiting, by month.",
            False,
            loop.hold_times,
        ),
        Statistic(
            "refused-referrals",
            "Refused referrals",
            "By the rule that refused them and the person's role.",
            False,
            loop.refused_referrals,
        ),
        Statistic(
            "consents",
            "Consent to sharing",
            "Asked, given, refused and withdrawn.",
            False,
            loop.consents,
        ),
    ):
        STATISTICS[statistic.slug] = statistic


_loop_statistics()
