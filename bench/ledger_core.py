"""Benchmark of the pure ledger core: tree hashing, proofs with a subtree cache, verification.

Run ``uv run python bench/ledger_core.py [--leaves N] [--proofs K]``. Targets (at 10^6 leaves):
inclusion proof p99 <= 1 ms with a warm cache; root of 10^6 entries recomputed from their stored
canonical bytes (leaf hashing included) <= 15 s. Also measured: encoding from ``Entry`` objects,
writing an export and verifying it independently. Timings are wall-clock on a shared machine, so
the load average is printed first.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from hashlib import sha256
from pathlib import Path

from safeshare.ledger.checkpoint import generate_signing_key, sign_checkpoint, verifier_key
from safeshare.ledger.entries import (
    Entry,
    EntryKind,
    commit_reference,
    entry_bytes,
    format_coarse_timestamp,
    public_payload,
    record_token,
)
from safeshare.ledger.export import write_export
from safeshare.ledger.merkle import (
    CompactRange,
    MemorySubtreeCache,
    PackedHashes,
    TreeStore,
    leaf_hash,
    root_from_leaf_hashes,
    verify_inclusion,
)
from safeshare.ledger.verify import verify_export

ORIGIN = "bench.safeshare.example/ledger"
KINDS = list(EntryKind)
DECISIONS = ["blocked", "hold", "clear"]


def make_entry(index: int, key: bytes, policy_version: str) -> Entry:
    """A realistic format-2 entry: two subject commitments and its kind's payload fields (a
    clearance commitment, a decision, a channel, a match count where the kind has them)."""
    from datetime import UTC, datetime, timedelta

    moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=index * 0.37)
    kind = KINDS[index % len(KINDS)]
    people = (f"p{index % 9973}", f"p{index % 7919}x")
    return Entry(
        index=index,
        kind=kind,
        policy_id="uk-mvp-2022",
        policy_version=policy_version,
        actor_org="IE-NCCU",
        actor_role="ie_caseworker",
        timestamp=format_coarse_timestamp(moment),
        subjects=tuple(
            sorted(commit_reference(os.urandom(32), "person", person) for person in people)
        ),
        payload=public_payload(
            kind,
            {
                "clearance": commit_reference(
                    os.urandom(32), "clearance", record_token(key, "clearance", str(index))
                ),
                "decision": DECISIONS[index % 3],
                "channel": "api",
                "match_count": index % 4,
            },
        ),
    )


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """Run ``action`` once; return (seconds, result)."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=10_000)
    parser.add_argument("--min-cached-level", type=int, default=4)
    args = parser.parse_args()
    n = args.leaves
    rng = random.Random(20260101)
    token_key = os.urandom(32)
    policy_version = sha256(b"policy file").hexdigest()
    results: list[tuple[str, str, str]] = []

    def report(name: str, value: str, target: str = "") -> None:
        results.append((name, value, target))
        print(f"{name:<60} {value:>16}  {target}", flush=True)

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"SafeShare ledger core benchmark: {n:,} leaves, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )

    # 1. Entry objects -> canonical bytes -> leaf hashes -> root (building the test objects
    #    is not timed: it is done a chunk at a time, outside the clock).
    stored: list[bytes] = []
    tree = CompactRange()
    encode_seconds = encode_cpu = 0.0
    chunk = 50_000
    for first in range(0, n, chunk):
        batch = [
            make_entry(i, token_key, policy_version) for i in range(first, min(n, first + chunk))
        ]
        start, start_cpu = time.perf_counter(), time.process_time()
        for entry in batch:
            data = entry_bytes(entry)
            tree.append(leaf_hash(data))
            stored.append(data)
        encode_seconds += time.perf_counter() - start
        encode_cpu += time.process_time() - start_cpu
    root = tree.root()
    report(
        "root from Entry objects: validate, encode, hash, tree",
        f"{encode_seconds:.2f} s",
        f"{encode_cpu:.2f} s CPU, {encode_cpu / n * 1e6:.1f} us per entry",
    )
    average = sum(map(len, stored)) / n

    # The recomputation a verifier or the database side does: stored canonical bytes -> root.
    def recompute() -> bytes:
        compact = CompactRange()
        for data in stored:
            compact.append(leaf_hash(data))
        return compact.root()

    cpu_start = time.process_time()
    seconds, recomputed = timed(recompute)
    cpu_seconds = time.process_time() - cpu_start
    assert recomputed == root
    report(
        f"root from stored canonical entries ({average:.0f} bytes each)",
        f"{seconds:.2f} s",
        f"{cpu_seconds:.2f} s CPU; target <= 15 s: " + ("met" if seconds <= 15 else "MISSED"),
    )
    leaves = PackedHashes(leaf_hash(data) for data in stored)
    hashes = list(leaves)
    seconds, batch_root = timed(lambda: root_from_leaf_hashes(hashes))
    assert batch_root == root
    report("root_from_leaf_hashes over the leaf hashes", f"{seconds:.2f} s")

    compact = CompactRange()
    seconds, _ = timed(lambda: compact.extend(hashes))
    report("CompactRange append, per leaf", f"{seconds / n * 1e6:.2f} us")

    # 2. Proofs with a subtree cache.
    cache = MemorySubtreeCache()
    store = TreeStore(leaves, cache, min_cached_level=args.min_cached_level)
    seconds, _ = timed(lambda: store.warm(n))
    report(
        f"warm the subtree cache (levels >= {args.min_cached_level})",
        f"{seconds:.2f} s",
        f"{len(cache):,} cached hashes",
    )
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(args.proofs):
        index = rng.randrange(n)
        start, start_cpu = time.perf_counter(), time.thread_time()
        proof = store.inclusion_proof(index, n)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
        if len(wall) <= 100:
            assert verify_inclusion(index, n, leaves[index], proof, root)
    p99_wall, p99_cpu = percentile(wall, 0.99), percentile(cpu, 0.99)
    report(
        "inclusion proof, warm cache, p50 / p99.9 (wall clock)",
        f"{statistics.median(wall) * 1e3:.3f} / {percentile(wall, 0.999) * 1e3:.3f} ms",
    )
    report(
        "inclusion proof, warm cache, p99 (wall clock)",
        f"{p99_wall * 1e3:.3f} ms",
        "target <= 1 ms: " + ("met" if p99_wall <= 1e-3 else "MISSED (see load average)"),
    )
    report(
        "inclusion proof, warm cache, p99 (CPU time of the thread)",
        f"{p99_cpu * 1e3:.3f} ms",
        "target <= 1 ms: " + ("met" if p99_cpu <= 1e-3 else "MISSED"),
    )
    samples = []
    for _ in range(args.proofs):
        old = rng.randrange(1, n)
        start = time.thread_time()
        store.consistency_proof(old, n)
        samples.append(time.thread_time() - start)
    report(
        "consistency proof, warm cache, p99 (CPU time)",
        f"{percentile(samples, 0.99) * 1e3:.3f} ms",
    )
    samples = []
    for _ in range(args.proofs // 10):
        index = rng.randrange(n)
        start = time.thread_time()
        verify_inclusion(index, n, leaves[index], store.inclusion_proof(index, n), root)
        samples.append(time.thread_time() - start)
    report(
        "inclusion proof + verification, p99 (CPU time)",
        f"{percentile(samples, 0.99) * 1e3:.3f} ms",
    )
    seconds, _ = timed(lambda: TreeStore(leaves).inclusion_proof(n // 3, n))
    report("inclusion proof without any cache (one)", f"{seconds * 1e3:.0f} ms")

    # 3. Checkpoints.
    signing_key = generate_signing_key()
    key = verifier_key(ORIGIN, signing_key.public_key())
    seconds, _ = timed(lambda: sign_checkpoint(ORIGIN, n, root, signing_key))
    report("sign a checkpoint", f"{seconds * 1e3:.3f} ms")

    # 4. Export and verify, as an independent verifier would.
    sizes = sorted({n // 4, n // 2, 3 * n // 4, n} - {0})
    checkpoints = [
        sign_checkpoint(ORIGIN, size, root_from_leaf_hashes(hashes[:size]), signing_key)
        for size in sizes
    ]
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch) / "export"

        seconds, _ = timed(
            lambda: write_export(directory, stored, checkpoints, [key], leaf_hashes=hashes)
        )
        report("write_export", f"{seconds:.2f} s")
        cpu_start = time.process_time()
        seconds, verification = timed(lambda: verify_export(directory, [key]))
        cpu_seconds = time.process_time() - cpu_start
        assert verification.ok, verification.first_problem  # type: ignore[attr-defined]
        report(
            "verify_export: parse, canonical, allow-list, tree, 4 checkpoints",
            f"{seconds:.2f} s",
            f"{cpu_seconds:.2f} s CPU, {cpu_seconds / n * 1e6:.1f} us per entry",
        )
        cpu_start = time.process_time()
        seconds, verification = timed(lambda: verify_export(directory, [key], check_content=False))
        cpu_seconds = time.process_time() - cpu_start
        report(
            "verify_export without the allow-list check",
            f"{seconds:.2f} s",
            f"{cpu_seconds:.2f} s CPU",
        )


if __name__ == "__main__":
    main()
