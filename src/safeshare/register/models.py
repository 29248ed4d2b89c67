"""The register of protected identities, its blocking-key index, imports and sweeps.

See docs/adr/0005-register-storage.md for why the index is one row per key holding a packed
posting list, and why an entry's prepared identity never changes once written.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class RegisterEntry(models.Model):
    """One protected identity, prepared once so that queries never re-normalise it.

    ``prepared`` is ``PreparedIdentity.to_json()`` and is never changed: when an identity
    changes, its entry is replaced by a new one (a new id), so that entries cached by id in
    any process stay right. ``source`` is the importing force's code (``police`` for an
    identity recorded through a case) and ``external_id`` the id the force imported it with.
    ``address`` and ``postcode`` are kept as imported, so that ``safeshare register rebuild``
    can prepare the entry again from the identity without losing them.
    """

    identity = models.OneToOneField(
        "people.Identity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_entry",
    )
    protection = models.ForeignKey(
        "protocol.Protection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_entries",
    )
    external_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=32, blank=True)
    address = models.CharField(
        max_length=300, blank=True, help_text="As imported (the identity has no address)."
    )
    postcode = models.CharField(max_length=16, blank=True, help_text="As imported.")
    prepared = models.TextField(help_text="PreparedIdentity.to_json(): compact JSON.")
    version = models.BigIntegerField(
        default=0, help_text="The register version that added it (RegisterState.version)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "register entries"
        indexes = [models.Index(fields=["version"], name="register_entry_version_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="register_entry_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Register entry {self.pk}"


class RegisterKey(models.Model):
    """A blocking key, how many register entries carry it and which (its posting list).

    ``ids`` packs the entry ids as little-endian 64-bit integers, in no particular order
    (``safeshare.register.storage.pack_ids``). One row per key: a clearance reads the exact
    count of every query key, and the ids of the keys under the cap, in one indexed query.
    The row whose key is ``#`` counts the entries in the register.
    """

    key = models.TextField(primary_key=True)
    n = models.IntegerField()
    ids = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.key} ({self.n})"


class RegisterState(models.Model):
    """One row: the register's version, raised by every transaction that changes it, and its
    generation, raised when entries are prepared again in place (``register rebuild``).

    Every writer raises the version first, so writers queue on this row and commit in version
    order: a process holding the register in memory (``resident.ResidentRegister``) reads the
    version on each query and, when it has moved, only the entries and removals since. See
    docs/adr/0012-register-app-and-resident-index.md."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
    generation = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Register version {self.version} (generation {self.generation})"


class RegisterRemoval(models.Model):
    """An entry taken out of the register, and the register version that took it out."""

    entry_id = models.BigIntegerField()
    version = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"Entry {self.entry_id} removed at version {self.version}"


class RegisterImport(models.Model):
    """One bulk import of protected identities by a police force (``safeshare register
    import``)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    imported_by = models.CharField(max_length=200)
    count = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(
        default=dict, blank=True, help_text="Rows imported with a warning, by kind."
    )
    content_digest = models.CharField(max_length=64, help_text="SHA-256 of the file.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.count} identities by {self.organisation_id}"


class Sweep(models.Model):
    """An enforcement caseload uploaded by IE to be screened against the register."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requester = models.CharField(max_length=200)
    role = models.CharField(max_length=32)
    upload_name = models.CharField(
        max_length=100, help_text="The uploaded file's name, shown only; never used as a path."
    )
    stored_name = models.CharField(max_length=64, help_text="Generated name under var/sweeps/.")
    content_digest = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    total_rows = models.PositiveIntegerField()
    warnings = models.JSONField(
        default=dict, blank=True, help_text="Rows accepted with a warning, by kind."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    processed_rows = models.PositiveIntegerField(default=0)
    blocked_count = models.PositiveIntegerField(default=0)
    hold_count = models.PositiveIntegerField(default=0)
    clear_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="sweep_status_idx")]

    def __str__(self) -> str:
        return f"Sweep {self.public_id} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def result_name(self) -> str:
        return f"{self.stored_name}.results.csv"
