"""Builders for the ledger's database tests: a real action that appends, and raw SQL tampering."""

from __future__ import annotations

import uuid

from django.db import connection

from safeshare.accounts.actors import Actor
from safeshare.kernel.roles import Role
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Person
from tests.accounts.factories import organisation_for

ORIGIN = "test.safeshare.example/ledger"
TABLE = '"ledger_ledgerentry"'


def officer(code: str = "WMP") -> Actor:
    """A system actor for a police force (no user needed to append)."""
    organisation = organisation_for(Role.POLICE_OFFICER, code)
    return Actor(organisation=organisation, role=Role.POLICE_OFFICER)


def someone() -> Person:
    """A person as the ledger sees them: only the public id is used."""
    return Person(public_id=uuid.uuid4())


def append(actor: Actor, count: int, people: list[Person] | None = None) -> list[LedgerEntry]:
    """Append ``count`` entries through a real action (the audit of a page read)."""
    people = people or [someone()]
    entries = []
    for n in range(count):
        entry = do_record_personal_data_read(actor, people[: 1 + n % len(people)], "case_page")
        assert entry is not None
        entries.append(entry)
    return entries


def execute(sql: str, params: list[object] | None = None) -> None:
    """Run SQL directly, as someone with access to the database could."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def indices() -> list[int]:
    return list(
        LedgerEntry.objects.filter(index__isnull=False)
        .order_by("index")
        .values_list("index", flat=True)
    )


def body_of(index: int) -> bytes:
    return bytes(LedgerEntry.objects.get(index=index).body)


def set_body(index: int, body: bytes) -> None:
    execute(f'UPDATE {TABLE} SET body = %s WHERE "index" = %s', [body, index])  # noqa: S608


def renumber(start: int, shift: int) -> None:
    """Move every entry from ``start`` on by ``shift`` (two steps: the index is unique)."""
    execute(f'UPDATE {TABLE} SET "index" = -"index" - 1 WHERE "index" >= %s', [start])  # noqa: S608
    execute(
        f'UPDATE {TABLE} SET "index" = -"index" - 1 + %s WHERE "index" < 0',  # noqa: S608
        [shift],
    )
