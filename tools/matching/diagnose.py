"""Print why people not on the register are held: the top candidates' evidence.

python -m tools.matching.diagnose bench/data/dev_100000_2500_7500 --n 3000 --show 15 --causes

Labels are read, so run it on development data only (bench/matching.py's evaluation sets
are for measuring). ``--causes`` prints the most common evidence of the best candidate of
the people held (name level, date level, nationality, documents compared), how many were held
only by the sum of weak candidates, how many candidates were compared, and how well the
probabilities are calibrated once rescaled from the membership prior to the data's own share
of members.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import dataclasses

from matching import import_register, read_subjects
from safeshare.matching import Matcher, load_model


def out(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stem")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--show", type=int, default=10)
    parser.add_argument("--prior", type=float, default=None)
    parser.add_argument("--dump", help="write 'member probability' lines for every subject")
    parser.add_argument("--pseudo-count", type=float, default=None)
    parser.add_argument("--causes", action="store_true", help="tables of what holds people")
    parser.add_argument("--model", type=Path, help="a model file other than the shipped one")
    args = parser.parse_args()
    model = load_model(args.model)
    if args.pseudo_count is not None:
        tf = dataclasses.replace(model.term_frequency, pseudo_count=args.pseudo_count)
        model = dataclasses.replace(model, term_frequency=tf)
    thresholds = model.thresholds
    if args.prior is not None:
        thresholds = dataclasses.replace(thresholds, membership_prior=args.prior)
    register, _ = import_register(Path(f"{args.stem}_register.csv"))
    subjects = read_subjects(Path(f"{args.stem}_subjects.csv"))
    others = [s for s in subjects if s.member_of is None]
    members = [s for s in subjects if s.member_of is not None]
    rng = random.Random(1)
    others = rng.sample(others, min(args.n, len(others)))
    members = rng.sample(members, min(args.n // 2, len(members)))
    matcher = Matcher(model, thresholds)
    held = []
    levels: Counter[str] = Counter()
    results = {}
    for s in others:
        r = results[id(s)] = matcher.match(s.record, register)
        if r.decision != "none":
            held.append((s, r))
            best = r.candidates[0] if r.candidates else None
            if best:
                levels[next(f.level for f in best.fields if f.field == "dob")] += 1
    missed = []
    for s in members:
        r = results[id(s)] = matcher.match(s.record, register)
        if r.decision == "none":
            missed.append((s, r))
    out(f"others held {len(held)}/{len(others)}; members missed {len(missed)}/{len(members)}")
    out("dob level of the best candidate of held others:", dict(levels))
    if args.causes:
        causes(held, thresholds.hold_probability)
        calibration(
            [(s.member_of is not None, results[id(s)].probability) for s in others + members],
            thresholds.membership_prior,
        )
    if args.dump:
        with open(args.dump, "w") as handle:
            for s in subjects:
                r = matcher.match(s.record, register)
                forced = r.decision != "none" and r.probability < thresholds.hold_probability
                p = 1.0 if forced or r.decision == "match" else r.probability
                handle.write(f"{int(s.member_of is not None)} {p:.6g} {s.culture}\n")
    for s, r in missed[: args.show]:
        out("---- missed", s.member_of, s.tags, s.record)
        out(r.explain())
    for s, r in held[: args.show]:
        out("----", s.tags, s.record)
        out(r.explain())


def causes(held, hold_probability: float) -> None:
    """The evidence of the best candidate of each person held, most common first."""
    table: Counter[tuple[str, ...]] = Counter()
    by_sum = 0
    considered = sorted(r.candidates_considered for _, r in held)
    for _, r in held:
        best = r.best
        if best is None:
            table[("(held by a rule)",)] += 1
            continue
        by_sum += best.probability < hold_probability
        level = {f.field: f.level for f in best.fields}
        documents = [f for f in ("passport", "home_office_reference") if level[f] != "missing"]
        table[(level["name"], level["dob"], level["nationality"], "+".join(documents) or "-")] += 1
    if considered:
        out(
            f"held only by the sum of weak candidates: {by_sum} of {len(held)}; "
            f"candidates compared: median {considered[len(considered) // 2]}, "
            f"90th percentile {considered[int(len(considered) * 0.9)]}"
        )
    out("| held | name | date of birth | nationality | documents compared |")
    out("| --- | --- | --- | --- | --- |")
    for key, n in table.most_common(15):
        out(f"| {n} | " + " | ".join(key) + " |")


def calibration(decided: list[tuple[bool, float]], prior: float) -> None:
    """P(any protected person) rescaled from the membership prior to the sample's own share
    of members, in tenths, against the share of members actually in each tenth."""
    share = sum(member for member, _ in decided) / len(decided)
    scale = (share / (1 - share)) / (prior / (1 - prior))
    bins: dict[int, list[float]] = {}
    for member, p in decided:
        p = min(p, 1 - 1e-12)
        rescaled = p / (1 - p) * scale
        q = rescaled / (1 + rescaled)
        row = bins.setdefault(min(int(q * 10), 9), [0, 0, 0.0])
        row[0] += 1
        row[1] += member
        row[2] += q
    out(f"calibration at the sample's share of members ({share:.3f}):")
    out("| P rescaled | subjects | mean P | share who are members |")
    out("| --- | --- | --- | --- |")
    for tenth in sorted(bins):
        n, members, total = bins[tenth]
        low, high = tenth / 10, (tenth + 1) / 10
        out(f"| {low:.1f}–{high:.1f} | {n} | {total / n:.3f} | {members / n:.3f} |")


if __name__ == "__main__":
    main()
