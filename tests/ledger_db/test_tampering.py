"""Tampering with the stored ledger directly in the database: ``verify`` fails and names the entry.

The log has 60 entries and checkpoints at 10, 25, 40 and 60, as the worker signs them in
batches. Each test changes the tables with plain SQL, as someone with database access could.
The rows are read in pages of 7 (on PostgreSQL, pipelined), so that every finding crosses pages.
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeshare.ledger import service, storage
from safeshare.ledger.models import LedgerCheckpoint
from tests.ledger_db.support import (
    TABLE,
    append,
    body_of,
    execute,
    officer,
    renumber,
    set_body,
    someone,
)

pytestmark = pytest.mark.django_db

SIZES = (10, 25, 40, 60)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "STREAM_PAGE", 7)


@pytest.fixture
def log() -> None:
    actor = officer()
    people = [someone() for _ in range(4)]
    done = 0
    for size in SIZES:
        append(actor, size - done, people)
        service.sequence_pending()
        service.make_checkpoint()
        done = size


def first_problem() -> tuple[int | None, str]:
    report = service.verify_database()
    assert not report.ok
    problem = report.first_problem
    assert problem is not None
    return problem.index, problem.code


def command_output() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="did not verify"):
        call_command("ledger", "verify", stdout=out)
    return out.getvalue()


def test_an_untouched_ledger_verifies(log):
    report = service.verify_database()
    assert report.ok, report.summary()
    assert report.entries == report.size == report.verified_size == 60
    assert [c.status for c in report.checkpoints] == ["verified"] * 4
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out)
    assert "Result:       OK" in out.getvalue()
    assert service.verify_database(check_content=True).ok


def test_a_changed_byte_is_named(log):
    body = body_of(17)
    position = body.index(b'"subjects":["') + 20  # inside a token: still valid JSON
    changed = body[:position] + (b"0" if body[position : position + 1] != b"0" else b"1")
    set_body(17, changed + body[position + 1 :])
    assert first_problem() == (17, "entry-changed")
    assert "First problem: entry 17:" in command_output()


def test_a_byte_that_breaks_the_entry_is_named(log):
    set_body(33, body_of(33).replace(b'"kind":"', b'"kind" :"'))
    assert first_problem()[0] == 33


def test_a_changed_entry_with_its_hash_rewritten_is_still_found(log):
    body = body_of(12).replace(b'"purpose":"case_page"', b'"purpose":"case_pagf"')
    from safeshare.ledger.merkle import leaf_hash

    execute(
        f'UPDATE {TABLE} SET body = %s, leaf_hash = %s WHERE "index" = 12',  # noqa: S608
        [body, leaf_hash(body)],
    )
    report = service.verify_database()
    assert not report.ok
    assert report.first_problem.index is not None
    assert 10 <= report.first_problem.index <= 12  # within the stretch the checkpoints bound


def test_a_deleted_row_is_named(log):
    execute(
        f'DELETE FROM "ledger_ledgersubject" WHERE entry_id IN '  # noqa: S608
        f'(SELECT id FROM {TABLE} WHERE "index" = 22)'
    )
    execute(f'DELETE FROM {TABLE} WHERE "index" = 22')  # noqa: S608
    assert first_problem() == (22, "index-out-of-order")
    assert "First problem: entry 22:" in command_output()


def test_a_deleted_row_with_the_rest_renumbered_is_named(log):
    execute(
        f'DELETE FROM "ledger_ledgersubject" WHERE entry_id IN '  # noqa: S608
        f'(SELECT id FROM {TABLE} WHERE "index" = 22)'
    )
    execute(f'DELETE FROM {TABLE} WHERE "index" = 22')  # noqa: S608
    renumber(23, -1)
    assert first_problem() == (22, "index-out-of-order")


def test_the_last_rows_deleted_are_named(log):
    execute(
        f'DELETE FROM "ledger_ledgersubject" WHERE entry_id IN '  # noqa: S608
        f'(SELECT id FROM {TABLE} WHERE "index" >= 55)'
    )
    execute(f'DELETE FROM {TABLE} WHERE "index" >= 55')  # noqa: S608
    assert first_problem() == (55, "entries-missing")


def test_a_row_moved_below_zero_is_read_and_named(log):
    execute(f'UPDATE {TABLE} SET "index" = -5 WHERE "index" = 12')  # noqa: S608
    assert first_problem() == (0, "index-out-of-order")


def test_two_rows_swapped_are_named(log):
    execute(f'UPDATE {TABLE} SET "index" = -1 WHERE "index" = 31')  # noqa: S608
    execute(f'UPDATE {TABLE} SET "index" = 31 WHERE "index" = 44')  # noqa: S608
    execute(f'UPDATE {TABLE} SET "index" = 44 WHERE "index" = -1')  # noqa: S608
    assert first_problem() == (31, "index-out-of-order")
    assert "First problem: entry 31:" in command_output()


def test_an_inserted_row_is_named(log):
    forged = body_of(27).replace(b'"index":27', b'"index":28').replace(b"case_page", b"nothing")
    from safeshare.ledger.merkle import leaf_hash

    renumber(28, 1)
    execute(
        f'INSERT INTO {TABLE} ("index", kind, draft, body, leaf_hash, created_at) '  # noqa: S608
        "VALUES (28, 'personal_data_read', %s, %s, %s, %s)",
        ["{}", forged, leaf_hash(forged), "2026-01-01 00:00:00"],
    )
    assert first_problem() == (28, "entry-inserted")
    assert "First problem: entry 28:" in command_output()


def test_a_copy_of_a_row_inserted_is_named(log):
    copied = body_of(5)
    from safeshare.ledger.merkle import leaf_hash

    renumber(6, 1)
    execute(
        f'INSERT INTO {TABLE} ("index", kind, draft, body, leaf_hash, created_at) '  # noqa: S608
        "VALUES (6, 'personal_data_read', %s, %s, %s, %s)",
        ["{}", copied, leaf_hash(copied), "2026-01-01 00:00:00"],
    )
    index, _code = first_problem()
    assert index in (5, 6)  # two identical rows: either is the copy


def test_an_altered_checkpoint_signature_fails(log):
    checkpoint = LedgerCheckpoint.objects.get(size=25)
    body, _, signature_line = checkpoint.note.rstrip("\n").rpartition("\n")
    prefix, encoded = signature_line.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    forged = f"{body}\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    execute('UPDATE "ledger_ledgercheckpoint" SET note = %s WHERE size = 25', [forged])
    report = service.verify_database()
    assert not report.ok
    assert report.first_problem.code == "checkpoint-invalid"
    assert report.first_problem.checkpoint == "checkpoint 25"
    assert "does not verify" in report.first_problem.message
    assert "First problem: checkpoint 25:" in command_output()


def test_a_checkpoint_signed_by_another_key_fails(log):
    from safeshare.ledger.checkpoint import generate_signing_key, sign_checkpoint
    from safeshare.ledger.merkle import root_from_leaf_hashes

    forged = sign_checkpoint(
        "test.safeshare.example/ledger",
        3,
        root_from_leaf_hashes([bytes(32)] * 3),
        generate_signing_key(),
    )
    LedgerCheckpoint.objects.create(size=3, root=bytes(32), note=forged, key_name="impostor")
    report = service.verify_database()
    assert report.first_problem.code == "checkpoint-invalid"
    assert "no signature from a trusted key" in report.first_problem.message


def test_the_json_report_names_the_entry(log):
    set_body(40, body_of(40).replace(b"case_page", b"case_pagf"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ledger", "verify", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    assert report["first_problem"]["index"] == 40
