"""Appending to the ledger. Called by every other app's actions, inside their transaction.

An append only queues the entry (``index`` NULL) in the action's own transaction, so the entry
commits or rolls back with the action (DESIGN.md invariant 3) and concurrent writers never wait
on one another. The sequencer (``service.sequence_pending``) later gives queued entries their
indices, in commit order and without gaps. See docs/adr/0003-ledger-sequencing.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import cast

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from safeshare.accounts.actors import Actor
from safeshare.kernel.policy import policy_in_force
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.cosignature import add_cosignatures
from safeshare.ledger.entries import (
    OPENING_BYTES,
    REFERENCE_FIELDS,
    Entry,
    EntryKind,
    PayloadValue,
    assert_no_personal_data,
    check_payload_shapes,
    commit_reference,
    entry_to_dict,
    format_coarse_timestamp,
    public_payload,
)
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerCheckpoint, LedgerEntry
from safeshare.ledger.storage import (
    ENTRIES,
    SUBJECT_FIELD,
    SUBJECTS,
    run,
    run_binary,
    run_many,
)


class LedgerOutsideTransactionError(RuntimeError):
    """An entry must be written in the same transaction as the action it records."""


Reference = tuple[str, str, bytes]
"""An entry's reference as stored off the log: (field, keyed token, opening)."""


def _insert_sql(references: int) -> str:
    """The PostgreSQL statement that inserts a queued entry and ``references`` reference rows in
    one round trip, returning the entry's row id. One text per count of references, so each is
    prepared once per connection; scalar parameters (no arrays to build and parse)."""
    sql = _INSERT_SQL.get(references)
    if sql is None:
        entry = (
            f"INSERT INTO {ENTRIES} (kind, draft, created_at) "  # noqa: S608
            "VALUES (%s, %s::jsonb, %s) RETURNING id"
        )
        if references == 0:
            sql = entry
        else:
            rows = ", ".join(["(%s::varchar, %s::varchar, %s::bytea)"] * references)
            sql = (
                f"WITH entry AS ({entry}), "  # noqa: S608
                f"subject AS (INSERT INTO {SUBJECTS} (entry_id, field, token, opening) "
                f"SELECT entry.id, r.field, r.token, r.opening FROM entry, (VALUES {rows}) "
                "AS r(field, token, opening)) SELECT id FROM entry"
            )
        _INSERT_SQL[references] = sql
    return sql


_INSERT_SQL: dict[int, str] = {}
_PREPARED_REFERENCES = 8
"""Entries with more references than this (rare: bulk actions) bind them as arrays instead."""


def _insert(
    kind: str, draft: dict[str, object], created_at: datetime, refs: list[Reference]
) -> int:
    """Insert the queued entry and its reference rows; return the entry's row id.

    Plain SQL: this runs once per action, and the ORM's cost here was most of the append's.
    On PostgreSQL both inserts travel in one prepared statement (one round trip, parsed and
    planned once per connection), its parameters bound by the server in binary.
    """
    draft_json = json.dumps(draft, separators=(",", ":"), ensure_ascii=False)
    db = connections[DEFAULT_DB_ALIAS]  # one look-up of Django's per-thread connection
    created = db.ops.adapt_datetimefield_value(created_at)
    if db.vendor == "postgresql":
        if len(refs) <= _PREPARED_REFERENCES:
            [(row_id,)] = run_binary(
                _insert_sql(len(refs)),
                [kind, draft_json, created, *(value for ref in refs for value in ref)],
                returns_rows=True,
            )
            return row_id
        [(row_id,)] = run_binary(
            f"WITH entry AS (INSERT INTO {ENTRIES} (kind, draft, created_at) "  # noqa: S608
            "VALUES (%s, %s::jsonb, %s) RETURNING id), "
            f"subject AS (INSERT INTO {SUBJECTS} (entry_id, field, token, opening) "
            "SELECT entry.id, r.field, r.token, r.opening FROM entry, "
            "unnest(%s::varchar[], %s::varchar[], %s::bytea[]) AS r(field, token, opening)) "
            "SELECT id FROM entry",
            [
                kind,
                draft_json,
                created,
                [ref[0] for ref in refs],
                [ref[1] for ref in refs],
                [ref[2] for ref in refs],
            ],
            returns_rows=True,
        )
        return row_id
    [(row_id,)] = run(
        f"INSERT INTO {ENTRIES} (kind, draft, created_at) VALUES (%s, %s, %s) "  # noqa: S608
        "RETURNING id",
        [kind, draft_json, created],
    )
    if refs:
        run_many(
            f"INSERT INTO {SUBJECTS} (entry_id, field, token, opening) "  # noqa: S608
            "VALUES (%s, %s, %s, %s)",
            [(row_id, *ref) for ref in refs],
        )
    return row_id


def _committed(namespace: str, identifier: str) -> tuple[str, bytes]:
    """A fresh opening and the commitment it opens (docs/adr/0007-unlinkable-entries.md)."""
    opening = os.urandom(OPENING_BYTES)
    return commit_reference(opening, namespace, identifier), opening


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

    ``subjects`` are people's public ids; the payload's record fields hold the keyed tokens of
    ``keys.token_for_record``. The payload is checked against the ledger's allow-list, so no
    personal data can be written, and only the fields the entry's kind publishes are kept
    (``entries.public_payload``). In the entry every person, record and document digest becomes
    a hiding commitment with its own random opening; the openings and the keyed tokens stay in
    the database (``LedgerSubject``), so only the service can find an entry's people again.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if not db.in_atomic_block:
        raise LedgerOutsideTransactionError(
            "append_entry must run inside the action's transaction"
        )
    kind = EntryKind(kind)
    given = dict(payload or {})
    check_payload_shapes(given)
    public = public_payload(kind, given)
    refs: list[Reference] = []
    commitments = []
    for public_id in dict.fromkeys(str(subject) for subject in subjects):
        commitment, opening = _committed("person", public_id)
        commitments.append(commitment)
        refs.append((SUBJECT_FIELD, token_for_person(public_id), opening))
    for name in sorted(REFERENCE_FIELDS.intersection(public)):
        value = public[name]
        if value is None:
            continue
        public[name], opening = _committed(name, str(value))
        refs.append((name, str(value), opening))
    now = timezone.now()
    draft = Entry(
        index=0,
        kind=kind,
        policy_id=policy_id,
        policy_version=policy_version,
        actor_org=actor.org_code,
        actor_role=actor.role.value,
        timestamp=format_coarse_timestamp(now),
        subjects=tuple(sorted(commitments)),
        payload=cast(Mapping[str, PayloadValue], public),  # shapes checked above
    )
    fields = entry_to_dict(draft)
    assert_no_personal_data(fields)
    del fields["index"]
    row_id = _insert(draft.kind.value, fields, now, refs)
    return LedgerEntry.from_db(
        db.alias,
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


def do_store_checkpoint(
    *, size: int, root: bytes, note: str, key_name: str
) -> LedgerCheckpoint | None:
    """Keep a signed checkpoint; ``None`` if one of that size was kept already (by another
    signer). Runs inside the signer's transaction, under the ledger lock."""
    try:
        with transaction.atomic():
            return LedgerCheckpoint.objects.create(
                size=size, root=root, note=note, key_name=key_name
            )
    except IntegrityError:
        return None


def do_add_cosignatures(checkpoint_id: int, lines: Iterable[str]) -> LedgerCheckpoint:
    """Add witnesses' cosignature lines to a kept checkpoint's note (its signed body is
    unchanged; a witness that already cosigned it is not added twice)."""
    lines = list(lines)
    with transaction.atomic():
        current = LedgerCheckpoint.objects.select_for_update().get(pk=checkpoint_id)
        current.note = add_cosignatures(current.note, lines)
        current.save(update_fields=["note"])
    return current


def do_store_format_change(index: int, body: bytes, leaf: bytes) -> LedgerEntry:
    """Keep the ``format_changed`` entry the sequencer puts at the switch of entry format, with
    its index already given. Runs inside the sequencer's transaction, under the ledger lock."""
    return LedgerEntry.objects.create(
        index=index, kind=EntryKind.FORMAT_CHANGED.value, draft={}, body=body, leaf_hash=leaf
    )


def on_administration_changed(
    actor: Actor, *, action: str, organisation_code: str, record: str, role: str = ""
) -> LedgerEntry:
    """Record an administrator's change (``kernel.hooks.ADMINISTRATION_CHANGED``): what was
    done, to which organisation's account or token (a commitment), never who. ``record`` is
    ``"<kind>:<id>"``, for example ``"user:12"``."""
    from safeshare.ledger.keys import token_for_record

    kind, _, identifier = record.partition(":")
    return log_entry(
        EntryKind.ACCOUNT_CHANGED,
        actor,
        policy_in_force(),
        payload={
            "admin_action": action,
            "record": token_for_record(kind, identifier),
            "target_org": organisation_code,
            "target_role": role or None,
        },
    )
