"""Benchmark of the duplicate finder (``cases.duplicates.possible_duplicates``) at a force's scale.

Run ``uv run python bench/duplicates.py [--people N] [--calls K] [--database-url URL]``.
Default: 10^5 people, each a victim in a case of one force, with names drawn from a small pool
(so common names are common), and one in a hundred added a second time with a variation (a
transposed day and month, a hyphenated family name, a spelling slip). The rows are bulk-loaded
(the finder only reads them). It prints the time of the first call (which builds the force's
key index), the p50/p95/max of K further calls on random people, how many planted duplicates
those calls found, the time the worker takes to save the index and a new process's first call
(which reads it), and the time of one call of the earlier full scan for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GIVEN = [
    "Amina", "Mohammed", "Fatema", "Ali", "Maria", "Anna", "Olena", "Ivan", "Nguyen", "Thi",
    "Grace", "Blessing", "Ahmed", "Hassan", "Leila", "Sara", "Joseph", "Mary", "Elena", "Andrei",
    "Rahim", "Nadia", "Yusuf", "Esther", "Daniel", "Ayesha", "Omar", "Zainab", "Ruth", "Samuel",
]  # fmt: skip
FAMILY = [
    "Begum", "Khan", "Hossain", "Rahman", "Nguyen", "Tran", "Popescu", "Ionescu", "Kowalski",
    "Nowak", "Okafor", "Mensah", "Ali", "Hussain", "Ahmed", "Shevchenko", "Kovalenko", "Silva",
    "Santos", "Haile", "Tesfaye", "Bekele", "Mohamud", "Abdi", "Osei", "Boateng", "Petrov",
    "Ivanova", "Kaur", "Singh", "Islam", "Uddin", "Miah", "Chowdhury", "Sultana", "Akter",
]  # fmt: skip
NATIONALITIES = ["BGD", "VNM", "ROU", "POL", "NGA", "GHA", "UKR", "BRA", "ERI", "SOM", "ALB"]


def identity_fields(rng: random.Random, n: int) -> dict[str, str]:
    given = rng.choice(GIVEN)
    if rng.random() < 0.3:
        given = f"{given} {rng.choice(GIVEN)}"
    family = rng.choice(FAMILY)
    if rng.random() < 0.7:  # most people have a rarer surname as well as a common one
        family = f"{family}{'abcdefghijklmnopqrstuvwxyz'[n % 26]}{n % 997}"
    year = rng.randint(1960, 2008)
    return {
        "given_names": given,
        "family_name": family,
        "date_of_birth": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "nationality_code": rng.choice(NATIONALITIES),
    }


def variation(fields: dict[str, str], rng: random.Random) -> dict[str, str]:
    changed = dict(fields)
    kind = rng.randrange(3)
    if kind == 0:
        year, month, day = changed["date_of_birth"].split("-")
        if int(day) <= 12:
            changed["date_of_birth"] = f"{year}-{day}-{month}"
    elif kind == 1:
        changed["family_name"] = f"{changed['family_name']}-{rng.choice(FAMILY)}"
    else:
        name = changed["given_names"]
        changed["given_names"] = name[:-1] + ("e" if name[-1] != "e" else "a")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="safeshare-duplicates-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeshare.settings")
    os.environ.setdefault("SAFESHARE_VAR_DIR", str(work / "var"))
    import django

    django.setup()
    from django.core.management import call_command

    from safeshare.accounts.models import Organisation
    from safeshare.cases import duplicates
    from safeshare.cases.models import Case, Party
    from safeshare.matching.blocking import blocking_keys
    from safeshare.people.models import Identity, Person

    call_command("migrate", verbosity=0)
    force = Organisation.objects.create(
        code="WMP", name="West Midlands Police", kind="police_force", official_code="20"
    )
    rng = random.Random(args.seed)
    started = time.perf_counter()
    planted: dict[int, int] = {}  # duplicate's row number -> original's row number
    rows: list[dict[str, str]] = []
    for n in range(args.people):
        if n % 100 == 99:
            original = rng.randrange(n - 99, n - 1)
            planted[n] = original
            rows.append(variation(rows[original], rng))
        else:
            rows.append(identity_fields(rng, n))
    batch = 5000
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        people = Person.objects.bulk_create(Person(recorded_by=force) for _ in chunk)
        Identity.objects.bulk_create(
            Identity(person=p, recorded_by=force, **fields)
            for p, fields in zip(people, chunk, strict=True)
        )
        cases = Case.objects.bulk_create(
            Case(force=force, crime_reference=f"20/{start + i:07d}/26",
                 offence_category="domestic_abuse")
            for i in range(len(chunk))
        )  # fmt: skip
        Party.objects.bulk_create(
            Party(case=c, person=p, role="victim") for c, p in zip(cases, people, strict=True)
        )
    person_ids = list(Person.objects.order_by("id").values_list("id", flat=True))
    engine = os.environ["DATABASE_URL"].split(":")[0]
    print(
        f"load average {os.getloadavg()[0]:.1f}; {len(rows):,} people in one force; {engine}; "
        f"loaded in {time.perf_counter() - started:.1f} s"
    )

    def call(row: int) -> tuple[float, list]:
        person = Person.objects.get(pk=person_ids[row])
        began = time.perf_counter()
        found = duplicates.possible_duplicates(person, force)
        return time.perf_counter() - began, found

    first_s, _ = call(0)
    print(f"first call (builds the force's key index): {first_s:.2f} s")
    sample = rng.sample(sorted(planted), min(args.calls // 2, len(planted)))
    sample += rng.sample(range(len(rows)), args.calls - len(sample))
    times, hits, asked = [], 0, 0
    for row in sample:
        seconds, found = call(row)
        times.append(seconds)
        if row in planted:
            asked += 1
            hits += person_ids[planted[row]] in {d.person.pk for d in found}
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{len(times)} calls: p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms"
    )
    print(f"planted duplicates found: {hits} of {asked}")

    # Another process: it reads the index the worker's duplicates-index job saved.
    began = time.perf_counter()
    duplicates.save_index(force)
    saved_s = time.perf_counter() - began
    duplicates._indexes.clear()
    reread_s, _ = call(2)
    print(f"worker saves the index: {saved_s:.2f} s; a new process's first call: {reread_s:.2f} s")

    # The earlier finder read and prepared every identity of the force on each call.
    person = Person.objects.get(pk=person_ids[1])
    subjects = [blocking_keys(duplicates._prepared(i)) for i in person.identities.all()]
    began = time.perf_counter()
    for identity in Identity.objects.filter(person__in=duplicates.people_in_force(force)):
        keys = blocking_keys(duplicates._prepared(identity))
        any(s & keys for s in subjects)
    print(f"one call of the earlier full scan (reading only): {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    main()
