"""Benchmark of ``safeshare cases import``: a force's feed of N events, imported twice.

Run ``uv run python bench/cases_import.py [--events N] [--database-url URL]``. Default: 10^4
events (half ``party_added``, half ``investigation_opened``, one case per victim) into a new
SQLite file. It prints the time of the first import (everything applied) and of the second
(nothing changes), and checks that the second leaves the same rows and the same ledger size.
Then it changes one row and re-imports, expecting exactly one change, and imports a file whose
last row is bad, expecting nothing stored and the row named.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="safeshare-import-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    import django

    django.setup()
    from django.core.management import CommandError, call_command

    from safeshare.cases.models import Case, CaseEvent, ImportedEvent, Party
    from safeshare.ledger.models import LedgerEntry
    from safeshare.people.models import Identity

    def state() -> tuple[int, ...]:
        return tuple(
            model.objects.count()
            for model in (Case, Party, CaseEvent, Identity, ImportedEvent, LedgerEntry)
        )

    call_command("migrate", verbosity=0)
    call_command(
        "orgs",
        "create",
        "--code",
        "WMP",
        "--name",
        "West Midlands Police",
        "--kind",
        "police_force",
        "--official-code",
        "20",
        stdout=io.StringIO(),
    )
    header = [
        "event_id",
        "crime_reference",
        "offence_category",
        "event",
        "occurred_on",
        "person_reference",
        "role",
        "given_names",
        "family_name",
        "date_of_birth",
        "nationality",
    ]
    rows = []
    for n in range(args.events // 2):
        ref = f"20/{n:07d}/26"
        rows.append(
            {
                "event_id": f"E{n}-1",
                "crime_reference": ref,
                "offence_category": "domestic_abuse",
                "event": "party_added",
                "person_reference": f"P{n}",
                "role": "victim",
                "given_names": "Amina",
                "family_name": f"Begum{n}",
                "date_of_birth": "1990-04-23",
                "nationality": "BGD",
            }
        )
        rows.append(
            {
                "event_id": f"E{n}-2",
                "crime_reference": ref,
                "event": "investigation_opened",
                "occurred_on": "2026-01-05",
            }
        )

    def write(name: str) -> str:
        path = work / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        return str(path)

    cpu: dict[str, float] = {}

    def timed(path: str) -> tuple[float, dict]:
        """Wall time, and (in ``cpu``) this process's CPU time: with SQLite the database works
        in this process, so on a busy machine the CPU time is the steadier figure."""
        out = io.StringIO()
        started, used = time.perf_counter(), time.process_time()
        call_command("cases", "import", path, "--org", "WMP", "--json", stdout=out)
        cpu[path] = time.process_time() - used
        return time.perf_counter() - started, json.loads(out.getvalue())

    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(f"load average {os.getloadavg()[0]:.1f}; {len(rows):,} events; {engine}")
    path = write("feed.csv")
    first_s, first = timed(path)
    after_first = state()
    rate = len(rows) / first_s
    print(
        f"first import: {first_s:.1f} s ({rate:,.0f} events/s), {first['created']:,} applied; "
        f"CPU {cpu[path]:.1f} s ({len(rows) / cpu[path]:,.0f} events per CPU second)"
    )
    second_s, second = timed(path)
    applied = second["created"] + second["changed"]
    print(
        f"second import: {second_s:.1f} s, {second['unchanged']:,} unchanged, {applied} applied; "
        f"CPU {cpu[path]:.1f} s"
    )
    assert state() == after_first, (state(), after_first)
    print(f"same state and ledger size after the second import: {after_first}")
    rows[0]["family_name"] = "Begum-Khan"
    third_s, third = timed(write("feed2.csv"))
    print(f"changed-row import: {third_s:.1f} s, {third['changed']} changed")
    before_bad = state()
    rows[-1]["occurred_on"] = "2026-02-30"  # the last row: every other row is checked first
    started = time.perf_counter()
    try:
        call_command("cases", "import", write("feed3.csv"), "--org", "WMP", "--quiet")
    except CommandError as refused:
        lines = str(refused).splitlines()
        named = next((line for line in lines if "row " in line), lines[0]).strip()
    else:
        raise AssertionError("a file with a bad row was imported")
    bad_s = time.perf_counter() - started
    assert state() == before_bad, (state(), before_bad)
    print(f"one bad row among {len(rows):,}: refused in {bad_s:.1f} s, nothing stored: {named}")


if __name__ == "__main__":
    main()
