"""Referral rules: whether police may refer a person to IE, and what the referral may carry.

``decide_referral`` applies N1 (never only to learn someone's status), R16 (no referral of a
domestic abuse victim on status doubts alone, where the policy says so; nothing at all under a
firewall) and any jurisdiction or force rule. ``validate_referral_payload`` rejects every field
the policy does not list (R17) and a payload without its lawful basis, gateway, data-sharing
agreement and DPIA version (R22).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from safeshare.cases.lifecycle import InformationSource, OffenceCategory, PartyRole
from safeshare.protocol.policy import (
    NECESSITY_ONLY_FIELDS,
    PROTECTED_ROLES,
    REQUIRED_REFERRAL_FIELDS,
    Jurisdiction,
    Policy,
)
from safeshare.protocol.protection import OpeningEvent, should_open_protection

__all__ = [
    "ConsentState",
    "FieldError",
    "FieldErrorCode",
    "ReferralDecision",
    "ReferralFacts",
    "ReferralTrigger",
    "decide_referral",
    "validate_referral_payload",
]

_SAFE_ROUTE = (
    "You can still record the person and refer them to a support organisation without sending "
    "anything to Immigration Enforcement (R16)."
)


class ReferralTrigger(StrEnum):
    """Why an officer wants to refer someone to Immigration Enforcement."""

    STATUS_ENQUIRY = "status_enquiry"
    STATUS_DOUBT = "status_doubt"
    SAFEGUARDING = "safeguarding"
    VICTIM_REQUEST = "victim_request"
    INVESTIGATIVE_NECESSITY = "investigative_necessity"
    PUBLIC_PROTECTION = "public_protection"

    @property
    def label(self) -> str:
        return _TRIGGER_LABELS[self]


_TRIGGER_LABELS = {
    ReferralTrigger.STATUS_ENQUIRY: "The officer wants to know the person's immigration status",
    ReferralTrigger.STATUS_DOUBT: (
        "The officer has concerns or doubts that the person is in the UK lawfully"
    ),
    ReferralTrigger.SAFEGUARDING: "Information is needed to assess safeguarding or vulnerability",
    ReferralTrigger.VICTIM_REQUEST: "The person has asked for help with their immigration status",
    ReferralTrigger.INVESTIGATIVE_NECESSITY: (
        "The person's status is relevant to the investigation"
    ),
    ReferralTrigger.PUBLIC_PROTECTION: "There is a public-protection concern",
}
_STATUS_ONLY = frozenset({ReferralTrigger.STATUS_ENQUIRY})


class ConsentState(StrEnum):
    """The person's consent to their data going to IE, as recorded (consent-2025)."""

    NONE = "none"
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    #: An officer marked that it may not have been freely given (for example the suspect or
    #: someone connected to them was present): it cannot be relied on.
    NOT_FREELY_GIVEN = "not_freely_given"


_CONSENT_REFUSALS = {
    ConsentState.NONE: (
        "no_consent",
        "The person has not given their recorded, informed consent to their data being shared "
        "with Immigration Enforcement, and this policy shares nothing without it.",
    ),
    ConsentState.REFUSED: (
        "consent_refused",
        "The person refused consent to their data being shared with Immigration Enforcement.",
    ),
    ConsentState.WITHDRAWN: (
        "consent_withdrawn",
        "The person withdrew their consent: nothing more may be shared with Immigration "
        "Enforcement.",
    ),
    ConsentState.NOT_FREELY_GIVEN: (
        "consent_not_free",
        "An officer recorded that the consent may not have been freely given, so it cannot be "
        "relied on.",
    ),
}


@dataclass(frozen=True)
class ReferralFacts:
    """What the officer records when asking to refer someone."""

    role: PartyRole
    offence: OffenceCategory
    triggers: frozenset[ReferralTrigger]
    jurisdiction: Jurisdiction
    force_code: str
    other_roles: frozenset[PartyRole] = frozenset()
    #: The person's consent to sharing with IE (read only where the policy requires it).
    consent: ConsentState = ConsentState.NONE


@dataclass(frozen=True)
class ReferralDecision:
    """Whether the referral may be sent, why, and whether recording it opens a protection."""

    allowed: bool
    reasons: tuple[str, ...]
    opens_protection: bool
    policy_id: str
    policy_version: str
    # Which rules refused it, as stable codes (recorded and counted; N1, R16, R33).
    rule_codes: tuple[str, ...] = ()


class FieldErrorCode(StrEnum):
    NOT_ALLOWED = "not_allowed"
    REQUIRED = "required"
    NECESSITY_NOT_DOCUMENTED = "necessity_not_documented"
    INVALID_VALUE = "invalid_value"


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of an outbound referral."""

    field: str
    code: FieldErrorCode
    message: str


def decide_referral(policy: Policy, facts: ReferralFacts) -> ReferralDecision:
    """Whether police may send this referral to IE under ``policy``, with every reason."""
    role, offence = PartyRole(facts.role), OffenceCategory(facts.offence)
    triggers = frozenset(ReferralTrigger(t) for t in facts.triggers)
    refusals: list[str] = []
    codes: list[str] = []
    rules = policy.referrals

    if role not in rules.allowed_roles:
        codes.append("role_not_allowed")
        refusals.append(
            f"This policy ({policy.title}) does not allow a {role} to be referred to "
            "Immigration Enforcement."
        )
    barred_elsewhere = sorted((facts.other_roles & PROTECTED_ROLES) - rules.allowed_roles)
    if barred_elsewhere:
        codes.append("role_in_other_case")
        refusals.append(
            "The person is a "
            + " and ".join(barred_elsewhere)
            + " in another case, and this policy does not allow their data to be referred."
        )
    profile = policy.jurisdiction(facts.jurisdiction)
    force = policy.force(facts.force_code)
    if role in PROTECTED_ROLES and profile.safe_reporting_only:
        codes.append("jurisdiction_safe_reporting")
        refusals.append("In this jurisdiction victims and witnesses are not referred (R33).")
    if role in PROTECTED_ROLES and force.safe_reporting_only:
        codes.append("force_safe_reporting")
        refusals.append(f"Force {facts.force_code} does not refer victims or witnesses (R33).")

    if rules.consent_required and role in PROTECTED_ROLES:
        state = ConsentState(facts.consent)
        if state != ConsentState.GIVEN:
            code, reason = _CONSENT_REFUSALS[state]
            codes.append(code)
            refusals.append(reason)

    if not triggers:
        codes.append("no_trigger")
        refusals.append("Record why the referral is needed.")
    elif triggers <= _STATUS_ONLY:
        codes.append("status_check_only")
        refusals.append(
            "A victim's or witness's details are never sent only because an officer wants to "
            "know their immigration status (N1)."
        )
    elif triggers - _STATUS_ONLY == {ReferralTrigger.STATUS_DOUBT}:
        refused_offences = (
            rules.status_doubt_only_refused_offences | force.status_doubt_only_refused_offences
        )
        if offence in refused_offences and role in rules.status_doubt_only_refused_roles:
            codes.append("status_doubt_only")
            refusals.append(
                "The only trigger is the officer's concerns or doubts about the person's "
                f"immigration status, and in a {offence.replace('_', ' ')} case that is not a "
                "reason to refer under this policy (R16, Safe to share? recommendation 1)."
            )

    if refusals:
        return ReferralDecision(
            False, (*refusals, _SAFE_ROUTE), False, policy.id, policy.version, tuple(codes)
        )
    opening = should_open_protection(policy, role, offence, OpeningEvent.POLICE_REFERRAL)
    reasons = ["The referral may be sent with the fields this policy lists.", opening.reason]
    return ReferralDecision(True, tuple(reasons), opening.opens, policy.id, policy.version)


def validate_referral_payload(
    policy: Policy,
    payload: Mapping[str, object],
    necessity_flags: Mapping[str, str] | None = None,
) -> list[FieldError]:
    """Every problem with an outbound referral; an empty list means it may be sent.

    ``necessity_flags`` maps a necessity-only field (crime narrative, current address, third-party
    details) to the recorded reason it is necessary. Any field the policy does not list is
    rejected, whatever its value (R17).
    """
    flags = necessity_flags or {}
    rules = policy.referrals
    errors: list[FieldError] = []
    for name in payload:
        if name in rules.fields:
            continue
        if name in rules.necessity_fields:
            if not str(flags.get(name, "")).strip():
                errors.append(
                    FieldError(
                        name,
                        FieldErrorCode.NECESSITY_NOT_DOCUMENTED,
                        f"'{name}' may only be sent with a documented necessity (R17).",
                    )
                )
            continue
        why = (
            "this policy never lets it be sent"
            if name in NECESSITY_ONLY_FIELDS
            else "it is not on this policy's list of referral fields"
        )
        errors.append(
            FieldError(name, FieldErrorCode.NOT_ALLOWED, f"'{name}' cannot be sent: {why} (R17).")
        )

    for name in REQUIRED_REFERRAL_FIELDS:
        value = payload.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.append(
                FieldError(
                    name,
                    FieldErrorCode.REQUIRED,
                    f"'{name}' is required: a referral cannot be sent without its role, "
                    "protection flag, controller, lawful basis, gateway, data-sharing agreement "
                    "and DPIA version (R17, R22).",
                )
            )

    errors.extend(_check_values(policy, payload))
    return errors


def _check_values(policy: Policy, payload: Mapping[str, object]) -> list[FieldError]:
    errors: list[FieldError] = []

    def invalid(name: str, message: str) -> None:
        errors.append(FieldError(name, FieldErrorCode.INVALID_VALUE, message))

    role = payload.get("role")
    if role is not None:
        if role not in set(PartyRole):
            invalid("role", f"'{role}' is not a role.")
        elif PartyRole(str(role)) not in policy.referrals.allowed_roles:
            invalid("role", f"A {role} cannot be referred under this policy.")
    flag = payload.get("protection_flag")
    if flag is not None and not isinstance(flag, bool):
        invalid("protection_flag", "The protection flag must be true or false.")
    source = payload.get("source_of_information")
    if source is not None and source not in set(InformationSource):
        invalid("source_of_information", f"'{source}' is not a source category (R19).")
    offence = payload.get("offence_category")
    if offence is not None and offence not in set(OffenceCategory):
        invalid("offence_category", f"'{offence}' is not an offence category.")
    return errors
