"""Referrals of a victim, witness or dependant from a police force to Immigration Enforcement."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.cases.models import Case, Party


class Referral(models.Model):
    """What was sent, to whom, on what legal basis, and why: recorded the same way whatever the
    channel (R30). ``payload`` holds exactly the fields that were shared, nothing more (R17)."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Telephone"
        EMAIL = "email", "Email"
        API = "api", "API"
        WEB = "web", "SafeShare website"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="referrals")
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    trigger = models.CharField(max_length=40)
    source_of_information = models.CharField(max_length=30)
    controller = models.CharField(max_length=200)
    regime = models.CharField(max_length=40)
    lawful_basis = models.CharField(max_length=200)
    gateway = models.CharField(max_length=200)
    agreement_id = models.CharField(max_length=100)
    dpia_version = models.CharField(max_length=40)
    payload = models.JSONField()
    necessity_flags = models.JSONField(default=dict)
    protection = models.ForeignKey(
        "protocol.Protection", on_delete=models.PROTECT, null=True, related_name="referrals"
    )
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    #: The inputs of the policy's decision, and the decision, so that replay can decide again.
    facts = models.JSONField(default=dict, blank=True)
    decided = models.JSONField(default=dict, blank=True)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Referral {self.public_id}"


class RefusedReferral(models.Model):
    """A referral the policy refused: who tried, under which policy version, which rules refused
    it (N1, R16, R33). Nothing about the person was sent; this records only the attempt."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="refused_referrals")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="refused_referrals")
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    triggers = models.JSONField(default=list)
    rule_codes = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    attempted_by = models.CharField(max_length=200)
    attempted_by_key = models.CharField(max_length=64)
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    facts = models.JSONField(default=dict, blank=True)
    decided = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Refused referral in {self.case} ({', '.join(self.rule_codes)})"


class Consent(models.Model):
    """A person's answer when asked whether their data may be shared with Immigration
    Enforcement, for that purpose (consent-2025). Kept as asked, never edited: a withdrawal or
    an officer's doubt is added to it."""

    class Answer(models.TextChoices):
        GIVEN = "given", "Gave consent"
        REFUSED = "refused", "Refused consent"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(
        max_length=200, default="Sharing with Immigration Enforcement in a referral"
    )
    answer = models.CharField(max_length=10, choices=Answer.choices)
    fields = models.JSONField(default=list, help_text="Exactly what they agreed to share.")
    asked_by = models.CharField(max_length=200)
    asked_by_key = models.CharField(max_length=64)
    asked_by_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    language = models.CharField(max_length=60)
    interpreter_used = models.BooleanField()
    suspect_present = models.BooleanField(
        help_text="Whether the suspect, or anyone connected to them, was present."
    )
    own_words = models.TextField(
        blank=True, help_text="The person's own words, if they gave them."
    )
    not_freely_given = models.BooleanField(default=False)
    not_freely_given_reason = models.TextField(blank=True)
    flagged_by = models.CharField(max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=200, blank=True)
    withdrawal_words = models.TextField(blank=True)
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return f"Consent {self.public_id} ({self.answer})"


class StopProcessing(models.Model):
    """What was sent to IE when a person withdrew consent: stop processing what was shared."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="stops")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="stops")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Stop processing {self.referral}"


class AuthorityReferral(models.Model):
    """A referral to Immigration Enforcement by an NHS body, local authority or NRM first
    responder (R5): the person it registered, what was sent, to whom, on what legal basis and
    why, recorded as a police referral is. There is no police case; the referral itself holds
    the protection open when the policy protects on such referrals."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referrer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="authority_referrals"
    )
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    offence_category = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Referral.Channel.choices)
    trigger = models.CharField(max_length=40)
    source_of_information = models.CharField(max_length=30)
    controller = models.CharField(max_length=200)
    regime = models.CharField(max_length=40)
    lawful_basis = models.CharField(max_length=200)
    gateway = models.CharField(max_length=200)
    agreement_id = models.CharField(max_length=100)
    dpia_version = models.CharField(max_length=40)
    consent_given = models.BooleanField(
        default=False, help_text="The referrer recorded the person's informed consent."
    )
    consent_fields = models.JSONField(default=list, help_text="What the person agreed to share.")
    payload = models.JSONField()
    protection = models.ForeignKey(
        "protocol.Protection",
        on_delete=models.PROTECT,
        null=True,
        related_name="authority_referrals",
    )
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.CharField(max_length=200, blank=True)
    withdrawal_reason = models.CharField(max_length=40, blank=True)
    withdrawal_details = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Referral {self.public_id} by {self.referrer_id}"


class RefusedAuthorityReferral(models.Model):
    """A referral by an NHS body, local authority or NRM first responder (R5) that the policy
    refused: which organisation tried, when, as whom, under which policy version and which
    rules. Nothing about the person is kept: the person was never registered."""

    referrer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20)
    offence_category = models.CharField(max_length=40)
    triggers = models.JSONField(default=list)
    consent_given = models.BooleanField(default=False)
    rule_codes = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    attempted_by = models.CharField(max_length=200)
    attempted_by_key = models.CharField(max_length=64)
    policy_id = models.CharField(max_length=40)
    policy_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Refused referral by {self.referrer_id} ({', '.join(self.rule_codes)})"


class DataSharingAgreement(models.Model):
    """A force's data-sharing agreement with Immigration Enforcement, set up once by an
    administrator and chosen by name in each referral: the legal basis every referral records
    (R22). A referral copies these fields when it is sent, so changing or deactivating an
    agreement later leaves past referrals as they were."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="data_sharing_agreements"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    controller = models.CharField(max_length=200)
    regime = models.CharField(max_length=40)
    lawful_basis = models.CharField(max_length=200)
    gateway = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, help_text="The agreement's own reference.")
    dpia_version = models.CharField(max_length=40)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="agreement_slug_unique_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"
