"""Benchmark of witnesses and published tiles (pure: no database).

Run ``uv run python bench/ledger_witness.py [--entries N] [--rounds R]``. It measures:

1. **Witness round trip**: two witness processes (``python -m safeshare.ledger.witness
   serve``) on loopback; the log sends each new checkpoint with its consistency proof to both,
   as ``witnessing.witness_latest`` does, and checks both cosignatures. p50/p99 of the time to a
   quorum of two, over ``--rounds`` checkpoints of a growing log of ``--entries`` leaves.
2. **Tiles**: writing every hash tile of ``--entries`` leaves to a folder, then a client that
   reads only those files computing the root, an inclusion proof and a consistency proof.

The time from an append to a quorum-cosigned checkpoint is then at most the worker's checkpoint
interval (10 s by default) plus sequencing plus one witness round trip. Results go to
``bench/results/ledger-witness.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(ROOT / "src")]

from safeshare.ledger.checkpoint import (  # noqa: E402
    generate_signing_key,
    sign_checkpoint,
    verifier_key,
)
from safeshare.ledger.cosignature import (  # noqa: E402
    add_cosignatures,
    generate_cosigner,
    verify_cosignatures,
)
from safeshare.ledger.merkle import (  # noqa: E402
    MemorySubtreeCache,
    TreeStore,
    leaf_hash,
    verify_consistency,
)
from safeshare.ledger.tiles import TileReader, directory_fetcher, write_tiles  # noqa: E402
from safeshare.ledger.witness import add_checkpoint_body  # noqa: E402

ORIGIN = "bench.safeshare.example/ledger"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def start_witness(directory: Path, name: str, log_key: str):
    key = generate_cosigner(name)
    (directory / "key").write_text(f"{key}\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safeshare.ledger.witness",
            "serve",
            "--key",
            str(directory / "key"),
            "--state",
            str(directory / "state.json"),
            "--log-key",
            log_key,
            "--listen",
            "127.0.0.1:0",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    url = "http://" + line.rsplit("listening on ", 1)[1].strip()
    return key, process, url


def post(url: str, body: bytes) -> str:
    request = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def bench_witnesses(entries: int, rounds: int) -> dict[str, object]:
    private = generate_signing_key()
    log_key = verifier_key(ORIGIN, private.public_key())
    leaves = [leaf_hash(b"entry %d" % i) for i in range(entries)]
    tree = TreeStore(leaves, MemorySubtreeCache())
    sizes = [entries * (n + 1) // rounds for n in range(rounds)]
    with tempfile.TemporaryDirectory() as folder:
        started = []
        for name in ("one.example/witness", "two.example/witness"):
            directory = Path(folder) / name.split(".")[0]
            directory.mkdir()
            started.append(start_witness(directory, name, str(log_key)))
        try:
            latencies = []
            old = 0
            for size in sizes:
                note = sign_checkpoint(ORIGIN, size, tree.root(size), private, ORIGIN)
                begin = time.perf_counter()
                proof = tree.consistency_proof(old, size) if old else []
                lines = [post(url, add_checkpoint_body(old, proof, note)) for _, _, url in started]
                cosigned = add_cosignatures(note, lines)
                assert len(verify_cosignatures(cosigned, [k.verifier for k, _, _ in started])) == 2
                latencies.append(time.perf_counter() - begin)
                old = size
        finally:
            for _, process, _ in started:
                process.terminate()
                process.wait()
    return {
        "checkpoints": rounds,
        "log_size": entries,
        "quorum_round_trip_p50_ms": round(statistics.median(latencies) * 1e3, 2),
        "quorum_round_trip_p99_ms": round(percentile(latencies, 0.99) * 1e3, 2),
    }


def bench_tiles(entries: int) -> dict[str, object]:
    leaves = [leaf_hash(b"entry %d" % i) for i in range(entries)]
    with tempfile.TemporaryDirectory() as folder:
        begin = time.perf_counter()
        tree = TreeStore(leaves, MemorySubtreeCache())
        root = tree.root(entries)
        private = generate_signing_key()
        note = sign_checkpoint(ORIGIN, entries, root, private, ORIGIN)
        written = write_tiles(Path(folder), leaves, [], note)
        write_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        reader = TileReader(directory_fetcher(Path(folder)), entries)
        assert reader.root() == root
        root_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        old = entries // 3 + 1
        proof = reader.consistency_proof(old)
        assert verify_consistency(old, entries, tree.root(old), root, proof)
        proof_seconds = time.perf_counter() - begin
    return {
        "entries": entries,
        "files_written": written,
        "write_seconds": round(write_seconds, 2),
        "client_root_from_tiles_seconds": round(root_seconds, 3),
        "client_consistency_proof_seconds": round(proof_seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    results = {
        "load_average": [round(value, 1) for value in os.getloadavg()],
        "witnesses": bench_witnesses(args.entries, args.rounds),
        "tiles": bench_tiles(args.entries),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ledger-witness.json").write_text(json.dumps(results, indent=2) + "\n")
    sys.stdout.write(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
