"""API for referrals to Immigration Enforcement, only where the policy allows: by police from
their cases, and by NHS bodies, local authorities and NRM first responders (R5)."""

import uuid
from enum import StrEnum

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
from safeshare.referrals.models import Referral

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


class ReferralIn(StrictSchema):
    case_id: uuid.UUID
    party_id: int
    triggers: list[ReferralTrigger] = Field(
        min_length=1, description="Why the referral is needed."
    )
    channel: ReferralChannel = ReferralChannel.API  # type: ignore[attr-defined]
    source_of_information: InformationSource
    controller: str = Field(min_length=1, max_length=200)
    regime: str = Field(min_length=1, max_length=40, examples=["dpa_part_3", "uk_gdpr_part_2"])
    lawful_basis: str = Field(min_length=1, max_length=200)
    gateway: str = Field(
        min_length=1, max_length=200, examples=["Immigration and Asylum Act 1999 s.20"]
    )
    agreement_id: str = Field(min_length=1, max_length=100)
    dpia_version: str = Field(min_length=1, max_length=40)
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
        basis=actions.LegalBasis(
            controller=payload.controller,
            regime=payload.regime,
            lawful_basis=payload.lawful_basis,
            gateway=payload.gateway,
            agreement_id=payload.agreement_id,
            dpia_version=payload.dpia_version,
        ),
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
    controller: str = Field(min_length=1, max_length=200)
    regime: str = Field(min_length=1, max_length=40, examples=["uk_gdpr_part_2"])
    lawful_basis: str = Field(min_length=1, max_length=200)
    gateway: str = Field(min_length=1, max_length=200)
    agreement_id: str = Field(min_length=1, max_length=100)
    dpia_version: str = Field(min_length=1, max_length=40)
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
        basis=actions.LegalBasis(
            controller=payload.controller,
            regime=payload.regime,
            lawful_basis=payload.lawful_basis,
            gateway=payload.gateway,
            agreement_id=payload.agreement_id,
            dpia_version=payload.dpia_version,
        ),
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
