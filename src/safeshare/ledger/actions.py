"""Appending to the ledger. Called by every other app's actions, inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.ledger.entries import (
    Entry,
    EntryKind,
    assert_no_personal_data,
    entry_to_dict,
    format_timestamp,
)
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerEntry, LedgerSubject


class LedgerOutsideTransactionError(RuntimeError):
    """An entry must be written in the same transaction as the action it records."""


def append_entry(
    kind: EntryKind | str,
    *,
    actor: Actor,
    policy_id: str,
    policy_version: str,
    subjects: Iterable[object] = (),
    payload: Mapping[str, object] | None = None,
) -> LedgerEntry:
    """Queue an entry in the caller's transaction (DESIGN.md invariant 3).

    ``subjects`` are people's public ids; they are stored only as keyed tokens. The payload is
    checked against the ledger's allow-list, so no personal data can be written.
    """
    if not connection.in_atomic_block:
        raise LedgerOutsideTransactionError("append_entry must run inside the action's transaction")
    tokens = tuple(sorted({token_for_person(subject) for subject in subjects}))
    draft = Entry(
        index=0,
        kind=EntryKind(kind),
        policy_id=policy_id,
        policy_version=policy_version,
        actor_org=actor.org_code,
        actor_role=actor.role.value,
        timestamp=format_timestamp(timezone.now()),
        subjects=tokens,
        payload=dict(payload or {}),
    )
    fields = entry_to_dict(draft)
    assert_no_personal_data(fields)
    del fields["index"]
    entry = LedgerEntry.objects.create(kind=draft.kind.value, draft=fields)
    LedgerSubject.objects.bulk_create([LedgerSubject(entry=entry, token=t) for t in tokens])
    return entry
