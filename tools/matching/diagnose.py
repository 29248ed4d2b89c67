"""Print why people not on the register are held: the top candidates' evidence.

python -m tools.matching.diagnose bench/data/eval_100000_2000_5000 --n 2000 --show 15
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
    args = parser.parse_args()
    model = load_model()
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
    for s in others:
        r = matcher.match(s.record, register)
        if r.decision != "none":
            held.append((s, r))
            best = r.candidates[0] if r.candidates else None
            if best:
                levels[next(f.level for f in best.fields if f.field == "dob")] += 1
    missed = []
    for s in members:
        r = matcher.match(s.record, register)
        if r.decision == "none":
            missed.append((s, r))
    out(f"others held {len(held)}/{len(others)}; members missed {len(missed)}/{len(members)}")
    out("dob level of the best candidate of held others:", dict(levels))
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


if __name__ == "__main__":
    main()
