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
        ACTION_WITHOUT_VALID_CLEAR = (
            "action_without_valid_clear",
            "Enforcement action reported without a valid clear",
        )
        ACTION_AFTER_BLOCK = (
            "action_after_block",
            "Enforcement action reported after a block",
        )
        HOLD_OVERDUE = "hold_overdue", "A hold waited past its target time"
        POSSIBLE_PROBING = "possible_probing", "Clearance questions that look like probing"
        LARGE_SWEEP = "large_sweep", "A sweep of a large caseload"

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


class WebhookDelivery(models.Model):
    """One alert sent (or being sent) to the external system's webhook (R32)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed: will be tried again"

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="deliveries")
    url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Delivery of alert {self.alert_id} ({self.status})"


class ComparisonRun(models.Model):
    """A policy comparison, replayed and stored as aggregate counts only (no record keys)."""

    policy_a = models.CharField(max_length=40)
    version_a = models.CharField(max_length=64)
    policy_b = models.CharField(max_length=40)
    version_b = models.CharField(max_length=64)
    as_at = models.DateTimeField()
    history_marker = models.CharField(max_length=200)
    summary = models.JSONField()
    duration_ms = models.PositiveIntegerField(default=0)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["policy_a", "policy_b", "created_at"])]

    def __str__(self) -> str:
        return f"{self.policy_a} against {self.policy_b} as at {self.as_at:%Y-%m-%d %H:%M}"


class LedgerCheck(models.Model):
    """The result of checking the whole ledger against its signed checkpoints."""

    ok = models.BooleanField()
    size = models.BigIntegerField(default=0)
    first_problem = models.CharField(max_length=500, blank=True)
    checkpoint = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    checked_by = models.CharField(max_length=200)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"Ledger check {'passed' if self.ok else 'failed'} at {self.checked_at:%Y-%m-%d}"


class StatisticsSnapshot(models.Model):
    """The raw counts behind one statistic for one year, so that pages need not recount.

    Counts only: no person, no record. Disclosure control is applied every time they are shown.
    ``marker`` summarises the data they were counted from, to tell when they are out of date.
    """

    name = models.CharField(max_length=40)
    year = models.PositiveIntegerField()
    marker = models.CharField(max_length=500)
    counts = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="unique_statistics_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year} as at {self.computed_at:%Y-%m-%d %H:%M}"
