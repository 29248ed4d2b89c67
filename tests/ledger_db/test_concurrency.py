"""Many writers at once give a gap-free, verifiable log, on PostgreSQL and on a SQLite file.

Writers append through a real action, each on its own connection, while a sequencer numbers
and signs; some actions fail after appending, and their entries must vanish with them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ledger_db.hammer import SCRIPT, hammer, summary

ROOT = Path(__file__).resolve().parents[2]
WRITERS, APPENDS, FAIL_EVERY = 8, 40, 5


def check(result: dict, writers: int, appends: int) -> None:
    assert result["errors"] == []
    committed = writers * (appends - appends // FAIL_EVERY)
    assert len(result["committed"]) == committed
    assert result["rolled_back"] == writers * (appends // FAIL_EVERY)
    assert result["indices"] == list(range(committed))  # gap-free, every entry sequenced
    assert sorted(result["entry_ids"]) == sorted(result["committed"])  # one entry per action
    assert result["verified"], result["report"]
    assert result["verified_size"] == committed
    assert result["checkpoints"] >= 1


@pytest.mark.postgres_only  # SQLite's in-memory test database refuses concurrent writers
@pytest.mark.django_db(transaction=True)  # test_concurrent_writers_on_a_sqlite_file covers it
def test_concurrent_writers_on_postgresql():
    result = summary(hammer(WRITERS, APPENDS, fail_every=FAIL_EVERY))
    check(result, WRITERS, APPENDS)


# --- SQLite, as `make run` uses it: a file, in processes of their own ------------------------


def _env(var_dir: Path) -> dict[str, str]:
    # The processes share the database and its signing key in var/, not this test's key.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and not k.startswith("SAFESHARE_LEDGER_")
    }
    env.update(
        SAFESHARE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="safeshare.settings",
        SAFESHARE_LEDGER_ORIGIN="test.safeshare.example/ledger",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(var_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(var_dir),
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def sqlite_dir(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("ledger-sqlite")
    result = _run(var_dir, "-m", "safeshare", "migrate", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    return var_dir


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_concurrent_writers_on_a_sqlite_file(sqlite_dir: Path):
    result = _run(sqlite_dir, "-c", SCRIPT, "--writers", "4", "--appends", "25")
    assert result.returncode == 0, result.stderr
    check(json.loads(result.stdout.strip().splitlines()[-1]), 4, 25)


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_the_worker_sequences_signs_and_stops_on_sigterm(sqlite_dir: Path):
    database = sqlite_dir / "safeshare.sqlite3"
    appended = _run(
        sqlite_dir, "-c", SCRIPT, "--writers", "2", "--appends", "10", "--no-sequencer"
    )
    assert appended.returncode == 0, appended.stderr
    with sqlite3.connect(database) as db:
        total = db.execute("SELECT COUNT(*) FROM ledger_ledgerentry").fetchone()[0]
        [(queued,)] = db.execute('SELECT COUNT(*) FROM ledger_ledgerentry WHERE "index" IS NULL')
        assert queued > 0
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safeshare",
            "worker",
            "--only",
            "ledger-sequence",
            "ledger-checkpoint",
        ],
        cwd=ROOT,
        env={**_env(sqlite_dir), "SAFESHARE_LEDGER_CHECKPOINT_SECONDS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        signed = 0
        # The worker may add an entry of its own as it starts (``policy_activated``, when the
        # policy in force is not the last one recorded): every entry must end up signed.
        now = total
        while time.monotonic() < deadline and signed < now:
            time.sleep(0.5)
            with sqlite3.connect(database) as db:
                signed = db.execute(
                    "SELECT COALESCE(MAX(size), 0) FROM ledger_ledgercheckpoint"
                ).fetchone()[0]
                now = db.execute("SELECT COUNT(*) FROM ledger_ledgerentry").fetchone()[0]
        assert signed == now >= total
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert re.search(r"Worker \S+ stopped", output), output


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_the_verify_command_passes_then_fails_on_a_tampered_copy(sqlite_dir: Path, tmp_path):
    result = _run(sqlite_dir, "-c", SCRIPT, "--writers", "1", "--appends", "12")
    assert result.returncode == 0, result.stderr
    good = _run(sqlite_dir, "-m", "safeshare", "ledger", "verify")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Result:       OK" in good.stdout

    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("safeshare.sqlite3", "secret_key", "ledger_hmac_key", "ledger_signing_key"):
        source = sqlite_dir / name
        if source.exists():
            (copy / name).write_bytes(source.read_bytes())
    with (
        sqlite3.connect(sqlite_dir / "safeshare.sqlite3") as source,
        sqlite3.connect(copy / "safeshare.sqlite3") as target,
    ):
        source.backup(target)
        [(body,)] = target.execute('SELECT body FROM ledger_ledgerentry WHERE "index" = 7')
        target.execute(
            'UPDATE ledger_ledgerentry SET body = ? WHERE "index" = 7',
            (body.replace(b"case_page", b"case_pagf"),),
        )
    bad = _run(copy, "-m", "safeshare", "ledger", "verify")
    assert bad.returncode == 1
    assert "First problem: entry 7:" in bad.stdout
    assert "did not verify" in bad.stderr
