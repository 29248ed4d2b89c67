"""Cases a police force records, the people in them, and the events that move them on."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.cases.lifecycle import CaseEvent as CaseEventType
from safeshare.cases.lifecycle import CaseState, OffenceCategory, PartyRole, is_ongoing
from safeshare.cases.modern_slavery import (
    NRM_CONSENT_LABELS,
    NRM_OUTCOME_LABELS,
    NRM_RECORD_LABELS,
    NRM_STAGE_LABELS,
)
from safeshare.people.models import Person

OFFENCE_LABELS = {
    OffenceCategory.DOMESTIC_ABUSE: "Domestic abuse",
    OffenceCategory.MODERN_SLAVERY_TRAFFICKING: "Modern slavery and trafficking",
    OffenceCategory.SEXUAL_OFFENCES: "Sexual offences",
    OffenceCategory.VIOLENCE_AGAINST_THE_PERSON: "Violence against the person",
    OffenceCategory.LABOUR_EXPLOITATION: "Labour exploitation",
    OffenceCategory.FORCED_MARRIAGE_OR_HONOUR_ABUSE: "Forced marriage or so-called honour abuse",
    OffenceCategory.HATE_CRIME: "Hate crime",
    OffenceCategory.OTHER: "Other",
}
ROLE_LABELS = {
    PartyRole.VICTIM: "Victim",
    PartyRole.WITNESS: "Witness",
    PartyRole.DEPENDANT: "Dependant",
    PartyRole.SUSPECT: "Suspect",
}
STATE_LABELS = {state: state.value.replace("_", " ").capitalize() for state in CaseState}
STATE_LABELS[CaseState.CLOSED_NFA] = "Closed: no further action"
EVENT_LABELS = {event: event.value.replace("_", " ").capitalize() for event in CaseEventType}


class Case(models.Model):
    """A crime recorded by a police force. The crime reference is unique within the force."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    crime_reference = models.CharField(max_length=40)
    offence_category = models.CharField(
        max_length=40, choices=[(o.value, label) for o, label in OFFENCE_LABELS.items()]
    )
    counting_rules_code = models.CharField(
        max_length=10, blank=True, help_text="Home Office Counting Rules code, if known."
    )
    state = models.CharField(
        max_length=30,
        choices=[(s.value, label) for s, label in STATE_LABELS.items()],
        default=CaseState.REPORTED.value,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["force", "crime_reference"], name="unique_crime_reference_per_force"
            )
        ]

    def __str__(self) -> str:
        return f"{self.crime_reference} ({self.force.code})"

    @property
    def state_enum(self) -> CaseState:
        return CaseState(self.state)

    @property
    def is_ongoing(self) -> bool:
        return is_ongoing(self.state_enum)

    @property
    def offence_label(self) -> str:
        return OFFENCE_LABELS[OffenceCategory(self.offence_category)]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state_enum]


class Party(models.Model):
    """A person's role in a case: victim, witness, dependant or suspect."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(
        max_length=20, choices=[(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    migrant = models.BooleanField(
        default=True, help_text="Whether the person may have insecure immigration status."
    )
    trafficking_indicators = models.JSONField(
        default=list,
        blank=True,
        help_text="Trafficking indicators the first responder recorded (codes; R27).",
    )
    nrm_consent = models.CharField(
        max_length=12,
        blank=True,
        choices=[(c.value, label) for c, label in NRM_CONSENT_LABELS.items()],
        help_text="The person's answer on a referral to the National Referral Mechanism.",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="unique_party_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.case}"

    @property
    def role_enum(self) -> PartyRole:
        return PartyRole(self.role)


class NrmRecord(models.Model):
    """A referral to the National Referral Mechanism, or a duty-to-notify report, made for a
    person in a case (R27). Kept as made: a correction is a new record, never an edit."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="nrm_records")
    kind = models.CharField(
        max_length=20, choices=[(k.value, label) for k, label in NRM_RECORD_LABELS.items()]
    )
    made_on = models.DateField()
    first_responder = models.CharField(
        max_length=200, blank=True, help_text="The first responder organisation that made it."
    )
    reference = models.CharField(
        max_length=64, blank=True, help_text="The NRM or Home Office reference, if given."
    )
    consent = models.CharField(
        max_length=12,
        blank=True,
        help_text="The person's answer on a referral as recorded on the case when it was made.",
    )
    recorded_by = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.made_on}"


class NrmDecision(models.Model):
    """A decision of the National Referral Mechanism on a person in a case (R27), in the order
    recorded: the history is kept, never overwritten."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="nrm_decisions")
    stage = models.CharField(
        max_length=20, choices=[(s.value, label) for s, label in NRM_STAGE_LABELS.items()]
    )
    outcome = models.CharField(
        max_length=10, choices=[(o.value, label) for o, label in NRM_OUTCOME_LABELS.items()]
    )
    decided_on = models.DateField()
    recorded_by = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_outcome_display()} on {self.decided_on}"


class CaseEvent(models.Model):
    """Something that happened in a case, which moved it from one state to another."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    event = models.CharField(
        max_length=40, choices=[(e.value, label) for e, label in EVENT_LABELS.items()]
    )
    occurred_on = models.DateField()
    state_before = models.CharField(max_length=30)
    state_after = models.CharField(max_length=30)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} on {self.occurred_on}"


class ImportedEvent(models.Model):
    """One event of a force's records-system feed, by the force's own identifiers: what it was
    applied to and a digest of its content, so that a re-import applies only what changed
    (``cases.feeds``, docs/adr/0025-feeds-from-force-systems.md)."""

    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    crime_reference = models.CharField(max_length=40)
    person_reference = models.CharField(max_length=64, blank=True)
    event_id = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="imported_events")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["force", "crime_reference", "person_reference", "event_id"],
                name="unique_imported_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.crime_reference}/{self.person_reference}/{self.event_id}"


class PersonMerge(models.Model):
    """Two people in a force's cases found to be one (R24): asked for with a reason by one
    person and carried out only when a second person of the force approves."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second person"
        MERGED = "merged", "Merged"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    keep = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merge = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_by = models.CharField(max_length=200)
    requester_key = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.CharField(max_length=200, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    def __str__(self) -> str:
        return f"merge {self.public_id} ({self.status})"
