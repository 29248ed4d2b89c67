"""``safeshare ledger export`` then the standalone verifier, in another process, with the key."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeshare.ledger import service
from safeshare.ledger.export import ENTRIES_FILE, LEAF_HASHES_FILE
from tests.ledger_db.support import append, officer, someone

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    actor = officer()
    for count in (9, 12, 5):
        append(actor, count, [someone(), someone()])
        call_command("ledger", "checkpoint", stdout=io.StringIO())
    append(actor, 3)  # queued: the export command sequences them (not yet signed)
    directory = tmp_path / "export"
    out = io.StringIO()
    call_command("ledger", "export", str(directory), stdout=out)
    assert "Exported 29 entries and 3 checkpoints" in out.getvalue()
    return directory


def standalone(directory: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the verifier as an outsider would: its own interpreter, no Django settings."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "safeshare.ledger.verify", str(directory), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_export_verifies_with_only_the_public_key(exported: Path):
    key = service.verifier_keys()[0]
    result = standalone(exported, "--public-key", key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result:       OK" in result.stdout
    assert "Not yet covered by a checkpoint: entries 26 onwards" in result.stdout
    assert (exported / ENTRIES_FILE).read_bytes().count(b"\n") == 29


def test_a_tampered_export_fails_naming_the_entry(exported: Path):
    path = exported / ENTRIES_FILE
    lines = path.read_bytes().split(b"\n")
    lines[14] = lines[14].replace(b"case_page", b"case_pagf")
    path.write_bytes(b"\n".join(lines))
    result = standalone(exported, "--public-key", service.verifier_keys()[0], "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["first_problem"]["index"] == 14
    assert report["first_problem"]["code"] == "entry-changed"


def test_an_export_checked_with_another_key_fails(exported: Path, tmp_path: Path):
    from safeshare.ledger.checkpoint import generate_signing_key, verifier_key_string

    stranger = verifier_key_string(
        "test.safeshare.example/ledger", generate_signing_key().public_key()
    )
    result = standalone(exported, "--public-key", stranger)
    assert result.returncode == 1
    assert "no signature from a trusted key" in result.stdout


def test_the_recorded_leaf_hashes_are_the_stored_ones(exported: Path):
    from safeshare.ledger.models import LedgerEntry

    stored = [
        bytes(h).hex()
        for h in LedgerEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    assert (exported / LEAF_HASHES_FILE).read_text().split() == stored


def test_export_refuses_a_directory_that_is_not_empty(tmp_path: Path):
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("ledger", "export", str(tmp_path), stdout=io.StringIO())
