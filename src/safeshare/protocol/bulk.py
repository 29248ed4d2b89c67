"""The protocol app's bulk writer: active protections opened by a police force's import.

For ``register.actions.do_import_register`` only: one protection per imported person, status
``active``, opened by the force under the active policy, with a fresh reference each, through
the caller's ``register.storage.BulkWriter`` in the caller's transaction (the import writes the
one ledger entry for all of them). No other code writes protections in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from safeshare.accounts.models import Organisation
from safeshare.kernel.bulk import BulkTable
from safeshare.protocol.models import Protection
from safeshare.protocol.protection import ProtectionStatus
from safeshare.protocol.references import new_reference


class ImportedProtections:
    """Inserts active protections opened by ``opened_by`` under ``policy`` at ``now``."""

    def __init__(
        self,
        writer,
        opened_by: Organisation,
        policy,
        *,
        trigger: str,
        contact_point: str,
        reason: str,
        now: datetime,
    ) -> None:
        self.writer = writer
        self.taken: set[str] = set()
        #: The references of the protections inserted, in order (for the forces' webhooks).
        self.references: list[str] = []
        self.table = BulkTable(
            Protection,
            ["id", "reference", "person"],
            status=ProtectionStatus.ACTIVE.value,
            trigger=trigger,
            opened_at=now,
            opened_by=opened_by.pk,
            policy_id=policy.id,
            policy_version=policy.version,
            contact_point=contact_point[:200],
            status_reasons=[reason],
            status_changed_at=now,
        )

    def insert(self, person_ids: Sequence[int], proposed: Sequence[str]) -> list[int]:
        """One protection per person (``proposed`` references, e.g. made in worker processes
        with ``new_reference``, replaced where already used); returns their ids, in order."""
        ids = self.writer.reserve_ids(Protection, len(person_ids))
        references = unique_references(list(proposed), self.taken)
        self.references.extend(references)
        self.writer.insert(
            Protection,
            self.table.columns,
            self.table.rows(zip(ids, references, person_ids, strict=True)),
        )
        return ids


def unique_references(proposed: list[str], taken: set[str]) -> list[str]:
    """The proposed references, with any already used (in ``taken`` or the database) replaced
    by fresh ones; adds them to ``taken``."""
    references = list(proposed)
    while True:
        clash = {r for r in references if r in taken}
        batch = sorted(set(references) - clash)
        for start in range(0, len(batch), 500):
            clash |= set(
                Protection.objects.filter(reference__in=batch[start : start + 500]).values_list(
                    "reference", flat=True
                )
            )
        if len(set(references)) != len(references):
            seen: set[str] = set()
            for reference in references:
                if reference in seen:
                    clash.add(reference)
                seen.add(reference)
        if not clash:
            taken.update(references)
            return references
        references = [new_reference() if r in clash else r for r in references]
