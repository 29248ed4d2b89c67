"""Published tables for a stored policy comparison. Pure: no Django imports.

A comparison is stored as aggregate counts (``comparison.summarise``). Each group of counts is
protected as one structure, so the side-by-side totals and the breakdowns cannot be set against
each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safeshare.oversight.comparison import (
    CHANGE_KINDS,
    CLEARANCE_OUTCOMES,
    PROTECTION_STATES,
    REFERRAL_STATES,
    ProtectionChangeKind,
)
from safeshare.oversight.disclosure import MARGIN, linked_cube, protect
from safeshare.oversight.tables import PublishedTable, line_table, matrix_table

REFERRAL_LABELS = {"sent": "Sent", "refused": "Not sent"}
PROTECTION_LABELS = {
    "none": "Not protected",
    "active": "Active now",
    "transition": "In transition now",
    "ended": "Ended",
}
CLEARANCE_LABELS = {"blocked": "Blocked", "hold": "On hold", "clear": "Clear"}
CHANGE_LABELS = {k.value: k.label for k in ProtectionChangeKind} | {
    "no_difference": "No difference"
}


def _counts(rows: list[list[int]]) -> dict[tuple[int, ...], int]:
    return {tuple(row[:-1]): row[-1] for row in rows}


def _labels(codes, labels: Mapping[str, str], suffix: str = "") -> list[tuple[str, str]]:
    return [(code, labels[code] + suffix) for code in codes]


def comparison_tables(summary: Mapping[str, Any], a: str, b: str) -> list[PublishedTable]:
    """The comparison's tables: policy A down the side, policy B across the top."""
    tables = []
    forces = list(summary["forces"])

    cube = linked_cube(
        (len(REFERRAL_STATES), len(forces)),
        {"b": (len(REFERRAL_STATES), _counts(summary["referrals"]))},
    )
    hidden = protect(cube.values, cube.groups)
    tables.append(
        matrix_table(
            slug="comparison-referrals",
            title=f"Referrals: under {a} (rows) and under {b} (columns)",
            row_heading=f"Under {a}",
            row_labels=_labels(REFERRAL_STATES, REFERRAL_LABELS),
            column_labels=_labels(REFERRAL_STATES, REFERRAL_LABELS, f" under {b}"),
            key=lambda r, c: (
                cube.cell("b", (r, MARGIN), c) if c != MARGIN else cube.total((r, MARGIN))
            ),
            values=cube.values,
            suppressed=hidden,
            notes=(
                "Every referral decision recorded, sent or refused, decided again from the "
                "facts stored with it under each policy, as safeshare replay does.",
            ),
        )
    )
    tables.append(
        line_table(
            slug="comparison-referrals-not-sent",
            title=f"Referrals sent under {a} that {b} would not have sent, by police force",
            row_heading="Police force",
            column="Referrals",
            labels=[(code, code) for code in forces],
            keys=[cube.cell("b", (0, i), 1) for i in range(len(forces))],
            total_key=cube.cell("b", (0, MARGIN), 1),
            values=cube.values,
            suppressed=hidden,
        )
    )

    cube = linked_cube(
        (len(PROTECTION_STATES),),
        {
            "b": (len(PROTECTION_STATES), _counts(summary["protections"])),
            "change": (len(CHANGE_KINDS), _counts(summary["protection_changes"])),
        },
    )
    hidden = protect(cube.values, cube.groups)
    tables.append(
        matrix_table(
            slug="comparison-protections",
            title=f"People's protection now: under {a} (rows) and under {b} (columns)",
            row_heading=f"Under {a}",
            row_labels=_labels(PROTECTION_STATES, PROTECTION_LABELS),
            column_labels=_labels(PROTECTION_STATES, PROTECTION_LABELS, f" under {b}"),
            key=lambda r, c: cube.cell("b", (r,), c) if c != MARGIN else cube.total((r,)),
            values=cube.values,
            suppressed=hidden,
            notes=("Everyone recorded as a party to a case, or protected.",),
        )
    )
    tables.append(
        line_table(
            slug="comparison-protection-changes",
            title="How each person's protection would have differed",
            row_heading="Difference",
            column="People",
            labels=[
                (k, CHANGE_LABELS[k].replace("policy A", a).replace("policy B", b))
                for k in CHANGE_KINDS
            ],
            keys=[cube.cell("change", (MARGIN,), i) for i in range(len(CHANGE_KINDS))],
            total_key=cube.total((MARGIN,)),
            values=cube.values,
            suppressed=hidden,
            notes=("Held open longer: still active, or active until later, under that policy.",),
        )
    )

    cube = linked_cube(
        (len(CLEARANCE_OUTCOMES),),
        {"b": (len(CLEARANCE_OUTCOMES), _counts(summary["clearances"]))},
    )
    hidden = protect(cube.values, cube.groups)
    tables.append(
        matrix_table(
            slug="comparison-clearances",
            title=f"Clearances: decided under {a} (rows) and under {b} (columns)",
            row_heading=f"Under {a}",
            row_labels=_labels(CLEARANCE_OUTCOMES, CLEARANCE_LABELS),
            column_labels=_labels(CLEARANCE_OUTCOMES, CLEARANCE_LABELS, f" under {b}"),
            key=lambda r, c: cube.cell("b", (r,), c) if c != MARGIN else cube.total((r,)),
            values=cube.values,
            suppressed=hidden,
            notes=(
                "Each clearance's standing decision, decided again from the facts stored with "
                "it (the match, the protections then, any verdict or approved override) under "
                "each policy, as safeshare replay does.",
                "Cells off the diagonal are clearances that would have been decided otherwise.",
            ),
        )
    )
    return tables
