"""The people app's bulk writer: many people, each with one identity, in one go.

For a police force's register import (``register.actions.do_import_register``), where creating
10^6 people one ``create_person`` at a time would take hours. Rows go through the caller's
``register.storage.BulkWriter`` (``COPY`` on PostgreSQL), inside the caller's transaction, and
are exactly what ``actions.create_person`` would store for the same validated fields. No other
code writes people or identities in bulk.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from safeshare.accounts.models import Organisation
from safeshare.kernel.bulk import BulkTable
from safeshare.people.models import Identity, Person


class ImportedIdentity(NamedTuple):
    """Validated identity fields (as ``people.identity`` checks them): ``sex`` a ``Sex`` value
    or '', ``nationality_code`` an alpha-3 code or '', ``nationality_text`` the nationality as
    given when it has no code."""

    given_names: str
    family_name: str
    aliases: Sequence[str]
    date_of_birth: str
    sex: str
    nationality_code: str
    nationality_text: str
    passport_number: str
    home_office_reference: str


IDENTITY_COLUMNS = ["id", "person", *ImportedIdentity._fields]


class PeopleBulk:
    """Inserts people with their first identity, recorded by ``recorded_by`` at ``now``."""

    def __init__(self, writer, recorded_by: Organisation, now: datetime) -> None:
        self.writer = writer
        self.people = BulkTable(
            Person, ["id", "public_id"], created_at=now, recorded_by=recorded_by.pk
        )
        self.identities = BulkTable(
            Identity, IDENTITY_COLUMNS, recorded_by=recorded_by.pk, created_at=now
        )

    def insert(self, identities: Sequence[ImportedIdentity]) -> tuple[list[int], list[int]]:
        """Store one person per identity; returns (person ids, identity ids), in order."""
        n = len(identities)
        person_ids = self.writer.reserve_ids(Person, n)
        identity_ids = self.writer.reserve_ids(Identity, n)
        noise = os.urandom(16 * n)
        public_ids = [
            uuid.UUID(bytes=noise[i : i + 16], version=4).hex for i in range(0, 16 * n, 16)
        ]
        self.writer.insert(
            Person,
            self.people.columns,
            self.people.rows(zip(person_ids, public_ids, strict=True)),
        )
        dumps = json.dumps
        self.writer.insert(
            Identity,
            self.identities.columns,
            self.identities.rows(
                (
                    identity_id,
                    person_id,
                    i.given_names,
                    i.family_name,
                    dumps(list(i.aliases), ensure_ascii=False) if i.aliases else "[]",
                    i.date_of_birth,
                    i.sex,
                    i.nationality_code,
                    i.nationality_text,
                    i.passport_number,
                    i.home_office_reference,
                )
                for identity_id, person_id, i in zip(
                    identity_ids, person_ids, identities, strict=True
                )
            ),
        )
        return person_ids, identity_ids
