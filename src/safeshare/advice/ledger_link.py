"""The ledger as the victim's view needs it: their entries, each with its receipt if it has one.

The ledger's own service (``safeshare.ledger.service``) sequences entries (in the worker), signs
checkpoints and makes inclusion proofs; this module asks it for the person's entries and their
receipts (``None`` for an entry no signed checkpoint covers yet). Callers must not rely on the
order of the pairs.
"""

from __future__ import annotations

from typing import Any

from safeshare.ledger import service as ledger_service
from safeshare.ledger import witnessing
from safeshare.ledger.entries import parse_canonical_json
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerEntry
from safeshare.ledger.receipts import Receipt, verify_receipt
from safeshare.people.models import Person


def person_tokens(person: Person) -> list[str]:
    """The person's ledger token, and those of any records merged into them."""
    ids = [
        person.public_id,
        *Person.objects.filter(merged_into=person).values_list("public_id", flat=True),
    ]
    return [token_for_person(public_id) for public_id in ids]


def entries_about(person: Person) -> list[LedgerEntry]:
    """Every ledger entry about the person, oldest first."""
    return list(
        LedgerEntry.objects.filter(
            subject_rows__token__in=person_tokens(person), subject_rows__field="subjects"
        )
        .distinct()
        .order_by("id")
    )


def receipts_for_person(person: Person) -> list[tuple[LedgerEntry, Receipt | None]]:
    """The person's entries, each with its receipt or None (in no particular order)."""
    return list(ledger_service.receipts_for_person(person))


def verifier_keys() -> list[str]:
    """The ledger's public keys, for checking receipts."""
    return [str(key) for key in ledger_service.verifier_keys()]


def entry_bytes(entry: LedgerEntry) -> bytes | None:
    """The canonical bytes of a sequenced entry (the Merkle leaf data), else None."""
    if entry.body is None:
        return None
    return bytes(entry.body)


def entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    """The entry's fields: from its sequenced bytes, or from its draft while it is queued."""
    data = entry_bytes(entry)
    if data is not None:
        parsed = parse_canonical_json(data)
        if isinstance(parsed, dict):
            return parsed
    return {**entry.draft, "index": entry.index}


def receipt_holds(entry: LedgerEntry, receipt: Receipt | None, keys: list[str]) -> bool:
    """Whether the receipt proves the entry is in the signed ledger."""
    data = entry_bytes(entry)
    if receipt is None or data is None or not keys:
        return False
    return verify_receipt(receipt, data, keys)


def witnessed_by(receipt: Receipt | None) -> list[str]:
    """The witnesses (independent organisations) whose cosignatures on the receipt's
    checkpoint verify; empty if none."""
    if receipt is None:
        return []
    return list(witnessing.cosigners(receipt.checkpoint))
