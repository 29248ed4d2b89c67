"""The register of protected identities, indexed by blocking keys for candidate generation."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RegisterEntry(models.Model):
    """One protected identity, prepared once so that queries never re-normalise it."""

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
    external_id = models.CharField(max_length=64, blank=True, db_index=True)
    source = models.CharField(max_length=32, blank=True)
    prepared = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "register entries"

    def __str__(self) -> str:
        return f"Register entry {self.pk}"


class RegisterKey(models.Model):
    """A blocking key and the register entry it points at."""

    key = models.CharField(max_length=64)
    entry = models.ForeignKey(RegisterEntry, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        indexes = [models.Index(fields=["key"], name="register_key_idx")]

    def __str__(self) -> str:
        return self.key
