"""Benchmark of the register in the database: bulk import, online clearance, sweep.

    uv run python bench/matching_db.py                                   # 2x10^4, both backends
    uv run python bench/matching_db.py --db sqlite --size 1000000 --skip-latency --skip-sweep
    uv run python bench/matching_db.py --db postgres --size 1000000      # import, latency, sweep
    uv run python bench/matching_db.py --db postgres --size 100000 --index database

``--index`` says where matches find the register (``SAFESHARE_MATCHING_INDEX``): ``server``
(the default: ``safeshare register serve`` started in its own process after the import, as in
production), ``process`` (this process holds it) or ``database`` (key tables read per match).

Data are bench/matching.py's evaluation sets (generated once into bench/data/, the same seeds),
converted to the import's columns in a scratch folder. Each run uses a fresh database: a
SQLite file in the scratch folder, or a throwaway PostgreSQL server started as the test suite
starts one (tests/support/postgres.py). Import and sweep run through the real commands
(``safeshare register import``, ``safeshare screen``); latency times ``match_subject`` (the
matching a clearance does) and ``do_request_clearance`` (the whole clearance, with its writes
and ledger entry) one subject at a time. Results go to bench/results/matching_db_<db>_<size>.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

COLUMNS = [
    "id",
    "given_names",
    "family_name",
    "aliases",
    "dob",
    "sex",
    "nationality",
    "passport_no",
    "ho_ref",
    "address",
    "postcode",
]


def convert(source: Path, target: Path, *, subjects: bool) -> list[int | None]:
    """bench/matching.py's CSV to the import's columns; returns the subjects' labels."""
    labels: list[int | None] = []
    with (
        source.open(newline="", encoding="utf-8") as inp,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number, row in enumerate(csv.DictReader(inp)):
            identifier = f"Q{number}" if subjects else f"R{row['id']}"
            if subjects:
                labels.append(int(row["member_of"]) if row["member_of"] else None)
            writer.writerow(
                [
                    identifier,
                    row["given_names"],
                    row["family_name"],
                    ";".join(a for a in row["aliases"].split("|") if a),
                    row["date_of_birth"],
                    row["sex"],
                    row["nationality"],
                    row["passport_number"],
                    row["home_office_reference"],
                    row["address"],
                    row["postcode"],
                ]
            )
    return labels


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mib() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mib": round(own), "peak_child_rss_mib": round(children)}


def percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "n": len(timings),
        "p50_ms": round(timings[len(timings) // 2] * 1e3, 2),
        "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1e3, 2),
        "mean_ms": round(statistics.fmean(timings) * 1e3, 2),
        "max_ms": round(timings[-1] * 1e3, 2),
    }


class Timer:
    def __enter__(self) -> Timer:
        self.wall = time.perf_counter()
        self.cpu = cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = round(time.perf_counter() - self.wall, 1)
        self.cpu = round(cpu_seconds() - self.cpu, 1)


def server_cpu(connection) -> float | None:
    """CPU seconds used so far by every PostgreSQL process of the server (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[1])
        total = 0.0
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                fields = (proc / "stat").read_text().split(")")[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent or proc.name == str(parent):
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return round(total, 1)
    except (OSError, ValueError):
        return None


def setup_django(db: str, scratch: Path):
    os.environ["SAFESHARE_VAR_DIR"] = str(scratch / "var")
    os.environ.setdefault("SAFESHARE_SECURE_COOKIES", "0")
    os.environ.setdefault("SAFESHARE_HTTPS", "0")
    server = None
    if db == "postgres":
        from tests.support.postgres import PostgresServer

        server = PostgresServer.start()
        os.environ["DATABASE_URL"] = server.url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "safeshare.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from safeshare.accounts.actions import do_create_organisation
    from safeshare.kernel.roles import OrganisationKind

    do_create_organisation(
        code="WMP",
        name="West Midlands Police",
        kind=OrganisationKind.POLICE_FORCE,
        contact_point="WMP protocol desk",
    )
    do_create_organisation(code="IE-NCCU", name="IE NCCU", kind=OrganisationKind.IE_UNIT)
    return server


def run(args) -> dict[str, object]:
    from matching import EVALUATION_SEED, dataset

    name = f"eval_{args.size}_{args.members}_{args.non_members}"
    register_src, subjects_src = dataset(
        name, args.size, args.members, args.non_members, EVALUATION_SEED + args.size
    )
    scratch = Path(tempfile.mkdtemp(prefix="safeshare-bench-", dir=args.scratch))
    register_csv, subjects_csv = scratch / "register.csv", scratch / "caseload.csv"
    convert(register_src, register_csv, subjects=False)
    labels = convert(subjects_src, subjects_csv, subjects=True)
    server = setup_django(args.db, scratch)
    report: dict[str, object] = {
        "db": args.db,
        "register": args.size,
        "subjects": len(labels),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    try:
        from django.core.management import call_command
        from django.db import connection

        server_before = server_cpu(connection)
        with Timer() as timer:
            call_command(
                "register", "import", str(register_csv), "--org", "WMP", "--quiet",
                "--skip-invalid", "--workers", str(args.workers), stdout=io.StringIO(),
            )  # fmt: skip
        report["import_s"] = timer.wall
        report["import_cpu_s"] = timer.cpu
        from safeshare.register.models import RegisterImport

        report["import_rows_rejected"] = RegisterImport.objects.get().rejected
        if server_before is not None:
            report["import_server_cpu_s"] = round(server_cpu(connection) - server_before, 1)
        report.update(peak_rss_mib())
        report.update(sizes(connection))
        report["index"] = args.index
        if args.index == "server":
            matching_server = start_matching_server(scratch)
            report.update(matching_server.pop("report"))
        else:
            from django.conf import settings

            settings.SAFESHARE_MATCHING_INDEX = args.index  # settings are read once, at setup
        served = matching_server["process"].pid if args.index == "server" else None
        if not args.skip_latency:
            before = _process_cpu(served)
            report.update(latency(subjects_csv, args.latency))
            if served is not None:
                report["latency_matching_server_cpu_s"] = round(_process_cpu(served) - before, 1)
        if not args.skip_sweep:
            before = _process_cpu(served)
            report.update(sweep(subjects_csv, labels, scratch, args.sweep_workers))
            if served is not None:
                report["sweep_matching_server_cpu_s"] = round(_process_cpu(served) - before, 1)
        report.update(peak_rss_mib())
        if args.index == "server":
            report["matching_server_peak_rss_mib"] = _peak_rss(matching_server["process"].pid)
        report["load_average_at_end"] = os.getloadavg()
    finally:
        from django.db import connections

        connections.close_all()
        if args.index == "server" and "matching_server" in locals():
            matching_server["process"].terminate()
            matching_server["process"].wait(timeout=30)
        if server is not None:
            server.stop()
    return report


def _process_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a process (0 when there is none)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def start_matching_server(scratch: Path) -> dict[str, object]:
    """``safeshare register serve`` in its own process, as in production; clients in this
    process (and the screen's forked workers) then match through it."""
    import subprocess

    path = scratch / "matching.sock"
    env = {**os.environ, "SAFESHARE_MATCHING_SOCKET": str(path)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "safeshare", "register", "serve", "--socket", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not path.exists():
        raise RuntimeError(f"the matching server did not start: {line!r}")
    from django.conf import settings

    settings.SAFESHARE_MATCHING_SOCKET = str(path)  # settings are read once, at setup
    settings.SAFESHARE_MATCHING_INDEX = "server"
    return {
        "process": process,
        "report": {
            "matching_server_load_s": round(time.perf_counter() - started, 1),
            "matching_server_rss_after_load_mib": _peak_rss(process.pid),
        },
    }


def sizes(connection) -> dict[str, object]:
    from safeshare.register.models import RegisterEntry, RegisterKey

    out: dict[str, object] = {
        "entries": RegisterEntry.objects.count(),
        "keys": RegisterKey.objects.count() - 1,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('matching_registerkey') / 1048576, "
                "pg_total_relation_size('matching_registerentry') / 1048576, "
                "pg_database_size(current_database()) / 1048576"
            )
            keys_mib, entries_mib, db_mib = cursor.fetchone()
        out.update(keys_mib=keys_mib, entries_mib=entries_mib, database_mib=db_mib)
    return out


def _subjects(path: Path, n: int) -> list[dict[str, object]]:
    from safeshare.register.csvfiles import IdentityCsv, IdentityRow

    fields = []
    with path.open("rb") as handle:
        for item in IdentityCsv(handle):
            if isinstance(item, IdentityRow):
                fields.append(
                    {
                        "given_names": item.given_names,
                        "family_name": item.family_name,
                        "aliases": list(item.aliases),
                        "date_of_birth": item.dob or None,
                        "sex": item.sex or None,
                        "nationality": item.nationality or None,
                        "passport_number": item.passport_no or None,
                        "home_office_reference": item.ho_ref or None,
                    }
                )
            if len(fields) >= n:
                break
    return fields


def latency(subjects_csv: Path, n: int) -> dict[str, object]:
    """One subject at a time, as clearances come: the matching, then whole clearances."""
    from safeshare.accounts.actors import Actor
    from safeshare.accounts.models import Organisation
    from safeshare.kernel.roles import Role
    from safeshare.protocol.actions import do_request_clearance
    from safeshare.register import storage
    from safeshare.register.service import match_subject

    subjects = _subjects(subjects_csv, n)
    storage.CACHE.clear()
    out: dict[str, object] = {}
    for label in ("match_cold", "match_warm"):
        timings = []
        cpu = cpu_seconds()
        for number, fields in enumerate(subjects):
            started = time.perf_counter()
            match_subject(f"bench-{number}", fields)
            timings.append(time.perf_counter() - started)
        out[label] = percentiles(timings)
        out[f"{label}_client_cpu_ms_mean"] = round((cpu_seconds() - cpu) / len(subjects) * 1e3, 2)
    actor = Actor(organisation=Organisation.objects.get(code="IE-NCCU"), role=Role.IE_CASEWORKER)
    timings = []
    for fields in subjects[: max(n // 4, 1)]:
        started = time.perf_counter()
        do_request_clearance(
            actor,
            action_code="immigration_arrest_or_detention",
            subject={k: v for k, v in fields.items() if v not in (None, [], "")},
            information_sources=["immigration_records"],
        )
        timings.append(time.perf_counter() - started)
    out["clearance"] = percentiles(timings)
    out["cache_entries"] = len(storage.CACHE)
    return out


def sweep(subjects_csv: Path, labels, scratch: Path, workers: list[int]) -> dict[str, object]:
    from django.core.management import call_command

    out: dict[str, object] = {}
    for count in workers:
        target = scratch / f"results-{count}.csv"
        with Timer() as timer:
            call_command(
                "screen", str(subjects_csv), "--out", str(target), "--quiet",
                "--skip-invalid", "--workers", str(count), stdout=io.StringIO(),
            )  # fmt: skip
        out[f"sweep_{count}w_s"] = timer.wall
        out[f"sweep_{count}w_cpu_s"] = timer.cpu
    with target.open(newline="", encoding="utf-8") as handle:
        decided = {row["query_id"]: row["decision"] for row in csv.DictReader(handle)}
    pairs = [(decided[f"Q{n}"], label) for n, label in enumerate(labels) if f"Q{n}" in decided]
    out["sweep_rows_rejected"] = len(labels) - len(pairs)
    members = [d for d, label in pairs if label is not None]
    others = [d for d, label in pairs if label is None]
    out["sweep_recall"] = round(sum(d != "clear" for d in members) / max(len(members), 1), 4)
    out["sweep_review_rate"] = round(sum(d != "clear" for d in others) / max(len(others), 1), 4)
    return out


def markdown(report: dict[str, object]) -> str:
    lines = [f"### {report['db']}: register {report['register']:,}", "", "| measure | value |"]
    lines.append("| --- | --- |")
    for key, value in report.items():
        if key in ("db", "register"):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        lines.append(f"| {key} | {value} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--non-members", type=int, default=15_000)
    parser.add_argument("--workers", type=int, default=1, help="import preparation workers")
    parser.add_argument("--sweep-workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--latency", type=int, default=2000, help="subjects timed one by one")
    parser.add_argument(
        "--index",
        choices=("database", "process", "server"),
        default="server",
        help="where matches find the register (SAFESHARE_MATCHING_INDEX)",
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--scratch", help="folder for the converted files and SQLite database")
    args = parser.parse_args(argv)
    if args.size <= 20_000 and args.members == 5_000:
        args.members, args.non_members = 3_000, 7_000  # bench/matching.py's small set
    if args.db == "both":
        import subprocess

        for db in ("sqlite", "postgres"):
            forwarded = [a for a in (argv or sys.argv[1:]) if a not in ("both",)]
            if "--db" in forwarded:
                position = forwarded.index("--db")
                del forwarded[position : position + 2]
            subprocess.run([sys.executable, __file__, "--db", db, *forwarded], check=True)
        return 0
    report = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"matching_db_{args.db}_{args.size}_{args.index}.json"
    target.write_text(json.dumps(report, indent=1) + "\n")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
