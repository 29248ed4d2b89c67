"""People and their identities. A person can be known under several identities and aliases."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from safeshare.accounts.models import Organisation
from safeshare.people.identity import Sex


class Person(models.Model):
    """Someone SafeShare holds data about. Merged people point at the person they became."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        identity = self.identities.first()
        return identity.full_name if identity else f"Person {self.public_id}"

    @property
    def primary_identity(self) -> Identity | None:
        return self.identities.order_by("id").first()


class Identity(models.Model):
    """One way a person is described: names, aliases, partial date of birth, documents."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identities")
    given_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    date_of_birth = models.CharField(
        max_length=10, blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    sex = models.CharField(max_length=10, blank=True, choices=[(s.value, s.value) for s in Sex])
    nationality_code = models.CharField(max_length=3, blank=True, help_text="ISO 3166 alpha-3")
    nationality_text = models.CharField(
        max_length=100, blank=True, help_text="The nationality as given, when it has no code"
    )
    passport_number = models.CharField(max_length=30, blank=True)
    home_office_reference = models.CharField(max_length=30, blank=True)
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part)

    @property
    def nationality(self) -> str:
        return self.nationality_code or self.nationality_text

    def as_fields(self) -> dict[str, object]:
        """The identity in the service's canonical field names."""
        return {
            "given_names": self.given_names,
            "family_name": self.family_name,
            "aliases": list(self.aliases),
            "date_of_birth": self.date_of_birth or None,
            "sex": self.sex or None,
            "nationality": self.nationality or None,
            "passport_number": self.passport_number or None,
            "home_office_reference": self.home_office_reference or None,
        }
