"""The ledger's tables: entries (queued, then sequenced without gaps) and who they are about."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LedgerEntry(models.Model):
    """One entry. Appended in the same transaction as the action it records; ``index`` is given
    by the sequencer, in commit order, with no gaps. Until then the entry is queued."""

    index = models.BigIntegerField(null=True, blank=True, unique=True)
    kind = models.CharField(max_length=40)
    draft = models.JSONField(help_text="The entry's fields, before it has an index.")
    body = models.BinaryField(
        null=True, blank=True, help_text="Canonical JSON of the sequenced entry."
    )
    leaf_hash = models.BinaryField(max_length=32, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        position = self.index if self.index is not None else "queued"
        return f"Ledger entry {position} ({self.kind})"


class LedgerSubject(models.Model):
    """A person an entry is about, as a keyed token: how a victim's disclosures are found."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="subject_rows")
    token = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "token"], name="unique_entry_subject")
        ]

    def __str__(self) -> str:
        return f"{self.token[:12]}… in {self.entry}"
