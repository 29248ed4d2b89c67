"""Appending to the ledger. Called by every other app's actions, inside their transaction.

An append only queues the entry (``index`` NULL) in the action's own transaction, so the entry
commits or rolls back with the action (DESIGN.md invariant 3) and concurrent writers never wait
on one another. The sequencer (``service.sequence_pending``) later gives queued entries their
indices, in commit order and without gaps. See docs/adr/0003-ledger-sequencing.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from django.db import connection
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.policy import policy_in_force
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.entries import (
    Entry,
    EntryKind,
    assert_no_personal_data,
    entry_to_dict,
    format_timestamp,
)
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerEntry
from safeshare.ledger.storage import ENTRIES, SUBJECTS, run, run_many


class LedgerOutsideTransactionError(RuntimeError):
    """An entry must be written in the same transaction as the action it records."""


def _insert(kind: str, draft: dict[str, object], created_at: object, tokens: list[str]) -> int:
    """Insert the queued entry and its subject rows; return the entry's row id.

    Plain SQL: this runs once per action, and the ORM's cost here was most of the append's.
    On PostgreSQL both inserts travel in one statement (one round trip).
    """
    draft_json = json.dumps(draft, separators=(",", ":"), ensure_ascii=False)
    created = connection.ops.adapt_datetimefield_value(created_at)
    if connection.vendor == "postgresql":
        [(row_id,)] = run(
            f"WITH entry AS (INSERT INTO {ENTRIES} (kind, draft, created_at) "  # noqa: S608
            "VALUES (%s, %s::jsonb, %s) RETURNING id), "
            f"subject AS (INSERT INTO {SUBJECTS} (entry_id, token) "
            "SELECT entry.id, token FROM entry, unnest(%s::varchar[]) AS token) "
            "SELECT id FROM entry",
            [kind, draft_json, created, tokens],
        )
        return row_id
    [(row_id,)] = run(
        f"INSERT INTO {ENTRIES} (kind, draft, created_at) VALUES (%s, %s, %s) "  # noqa: S608
        "RETURNING id",
        [kind, draft_json, created],
    )
    if tokens:
        run_many(
            f"INSERT INTO {SUBJECTS} (entry_id, token) VALUES (%s, %s)",  # noqa: S608
            [(row_id, token) for token in tokens],
        )
    return row_id


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
        raise LedgerOutsideTransactionError(
            "append_entry must run inside the action's transaction"
        )
    tokens = sorted({token_for_person(subject) for subject in subjects})
    now = timezone.now()
    draft = Entry(
        index=0,
        kind=EntryKind(kind),
        policy_id=policy_id,
        policy_version=policy_version,
        actor_org=actor.org_code,
        actor_role=actor.role.value,
        timestamp=format_timestamp(now),
        subjects=tuple(tokens),
        payload=dict(payload or {}),
    )
    fields = entry_to_dict(draft)
    assert_no_personal_data(fields)
    del fields["index"]
    row_id = _insert(draft.kind.value, fields, now, tokens)
    return LedgerEntry.from_db(
        connection.alias,
        ["id", "index", "kind", "draft", "body", "leaf_hash", "created_at"],
        [row_id, None, draft.kind.value, fields, None, None, now],
    )


def log_entry(
    kind: EntryKind | str,
    actor: Actor,
    policy,
    *,
    subjects: Iterable[object] = (),
    payload: Mapping[str, object] | None = None,
) -> LedgerEntry:
    """``append_entry`` for a decision made under ``policy`` (its id and version are recorded)."""
    return append_entry(
        kind,
        actor=actor,
        policy_id=policy.id,
        policy_version=policy.version,
        subjects=subjects,
        payload=payload,
    )


def do_record_key_rotation(actor: Actor) -> LedgerEntry:
    """Append the ``key_rotated`` entry of a checkpoint-key rotation (docs/ledger.md).

    Run while both keys are configured: the new one as the signing key and the retiring one as
    ``SAFESHARE_LEDGER_PREVIOUS_SIGNING_KEY``, so that the next checkpoint, which covers this
    entry, carries both signatures.
    """
    from safeshare.ledger import signing

    previous = signing.previous_signing_key()
    if previous is None:
        raise ValueError(f"set {signing.PREVIOUS_SIGNING_KEY_ENV} to the retiring signing key")
    current = signing.signing_key().verifier
    if previous.verifier.key_id == current.key_id:
        raise ValueError("the new signing key is the same as the retiring one")
    policy = policy_in_force()
    with action_transaction():
        return append_entry(
            EntryKind.KEY_ROTATED,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            payload={
                "key_purpose": "checkpoint_signing",
                "verifier_key": str(current),
                "previous_verifier_key": str(previous.verifier),
                "key_hash": f"{current.key_hash:08x}",
            },
        )
