"""Learn the matcher's m and u without labels, as Splink does, and write a versioned model.

    uv run python -m tools.matching.em --out /tmp/em.json              # development data
    uv run python -m tools.matching.em --out /tmp/em.json --report     # and compare on it

Steps (ADR 39):

1. ``u`` from the register itself: pairs of register identities that share a name token
   (two identities of one register are different people), so ``u`` is what a chance
   agreement among namesakes looks like in the register the service holds, with no label;
2. ``m`` by expectation–maximisation over the candidate pairs blocking offers for the subjects
   seen, with ``u`` fixed: each subject's candidates and "none of them" are exclusive
   hypotheses (as the matcher decides), a candidate's responsibility is its posterior
   probability under the current model (prior, name against its frequency in the register,
   ``m / u`` of the other fields), and ``m`` of each level is the responsibility-weighted
   share of that level; started from the shipped model's ``m``;
3. the name's term-frequency reference and the thresholds are kept from the base model.

The data are the development sets of ``tools.matching.train`` (development seeds, never
``bench/matching.py``'s); their labels are read only by ``--report``, to compare the two models.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from safeshare.matching.compare import DOB_PARTIAL_LEVELS, FIELDS, LEVELS, MISSING
from safeshare.matching.matcher import Matcher, name_crowd, odds
from safeshare.matching.model import MatchModel, default_model_path, load_model
from safeshare.matching.record import IdentityRecord, PreparedIdentity, prepare
from safeshare.matching.register import InMemoryRegister
from tools.matching.synth import generate
from tools.matching.synth2 import generate2
from tools.matching.train import M_FLOOR, SECOND_SEED_OFFSET

__all__ = ["em_m", "main", "register_u"]


def _smoothed(counts: Sequence[float], alpha: float, floor: float) -> tuple[float, ...]:
    total = sum(counts) + alpha * len(counts)
    probabilities = [max((c + alpha) / total, floor) for c in counts]
    norm = sum(probabilities)
    return tuple(round(p / norm, 8) for p in probabilities)


def register_u(
    registers: Iterable[InMemoryRegister], matcher: Matcher, rng: random.Random, per: int
) -> dict[str, tuple[float, ...]]:
    """u per field and level from pairs of register identities sharing a name token."""
    counts = {f: [0.0] * len(LEVELS[f]) for f in FIELDS}
    for register in registers:
        for _, identity in register:
            keys = [f"t:{t}" for t in sorted(_tokens(identity))]
            others = sorted(register.candidate_ids(keys), key=str)
            for other_id in rng.sample(others, min(per + 1, len(others))):
                other = register.get(other_id)
                if other is None or other is identity:
                    continue
                levels = matcher._score(identity, None, other, {}, 0)[2]  # type: ignore[index]
                for name, level in zip(FIELDS, levels, strict=True):
                    if level != MISSING:
                        counts[name][level] += 1
    return {f: _smoothed(counts[f], 0.5, 0.0) for f in FIELDS}


def _read_register(path: Path) -> Iterable[tuple[str, PreparedIdentity]]:
    columns = (
        "date_of_birth",
        "sex",
        "nationality",
        "passport_number",
        "home_office_reference",
        "address",
        "postcode",
    )
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            record = IdentityRecord(
                given_names=row.get("given_names", ""),
                family_name=row.get("family_name", ""),
                aliases=tuple(a for a in row.get("aliases", "").split("|") if a),
                **{c: row.get(c) or None for c in columns},
            )
            yield row["id"], prepare(record)


def _tokens(identity: PreparedIdentity) -> set[str]:
    from safeshare.matching.blocking import name_key_sets

    return {t for names in name_key_sets(identity) for t in names}


_DOB_FULL = frozenset(range(len(LEVELS["dob"]))) - DOB_PARTIAL_LEVELS
_Pairs = list[tuple[tuple[int, ...], float]]  # (levels, the weight's part that m does not set)


def _candidate_pairs(
    matcher: Matcher, subjects: Sequence[PreparedIdentity], register: InMemoryRegister
) -> list[_Pairs]:
    """Each subject's blocked candidates as (levels, offset): ``offset`` is the candidate's
    weight less the sum of ``log2 m`` of its levels, so a new ``m`` re-weighs it exactly."""
    out: list[_Pairs] = []
    for subject in subjects:
        counts, _capped, fetched, size = matcher.retrieve(subject, register)
        candidates = list(fetched)
        crowd = max(name_crowd(subject, counts), 1)
        # The nationality's weight given the agreeing token (ADR 49) stays in the offset.
        by_token = matcher._by_token(subject, candidates)
        pairs: _Pairs = []
        for register_id, candidate in candidates:
            scored = matcher._score(
                subject, register_id, candidate, counts, size, None, crowd, math.inf, by_token
            )
            assert scored is not None
            weight, levels = scored[0], scored[2]
            pairs.append((levels, weight - _log_m(matcher.model, levels)))
        out.append(pairs)
    return out


def _log_m(model: MatchModel, levels: tuple[int, ...]) -> float:
    """The part of a candidate's weight that ``m`` sets: ``log2 m`` of each level present,
    an estimated-date level within its group (as ``MatchModel`` weighs dates)."""
    total = 0.0
    for name, level in zip(FIELDS, levels, strict=True):
        if level == MISSING:
            continue
        m = model.m[name]
        total += math.log2(m[level])
        if name == "dob":
            group = DOB_PARTIAL_LEVELS if level in DOB_PARTIAL_LEVELS else _DOB_FULL
            total -= math.log2(sum(m[i] for i in group))
    return total


def em_m(
    base: MatchModel, subject_pairs: Sequence[_Pairs], iterations: int
) -> tuple[MatchModel, list[float], float]:
    """m, and the share of subjects who are on the register, by EM over the subjects'
    candidates (exclusive hypotheses beside "none"). The membership prior the matcher ships
    (π, protective: ADR 8) is not used here: it would hand chance agreements to ``m``; the
    share of members is estimated with ``m`` instead (Splink's λ)."""
    model = base
    expected: list[float] = []
    shipped = base.thresholds.membership_prior
    shipped_log_odds = math.log2(shipped / (1 - shipped))
    share = 0.5
    for _ in range(iterations):
        shift = math.log2(share / (1 - share)) - shipped_log_odds
        counts = {f: [0.0] * len(LEVELS[f]) for f in FIELDS}
        total_responsibility = 0.0
        for pairs in subject_pairs:
            if not pairs:
                continue
            weights = [offset + shift + _log_m(model, levels) for levels, offset in pairs]
            candidate_odds = [odds(w) for w in weights]
            denominator = 1.0 + sum(candidate_odds)
            for (levels, _), o in zip(pairs, candidate_odds, strict=True):
                r = o / denominator
                if r < 1e-6:
                    continue
                total_responsibility += r
                for name, level in zip(FIELDS, levels, strict=True):
                    if level != MISSING:
                        counts[name][level] += r
        m = {f: _smoothed(counts[f], 1.0, M_FLOOR) for f in FIELDS}
        model = replace_m(model, m)
        share = min(max(total_responsibility / len(subject_pairs), 0.01), 0.99)
        expected.append(round(total_responsibility, 1))
    return model, expected, share


def replace_m(model: MatchModel, m: dict[str, tuple[float, ...]]) -> MatchModel:
    return MatchModel(
        m=m,
        u=model.u,
        thresholds=model.thresholds,
        term_frequency=model.term_frequency,
        metadata=dict(model.metadata),
    )


def _report(model: MatchModel, datasets) -> dict[str, float]:
    """Recall and the share of others held on the development sets (labels read here only)."""
    matcher = Matcher(model)
    members = recalled = others = held = 0
    for register, prepared, labelled in datasets:
        for subject, label in zip(prepared, labelled, strict=True):
            decision = matcher.match(subject, register).decision
            if label.member_of is None:
                others += 1
                held += decision != "none"
            else:
                members += 1
                recalled += decision != "none"
    return {"recall": round(recalled / members, 4), "held": round(held / others, 4)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.matching.em", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", type=Path, default=default_model_path())
    parser.add_argument("--seed", type=int, default=20_240_601)
    parser.add_argument("--register", type=int, default=20_000)
    parser.add_argument("--second-register", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=4_000)
    parser.add_argument("--non-members", type=int, default=8_000)
    parser.add_argument("--u-per-identity", type=int, default=10)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--no-u", action="store_true", help="keep the base model's u")
    parser.add_argument(
        "--register-csv",
        type=Path,
        help="u from this register (id and the identity columns) instead of development data",
    )
    parser.add_argument("--no-m", action="store_true", help="keep the base model's m")
    parser.add_argument("--report", action="store_true", help="compare both on development")
    args = parser.parse_args(argv)

    base = load_model(args.base)
    development = args.report or not args.no_m or not (args.no_u or args.register_csv)
    raw = (
        [generate(args.seed, args.register, args.members, args.non_members)] if development else []
    )
    if args.second_register and development:
        raw.append(
            generate2(
                args.seed + SECOND_SEED_OFFSET,
                args.second_register,
                args.members * args.second_register // args.register,
                args.non_members * args.second_register // args.register,
            )
        )
    datasets = [
        (
            InMemoryRegister((i, prepare(r)) for i, r in data.register),
            [prepare(s.record) for s in data.subjects],
            data.subjects,
        )
        for data in raw
    ]
    matcher = Matcher(base, prune=False)
    model = base
    if args.register_csv:
        own = InMemoryRegister(_read_register(args.register_csv))
        u = register_u([own], matcher, random.Random(args.seed), args.u_per_identity)
        model = MatchModel(
            m=base.m,
            u=u,
            thresholds=base.thresholds,
            term_frequency=base.term_frequency,
            metadata=dict(base.metadata),
        )
    elif not args.no_u:
        u = register_u(
            (d[0] for d in datasets), matcher, random.Random(args.seed), args.u_per_identity
        )
        model = MatchModel(
            m=base.m,
            u=u,
            thresholds=base.thresholds,
            term_frequency=base.term_frequency,
            metadata=dict(base.metadata),
        )
    expected: list[float] = []
    share = None
    if not args.no_m:
        scorer = Matcher(model, prune=False)
        pairs = [
            p
            for register, subjects, _ in datasets
            for p in _candidate_pairs(scorer, subjects, register)
        ]
        model, expected, share = em_m(model, pairs, args.iterations)
    metadata = {
        **base.metadata,
        "estimation": {
            "command": "python -m tools.matching.em "
            + " ".join(sys.argv[1:] if argv is None else argv),
            "base_version": base.version,
            "u": "base"
            if args.no_u and not args.register_csv
            else "register pairs sharing a name token"
            + (f" ({args.register_csv.name})" if args.register_csv else ""),
            "m": "base" if args.no_m else f"EM over candidate pairs, {args.iterations} iterations",
            "expected_matches": expected,
            "member_share": share,
            "seed": args.seed,
        },
    }
    model = MatchModel(
        m=model.m,
        u=model.u,
        thresholds=model.thresholds,
        term_frequency=model.term_frequency,
        metadata=metadata,
    )
    args.out.write_text(model.to_json())
    summary: dict[str, object] = {"out": str(args.out), "version": model.version, "em": expected}
    if args.report:
        summary["development_base"] = _report(base, datasets)
        summary["development_learnt"] = _report(model, datasets)
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
