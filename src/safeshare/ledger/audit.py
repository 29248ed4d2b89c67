"""Audit of reads: every page that shows a person's data records who read it, and why."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from safeshare.accounts.actors import Actor
from safeshare.accounts.read_audit import record_read
from safeshare.kernel.policy import policy_in_force
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.actions import append_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.keys import token_for_person, token_for_record
from safeshare.ledger.models import LedgerEntry
from safeshare.ledger.storage import pipelined

if TYPE_CHECKING:  # the ledger sits below people: it only names the type
    from safeshare.accounts.models import User
    from safeshare.people.models import Person


def do_record_personal_data_read(
    actor: Actor,
    people: Iterable[Person],
    purpose: str,
    *,
    record_kind: str | None = None,
    unregistered: int = 0,
) -> LedgerEntry | None:
    """Append a ``personal_data_read`` entry for the people whose data a page showed, and the
    read-audit record (who, kind of record, people by keyed token, route) beside it.

    ``purpose`` is a code naming the page (for example ``case_page``). ``unregistered`` counts
    people shown who are not on the register (a sweep's caseload rows): they get an audit
    record but no ledger entry. Nothing is written when the page showed nobody.
    """
    public_ids = sorted({str(person.public_id) for person in people})
    if not public_ids and not unregistered:
        return None
    tokens = [token_for_person(public_id) for public_id in public_ids]
    policy = policy_in_force()
    with action_transaction(), pipelined():
        record_read(actor, tokens, purpose, record_kind=record_kind, unregistered=unregistered)
        if not public_ids:
            return None
        return append_entry(
            EntryKind.PERSONAL_DATA_READ,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            subjects=public_ids,
            payload={"purpose": purpose, "count": len(public_ids)},
        )


def on_second_factor_reset(user: User, actor: Actor) -> LedgerEntry:
    """Record, in the reset's transaction, that an administrator reset someone's second factor.
    The entry names the account only by a keyed record token; the actor is the administrator."""
    policy = policy_in_force()
    return append_entry(
        EntryKind.SECOND_FACTOR_RESET,
        actor=actor,
        policy_id=policy.id,
        policy_version=policy.version,
        payload={"record": token_for_record("user", user.pk)},
    )
