"""A rewrite that keeps every row consistent (entry and recorded leaf hash changed together) is
located by binary search over the subtree hashes the first failing checkpoint authenticates.

The log has 300 entries and checkpoints at 5 and 300, so the checkpoints alone bound a rewrite
only to entries 5 to 299. The published tiles (a monitor's copy) name the first rewritten
entry exactly; the stored subtree hashes alone narrow it to its stretch of 16 entries; hashes
the operator rewrote too never mislead the search.
"""

from __future__ import annotations

import io
from hashlib import sha256
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeshare.ledger import publication, service
from safeshare.ledger.models import LedgerSubtree
from tests.ledger_db.support import TABLE, append, body_of, execute, officer, someone

pytestmark = pytest.mark.django_db

SIZE = 300


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The log, signed at 5 and at 300 entries, and a monitor's copy of its published files."""
    actor, people = officer(), [someone() for _ in range(3)]
    append(actor, 5, people)
    service.sequence_pending()
    service.make_checkpoint()
    append(actor, SIZE - 5, people)
    service.sequence_pending()
    service.make_checkpoint()
    directory = tmp_path / "site"
    publication.publish_to(directory)
    return directory


def rewrite(index: int) -> None:
    """Change one entry and its recorded leaf hash together, as an operator could."""
    body = body_of(index)
    position = body.index(b'"subjects":["') + 20
    changed = body[:position] + (b"0" if body[position : position + 1] != b"0" else b"1")
    changed += body[position + 1 :]
    execute(
        f'UPDATE {TABLE} SET body = %s, leaf_hash = %s WHERE "index" = %s',  # noqa: S608
        [changed, sha256(b"\x00" + changed).digest(), index],
    )


def first_changed(**options: object) -> tuple[int | None, str]:
    report = service.verify_database(**options)  # type: ignore[arg-type]
    assert not report.ok
    problem = report.first_problem
    assert problem is not None
    assert problem.code == "entry-changed", report.summary()
    return problem.index, problem.message


@pytest.mark.parametrize("index", [5, 17, 130, 255, 299])
def test_the_published_tiles_name_the_first_rewritten_entry(site: Path, index: int) -> None:
    for position in range(index, min(SIZE, index + 3)):  # a rewrite from ``index`` on
        rewrite(position)
    assert first_changed(tiles=site) == (
        index,
        "not the entry that checkpoint 300 commits to: binary search over the checkpoints "
        "and the subtree hashes they authenticate leads to this entry",
    )


@pytest.mark.parametrize("index", [17, 130, 200])
def test_the_stored_subtree_hashes_narrow_it_to_sixteen_entries(site: Path, index: int) -> None:
    rewrite(index)
    named, message = first_changed()
    start = index - index % 16
    assert named == start
    assert message.startswith(f"entries {start} to {min(SIZE, start + 16) - 1} do not give")


def test_a_rewritten_subtree_cache_does_not_mislead_the_search(site: Path) -> None:
    rewrite(130)
    execute('UPDATE "ledger_ledgersubtree" SET hash = %s', [bytes(32)])
    named, message = first_changed()
    assert named == 5  # only the checkpoints bound it, and the report says so
    assert message.startswith("entries 5 to 299 do not give")
    assert first_changed(tiles=site)[0] == 130


def test_a_deleted_subtree_cache_with_intact_leaf_hashes_names_the_entry(site: Path) -> None:
    # The entry alone was changed: the recorded leaf hashes, authenticated, name it.
    body = body_of(222).replace(b'"purpose":"case_page"', b'"purpose":"case_pagf"')
    execute(f'UPDATE {TABLE} SET body = %s WHERE "index" = 222', [body])  # noqa: S608
    LedgerSubtree.objects.all().delete()
    assert first_changed()[0] == 222


def test_the_command_takes_the_tiles(site: Path) -> None:
    rewrite(77)
    out = io.StringIO()
    with pytest.raises(CommandError, match="see entry 77"):
        call_command("ledger", "verify", "--tiles", str(site), stdout=out)
    assert "First problem: entry 77:" in out.getvalue()
    assert not LedgerSubtree.objects.filter(level__lt=4).exists()  # verifying wrote nothing
