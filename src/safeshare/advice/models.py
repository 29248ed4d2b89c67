"""Advice packs, protection letters, safe contact, the victim's sign-in, and subject access.

Only ``advice/actions.py`` writes these tables.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.ledger.models import LedgerEntry
from safeshare.people.models import Person
from safeshare.protocol.models import Protection


def language_choices() -> list[tuple[str, str]]:
    """The languages in settings (one line each in locale/languages.toml). A callable, so that
    adding a language changes no migration."""
    return list(settings.LANGUAGES)


class ContactPreference(models.Model):
    """How to reach a person safely, held apart from case and identity data (R28, R29).

    Each change adds a row; the newest row is the one in force, so the history stays.
    """

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", "In person only"
        PHONE = "phone", "Telephone"
        EMAIL = "email", "Email"
        POST = "post", "Post"
        SUPPORT_ORGANISATION = "support_organisation", "Through their support organisation"

    class Shared(models.TextChoices):
        YES = "yes", "Yes, the address is shared with the alleged perpetrator"
        NO = "no", "No, the alleged perpetrator does not live there or see the post"
        NOT_KNOWN = "not_known", "Not known"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10, choices=language_choices)
    interpreter_needed = models.BooleanField()
    interpreter_language = models.CharField(max_length=100, blank=True)
    safe_channel = models.CharField(max_length=30, choices=Channel.choices)
    address_shared_with_perpetrator = models.CharField(max_length=10, choices=Shared.choices)
    safe_postal_address = models.TextField(blank=True)
    safe_phone = models.CharField(max_length=40, blank=True)
    safe_email = models.EmailField(blank=True)
    recorded_by = models.CharField(max_length=200)
    recorded_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"Contact preference for {self.person_id} ({self.recorded_at:%Y-%m-%d})"

    @property
    def post_is_safe(self) -> bool:
        """Letters may be posted only to an address the alleged perpetrator does not share."""
        return self.address_shared_with_perpetrator == self.Shared.NO and bool(
            self.safe_postal_address.strip()
        )


class Delivery(models.TextChoices):
    """How a letter or advice pack reached the person."""

    HANDED_OVER = "handed_over", "Printed and handed over in person"
    POSTED = "posted", "Posted to a safe address"
    EMAILED = "emailed", "Emailed to a safe email address"
    SUPPORT_ORGANISATION = "support_organisation", "Given through their support organisation"
    ONLINE_ONLY = "online_only", "Only online, in the person's own view"


class AdvicePack(models.Model):
    """An advice pack given to a person: what was advised, on which rules, in which language.

    ``facts``, ``advice_date`` and ``catalogue_digest`` reproduce the advice (R26); ``pdf`` is
    the document exactly as issued and ``content_digest`` its SHA-256, also on the ledger.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    protection = models.ForeignKey(Protection, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10, choices=language_choices)
    channel = models.CharField(max_length=30, choices=Delivery.choices)
    advice_date = models.DateField()
    facts = models.JSONField(help_text="Every fact as recorded; null means not known.")
    routes = models.JSONField(help_text="Candidate routes: id, fit, version_id and rule_ids.")
    organisations = models.JSONField(default=list)
    catalogue_digest = models.CharField(max_length=64)
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    content_digest = models.CharField(max_length=64)
    pdf = models.BinaryField()
    issued_by = models.CharField(max_length=200)
    issued_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    ledger_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"Advice pack {self.public_id} ({self.language})"


class ProtectionLetter(models.Model):
    """A protection letter. Its passcode is stored only as a salted Argon2 hash and is shown
    once, on the letter. Issuing a new letter replaces the old passcode."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    protection = models.ForeignKey(Protection, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10, choices=language_choices)
    delivery = models.CharField(max_length=30, choices=Delivery.choices)
    addressed_to = models.TextField(
        blank=True, help_text="The safe address a posted letter went to; empty otherwise."
    )
    passcode_hash = models.CharField(max_length=256)
    issued_by = models.CharField(max_length=200)
    issued_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"Protection letter {self.public_id}"

    @property
    def in_use(self) -> bool:
        return self.replaced_at is None


class ReferenceLock(models.Model):
    """Wrong passcodes typed for one reference, and the lock they cause.

    Keyed by a keyed hash of the reference as typed (normalised), so that references that do not
    exist are counted and locked in the same way, and nothing shows whether a reference exists.
    """

    reference_key = models.CharField(max_length=64, unique=True)
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reference lock {self.reference_key[:8]}"

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now


class ClientThrottle(models.Model):
    """Failed victim sign-ins from one network address (a keyed hash of it) in a window."""

    client_key = models.CharField(max_length=64, unique=True)
    window_started_at = models.DateTimeField(default=timezone.now)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Client throttle {self.client_key[:8]}"


class SubjectAccessExemption(models.Model):
    """One item withheld from a subject access export, with its reasons (R21, N7).

    An exemption covers exactly one record, never a category, records the para 4/4A risk
    assessment and a review date, and can never cover the person's own protection.
    """

    class Basis(models.TextChoices):
        IMMIGRATION_PARA_4 = (
            "dpa2018_sch2_para4",
            "Data Protection Act 2018, Schedule 2, paragraph 4 (immigration)",
        )
        CRIME_PARA_2 = (
            "dpa2018_sch2_para2",
            "Data Protection Act 2018, Schedule 2, paragraph 2 (crime and taxation)",
        )
        THIRD_PARTY = (
            "dpa2018_sch2_para16",
            "Data Protection Act 2018, Schedule 2, paragraph 16 (other people's data)",
        )

    NEVER_WITHHELD = frozenset({"protection", "person"})

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    item_kind = models.CharField(max_length=30)
    item_id = models.CharField(max_length=64)
    basis = models.CharField(max_length=40, choices=Basis.choices)
    risk_assessment = models.TextField()
    decided_by = models.CharField(max_length=200)
    decided_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    review_on = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=200, blank=True)
    withdrawal_reasons = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=200, blank=True)
    history = models.JSONField(
        default=list, blank=True, help_text="Each review: when, by whom, the next review date."
    )

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(item_kind__in=["protection", "person"]),
                name="protection_is_never_withheld",
            )
        ]

    def __str__(self) -> str:
        return f"Exemption of {self.item_kind} {self.item_id}"

    def clean(self) -> None:
        if self.item_kind in self.NEVER_WITHHELD:
            raise ValidationError(
                {"item_kind": "A person's own protection can never be withheld from them."}
            )


class SubjectAccessExport(models.Model):
    """A subject access export: who made it, when, the SHA-256 of what it contained, and the
    advocate's request it answers, if any (that request then leaves the force's worklist)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_by = models.CharField(max_length=200)
    requested_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    content_digest = models.CharField(max_length=64)
    item_count = models.PositiveIntegerField(default=0)
    exemption_count = models.PositiveIntegerField(default=0)
    ledger_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, related_name="+", null=True
    )
    answers = models.OneToOneField(
        "notifications.SubjectAccessRequest",
        on_delete=models.PROTECT,
        related_name="answer",
        null=True,
        blank=True,
        help_text="The advocate's request, made on the person's behalf, that this export "
        "answers. Empty for an export made for another reason.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Subject access export {self.public_id}"
