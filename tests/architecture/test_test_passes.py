"""``make test`` (``scripts/test-passes``): both passes run, each log is shown whole, and the
command fails when either pass fails. A stand-in ``uv`` plays pytest, so this takes a second."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test-passes"
FAKE_UV = """#!/bin/sh
# uv run pytest --db=PASS -o cache_dir=… ARGS: print a line, then exit as the test asks.
pass="${3#--db=}"
echo "log of the $pass pass, TMPDIR=$TMPDIR, var=$SAFESHARE_VAR_DIR, args: $6," \
  "addopts: $PYTEST_ADDOPTS"
if [ "$pass" = sqlite ]; then exit "$SQLITE_EXIT"; else exit "$POSTGRES_EXIT"; fi
"""


def run(tmp_path: Path, sqlite: int, postgres: int) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True, exist_ok=True)
    uv = home / ".local" / "bin" / "uv"
    uv.write_text(FAKE_UV)
    uv.chmod(0o755)
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(tmp_path),
        "SAFESHARE_TEST_OUTPUT": str(tmp_path / "output"),
        "SAFESHARE_VAR_DIR": str(tmp_path / "var"),
        "SQLITE_EXIT": str(sqlite),
        "POSTGRES_EXIT": str(postgres),
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "tests/somewhere"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_both_passes_run_apart_and_both_logs_are_shown(tmp_path):
    result = run(tmp_path, 0, 0)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "sqlite: passed" in out
    assert "postgres: passed" in out
    for name in ("sqlite", "postgres"):
        assert f"log of the {name} pass" in out
        assert f"-{name}," in out  # its own TMPDIR
        assert f"var=/{tmp_path.relative_to('/')}/var/test-{name}," in out
        assert (tmp_path / "output" / f"{name}.log").exists()
    assert "args: tests/somewhere, addopts: -n auto --dist worksteal --durations=20" in out


@pytest.mark.parametrize(("sqlite", "postgres"), [(1, 0), (0, 1), (2, 2)])
def test_the_command_fails_when_either_pass_fails_and_shows_the_failure_last(
    tmp_path, sqlite, postgres
):
    result = run(tmp_path, sqlite, postgres)
    assert result.returncode == 1
    failed = "postgres" if postgres else "sqlite"
    assert f"{failed}: FAILED (exit {postgres or sqlite})" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith(f"log of the {failed} pass")


def test_a_pass_with_no_test_is_not_a_failure_unless_neither_ran_one(tmp_path):
    assert run(tmp_path, 0, 5).returncode == 0
    assert run(tmp_path, 5, 5).returncode == 1
