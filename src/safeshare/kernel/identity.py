"""The fields that identify a person, in the order forms and referrals show them."""

from __future__ import annotations

IDENTITY_FIELDS: tuple[str, ...] = (
    "given_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "sex",
    "nationality",
    "passport_number",
    "home_office_reference",
)
"""What a police officer records about a party and a referral may carry to Immigration
Enforcement; each policy lists which of them it shares."""
