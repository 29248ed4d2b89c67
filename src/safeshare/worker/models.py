"""One row per background job: who runs it now, until when, and how it last went."""

from __future__ import annotations

from django.db import models


class JobLease(models.Model):
    """The lease on one job. A worker runs a job only while it holds an unexpired lease."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=120, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
