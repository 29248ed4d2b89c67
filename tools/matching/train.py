"""Estimate the matcher's parameters and choose its thresholds on development data.

    uv run python -m tools.matching.train                 # writes matching/data/model.json
    uv run python -m tools.matching.train --out /tmp/m.json --seed 7 --register 20000

Re-runnable and seeded: the same arguments give the same file. Steps:

1. generate labelled development sets with both generators, ``synth.generate`` and
   ``synth2.generate2`` (``--second-register`` identities, 0 to leave it out), each with its
   own register (development seeds only; the benchmark in ``bench/matching.py`` uses
   different seeds and never feeds back here), so that no one generator's habits (how often
   it estimates a date, how it corrupts names) become the model's;
2. ``m`` per level from each member subject compared with its own register identity;
3. ``u`` per level from random non-matching pairs that share a name token (so that agreements
   that go together, such as a shared name and a shared nationality, are not counted twice;
   the matcher's prior accounts for how many such pairs a subject has), and the
   name-frequency reference per level from the same pairs;
4. both smoothed (add-one) and ``m`` floored, so that no corruption seen rarely in development
   gets an extreme weight;
5. thresholds from running the full matcher over the development subjects: ``possible`` is the
   highest weight that still holds or blocks ``--target-recall`` of members, less ``--margin``,
   but never so low that more than ``--review-budget`` of non-members would be held; ``match``
   the lowest weight above which non-members are at most ``--max-false-block``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from safeshare.matching.blocking import query_keys
from safeshare.matching.compare import FIELDS, LEVELS, MISSING, NAME_TOKEN_LEVELS
from safeshare.matching.matcher import Matcher, name_frequency
from safeshare.matching.model import MatchModel, TermFrequency, Thresholds, default_model_path
from safeshare.matching.record import prepare
from safeshare.matching.register import InMemoryRegister
from tools.matching.synth import generate
from tools.matching.synth2 import generate2

__all__ = ["choose_thresholds", "estimate", "main"]

M_FLOOR = 0.002
#: Name levels whose agreement is on whole tokens, so the agreeing name's frequency applies.
TF_LEVELS = NAME_TOKEN_LEVELS
#: The second generator's development seed: never one of bench/matching.py's evaluation seeds.
SECOND_SEED_OFFSET = 1


def _levels(matcher: Matcher, subject, candidate) -> tuple[int, ...]:
    return matcher._score(subject, None, candidate, {}, 0)[2]


def estimate(
    pairs_m: Sequence[tuple[int, ...]], pairs_u: Sequence[tuple[int, ...]]
) -> tuple[dict[str, tuple[float, ...]], dict[str, tuple[float, ...]]]:
    """Smoothed m and u per field and level from comparison vectors of matches / non-matches."""
    m: dict[str, tuple[float, ...]] = {}
    u: dict[str, tuple[float, ...]] = {}
    for position, name in enumerate(FIELDS):
        n_levels = len(LEVELS[name])
        for target, vectors, alpha, floor in ((m, pairs_m, 1.0, M_FLOOR), (u, pairs_u, 0.5, 0.0)):
            counts = [0.0] * n_levels
            for vector in vectors:
                level = vector[position]
                if level != MISSING:
                    counts[level] += 1
            total = sum(counts) + alpha * n_levels
            probabilities = [max((c + alpha) / total, floor) for c in counts]
            norm = sum(probabilities)
            target[name] = tuple(round(p / norm, 8) for p in probabilities)
    return m, u


def choose_thresholds(
    member_scores: Sequence[float],
    non_member_scores: Sequence[float],
    *,
    target_recall: float,
    review_budget: float,
    margin: float,
    max_false_block: float,
) -> tuple[float, float]:
    """(match, possible) thresholds from development scores (+inf: held by a safety rule).

    ``possible`` is the highest weight that still holds ``target_recall`` of the members that
    blocking finds, less ``margin``; if that would review more than ``review_budget`` of
    non-members, the lowest weight within the budget instead. ``match`` is the lowest weight
    above which at most ``max_false_block`` of non-members fall.
    """
    ordered = sorted(s for s in member_scores if s > -1e8)  # members blocking found at all
    misses_allowed = int(len(ordered) * (1 - target_recall))
    for_recall = ordered[misses_allowed] - margin if ordered else 0.0
    negatives = sorted(non_member_scores, reverse=True)
    within_budget = int(len(negatives) * review_budget)
    finite = [s for s in negatives if s != float("inf")]
    if len(negatives) <= within_budget:
        for_budget = -1e9
    elif negatives[within_budget] == float("inf"):  # the safety rules alone use the budget
        for_budget = (finite[0] if finite else 0.0) + 0.01
    else:
        for_budget = negatives[within_budget] + 0.01
    possible = max(for_recall, for_budget)
    allowed = int(len(negatives) * max_false_block)
    scored = [s for s in negatives if s != float("inf")]  # rules hold, they never block
    match = scored[allowed] + 0.01 if len(scored) > allowed else possible
    return max(match, possible), possible


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.matching.train", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=default_model_path())
    parser.add_argument("--seed", type=int, default=20_240_601)
    parser.add_argument("--register", type=int, default=20_000)
    parser.add_argument(
        "--second-register", type=int, default=10_000, help="synth2 identities (0: none)"
    )
    parser.add_argument("--members", type=int, default=4_000)
    parser.add_argument("--non-members", type=int, default=8_000)
    parser.add_argument("--target-recall", type=float, default=0.995)
    parser.add_argument("--u-per-subject", type=int, default=25)
    parser.add_argument("--review-budget", type=float, default=0.04)
    parser.add_argument("--margin", type=float, default=0.5)
    parser.add_argument("--max-false-block", type=float, default=0.001)
    parser.add_argument("--key-cap", type=int, default=400)
    parser.add_argument("--token-key-cap", type=int, default=100)
    parser.add_argument("--pseudo-count", type=float, default=1_000.0)
    parser.add_argument("--membership-prior", type=float, default=0.5)
    parser.add_argument("--block-probability", type=float, default=0.99)
    parser.add_argument("--hold-probability", type=float, default=0.2)
    args = parser.parse_args(argv)

    datasets = [generate(args.seed, args.register, args.members, args.non_members)]
    if args.second_register:
        datasets.append(
            generate2(
                args.seed + SECOND_SEED_OFFSET,
                args.second_register,
                args.members * args.second_register // args.register,
                args.non_members * args.second_register // args.register,
            )
        )
    provisional = MatchModel(
        m={f: (1.0,) * len(LEVELS[f]) for f in FIELDS},
        u={f: (1.0,) * len(LEVELS[f]) for f in FIELDS},
        thresholds=Thresholds(0.0, 0.0, args.key_cap, args.token_key_cap),
    )
    scorer = Matcher(provisional)
    pairs_m: list[tuple[int, ...]] = []
    pairs_u: list[tuple[int, ...]] = []
    frequencies: dict[int, list[float]] = {}
    rng = random.Random(args.seed)
    prepared_sets = []
    for data in datasets:
        register = InMemoryRegister((i, prepare(r)) for i, r in data.register)
        subjects = [prepare(s.record) for s in data.subjects]
        prepared_sets.append((register, subjects, data.subjects))
        size = len(register)
        for prepared, subject in zip(subjects, data.subjects, strict=True):
            if subject.member_of is not None:
                pairs_m.append(_levels(scorer, prepared, register.get(subject.member_of)))
            keys = query_keys(prepared)
            counts = register.key_counts(keys)
            sharing = sorted(
                register.candidate_ids(k for k in keys if k.startswith("t:")) - {subject.member_of}
            )
            for register_id in rng.sample(sharing, min(args.u_per_subject, len(sharing))):
                candidate = register.get(register_id)
                _, _, levels, name, *_ = scorer._score(prepared, None, candidate, counts, size)
                pairs_u.append(levels)
                frequency = name_frequency(name, counts, size)
                if frequency is not None:
                    frequencies.setdefault(name.level, []).append(frequency)
    m, u = estimate(pairs_m, pairs_u)
    reference = tuple(
        round(sum(frequencies[level]) / len(frequencies[level]), 8)
        if level in TF_LEVELS and frequencies.get(level)
        else 0.0
        for level in range(len(LEVELS["name"]))
    )
    term_frequency = TermFrequency(reference=reference, pseudo_count=args.pseudo_count)

    untuned = MatchModel(
        m=m,
        u=u,
        thresholds=Thresholds(1e9, 1e9, args.key_cap, args.token_key_cap),
        term_frequency=term_frequency,
    )
    matcher = Matcher(untuned, explain_top=1, prune=False)
    member_scores: list[float] = []
    non_member_scores: list[float] = []
    for register, subjects, labelled in prepared_sets:
        for prepared, subject in zip(subjects, labelled, strict=True):
            result = matcher.match(prepared, register)
            held_by_rule = any("too many" in reason for reason in result.reasons)
            score = float("inf") if held_by_rule else (result.best_weight or -1e9)
            target = member_scores if subject.member_of is not None else non_member_scores
            target.append(score)
    match, possible = choose_thresholds(
        member_scores,
        non_member_scores,
        target_recall=args.target_recall,
        review_budget=args.review_budget,
        margin=args.margin,
        max_false_block=args.max_false_block,
    )
    recall = sum(s >= possible for s in member_scores) / len(member_scores)
    review = sum(s >= possible for s in non_member_scores) / len(non_member_scores)
    model = MatchModel(
        m=m,
        u=u,
        thresholds=Thresholds(
            round(match, 3),
            round(possible, 3),
            args.key_cap,
            args.token_key_cap,
            args.block_probability,
            args.hold_probability,
            args.membership_prior,
        ),
        term_frequency=term_frequency,
        metadata={
            "command": "python -m tools.matching.train "
            + " ".join(sys.argv[1:] if argv is None else argv),
            "seed": args.seed,
            "register": args.register,
            "second_register": args.second_register,
            "members": args.members,
            "non_members": args.non_members,
            "u_pairs": len(pairs_u),
            "u_per_subject": args.u_per_subject,
            "target_recall": args.target_recall,
            "review_budget": args.review_budget,
            "margin": args.margin,
            "development": {"recall": round(recall, 4), "review_rate": round(review, 4)},
        },
    )
    args.out.write_text(model.to_json())
    summary = {
        "out": str(args.out),
        "version": model.version,
        **model.to_dict()["thresholds"],
        "dev_recall": round(recall, 4),
        "dev_review_rate": round(review, 4),
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
