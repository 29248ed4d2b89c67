"""The recall / hold-rate frontier of a model, from ``diagnose.py --dump`` files.

    uv run python tools/matching/diagnose.py bench/data/dev_10000_3000_7000 --dump /tmp/a.dump
    uv run python tools/matching/frontier.py /tmp/a.dump /tmp/b.dump

Each dump line is ``member probability culture`` for one subject of a development set. For
each file this prints the share of people not on the register held when the threshold on
P(any protected person) is moved so that a given share of members is held (recall), and the
recall at given shares held, so that two models are compared at equal recall or equal load
rather than at one threshold. Labels are read: development data only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

RECALLS = (0.97, 0.98, 0.985, 0.99, 0.995)
HELD = (0.03, 0.05, 0.08, 0.12)
THRESHOLDS = (0.05, 0.2, 0.5)


def read(path: Path) -> tuple[list[float], list[float]]:
    members: list[float] = []
    others: list[float] = []
    for line in path.read_text().splitlines():
        member, p, *_ = line.split()
        (members if member == "1" else others).append(float(p))
    return members, others


def held_at_recall(members: list[float], others: list[float], recall: float) -> float:
    """The share of others at or above the threshold that holds ``recall`` of members."""
    ordered = sorted(members, reverse=True)
    threshold = ordered[min(int(len(ordered) * recall + 0.5), len(ordered)) - 1]
    return sum(p >= threshold for p in others) / len(others)


def recall_at_held(members: list[float], others: list[float], held: float) -> float:
    """The recall at the lowest threshold that holds at most ``held`` of others."""
    ordered = sorted(others, reverse=True)
    allowed = int(len(ordered) * held)
    threshold = ordered[allowed] if allowed < len(ordered) else -1.0
    return sum(p > threshold for p in members) / len(members)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dumps", nargs="+", type=Path)
    args = parser.parse_args(argv)
    out = sys.stdout.write
    out("| dump | " + " | ".join(f"held at recall {r}" for r in RECALLS))
    out(" | " + " | ".join(f"recall at {h:.0%} held" for h in HELD))
    out(" | " + " | ".join(f"P≥{t}: recall / held" for t in THRESHOLDS) + " |\n")
    out("| --- " * (1 + len(RECALLS) + len(HELD) + len(THRESHOLDS)) + "|\n")
    for path in args.dumps:
        members, others = read(path)
        cells = [f"{held_at_recall(members, others, r):.2%}" for r in RECALLS]
        cells += [f"{recall_at_held(members, others, h):.4f}" for h in HELD]
        cells += [
            f"{sum(p >= t for p in members) / len(members):.4f} / "
            f"{sum(p >= t for p in others) / len(others):.2%}"
            for t in THRESHOLDS
        ]
        out(f"| {path.name} | " + " | ".join(cells) + " |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
