"""Disclosure control: no published table lets a count of 1 to 4 be recovered.

The attacker here is written independently of ``disclosure.py``: it knows every published
figure and every sum that links them (row and column totals, shared totals), and repeatedly
works out any figure that is the only unknown in a sum, by subtraction. Over random tables it
must never work out a suppressed figure, and no published figure may be 1 to 4.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from safeshare.oversight.disclosure import (
    MARGIN,
    Structure,
    linked_cube,
    protect,
    table_1d,
    table_2d,
)

small_or_large = st.one_of(st.integers(0, 6), st.integers(0, 40))


def recovered_by_subtraction(structure: Structure, suppressed: frozenset) -> dict:
    """Every hidden figure an attacker can work out from published figures and totals."""
    known = {k: v for k, v in structure.values.items() if k not in suppressed}
    derived: dict = {}
    changed = True
    while changed:
        changed = False
        for group in structure.groups:
            entries = [*group.members, group.total]
            unknown = [k for k in entries if k not in known]
            if len(unknown) != 1:
                continue
            (missing,) = unknown
            members_known = sum(known[m] for m in group.members if m in known)
            value = members_known if missing == group.total else known[group.total] - members_known
            known[missing] = value
            derived[missing] = value
            changed = True
    return derived


def assert_protected(structure: Structure) -> frozenset:
    structure.check()
    suppressed = protect(structure.values, structure.groups)
    published = {k: v for k, v in structure.values.items() if k not in suppressed}
    assert not [k for k, v in published.items() if 1 <= v <= 4], "a count of 1 to 4 is shown"
    assert recovered_by_subtraction(structure, suppressed) == {}
    for group in structure.groups:
        if group.total in suppressed:
            continue
        hidden = [structure.values[m] for m in group.members if m in suppressed]
        if hidden:
            # The hidden cells' sum is published by subtraction: it must not be 1 to 4 either,
            # nor so small that every hidden cell must be 1.
            assert sum(hidden) >= 5
            assert sum(hidden) > len(hidden)
    return suppressed


@given(st.lists(small_or_large, min_size=1, max_size=10))
def test_one_way_tables_are_protected(counts):
    assert_protected(table_1d(counts))


@given(
    st.integers(1, 6).flatmap(
        lambda columns: st.lists(
            st.lists(small_or_large, min_size=columns, max_size=columns), min_size=1, max_size=6
        )
    )
)
def test_two_way_tables_with_margins_are_protected(rows):
    assert_protected(table_2d(rows))


@st.composite
def linked_cubes(draw):
    """Records with base coordinates (e.g. force, offence) and one position per breakdown (e.g.
    role, month): every breakdown covers the same population, as in the real statistics."""
    base_sizes = draw(st.lists(st.integers(1, 4), min_size=0, max_size=2))
    breakdown_sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    record = st.tuples(
        st.tuples(*(st.integers(0, n - 1) for n in base_sizes)),
        st.tuples(*(st.integers(0, n - 1) for n in breakdown_sizes)),
    )
    records = draw(st.lists(record, max_size=60))
    breakdowns = {}
    for position, size in enumerate(breakdown_sizes):
        counts = Counter((*base, positions[position]) for base, positions in records)
        breakdowns[f"b{position}"] = (size, dict(counts))
    return linked_cube(base_sizes, breakdowns)


@given(linked_cubes())
def test_linked_tables_sharing_totals_are_protected_together(cube):
    assert_protected(cube)


def test_a_single_small_count_takes_the_next_smallest_with_it():
    structure = table_1d([3, 10, 20, 0])
    suppressed = assert_protected(structure)
    assert suppressed == {("t", 0), ("t", 1)}
    assert ("t", MARGIN) not in suppressed
    assert ("t", 3) not in suppressed  # zero is published


def test_hidden_ones_cannot_be_worked_out_from_their_sum():
    # Two hidden 1s add up to 2: the total would give them away, so a third cell goes too.
    suppressed = assert_protected(table_1d([1, 1, 10, 30]))
    assert {("t", 0), ("t", 1), ("t", 2)} <= suppressed


def test_a_small_total_is_itself_suppressed():
    suppressed = assert_protected(table_1d([2, 1, 0]))
    assert ("t", MARGIN) in suppressed


def test_two_way_secondary_suppression_reaches_rows_and_columns():
    suppressed = assert_protected(table_2d([[3, 10, 20], [7, 8, 9], [0, 0, 12]]))
    assert ("t", 0, 0) in suppressed
    # Row 0 and column 0 each need a second hidden cell.
    assert sum(1 for c in range(3) if ("t", 0, c) in suppressed) >= 2
    assert sum(1 for r in range(3) if ("t", r, 0) in suppressed) >= 2


def test_nothing_small_means_nothing_suppressed():
    assert protect(*_parts(table_2d([[0, 10], [25, 0]]))) == frozenset()


def _parts(structure):
    return structure.values, structure.groups
