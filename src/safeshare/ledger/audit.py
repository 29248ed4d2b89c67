"""Audit of reads: every page that shows a person's data records who read it, and why."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from safeshare.accounts.actors import Actor
from safeshare.kernel.policy import policy_in_force
from safeshare.kernel.transactions import action_transaction
from safeshare.ledger.actions import append_entry
from safeshare.ledger.entries import EntryKind
from safeshare.ledger.models import LedgerEntry

if TYPE_CHECKING:  # the ledger sits below people: it only names the type
    from safeshare.people.models import Person


def do_record_personal_data_read(
    actor: Actor, people: Iterable[Person], purpose: str
) -> LedgerEntry | None:
    """Append a ``personal_data_read`` entry for the people whose data a page showed.

    ``purpose`` is a code naming the page (for example ``case_page``). Nothing is written when
    the page showed nobody.
    """
    public_ids = sorted({str(person.public_id) for person in people})
    if not public_ids:
        return None
    policy = policy_in_force()
    with action_transaction():
        return append_entry(
            EntryKind.PERSONAL_DATA_READ,
            actor=actor,
            policy_id=policy.id,
            policy_version=policy.version,
            subjects=public_ids,
            payload={"purpose": purpose, "count": len(public_ids)},
        )
