"""Faults with real processes: gunicorn killed with SIGKILL in the middle of a burst of writes,
PostgreSQL restarted under load, and a backup restored.

- Every acknowledged write is there afterwards, none is there twice (clients retry with the same
  Idempotency-Key), and ``safeshare ledger verify`` passes.
- While the database is away, clients get 503 with ``Retry-After`` and the standard error body
  (never a 500, never a dropped connection), and the service recovers by itself.
- A restored backup holds exactly what was there, and its ledger verifies, in SafeShare and
  with the standalone verifier.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.reliability.conftest import FaultEnv, Writer

# These tests start their own database (not the test database), but they do touch one: the
# marker keeps them in the PostgreSQL pass of ``make test``.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BURST = 80
THREADS = 8


def _check_audit(fault_env: FaultEnv, writer: Writer, expected: int | None = None) -> dict:
    """The ledger verifies; acknowledged writes are all stored, and none twice."""
    stored = fault_env.audit()
    assert stored["repeated"] == 0, "a write was stored twice"
    assert set(writer.acknowledged.values()) <= set(stored["ids"]), "an acknowledged write is lost"
    if expected is not None:
        ours = [name for name in stored["names"] if name.startswith(writer.run)]
        assert len(ours) == expected, "a write is missing or doubled"
    return stored


def test_kill_9_mid_burst_loses_nothing_and_doubles_nothing(
    fault_env, app_server, record_property
):
    writer = Writer(app_server, fault_env.tokens["ie"], run="Kill")
    pool = writer.run_numbers(range(BURST), threads=THREADS, timeout=120)
    try:
        writer.wait_for(BURST // 4, timeout=60)
        app_server.kill9()
        killed = time.monotonic()
        acknowledged_before_kill = dict(writer.acknowledged)
        app_server.start()
        restarted = time.monotonic()
        writer.finish()
    finally:
        writer.stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
    assert len(writer.acknowledged) == BURST
    assert [a for a in writer.attempts if a.status is None], "the kill should cut requests off"
    stored = _check_audit(fault_env, writer, BURST)
    assert set(acknowledged_before_kill.values()) <= set(stored["ids"])
    # Figures for bench/faults.py (bench/README.md, "Faults").
    record_property("writes", BURST)
    record_property("acknowledged_before_kill", len(acknowledged_before_kill))
    record_property("requests_cut_off", sum(a.status is None for a in writer.attempts))
    record_property("attempts", len(writer.attempts))
    record_property("stored", len([n for n in stored["names"] if n.startswith(writer.run)]))
    record_property("stored_twice", stored["repeated"])
    record_property("restart_s", round(restarted - killed, 2))


@pytest.mark.postgres_only  # SQLite has no server to restart
def test_postgres_restart_under_load_gives_503_then_recovers(
    fault_env, app_server, record_property
):
    assert fault_env.postgres is not None
    writer = Writer(app_server, fault_env.tokens["ie"], run="Restart")
    pool = writer.run_numbers(range(400), threads=4, timeout=90)
    try:
        writer.wait_for(10, timeout=60)
        fault_env.postgres.halt("fast")
        halted = time.monotonic()
        time.sleep(1.5)
        during = requests.get(app_server.url("/readyz"), timeout=5)
        fault_env.postgres.resume()
        resumed = time.monotonic()
        writer.wait_for(len(writer.acknowledged) + 10, timeout=60)
        recovered = min(a.at for a in writer.attempts if a.status == 201 and a.at > resumed)
    finally:
        writer.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
    for future in writer.futures:
        if future.done() and not future.cancelled():
            future.result()  # re-raise anything unexpected a client saw
    assert {a.status for a in writer.attempts} <= {201, 503}, "only answers, and only these"
    outage = [a for a in writer.attempts if a.status == 503]
    assert outage, "the restart should have been visible as 503s"
    assert all(a.code == "service_unavailable" for a in outage)
    assert all(a.retry_after == "1" for a in outage)
    assert during.status_code == 503
    assert during.headers["Retry-After"] == "1"
    assert requests.get(app_server.url("/readyz"), timeout=5).status_code == 200
    assert recovered - resumed < 10, "the service should recover by itself within seconds"
    stored = _check_audit(fault_env, writer)
    # Figures for bench/faults.py (bench/README.md, "Faults").
    record_property("attempts", len(writer.attempts))
    record_property("acknowledged", len(writer.acknowledged))
    record_property("answered_503", len(outage))
    record_property("other_answers", sum(a.status not in (201, 503) for a in writer.attempts))
    record_property("database_down_s", round(resumed - halted, 2))
    record_property("first_write_after_restart_s", round(recovered - resumed, 2))
    record_property("stored_twice", stored["repeated"])


def test_backup_and_restore_keep_every_write_and_a_verifiable_ledger(fault_env, tmp_path):
    """The procedure in docs/operations.md ("Backups" and "Restore"), end to end: back up the
    database (pg_dump, or SQLite's online backup), export the ledger, restore into an empty
    database with the same keys, and check that nothing changed and the ledger verifies."""
    exported = tmp_path / "export-before"
    before = fault_env.audit(export_to=exported)

    restored_env = dict(fault_env.env)
    restored_var = tmp_path / "restored-var"
    restored_var.mkdir()
    restored_env["SAFESHARE_VAR_DIR"] = str(restored_var)
    # Secrets are backed up apart from the data; here, the generated ledger signing key.
    source_var = Path(fault_env.env["SAFESHARE_VAR_DIR"])
    for secret in source_var.glob("ledger_*key*"):
        shutil.copy2(secret, restored_var / secret.name)
    if fault_env.postgres is not None:
        dump, tools = tmp_path / "safeshare.dump", fault_env.postgres.bin_dir
        source_url = fault_env.env["DATABASE_URL"]
        subprocess.run(
            [str(tools / "pg_dump"), "--format=custom", f"--file={dump}", source_url],
            check=True,
            timeout=120,
        )
        restored_env["DATABASE_URL"] = fault_env.postgres.create_database("restored")
        target = restored_env["DATABASE_URL"]
        subprocess.run(
            [str(tools / "pg_restore"), "--no-owner", "--dbname", target, str(dump)],
            check=True,
            timeout=120,
        )
    else:
        with (
            sqlite3.connect(source_var / "safeshare.sqlite3") as live,
            sqlite3.connect(restored_var / "safeshare.sqlite3") as copy,
        ):
            live.backup(copy)
    restored = FaultEnv(env=restored_env, tokens=fault_env.tokens, postgres=None)
    exported_again = tmp_path / "export-after"
    after = restored.audit(export_to=exported_again)
    assert after == before
    entries = (exported_again / "entries.jsonl").read_bytes()
    assert entries == (exported / "entries.jsonl").read_bytes()
    assert entries, "the ledger should not be empty"
    # Anyone can check the export without SafeShare's database (the key from the first export).
    key = str(exported / "public-keys.txt")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "safeshare.ledger.verify",
            str(exported_again),
            "--public-key",
            key,
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
