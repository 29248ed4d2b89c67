"""Organisations, the people who sign in for them, and API clients."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from safeshare.kernel.contact import ContactPoint, contact_problems
from safeshare.kernel.roles import OrganisationKind, Role, role_allowed_for


class Organisation(models.Model):
    """A police force, Immigration Enforcement unit, oversight body or support organisation."""

    code = models.CharField(
        max_length=32, unique=True, help_text="Short code, for example WMP or IE-NCCU."
    )
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=[(k.value, k.label) for k in OrganisationKind])
    official_code = models.CharField(
        max_length=16,
        blank=True,
        help_text="For police forces: the Home Office force number, for example 20.",
    )
    jurisdiction = models.CharField(
        max_length=32,
        default="england_wales",
        choices=[
            ("england_wales", "England and Wales"),
            ("scotland", "Scotland"),
            ("northern_ireland", "Northern Ireland"),
            ("united_kingdom", "United Kingdom"),
        ],
    )
    # The contact point (ADR 0053): whom Immigration Enforcement and victims contact about a
    # protection, and when.
    contact_team = models.CharField(
        max_length=200,
        blank=True,
        help_text="The team Immigration Enforcement should contact about a protection.",
    )
    contact_telephone = models.CharField(max_length=30, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    contact_hours = models.CharField(
        max_length=200, blank=True, help_text="For example, Monday to Friday, 8am to 6pm."
    )
    contact_out_of_hours = models.CharField(
        max_length=300,
        blank=True,
        help_text="For example, call 101 and ask for the duty inspector.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the organisation stopped using SafeShare: its people cannot sign in.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_enum(self) -> OrganisationKind:
        return OrganisationKind(self.kind)

    @property
    def contact(self) -> ContactPoint:
        return ContactPoint(
            team=self.contact_team,
            telephone=self.contact_telephone,
            email=self.contact_email,
            hours=self.contact_hours,
            out_of_hours=self.contact_out_of_hours,
        )

    @contact.setter
    def contact(self, value: ContactPoint) -> None:
        self.contact_team = value.team
        self.contact_telephone = value.telephone
        self.contact_email = value.email
        self.contact_hours = value.hours
        self.contact_out_of_hours = value.out_of_hours

    @property
    def contact_point(self) -> str:
        """The contact point on one line (team, telephone, hours), where a string is needed."""
        return self.contact.one_line()

    @contact_point.setter
    def contact_point(self, value: str) -> None:
        """A one-line contact point, as organisations had before ADR 0053: the team name."""
        self.contact_team = value.strip()

    def clean(self) -> None:
        super().clean()
        problems = contact_problems(self.contact)
        if problems:
            raise ValidationError({f"contact_{field}": text for field, text in problems.items()})


class SafeShareUserManager(UserManager):
    """Users sign in with their email address."""

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra_fields)


class User(AbstractUser):
    """A person who signs in for one organisation with one role."""

    email = models.EmailField(unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True
    )
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed = models.BooleanField(default=False)
    # The last time step whose code was accepted: a code is good once (RFC 6238, section 5.2).
    totp_last_step = models.BigIntegerField(default=0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects: ClassVar[SafeShareUserManager] = SafeShareUserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def clean(self) -> None:
        super().clean()
        if (
            self.organisation_id
            and self.role
            and self.organisation is not None
            and not role_allowed_for(self.organisation.kind, self.role)
        ):
            raise ValidationError(
                {"role": f"A {self.organisation.kind_enum.label.lower()} cannot hold this role."}
            )

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


class ApiToken(models.Model):
    """A bearer token for an API client. Only a hash of the secret is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tokens")
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_token_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.code}, {self.role})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiTokenBinding(models.Model):
    """Who acts through an API token: a named person, or a named system with the person who
    owns it. Shown wherever the service records who acted (``Actor.label``)."""

    token = models.OneToOneField(ApiToken, on_delete=models.CASCADE, related_name="binding")
    person = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    system_name = models.CharField(max_length=100, blank=True)
    system_owner = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(
        help_text="The token stops working at this time; rotate it before then."
    )
    replaces = models.ForeignKey(
        ApiToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, system_name="", system_owner__isnull=True)
                    | (
                        models.Q(person__isnull=True, system_owner__isnull=False)
                        & ~models.Q(system_name="")
                    )
                ),
                name="token_bound_to_person_or_owned_system",
            )
        ]

    def __str__(self) -> str:
        if self.person_id:
            return f"acting for {self.person}"
        return f"system {self.system_name}, owned by {self.system_owner}"


class AuthThrottle(models.Model):
    """Failed attempts against one key: an account, a network address or an API token prefix,
    always as a keyed hash. Locks back off exponentially (``safeshare.accounts.lockout``)."""

    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="unique_throttle")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.failures} failures"


class SecurityNotice(models.Model):
    """Something the account holder should know (their account was locked, say), shown to them
    at their next sign-in and sent by email when the service has an email server."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_notices")
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.message[:60]


class ReadAudit(models.Model):
    """One read of personal data: who read it (a person, or an API token and whom it acts for),
    what kind of record, which people (keyed tokens, never names) and through which route.

    Written by ``safeshare.accounts.read_audit`` for every page, API read, export and download
    that shows a person's data; the oversight report of reads per user is drawn from it."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    token = models.ForeignKey(
        ApiToken, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    record_kind = models.CharField(max_length=32)
    purpose = models.CharField(max_length=64)
    route = models.CharField(max_length=200)
    people = models.JSONField(default=list, help_text="Keyed tokens of the people shown.")
    person_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["user", "at"]), models.Index(fields=["token", "at"])]

    def __str__(self) -> str:
        return f"{self.record_kind} via {self.route}"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey) registered by a person for two-step sign-in. Only the
    public key is stored; ``sign_count`` catches a cloned authenticator."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100)
    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url")
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """An invitation to sign in for one organisation with one role: a one-time link that
    expires. Only a hash of the link's secret is stored (``accounts.administration``)."""

    email = models.EmailField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.organisation.code}, {self.role})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > now


class WebhookSubscription(models.Model):
    """Where an organisation's own system wants to hear of events (a police force: its
    protections; an IE unit: its clearances), signed with the subscription's secret."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(
        max_length=80, help_text="The shared secret the deliveries are signed with."
    )
    previous_secret = models.CharField(
        max_length=80,
        blank=True,
        help_text="The secret before the last rotation: deliveries carry a signature with it "
        "too until ``previous_secret_until``, so the receiving system can change over.",
    )
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.code})"


class OutboundDelivery(models.Model):
    """One event sent to one subscription: the exact body, and how each attempt went. A
    replay is a new delivery of the same event."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed: no more attempts"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event_type = models.CharField(max_length=40)
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.subscription_id} ({self.status})"
