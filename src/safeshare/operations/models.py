"""Failed API authentications, counted per network address (as a keyed hash, never the address)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ApiAuthFailures(models.Model):
    """Wrong bearer tokens from one network address within the current window."""

    client_key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "API authentication failures"

    def __str__(self) -> str:
        return f"{self.failures} failures"
