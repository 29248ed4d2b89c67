"""The ledger as the victim's view needs it: their entries, each with its receipt if it has one.

The ledger's own service (``safeshare.ledger.service``) sequences entries, signs checkpoints
and makes inclusion proofs. This module calls it when it is installed::

    receipts_for_person(person) -> list[tuple[LedgerEntry, Receipt | None]]
    verifier_keys() -> list[str]

and otherwise falls back to listing the person's entries with no receipts (``None`` is what
the service also returns for an entry that is not yet in a signed checkpoint). Callers must not
rely on the order of the pairs.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from safeshare.ledger.entries import parse_canonical_json
from safeshare.ledger.keys import token_for_person
from safeshare.ledger.models import LedgerEntry
from safeshare.ledger.receipts import Receipt, verify_receipt
from safeshare.people.models import Person

SERVICE_MODULE = "safeshare.ledger.service"


def _service() -> ModuleType | None:
    if importlib.util.find_spec(SERVICE_MODULE) is None:
        return None
    return importlib.import_module(SERVICE_MODULE)


def service_available() -> bool:
    return _service() is not None


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
    service = _service()
    if service is not None:
        return list(service.receipts_for_person(person))
    return [(entry, None) for entry in entries_about(person)]


def verifier_keys() -> list[str]:
    """The ledger's public keys, for checking receipts."""
    service = _service()
    if service is None:
        return []
    return [str(key) for key in service.verifier_keys()]


def entry_bytes(entry: LedgerEntry) -> bytes | None:
    """The canonical bytes of a sequenced entry (the Merkle leaf data), else None."""
    if entry.body is None:
        return None
    return bytes(entry.body)


def entry_fields(entry: LedgerEntry) -> dict[str, object]:
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
    checkpoint verify; empty if none, or if the ledger is not installed."""
    if receipt is None or importlib.util.find_spec("safeshare.ledger.witnessing") is None:
        return []
    witnessing = importlib.import_module("safeshare.ledger.witnessing")
    return list(witnessing.cosigners(receipt.checkpoint))
