"""Disclosure control for oversight statistics: small counts suppressed, and kept suppressed.

Pure: no Django imports. Every count that oversight sees passes through here.

**Primary suppression.** A count of 1 to 4 is never published; it is shown as ``[c]``. Zero is
published (it discloses nothing about a person).

**Secondary suppression.** A published table has totals, and a suppressed count must not be
recoverable from them. The rules work on *groups*: a group is some cells and the total they add
up to (a row of a table and its row total, a column and its column total, a breakdown and the
figure it breaks down). Until every group is safe, the smallest other non-zero cell of an
unsafe group is suppressed too. A group is safe when either

- its total is published and none of its cells is suppressed; or
- its total is published, at least two of its cells are suppressed, and those cells add up to
  5 or more and to more than their number (so neither a single cell, nor the sum of the hidden
  cells, is a count of 1 to 4, and the hidden cells cannot all be worked out to be 1); or
- its total is suppressed and at least one of its cells is too (otherwise the total could be
  added up from the cells).

Because groups can share cells and totals, one structure may hold several tables at once (for
example referrals by force × offence × role, × channel and × month, which all share their
force × offence totals). Protecting them together is what keeps every view of them consistent:
filtering a table by force shows one row of the protected whole, never a separately protected
table that could be set against another.

``protect`` returns the set of suppressed keys; ``table_1d``, ``table_2d`` and ``linked_cube``
build the groups for the shapes the statistics use.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

__all__ = [
    "MARGIN",
    "MIN_PUBLISHED",
    "SUPPRESSED_MARK",
    "Group",
    "Structure",
    "group_is_safe",
    "is_primary",
    "linked_cube",
    "protect",
    "table_1d",
    "table_2d",
]

MIN_PUBLISHED = 5
"""The smallest non-zero count that may be published."""

SUPPRESSED_MARK = "[c]"
"""How a suppressed count is shown (the Government Statistical Service's symbol)."""

MARGIN = -1
"""The coordinate of a total along an axis of a cube."""

type Key = Hashable


def is_primary(value: int) -> bool:
    """A count of 1 to 4: never published."""
    return 0 < value < MIN_PUBLISHED


@dataclass(frozen=True)
class Group:
    """Cells and the total they add up to."""

    members: tuple[Key, ...]
    total: Key


@dataclass
class Structure:
    """Counts keyed by cell, and the groups (sums) that link them."""

    values: dict[Key, int] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)

    def add_group(self, members: Iterable[Key], total: Key) -> None:
        self.groups.append(Group(tuple(members), total))

    def merge(self, other: Structure) -> None:
        """Add another structure's cells and groups; keys they share must have equal values."""
        for key, value in other.values.items():
            if key in self.values and self.values[key] != value:
                raise ValueError(f"shared cell {key!r} has two values")
            self.values[key] = value
        self.groups.extend(other.groups)

    def check(self) -> None:
        """Raise ``ValueError`` unless every group's cells add up to its total."""
        for group in self.groups:
            total = sum(self.values[m] for m in group.members)
            if total != self.values[group.total]:
                raise ValueError(f"group with total {group.total!r} does not add up")


def group_is_safe(group: Group, values: Mapping[Key, int], suppressed: set[Key]) -> bool:
    """Whether no hidden cell of the group can be worked out from what it publishes."""
    hidden = [m for m in group.members if m in suppressed]
    if group.total in suppressed:
        return bool(hidden) or not group.members
    if not hidden:
        return True
    hidden_sum = sum(values[m] for m in hidden)
    return len(hidden) >= 2 and hidden_sum >= MIN_PUBLISHED and hidden_sum > len(hidden)


def _next_to_suppress(group: Group, values: Mapping[Key, int], suppressed: set[Key]) -> Key | None:
    """The cell to suppress to make the group safer: the smallest non-zero published cell,
    else the total, else a zero cell."""
    open_members = [m for m in group.members if m not in suppressed]
    non_zero = [m for m in open_members if values[m] > 0]
    if non_zero:
        return min(non_zero, key=lambda m: values[m])
    if group.total not in suppressed:
        return group.total
    if open_members:
        return open_members[0]
    return None


def protect(values: Mapping[Key, int], groups: Sequence[Group]) -> frozenset[Key]:
    """The keys to suppress: primary (1 to 4) and secondary, until every group is safe."""
    suppressed = {key for key, value in values.items() if is_primary(value)}
    groups_of: dict[Key, list[int]] = {}
    for position, group in enumerate(groups):
        for key in (*group.members, group.total):
            groups_of.setdefault(key, []).append(position)
    pending = deque(range(len(groups)))
    queued = set(pending)
    while pending:
        position = pending.popleft()
        queued.discard(position)
        group = groups[position]
        if group_is_safe(group, values, suppressed):
            continue
        key = _next_to_suppress(group, values, suppressed)
        if key is None:  # every entry is already hidden
            continue
        suppressed.add(key)
        for touched in groups_of.get(key, ()):
            if touched not in queued:
                queued.add(touched)
                pending.append(touched)
    return frozenset(suppressed)


# --- Shapes ----------------------------------------------------------------------------------


def table_1d(counts: Sequence[int], name: str = "t") -> Structure:
    """Cells ``(name, i)`` and their total ``(name, MARGIN)``."""
    structure = Structure()
    for position, value in enumerate(counts):
        structure.values[(name, position)] = int(value)
    structure.values[(name, MARGIN)] = sum(int(v) for v in counts)
    structure.add_group(((name, i) for i in range(len(counts))), (name, MARGIN))
    return structure


def table_2d(rows: Sequence[Sequence[int]], name: str = "t") -> Structure:
    """Cells ``(name, r, c)`` with row totals ``(name, r, MARGIN)``, column totals
    ``(name, MARGIN, c)`` and the grand total ``(name, MARGIN, MARGIN)``."""
    columns = len(rows[0]) if rows else 0
    if any(len(row) != columns for row in rows):
        raise ValueError("every row needs the same number of cells")
    return linked_cube(
        (len(rows),),
        {name: (columns, {(r, c): rows[r][c] for r in range(len(rows)) for c in range(columns)})},
        shared=(name, "total"),
    ).renamed(name)


@dataclass
class Cube(Structure):
    """A ``linked_cube``: keys are ``(breakdown, *base, b)`` for a cell of a breakdown and
    ``(shared, *base)`` for a total over the breakdowns, with ``MARGIN`` for totals."""

    shared: Hashable = "total"

    def cell(self, breakdown: str, base: Sequence[int], position: int) -> Key:
        if position == MARGIN:
            return self.total(base)
        return (breakdown, *base, position)

    def total(self, base: Sequence[int]) -> Key:
        return (self.shared, *base)

    def renamed(self, name: str) -> Structure:
        """The 2-D layout ``(name, r, c)`` of a cube with one base axis and one breakdown."""
        mapping: dict[Key, Key] = {}
        for key in self.values:
            assert isinstance(key, tuple)  # a structure's keys are (name, *positions)
            if key[0] == self.shared:
                mapping[key] = (name, key[1], MARGIN)
            else:
                mapping[key] = (name, key[1], key[2])
        out = Structure({mapping[k]: v for k, v in self.values.items()})
        for group in self.groups:
            out.add_group((mapping[m] for m in group.members), mapping[group.total])
        return out


def linked_cube(
    base_sizes: Sequence[int],
    breakdowns: Mapping[str, tuple[int, Mapping[tuple[int, ...], int]]],
    shared: Hashable = "total",
) -> Cube:
    """Several tables over the same base axes, each broken down a different way.

    ``base_sizes`` are the lengths of the base axes (for example forces and offences);
    ``breakdowns`` maps a name to ``(size, counts)`` where counts are keyed by base coordinates
    plus the breakdown position (missing keys are zero). Every breakdown must cover the same
    population, so they all add up to the same totals, which they share: those totals are one
    cell, suppressed or published once, whichever table shows them.

    The groups are every line of the cube: along each base axis (for every breakdown cell and
    for the shared totals) and along each breakdown.
    """
    cube = Cube(shared=shared)
    base_ranges = [range(n) for n in base_sizes]
    with_margin = [[*range(n), MARGIN] for n in base_sizes]
    shared_totals: dict[tuple[int, ...], int] | None = None

    for name, (size, counts) in breakdowns.items():
        interior: dict[tuple[int, ...], int] = {}
        for coords in product(*base_ranges, range(size)):
            interior[coords] = int(counts.get(coords, 0))
        # Every combination of base coordinates and margins, for each breakdown position.
        totals: dict[tuple[int, ...], int] = {}
        for coords, value in interior.items():
            base, position = coords[:-1], coords[-1]
            for mask in product((False, True), repeat=len(base)):
                reduced = tuple(MARGIN if m else c for c, m in zip(base, mask, strict=True))
                totals[(*reduced, position)] = totals.get((*reduced, position), 0) + value
        for base in product(*with_margin):
            row_total = 0
            for position in range(size):
                value = totals.get((*base, position), 0)
                cube.values[(name, *base, position)] = value
                row_total += value
            if shared_totals is None:
                cube.values[(shared, *base)] = row_total
            elif cube.values[(shared, *base)] != row_total:
                raise ValueError(f"breakdown {name!r} does not cover the same population")
            cube.add_group(((name, *base, p) for p in range(size)), (shared, *base))
            # Lines along each base axis, for this breakdown's cells.
            for axis, coordinate in enumerate(base):
                if coordinate != MARGIN:
                    continue
                for position in range(size):
                    cube.add_group(
                        (
                            (name, *base[:axis], i, *base[axis + 1 :], position)
                            for i in range(base_sizes[axis])
                        ),
                        (name, *base, position),
                    )
        shared_totals = {}

    if not breakdowns:
        for base in product(*with_margin):
            cube.values[(shared, *base)] = 0
    # Lines along each base axis, for the shared totals.
    for base in product(*with_margin):
        for axis, coordinate in enumerate(base):
            if coordinate != MARGIN:
                continue
            cube.add_group(
                ((shared, *base[:axis], i, *base[axis + 1 :]) for i in range(base_sizes[axis])),
                (shared, *base),
            )
    return cube
