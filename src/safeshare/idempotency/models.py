"""Responses kept for ``Idempotency-Key`` retries, so a retried POST never acts twice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IdempotentResponse(models.Model):
    """The first response to a (caller, key) pair, replayed for every retry."""

    caller = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
