"""The ledger's tables: entries (queued, then sequenced without gaps), who they are about, signed
checkpoints, and a cache of the hashes of complete subtrees."""

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
        # The sequencer finds queued rows (index IS NULL) through the unique index on
        # ``index``, which holds NULLs too on SQLite and PostgreSQL.
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        position = self.index if self.index is not None else "queued"
        return f"Ledger entry {position} ({self.kind})"


class LedgerSubject(models.Model):
    """A person or record an entry refers to, under the operator's keyed token: how the service
    (and only the service) finds every entry about a person, case or record.

    From entry format 2 the entry itself holds a hiding commitment with a fresh ``opening``
    per (entry, reference), kept here, off the log: the victim's receipt carries the opening of
    their own reference. Deleting an opening makes that reference permanently unlinkable.
    Format-1 rows have no opening (their entries hold the keyed token itself).
    """

    # Indexed by the unique (entry, field, token) constraint below; a second index would only
    # cost every append another write.
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="subject_rows", db_index=False
    )
    field = models.CharField(
        max_length=32,
        db_default="subjects",
        help_text="``subjects`` for a person, else the payload field the reference is in.",
    )
    token = models.CharField(max_length=64, db_index=True)
    opening = models.BinaryField(
        max_length=32, null=True, blank=True, help_text="The commitment's opening (format 2)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "field", "token"], name="unique_entry_reference"
            )
        ]

    def __str__(self) -> str:
        return f"Reference {self.field} {self.token[:12]}… of ledger entry {self.entry_id}"


class LedgerCheckpoint(models.Model):
    """A signed tree head: the C2SP checkpoint note over the first ``size`` entries."""

    size = models.BigIntegerField(unique=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField(help_text="The signed note (c2sp.org/tlog-checkpoint).")
    key_name = models.CharField(max_length=200, help_text="<name>+<key hash> of the signer.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["size"]

    def __str__(self) -> str:
        return f"Ledger checkpoint at size {self.size}"


class LedgerSubtree(models.Model):
    """The hash of a complete (perfect) subtree of ``2**level`` entries starting at entry
    ``index * 2**level``. Such a subtree never changes, so its hash is kept for ever; derived
    data, rebuilt from the entries if missing, and never trusted by ``verify``."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"Ledger subtree {self.level}/{self.index}"
