"""Protections, clearances, reviews of possible matches, and overrides."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Cast, Left
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.cases.lifecycle import RegularisationStatus
from safeshare.cases.models import Case
from safeshare.kernel.wording import short_reference
from safeshare.people.models import Person
from safeshare.protocol.clearance import ClearanceOutcome
from safeshare.protocol.protection import ProtectionStatus

PROTECTION_STATUS_LABELS = {
    ProtectionStatus.ACTIVE: "Active",
    ProtectionStatus.TRANSITION: "In transition",
    ProtectionStatus.ENDED: "Ended",
}
REFERENCE_LENGTH = 8
DECISION_LABELS = {
    ClearanceOutcome.BLOCKED: "Blocked",
    ClearanceOutcome.HOLD: "On hold",
    ClearanceOutcome.CLEAR: "Clear",
}


class Protection(models.Model):
    """A person's protection from immigration enforcement. It has no expiry date: it ends only
    when a person closes it after a transition period (R8, R12)."""

    reference = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="protections")
    status = models.CharField(
        max_length=20, choices=[(s.value, label) for s, label in PROTECTION_STATUS_LABELS.items()]
    )
    trigger = models.CharField(max_length=30)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    contact_point = models.CharField(max_length=200)
    regularisation_status = models.CharField(
        max_length=30,
        choices=[(s.value, s.value.replace("_", " ")) for s in RegularisationStatus],
        default=RegularisationStatus.NONE.value,
    )
    regularisation_certified_by = models.CharField(max_length=200, blank=True)
    regularisation_certified_at = models.DateTimeField(null=True, blank=True)
    nrm_recovery_period = models.BooleanField(default=False)
    nrm_recovery_until = models.DateField(
        null=True,
        blank=True,
        help_text="The end of the minimum 30-day recovery period after a positive "
        "reasonable-grounds decision: it protects from removal until then whatever comes next.",
    )
    regularisation_history = models.JSONField(
        default=list, blank=True, help_text="Every regularisation status recorded, in order."
    )
    nrm_history = models.JSONField(
        default=list, blank=True, help_text="Every NRM decision recorded, in order."
    )
    decisions = models.JSONField(
        default=list,
        blank=True,
        help_text="Every change of status the policy decided, with the facts it decided from "
        "and the policy version, so that replay can decide it again.",
    )
    status_reasons = models.JSONField(default=list)
    status_changed_at = models.DateTimeField(default=timezone.now)
    transition_notice_at = models.DateTimeField(null=True, blank=True)
    referral_hold_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the other authority (R5) whose referral opened the protection "
        "withdrew it, so that the referral no longer holds the protection open.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=200, blank=True)
    close_reasons = models.TextField(blank=True)
    cases = models.ManyToManyField(Case, through="ProtectionCase", related_name="protections")

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def in_recovery_period(self) -> bool:
        """Protected from removal by an NRM recovery period today (R27)."""
        until = self.nrm_recovery_until
        return self.nrm_recovery_period or (until is not None and timezone.localdate() <= until)

    @property
    def status_enum(self) -> ProtectionStatus:
        return ProtectionStatus(self.status)

    @property
    def status_label(self) -> str:
        return PROTECTION_STATUS_LABELS[self.status_enum]

    @property
    def protects(self) -> bool:
        """Active and in-transition protections both block enforcement."""
        return self.status_enum is not ProtectionStatus.ENDED

    def approved_overrides(self) -> list[dict[str, object]]:
        """Overrides approved against this protection: what action, when, under which exception."""
        rows = (
            Override.objects.filter(status=Override.Status.APPROVED, clearance__protections=self)
            .select_related("clearance")
            .order_by("-decided_at")
            .distinct()
        )
        return [
            {
                "action": o.clearance.action_code.replace("_", " ").capitalize(),
                "decided_at": o.decided_at,
                "exception": o.exception_category.replace("_", " "),
            }
            for o in rows
        ]


class ProtectionCase(models.Model):
    """A case that can hold a protection open, and the person's role in it."""

    protection = models.ForeignKey(Protection, on_delete=models.PROTECT, related_name="links")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="protection_links")
    role = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["protection", "case", "role"], name="unique_protection_case_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.protection} held by {self.case} ({self.role})"


class Clearance(models.Model):
    """IE's question before an enforcement action, and SafeShare's answer."""

    class Status(models.TextChoices):
        DECIDED = "decided", "Decided"
        SUSPENDED = "suspended", "Suspended: the person is now protected"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requester = models.CharField(max_length=200, help_text="The person or API client who asked.")
    requester_key = models.CharField(max_length=64)
    action_code = models.CharField(max_length=60)
    actions_version = models.CharField(max_length=64)
    subject = models.JSONField(help_text="IE's identity data about the subject, as given.")
    information_sources = models.JSONField(default=list)
    scheduled_for = models.DateField(null=True, blank=True)
    sweep_row = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="For a person a sweep found: the sweep and the row of its file, so that a "
        "sweep started again asks once (never shown to anyone, never in the ledger).",
    )
    decision = models.CharField(
        max_length=10, choices=[(d.value, label) for d, label in DECISION_LABELS.items()]
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DECIDED)
    reasons = models.JSONField(default=list)
    ie_message = models.CharField(max_length=300, default="", help_text="All that IE is told.")
    ie_contact_point = models.CharField(max_length=200, blank=True)
    ie_protection_reference = models.CharField(max_length=32, blank=True)
    ie_decision = models.CharField(
        max_length=10,
        blank=True,
        help_text="The decision as IE is shown it (under a firewall, never 'hold').",
    )
    facts = models.JSONField(
        default=dict,
        blank=True,
        help_text="The inputs the pure core decided from, so the decision can be replayed.",
    )
    history = models.JSONField(
        default=list,
        blank=True,
        help_text="Every decision of this clearance in turn, each with its policy version.",
    )
    ever_protected = models.BooleanField(default=False)
    protections = models.ManyToManyField(Protection, related_name="clearances", blank=True)
    match_decision = models.CharField(max_length=10)
    match_explanation = models.JSONField(default=list)
    matcher_version = models.CharField(max_length=64)
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Clearance {self.reference} ({self.decision})"

    @property
    def reference(self) -> str:
        """The short reference people read and say over the phone."""
        return short_reference(self.public_id)

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS[ClearanceOutcome(self.decision)]

    @property
    def ie_decision_label(self) -> str:
        return DECISION_LABELS[ClearanceOutcome(self.ie_decision or self.decision)]


class Review(models.Model):
    """A possible match that a protocol officer must decide: the same person, or not."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a decision"
        RESOLVED = "resolved", "Decided"

    class Verdict(models.TextChoices):
        SAME_PERSON = "same_person", "The same person"
        NOT_SAME_PERSON = "not_same_person", "Not the same person"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clearance = models.ForeignKey(Clearance, on_delete=models.PROTECT, related_name="reviews")
    candidates = models.ManyToManyField(Protection, related_name="reviews")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)
    reasons = models.TextField(blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    resolved_by_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # The short reference names one review (ADR 0047): no two may share it, even when
            # two are created at the same instant.
            models.UniqueConstraint(
                Left(Cast("public_id", output_field=models.CharField()), REFERENCE_LENGTH),
                name="protocol_review_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.reference} of {self.clearance}"

    @property
    def reference(self) -> str:
        """The short reference people read and say over the phone (ADR 0047): the first eight
        characters of its id, which no other review shares."""
        return short_reference(self.public_id)


def reference_bounds(reference: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The least and greatest id whose short reference is ``reference``, or None when it
    cannot be one. An index range, so a review is found by its reference quickly."""
    compact = reference.strip().lower()
    if len(compact) != REFERENCE_LENGTH or any(c not in "0123456789abcdef" for c in compact):
        return None
    return uuid.UUID(compact + "0" * 24), uuid.UUID(compact + "f" * 24)


def unused_review_id() -> uuid.UUID:
    """A new review id whose short reference no review has yet, so that the reference alone
    names one review (ADR 0047)."""
    while True:
        candidate = uuid.uuid4()
        bounds = reference_bounds(short_reference(candidate))
        assert bounds is not None
        if not Review.objects.filter(public_id__range=bounds).exists():
            return candidate


class Override(models.Model):
    """A request to act despite a block, under a named exception; needs a second, senior person."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clearance = models.ForeignKey(Clearance, on_delete=models.PROTECT, related_name="overrides")
    exception_category = models.CharField(max_length=60)
    reasons = models.TextField()
    suspected_offence = models.JSONField(null=True, blank=True)
    statutory_defence_flag = models.BooleanField(default=False)
    requested_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requester = models.CharField(max_length=200)
    requester_key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_by_key = models.CharField(max_length=64, blank=True)
    decision_reasons = models.TextField(blank=True)
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Override {self.reference} ({self.status})"

    @property
    def reference(self) -> str:
        """The short reference people read and say over the phone, as for a clearance."""
        return short_reference(self.public_id)


class OutcomeReport(models.Model):
    """What IE says it did after a clearance: took the action (when), cancelled it, or not yet.

    ``valid_basis`` records whether a valid ``clear`` for that action covered the moment the
    action was taken; when it did not, oversight was alerted (``alerted``)."""

    class Outcome(models.TextChoices):
        ACTION_TAKEN = "action_taken", "Action taken"
        CANCELLED = "cancelled", "Cancelled"
        NOT_YET = "not_yet", "Not taken yet"

    clearance = models.ForeignKey(Clearance, on_delete=models.PROTECT, related_name="outcomes")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    action_taken_at = models.DateTimeField(null=True, blank=True)
    valid_basis = models.BooleanField()
    basis_reason = models.CharField(max_length=300)
    alerted = models.BooleanField(default=False)
    reported_by = models.CharField(max_length=200)
    reporter_key = models.CharField(max_length=64)
    reported_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} for {self.clearance}"


class PolicyFile(models.Model):
    """The exact bytes of a policy version, stored by its hash when the service first runs with
    it, so that any recorded decision's rules can be loaded from the database (replay) even if
    the file is no longer in the repository. Never changed once stored."""

    version = models.CharField(max_length=64, unique=True)
    policy_id = models.CharField(max_length=40)
    content = models.TextField()
    first_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_used_at", "id"]

    def __str__(self) -> str:
        return f"{self.policy_id}@{self.version[:12]}"
