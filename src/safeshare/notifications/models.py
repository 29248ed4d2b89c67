"""Notices to victims and their representatives, their delivery history, and notices to staff.

Only ``notifications/actions.py`` writes these tables.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.people.models import Person


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"
    NONE = "none", "Do not contact"


class ContactSettings(models.Model):
    """How and when a person may safely be sent notices (R28, R29). Each change adds a row; the
    newest row is in force, so the history stays."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    address_shared_with_perpetrator = models.BooleanField(default=True)
    channel_unsafe = models.BooleanField(
        default=False, help_text="The channel is no longer safe: send nothing to it."
    )
    safe_from = models.TimeField(null=True, blank=True)
    safe_until = models.TimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="en")
    case_updates = models.BooleanField(default=False)
    recorded_by = models.CharField(max_length=200)
    recorded_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"Contact settings for {self.person_id} ({self.channel})"


class Notification(models.Model):
    """One notice to one person through one channel, from queue to delivery."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"
        RETURNED = "returned", "Returned"
        WITHHELD = "withheld", "Not sent: no safe way to send it"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    protection_reference = models.CharField(max_length=32, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        help_text="The force whose protocol officer answers for this notice.",
    )
    event = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=10)
    recipient = models.TextField(blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    withheld_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    provider_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When a protocol officer dealt with a failed notice."
    )
    representative = models.ForeignKey(
        "AdvocateConsent",
        on_delete=models.PROTECT,
        related_name="notices",
        null=True,
        blank=True,
        help_text="Set when the notice goes to the person's advocate, as their representative.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"Notice {self.public_id} ({self.event}, {self.status})"


class NotificationHistory(models.Model):
    """Every change of a notice's state, with what happened."""

    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="history"
    )
    status = models.CharField(max_length=10, choices=Notification.Status.choices)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.status}"


class StaffNotice(models.Model):
    """A notice to staff inside the service: to an organisation's people in a role, or to the one
    person or API client who asked (``recipient_key``, an actor identifier)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=40)
    recipient_key = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.organisation_id}/{self.role}"


class AdvocateConsent(models.Model):
    """A person's consent that a support organisation (or one named advocate in it) may see
    their protection and be told as their representative. Least privilege: without an active
    consent an advocate sees nothing of the person; a withdrawal ends access at once."""

    class NoticeChannel(models.TextChoices):
        NONE = "none", "Do not send the advocate notices"
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    protection_reference = models.CharField(max_length=32)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="The support body."
    )
    advocate = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="One named advocate; empty means any advocate of the organisation.",
    )
    share_notices = models.BooleanField(default=True)
    share_advice = models.BooleanField(default=True)
    notice_channel = models.CharField(
        max_length=10, choices=NoticeChannel.choices, default=NoticeChannel.NONE
    )
    notice_address = models.CharField(max_length=254, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    given_by_person = models.BooleanField(
        default=False, help_text="Recorded by the person themselves on their own pages."
    )
    recorded_by = models.CharField(max_length=200)
    recorded_by_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["organisation", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"Consent {self.public_id} for {self.organisation_id}"

    def active_on(self, today: object) -> bool:
        if self.withdrawn_at is not None:
            return False
        return self.valid_until is None or self.valid_until >= today  # type: ignore[operator]


class SubjectAccessRequest(models.Model):
    """An advocate's request, on the person's behalf and with their consent, that the force
    make a subject access export for the person. The export goes to the person, never to the
    advocate: it holds more than the consent lets the advocate see (docs/adr/0030)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consent = models.ForeignKey(AdvocateConsent, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    protection_reference = models.CharField(max_length=32)
    force = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text="Asked to make it."
    )
    requested_by = models.CharField(max_length=200)
    requester_key = models.CharField(max_length=64)
    requested_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Subject access request {self.public_id}"


class IeWebhookMessage(models.Model):
    """A signed message to the webhook Immigration Enforcement subscribes to (R9): a hold
    resolved or an earlier clear suspended. References and codes only, never personal data."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed: no more attempts"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=300, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"IE webhook {self.kind} ({self.status})"
