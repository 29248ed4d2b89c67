"""Fault figures: runs the fault tests (tests/reliability/test_faults.py) on SQLite and on
PostgreSQL and tabulates what they record.

    uv run python bench/faults.py

The tests start real processes: gunicorn, killed with SIGKILL in the middle of a burst of
clearance requests and started again; PostgreSQL, stopped and started under load; and a backup
restored. They assert that nothing acknowledged is lost, nothing is stored twice, the ledger
verifies, and clients see only 201 or 503 with Retry-After. Each test records its counts with
``record_property``; this script reads them from pytest's JUnit XML and writes
bench/results/faults.json and faults.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"


def run(backend: str) -> dict[str, object]:
    """Run the fault tests on ``backend``; return each test's outcome and recorded figures."""
    report = Path(tempfile.mkdtemp(prefix="safeshare-faults-")) / "junit.xml"
    began = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--db={backend}", f"--junitxml={report}",
         "-o", "junit_family=legacy",
         "tests/reliability/test_faults.py"],
        cwd=ROOT, env={**os.environ, "SAFESHARE_REQUIRE_POSTGRES": "1"},
    )  # fmt: skip
    tests: dict[str, object] = {}
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 (our own pytest wrote it)
        failed = case.find("failure") is not None or case.find("error") is not None
        figures = {p.get("name"): p.get("value") for p in case.iter("property")}
        tests[case.get("name")] = {"passed": not failed, **figures}
    return {"exit_status": completed.returncode, "seconds": round(time.monotonic() - began, 1),
            "tests": tests}  # fmt: skip


def markdown(results: dict[str, dict]) -> str:
    lines = ["## Faults", ""]
    for backend, result in results.items():
        lines += [
            f"### {backend} (exit status {result['exit_status']}, {result['seconds']} s)",
            "",
        ]
        for name, figures in result["tests"].items():
            shown = ", ".join(f"{k} {v}" for k, v in figures.items())
            lines.append(f"- `{name}`: {shown}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    results = {backend: run(backend) for backend in ("sqlite", "postgres")}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "faults.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "faults.md").write_text(markdown(results))
    print(markdown(results))
    sys.exit(max(result["exit_status"] for result in results.values()))


if __name__ == "__main__":
    main()
