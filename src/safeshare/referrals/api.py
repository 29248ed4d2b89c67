"""API for referrals to Immigration Enforcement, only where the policy allows: by police from
their cases, and by NHS bodies, local authorities and NRM first responders (R5)."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from safeshare.accounts.actors import Actor
from safeshare.api_kit import require_scope
from safeshare.api_schemas import IdentityFields, StrictSchema
from safeshare.cases.lifecycle import InformationSource, OffenceCategory
from safeshare.cases.models import Party
from safeshare.idempotency.service import idempotent
from safeshare.kernel.identity import IDENTITY_FIELDS
from safeshare.kernel.roles import Role, Scope
from safeshare.people.identity import IdentityIn
from safeshare.protocol.policy import PROTECTED_ROLES
from safeshare.protocol.referral import ReferralTrigger
from safeshare.referrals import actions
from safeshare.referrals.models import (
    AuthorityReferral,
    Consent,
    Referral,
    RefusedAuthorityReferral,
)

router = Router(tags=["Referrals"])

ProtectedRole = StrEnum(  # type: ignore[misc]
    "ProtectedRole", {r.name: r.value for r in sorted(PROTECTED_ROLES)}
)
IdentityField = StrEnum("IdentityField", {n.upper(): n for n in IDENTITY_FIELDS})  # type: ignore[misc]

# Its own name in the OpenAPI document: the notices' ``Channel`` enum has the same class name,
# and one component would overwrite the other (the document showed the notices' values here).
ReferralChannel = StrEnum(  # type: ignore[misc]
    "ReferralChannel", {c.name: c.value for c in Referral.Channel}
)


def _deprecated_basis(longest: int, examples: list[str] | None = None) -> Any:
    """One of the six legal-basis fields that clients sent before agreements were set up in
    SafeShare: still taken, marked deprecated in the OpenAPI document (give ``agreement``)."""
    return Field(
        default=None,
        min_length=1,
        max_length=longest,
        description="Deprecated: give `agreement` instead. Taken only with the other five "
        "legal-basis fields and without `agreement`.",
        examples=examples,
        json_schema_extra={"deprecated": True},
    )


class ReferralIn(StrictSchema):
    case_id: uuid.UUID
    party_id: int
    triggers: list[ReferralTrigger] = Field(
        min_length=1, description="Why the referral is needed."
    )
    channel: ReferralChannel = ReferralChannel.API  # type: ignore[attr-defined]
    source_of_information: InformationSource
    agreement: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="The force's data-sharing agreement, by its slug, id or own reference "
        "(see the administration's data-sharing agreements): the referral records its legal "
        "basis. Give this, or the six deprecated legal-basis fields, not both.",
        examples=["home-office-data-sharing-agreement-2026"],
    )
    controller: str | None = _deprecated_basis(200)
    regime: str | None = _deprecated_basis(40, ["dpa_part_3", "uk_gdpr_part_2"])
    lawful_basis: str | None = _deprecated_basis(200)
    gateway: str | None = _deprecated_basis(200, ["Immigration and Asylum Act 1999 s.20"])
    agreement_id: str | None = _deprecated_basis(100)
    dpia_version: str | None = _deprecated_basis(40)
    necessity: dict[str, str] = Field(
        default_factory=dict,
        description="For a necessity-only field (crime_narrative, current_address, "
        "third_party_details): the documented reason it must be sent (R17).",
    )
    extra: dict[str, str] = Field(default_factory=dict, max_length=3)


class ReferralOut(Schema):
    id: uuid.UUID
    recipient_code: str
    payload: dict = Field(description="Exactly the fields that were shared, and nothing else.")
    protection_reference: str | None
    policy_id: str
    policy_version: str


_BASIS_NAMES = ("controller", "regime", "lawful_basis", "gateway", "agreement_id", "dpia_version")


def _referral_basis(
    payload: "ReferralIn | AuthorityReferralIn", organisation
) -> actions.LegalBasis:
    """The legal basis from the named agreement of the caller's organisation, or from the six
    deprecated fields (clients written before agreements were set up in SafeShare send those).
    An unknown agreement, or another organisation's, is refused naming ``agreement`` (422)."""
    from django.core.exceptions import ValidationError

    from safeshare.referrals.agreements import agreement_for, basis_of

    given = [name for name in _BASIS_NAMES if getattr(payload, name) is not None]
    if payload.agreement is not None:
        if given:
            raise ValidationError(
                {"agreement": f"Give the agreement or {', '.join(given)}, not both"}
            )
        return basis_of(agreement_for(organisation, payload.agreement))
    if not given:
        whose = "your force's" if organisation.kind == "police_force" else "your"
        raise ValidationError(
            {"agreement": f"Give {whose} data-sharing agreement, by its slug or reference"}
        )
    missing = [name for name in _BASIS_NAMES if getattr(payload, name) is None]
    if missing:
        raise ValidationError(
            {
                name: f"Give {name}, with the other legal-basis fields, or give the agreement"
                for name in missing
            }
        )
    return actions.LegalBasis(**{name: getattr(payload, name) for name in _BASIS_NAMES})


@router.post("/referrals", response={201: ReferralOut}, summary="Refer a person to IE")
@idempotent
def create_referral(request, payload: ReferralIn):
    require_scope(request, Scope.REFERRALS_WRITE, Role.POLICE_OFFICER)
    client = request.auth
    party = get_object_or_404(
        Party.objects.select_related("case", "person"),
        pk=payload.party_id,
        case__public_id=payload.case_id,
        case__force=client.organisation,
    )
    referral = actions.do_make_referral(
        party,
        Actor.for_token(client.token),
        triggers=[t.value for t in payload.triggers],
        channel=Referral.Channel(payload.channel),
        source_of_information=payload.source_of_information,
        basis=_referral_basis(payload, client.organisation),
        necessity=payload.necessity,
        extra=payload.extra,
    )
    return Status(
        201,
        ReferralOut(
            id=referral.public_id,
            recipient_code=referral.recipient.code,
            payload=referral.payload,
            protection_reference=referral.protection.reference if referral.protection else None,
            policy_id=referral.policy_id,
            policy_version=referral.policy_version,
        ),
    )


# --- Consent to sharing with IE (consent-2025) ------------------------------------------------

ConsentField = StrEnum("ConsentField", {name.upper(): name for name in actions.CONSENT_FIELDS})  # type: ignore[misc]
ConsentAnswer = StrEnum(  # type: ignore[misc]
    "ConsentAnswer", {c.name: c.value for c in Consent.Answer}
)


class ConsentIn(StrictSchema):
    answer: ConsentAnswer = Field(description="Whether the person gave or refused consent.")
    fields: list[ConsentField] = Field(
        default_factory=list,
        max_length=len(actions.CONSENT_FIELDS),
        description="Exactly what the person agreed to share (required when they gave consent).",
    )
    asked_at: datetime = Field(description="When the person was asked.")
    language: str = Field(
        min_length=1, max_length=60, description="The language they were asked in."
    )
    interpreter_used: bool
    suspect_present: bool = Field(
        description="Whether the suspect, or anyone connected to them, was present. A consent "
        "given with them present is recorded as possibly not freely given, and blocks sharing."
    )
    own_words: str = Field(default="", max_length=2000, description="Their own words, if given.")


class ConsentWithdrawalIn(StrictSchema):
    words: str = Field(default="", max_length=2000, description="Their own words, if given.")


class ConsentDoubtIn(StrictSchema):
    reason: str = Field(
        min_length=10, max_length=2000, description="Why the consent may not have been free."
    )


class ConsentOut(Schema):
    id: uuid.UUID
    party_id: int
    answer: str
    fields: list[str]
    asked_at: datetime
    language: str
    interpreter_used: bool
    suspect_present: bool
    not_freely_given: bool
    withdrawn_at: datetime | None
    state: str = Field(
        description="What the person's latest consent allows now: given, refused, withdrawn, "
        "not_freely_given."
    )
    stop_processing_sent_to: list[str] = Field(
        default_factory=list,
        description="IE units told to stop processing what was shared (on withdrawal).",
    )
    policy_id: str
    policy_version: str


class AuthorityReferralIn(IdentityFields):
    """A referral by an NHS body, local authority or NRM first responder (R5): the person's
    identity at the top level, as in a clearance request, and the referral's details."""

    model_config = ConfigDict(extra="forbid")

    role: ProtectedRole = Field(description="The person's role: victim, witness or dependant.")
    offence_category: OffenceCategory = Field(description="The kind of crime they suffered.")
    triggers: list[ReferralTrigger] = Field(
        min_length=1, description="Why the referral is needed."
    )
    channel: ReferralChannel = ReferralChannel.API  # type: ignore[attr-defined]
    source_of_information: InformationSource
    agreement: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="Your organisation's data-sharing agreement, by its slug, id or own "
        "reference, as set up by your administrator: the referral records its legal basis. "
        "Only your organisation's agreements are taken. Give this, or the six deprecated "
        "legal-basis fields, not both.",
        examples=["nhs-data-sharing-agreement-2026", "DSA-2026-031"],
    )
    controller: str | None = _deprecated_basis(200)
    regime: str | None = _deprecated_basis(40, ["uk_gdpr_part_2"])
    lawful_basis: str | None = _deprecated_basis(200)
    gateway: str | None = _deprecated_basis(200)
    agreement_id: str | None = _deprecated_basis(100)
    dpia_version: str | None = _deprecated_basis(40)
    consent_given: bool = Field(
        default=False,
        description="The person gave informed consent to sharing with IE, recorded by you "
        "(required where the policy asks for consent).",
    )
    consented_fields: list[IdentityField] = Field(
        default_factory=list, description="The identity fields the person agreed to share."
    )


class AuthorityReferralOut(Schema):
    id: uuid.UUID
    recipient_code: str
    payload: dict = Field(description="Exactly the fields that were shared, and nothing else.")
    protection_reference: str | None
    policy_id: str
    policy_version: str


def consent_out(consent: Consent, stopped: list[str] | None = None) -> ConsentOut:
    state = (
        "withdrawn"
        if consent.withdrawn_at
        else "not_freely_given"
        if consent.not_freely_given
        else consent.answer
    )
    return ConsentOut(
        id=consent.public_id,
        party_id=consent.party_id,
        answer=consent.answer,
        fields=list(consent.fields),
        asked_at=consent.asked_at,
        language=consent.language,
        interpreter_used=consent.interpreter_used,
        suspect_present=consent.suspect_present,
        not_freely_given=consent.not_freely_given,
        withdrawn_at=consent.withdrawn_at,
        state=state,
        stop_processing_sent_to=stopped or [],
        policy_id=consent.policy_id,
        policy_version=consent.policy_version,
    )


def _own_consent(client, consent_id: uuid.UUID) -> Consent:
    return get_object_or_404(
        Consent.objects.select_related("party__case"),
        public_id=consent_id,
        party__case__force=client.organisation,
    )


@router.post(
    "/cases/{case_id}/parties/{party_id}/consents",
    response={201: ConsentOut},
    summary="Record a person's answer when asked for consent to share their data with IE",
)
@idempotent
def record_consent(request, case_id: uuid.UUID, party_id: int, payload: ConsentIn):
    client = require_scope(request, Scope.REFERRALS_WRITE, Role.POLICE_OFFICER)
    party = get_object_or_404(
        Party.objects.select_related("case"),
        pk=party_id,
        case__public_id=case_id,
        case__force=client.organisation,
    )
    consent = actions.do_record_consent(
        party,
        Actor.for_token(client.token),
        answer=payload.answer.value,
        fields=[f.value for f in payload.fields],
        asked_at=payload.asked_at,
        language=payload.language,
        interpreter_used=payload.interpreter_used,
        suspect_present=payload.suspect_present,
        own_words=payload.own_words,
    )
    return Status(201, consent_out(consent))


@router.post(
    "/consents/{consent_id}/withdrawal",
    response=ConsentOut,
    summary="The person withdraws consent: nothing more is shared and IE is told to stop",
)
@idempotent
def withdraw_consent(request, consent_id: uuid.UUID, payload: ConsentWithdrawalIn):
    client = require_scope(request, Scope.REFERRALS_WRITE, Role.POLICE_OFFICER)
    consent = _own_consent(client, consent_id)
    stops = actions.do_withdraw_consent(
        consent, Actor.for_token(client.token), words=payload.words
    )
    consent.refresh_from_db()
    return consent_out(consent, sorted({stop.recipient.code for stop in stops}))


@router.post(
    "/consents/{consent_id}/not-freely-given",
    response=ConsentOut,
    summary="Record that a consent may not have been freely given (it then blocks sharing)",
)
@idempotent
def flag_consent(request, consent_id: uuid.UUID, payload: ConsentDoubtIn):
    client = require_scope(request, Scope.REFERRALS_WRITE, Role.POLICE_OFFICER)
    consent = _own_consent(client, consent_id)
    consent = actions.do_flag_consent_not_free(
        consent, Actor.for_token(client.token), reason=payload.reason
    )
    return consent_out(consent)


@router.post(
    "/authority-referrals",
    response={201: AuthorityReferralOut},
    summary="Refer a person as an NHS body, local authority or NRM first responder (R5)",
)
@idempotent
def create_authority_referral(request, payload: AuthorityReferralIn):
    require_scope(request, Scope.REFERRALS_WRITE, Role.REFERRER)
    client = request.auth
    identity = IdentityIn(**payload.model_dump(include=set(IdentityIn.model_fields)))
    referral = actions.do_make_authority_referral(
        Actor.for_token(client.token),
        identity,
        role=payload.role.value,
        offence_category=payload.offence_category.value,
        triggers=[t.value for t in payload.triggers],
        channel=Referral.Channel(payload.channel),
        source_of_information=payload.source_of_information,
        basis=_referral_basis(payload, client.organisation),
        consent_given=payload.consent_given,
        consent_fields=[f.value for f in payload.consented_fields],
    )
    return Status(
        201,
        AuthorityReferralOut(
            id=referral.public_id,
            recipient_code=referral.recipient.code,
            payload=referral.payload,
            protection_reference=referral.protection.reference if referral.protection else None,
            policy_id=referral.policy_id,
            policy_version=referral.policy_version,
        ),
    )


class WithdrawalReason(StrEnum):
    NO_LONGER_AT_RISK = "no_longer_at_risk"
    PERSON_ASKED = "person_asked"
    MADE_IN_ERROR = "made_in_error"
    POLICE_CASE_OPENED = "police_case_opened"


class AuthorityWithdrawalIn(StrictSchema):
    reason: WithdrawalReason = Field(description="Why the referral is withdrawn.")
    details: str = Field(default="", max_length=2000, description="Anything more, in words.")


class AuthorityClosureIn(StrictSchema):
    reasons: str = Field(min_length=1, max_length=2000, description="Why it is closed.")
    victim_notified: bool = Field(
        description="The end-of-protection notice was delivered to the person (R12b)."
    )


class AuthorityReferralStateOut(Schema):
    id: uuid.UUID
    withdrawn_at: datetime | None
    withdrawal_reason: str
    protection_reference: str | None
    protection_status: str | None = Field(
        description="active, transition (still blocking enforcement) or ended."
    )


def _own_authority_referral(client, referral_id: uuid.UUID) -> AuthorityReferral:
    return get_object_or_404(
        AuthorityReferral.objects.select_related("protection"),
        public_id=referral_id,
        referrer=client.organisation,
    )


def _referral_state(referral: AuthorityReferral) -> AuthorityReferralStateOut:
    protection = referral.protection
    if protection is not None:
        protection.refresh_from_db()
    return AuthorityReferralStateOut(
        id=referral.public_id,
        withdrawn_at=referral.withdrawn_at,
        withdrawal_reason=referral.withdrawal_reason,
        protection_reference=protection.reference if protection else None,
        protection_status=protection.status if protection else None,
    )


@router.post(
    "/authority-referrals/{referral_id}/withdrawal",
    response=AuthorityReferralStateOut,
    summary="Withdraw your organisation's referral (R5): it stops holding the protection open",
)
@idempotent
def withdraw_authority_referral(request, referral_id: uuid.UUID, payload: AuthorityWithdrawalIn):
    client = require_scope(request, Scope.REFERRALS_WRITE, Role.REFERRER)
    referral = _own_authority_referral(client, referral_id)
    referral = actions.do_withdraw_authority_referral(
        referral, Actor.for_token(client.token), reason=payload.reason.value,
        details=payload.details,
    )  # fmt: skip
    return _referral_state(referral)


@router.post(
    "/authority-referrals/{referral_id}/protection-closure",
    response=AuthorityReferralStateOut,
    summary="Close the protection a withdrawn referral opened, once the person has had notice",
)
@idempotent
def close_authority_protection(request, referral_id: uuid.UUID, payload: AuthorityClosureIn):
    client = require_scope(request, Scope.REFERRALS_WRITE, Role.REFERRER)
    referral = _own_authority_referral(client, referral_id)
    actions.do_close_authority_protection(
        referral, Actor.for_token(client.token), reasons=payload.reasons,
        victim_notified=payload.victim_notified,
    )  # fmt: skip
    return _referral_state(referral)


class RefusedAuthorityReferralOut(Schema):
    attempted_at: datetime
    attempted_by: str
    role: str
    offence_category: str
    triggers: list[str]
    rules: list[str] = Field(description="The codes of the policy's rules that refused it.")
    reasons: list[str]
    policy_id: str
    policy_version: str


@router.get(
    "/authority-referrals/refused",
    response=list[RefusedAuthorityReferralOut],
    summary="Your organisation's referrals the policy refused (the latest 200): who, when, why",
)
def refused_authority_referrals(request):
    client = require_scope(request, Scope.REFERRALS_WRITE, Role.REFERRER)
    refused = RefusedAuthorityReferral.objects.filter(referrer=client.organisation)[:200]
    return [
        RefusedAuthorityReferralOut(
            attempted_at=r.created_at,
            attempted_by=r.attempted_by,
            role=r.role,
            offence_category=r.offence_category,
            triggers=r.triggers,
            rules=r.rule_codes,
            reasons=r.reasons,
            policy_id=r.policy_id,
            policy_version=r.policy_version,
        )
        for r in refused
    ]
