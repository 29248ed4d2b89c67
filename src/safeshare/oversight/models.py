"""Alerts for oversight bodies. They carry no personal data: references and codes only."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Alert(models.Model):
    """Something oversight must know at once: an override, or action against an ever-protected
    person (R32)."""

    class Kind(models.TextChoices):
        OVERRIDE_REQUESTED = "override_requested", "Override requested"
        OVERRIDE_APPROVED = "override_approved", "Override approved"
        ACTION_AGAINST_EVER_PROTECTED = (
            "action_against_ever_protected",
            "Clearance asked for a person who was protected",
        )
        SCHEDULED_ACTION_SUSPENDED = (
            "scheduled_action_suspended",
            "A scheduled enforcement action was suspended",
        )

    kind = models.CharField(max_length=40, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict)
    organisation_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.summary
