"""API for police: cases, the people in them, and case events."""

import datetime as dt
import uuid

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safeshare.accounts.actors import Actor
from safeshare.api_kit import ApiProblem, require_scope
from safeshare.api_schemas import IdentityFields, ProtectionSummary, StrictSchema
from safeshare.cases import actions
from safeshare.cases.duplicates import possible_duplicates
from safeshare.cases.lifecycle import CaseEvent as CaseEventType
from safeshare.cases.lifecycle import OffenceCategory, PartyRole
from safeshare.cases.models import Case, Party, PersonMerge
from safeshare.cases.modern_slavery import (
    TRAFFICKING_INDICATORS,
    NrmConsent,
    NrmDecisionOutcome,
    NrmDecisionStage,
    NrmRecordKind,
    TraffickingIndicator,
)
from safeshare.idempotency.service import idempotent
from safeshare.kernel.roles import Role, Scope
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.actions import do_add_identity
from safeshare.people.identity import IdentityIn
from safeshare.people.models import Person

router = Router(tags=["Cases"])


class CaseIn(StrictSchema):
    crime_reference: str = Field(min_length=1, max_length=40, examples=["20/12345/26"])
    offence_category: OffenceCategory
    counting_rules_code: str = Field(default="", max_length=10)


class ModernSlaveryPrompt(Schema):
    step: str = Field(
        description="nrm_referral, duty_to_notify, ask_for_consent or support_without_referral"
    )
    message: str


class CaseNrmRecordOut(Schema):
    kind: NrmRecordKind
    made_on: dt.date
    first_responder: str
    reference: str
    consent: str = Field(description="The person's answer on a referral when it was made.")
    recorded_by: str


class CaseNrmDecisionOut(Schema):
    stage: NrmDecisionStage
    outcome: NrmDecisionOutcome
    decided_on: dt.date
    recorded_by: str


class CaseRecoveryPeriodOut(Schema):
    protected_from_removal: bool
    reason: str


class PartyOut(Schema):
    id: int
    role: str
    person_id: uuid.UUID
    protection: ProtectionSummary | None
    trafficking_indicators: list[str]
    nrm_consent: NrmConsent | None
    modern_slavery_prompt: ModernSlaveryPrompt | None = Field(
        description="What to do next when trafficking indicators are recorded (R27)."
    )
    nrm_records: list[CaseNrmRecordOut] = Field(
        default_factory=list,
        description="The NRM referral or duty-to-notify report made for the person (R27).",
    )
    nrm_decisions: list[CaseNrmDecisionOut] = Field(
        default_factory=list, description="The NRM's decisions on the person, in order."
    )
    recovery_period: CaseRecoveryPeriodOut | None = Field(
        default=None,
        description="Whether the NRM decisions recorded protect the person from removal today.",
    )


class CaseNrmRecordIn(StrictSchema):
    kind: NrmRecordKind
    made_on: dt.date
    first_responder: str = Field(
        default="", max_length=200, description="Needed for an NRM referral."
    )
    reference: str = Field(
        default="",
        max_length=64,
        description="The NRM reference, if given; the Home Office's for a duty-to-notify report.",
    )


class CaseNrmDecisionIn(StrictSchema):
    stage: NrmDecisionStage
    outcome: NrmDecisionOutcome
    decided_on: dt.date


class EventOut(Schema):
    event: str
    occurred_on: dt.date
    state_before: str
    state_after: str


class CaseOut(Schema):
    id: uuid.UUID
    crime_reference: str
    force_code: str
    offence_category: str
    state: str
    ongoing: bool
    parties: list[PartyOut]
    events: list[EventOut]


class PartyIn(IdentityFields):
    role: PartyRole
    migrant: bool = Field(
        default=True, description="Whether the person may have insecure immigration status."
    )
    person_id: uuid.UUID | None = Field(
        default=None,
        description="A person already in one of your force's cases, instead of identity fields.",
    )
    trafficking_indicators: list[TraffickingIndicator] = Field(
        default_factory=list,
        max_length=len(TRAFFICKING_INDICATORS),
        description="Signs of trafficking or modern slavery you saw (R27).",
    )
    nrm_consent: NrmConsent | None = Field(
        default=None,
        description=(
            "The person's answer on a referral to the National Referral Mechanism; needed "
            "when trafficking indicators are recorded ('not_asked' if you have not asked yet)."
        ),
    )

    def _requires_name(self) -> bool:
        return self.person_id is None


class EventIn(StrictSchema):
    event: CaseEventType
    occurred_on: dt.date | None = Field(default=None, description="Defaults to today.")


def _protection_summary(party: Party) -> ProtectionSummary | None:
    protection = party.person.protections.first()
    if protection is None:
        return None
    return ProtectionSummary(reference=protection.reference, status=protection.status)


def party_out(party: Party) -> PartyOut:
    prompt = actions.modern_slavery_prompt(party)
    decisions = list(party.nrm_decisions.all())
    period = actions.recovery_periods_for([party.person_id]).get(party.person_id)
    return PartyOut(
        nrm_records=[
            CaseNrmRecordOut(
                kind=NrmRecordKind(r.kind),
                made_on=r.made_on,
                first_responder=r.first_responder,
                reference=r.reference,
                consent=r.consent,
                recorded_by=r.recorded_by,
            )
            for r in party.nrm_records.all()
        ],
        nrm_decisions=[
            CaseNrmDecisionOut(
                stage=NrmDecisionStage(d.stage),
                outcome=NrmDecisionOutcome(d.outcome),
                decided_on=d.decided_on,
                recorded_by=d.recorded_by,
            )
            for d in decisions
        ],
        recovery_period=CaseRecoveryPeriodOut(protected_from_removal=period[0], reason=period[1])
        if period
        else None,
        id=party.pk,
        role=party.role,
        person_id=party.person.public_id,
        protection=_protection_summary(party),
        trafficking_indicators=list(party.trafficking_indicators),
        nrm_consent=NrmConsent(party.nrm_consent) if party.nrm_consent else None,
        modern_slavery_prompt=ModernSlaveryPrompt(step=prompt[0], message=prompt[1])
        if prompt
        else None,
    )


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.public_id,
        crime_reference=case.crime_reference,
        force_code=case.force.code,
        offence_category=case.offence_category,
        state=case.state,
        ongoing=case.is_ongoing,
        parties=[party_out(p) for p in case.parties.select_related("person", "case__force")],
        events=[
            EventOut(
                event=e.event,
                occurred_on=e.occurred_on,
                state_before=e.state_before,
                state_after=e.state_after,
            )
            for e in case.events.all()
        ],
    )


def own_case(request, case_id: uuid.UUID) -> Case:
    """A case of the caller's own force; another force's case is not found (no existence leak)."""
    client = request.auth
    return get_object_or_404(
        Case.objects.select_related("force"), public_id=case_id, force=client.organisation
    )


@router.post("/cases", response={201: CaseOut}, summary="Record a case")
@idempotent
def create_case(request, payload: CaseIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    case = actions.do_create_case(
        Actor.for_token(request.auth.token),
        crime_reference=payload.crime_reference,
        offence_category=payload.offence_category,
        counting_rules_code=payload.counting_rules_code,
    )
    return Status(201, case_out(case))


@router.get("/cases/{case_id}", response=CaseOut, summary="A case of your force")
def get_case(request, case_id: uuid.UUID):
    require_scope(request, Scope.CASES_READ, Role.POLICE_OFFICER)
    case = own_case(request, case_id)
    out = case_out(case)
    do_record_personal_data_read(
        Actor.for_token(request.auth.token),
        Person.objects.filter(parties__case=case).distinct(),
        "api_case_read",
    )
    return out


@router.post(
    "/cases/{case_id}/parties",
    response={201: PartyOut},
    summary="Add a person to a case in a role",
)
@idempotent
def add_party(request, case_id: uuid.UUID, payload: PartyIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    case = own_case(request, case_id)
    person, identity = None, None
    if payload.person_id is not None:
        person = (
            Person.objects.filter(
                public_id=payload.person_id, parties__case__force=request.auth.organisation
            )
            .distinct()
            .first()
        )
        if person is None:
            raise ApiProblem(
                422,
                "validation_error",
                "Some fields are not valid.",
                {"person_id": "No person with this id is in your force's cases"},
            )
    else:
        identity = IdentityIn(
            **payload.model_dump(
                exclude={"role", "migrant", "person_id", "trafficking_indicators", "nrm_consent"}
            )
        )
    party = actions.do_add_party(
        case,
        Actor.for_token(request.auth.token),
        role=payload.role,
        identity=identity,
        person=person,
        migrant=payload.migrant,
        trafficking_indicators=[i.value for i in payload.trafficking_indicators],
        nrm_consent=payload.nrm_consent.value if payload.nrm_consent else "",
    )
    return Status(201, party_out(party))


def _own_party(request, case_id: uuid.UUID, party_id: int) -> Party:
    case = own_case(request, case_id)
    return get_object_or_404(
        Party.objects.select_related("person", "case__force"), pk=party_id, case=case
    )


@router.post(
    "/cases/{case_id}/parties/{party_id}/nrm-records",
    response={201: PartyOut},
    summary="Record the NRM referral or duty-to-notify report made for a person (R27)",
)
@idempotent
def record_nrm_referral(request, case_id: uuid.UUID, party_id: int, payload: CaseNrmRecordIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    party = _own_party(request, case_id, party_id)
    actions.do_record_nrm_referral(
        party,
        Actor.for_token(request.auth.token),
        kind=payload.kind.value,
        made_on=payload.made_on,
        first_responder=payload.first_responder,
        reference=payload.reference,
    )
    return Status(201, party_out(party))


@router.post(
    "/cases/{case_id}/parties/{party_id}/nrm-decisions",
    response={201: PartyOut},
    summary="Record a National Referral Mechanism decision on a person (R27)",
)
@idempotent
def record_nrm_decision(request, case_id: uuid.UUID, party_id: int, payload: CaseNrmDecisionIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    party = _own_party(request, case_id, party_id)
    actions.do_record_nrm_decision(
        party,
        Actor.for_token(request.auth.token),
        stage=payload.stage.value,
        outcome=payload.outcome.value,
        decided_on=payload.decided_on,
    )
    return Status(201, party_out(party))


@router.post(
    "/cases/{case_id}/events",
    response={201: CaseOut},
    summary="Record a case event; protections are recomputed",
)
@idempotent
def add_event(request, case_id: uuid.UUID, payload: EventIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    case = own_case(request, case_id)
    if payload.occurred_on and payload.occurred_on > dt.date.today():
        raise ApiProblem(
            422,
            "validation_error",
            "Some fields are not valid.",
            {"occurred_on": "The date must be today or in the past"},
        )
    actions.do_record_case_event(
        case,
        Actor.for_token(request.auth.token),
        event=payload.event,
        occurred_on=payload.occurred_on,
    )
    case.refresh_from_db()
    return Status(201, case_out(case))


# --- Feeds: upsert and look up by the force's crime reference, and list with a cursor ------


class CaseUpsertIn(StrictSchema):
    offence_category: OffenceCategory
    counting_rules_code: str = Field(default="", max_length=10)


class CaseSummary(Schema):
    id: uuid.UUID
    crime_reference: str
    offence_category: str
    state: str
    ongoing: bool
    updated_at: dt.datetime


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


def _by_reference(request, force: str, crime_reference: str) -> Case | None:
    client = request.auth
    if force.upper() != client.organisation.code:
        raise ApiProblem(404, "not_found", "Not found.")
    reference = " ".join(crime_reference.split()).upper()
    return (
        Case.objects.select_related("force")
        .filter(force=client.organisation, crime_reference=reference)
        .first()
    )


@router.put(
    "/cases/by-reference/{force}/{path:crime_reference}",
    response={200: CaseOut, 201: CaseOut},
    summary="Record or update a case by your force's crime reference",
)
@idempotent
def upsert_case(request, force: str, crime_reference: str, payload: CaseUpsertIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    case = _by_reference(request, force, crime_reference)
    if case is None:
        case = actions.do_create_case(
            Actor.for_token(request.auth.token),
            crime_reference=crime_reference,
            offence_category=payload.offence_category,
            counting_rules_code=payload.counting_rules_code,
        )
        return Status(201, case_out(case))
    actions.do_update_case(
        case,
        offence_category=payload.offence_category,
        counting_rules_code=payload.counting_rules_code,
    )
    return Status(200, case_out(case))


@router.get(
    "/cases/by-reference/{force}/{path:crime_reference}",
    response=CaseOut,
    summary="A case of your force, by its crime reference",
)
def case_by_reference(request, force: str, crime_reference: str):
    require_scope(request, Scope.CASES_READ, Role.POLICE_OFFICER)
    case = _by_reference(request, force, crime_reference)
    if case is None:
        raise ApiProblem(404, "not_found", "Not found.")
    out = case_out(case)
    do_record_personal_data_read(
        Actor.for_token(request.auth.token),
        Person.objects.filter(parties__case=case).distinct(),
        "api_case_read",
    )
    return out


def decode_cursor(cursor: str | None) -> int:
    """A cursor is the last id of the page before, as a string of digits."""
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise ApiProblem(
            422, "validation_error", "Some fields are not valid.", {"cursor": "Not a cursor"}
        )
    return int(cursor)


@router.get("/cases", response=CasePage, summary="Your force's cases, oldest first")
def list_cases(
    request,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    state: str | None = None,
    offence_category: OffenceCategory | None = None,
    updated_since: dt.datetime | None = None,
):
    require_scope(request, Scope.CASES_READ, Role.POLICE_OFFICER)
    if not 1 <= limit <= 200:
        raise ApiProblem(
            422, "validation_error", "Some fields are not valid.", {"limit": "From 1 to 200"}
        )
    cases = Case.objects.filter(force=request.auth.organisation, pk__gt=decode_cursor(cursor))
    if state:
        cases = cases.filter(state=state)
    if offence_category:
        cases = cases.filter(offence_category=offence_category.value)
    if updated_since:
        cases = cases.filter(updated_at__gte=updated_since)
    page = list(cases.order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return CasePage(
        items=[
            CaseSummary(
                id=c.public_id,
                crime_reference=c.crime_reference,
                offence_category=c.offence_category,
                state=c.state,
                ongoing=c.is_ongoing,
                updated_at=c.updated_at,
            )
            for c in page
        ],
        next_cursor=str(page[-1].pk) if more else None,
    )


# --- Correcting and merging people (R24) ----------------------------------------------------


class IdentityCorrectionIn(IdentityFields):
    """Another or a corrected identity for the person: a name, alias, date of birth,
    nationality or document. Kept beside the earlier ones, so matching finds either."""


class IdentityAdded(Schema):
    person_id: uuid.UUID
    identities: int


class MergeIn(StrictSchema):
    merge_with: uuid.UUID = Field(description="The other person, who is merged into this one.")
    reason: str = Field(min_length=10, max_length=2000)


class MergeOut(Schema):
    id: uuid.UUID
    status: str
    person_id: uuid.UUID
    merged_person_id: uuid.UUID


def _force_person(request, person_id: uuid.UUID, field: str = "person_id") -> Person:
    person = actions.people_in_force(request.auth.organisation).filter(public_id=person_id).first()
    if person is None:
        if field == "person_id":
            raise ApiProblem(404, "not_found", "Not found.")
        raise ApiProblem(
            422,
            "validation_error",
            "Some fields are not valid.",
            {field: "No person with this id is in your force's cases"},
        )
    return person


def _merge_out(merge: PersonMerge) -> MergeOut:
    return MergeOut(
        id=merge.public_id,
        status=merge.status,
        person_id=merge.keep.public_id,
        merged_person_id=merge.merge.public_id,
    )


@router.post(
    "/people/{person_id}/identities",
    response={201: IdentityAdded},
    summary="Correct a person: add a name, alias, date of birth, nationality or document",
)
@idempotent
def add_identity(request, person_id: uuid.UUID, payload: IdentityCorrectionIn):

    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    person = _force_person(request, person_id)
    do_add_identity(
        person, IdentityIn(**payload.model_dump()), Actor.for_token(request.auth.token)
    )
    return Status(
        201, IdentityAdded(person_id=person.public_id, identities=person.identities.count())
    )


class DuplicateIdentity(Schema):
    given_names: str
    family_name: str
    date_of_birth: str | None
    nationality: str | None


class PossibleDuplicateOut(Schema):
    person_id: uuid.UUID
    probability: float = Field(description="How likely the matcher thinks they are one person.")
    decision: str = Field(description="match or possible")
    evidence: list[str] = Field(description="How each field compared.")
    identities: list[DuplicateIdentity]


@router.get(
    "/people/{person_id}/possible-duplicates",
    response=list[PossibleDuplicateOut],
    summary="People in your force's cases who may be this person, most likely first",
)
def list_possible_duplicates(request, person_id: uuid.UUID):
    require_scope(request, Scope.CASES_READ, Role.POLICE_OFFICER)
    person = _force_person(request, person_id)
    found = possible_duplicates(person, request.auth.organisation)
    out = [
        PossibleDuplicateOut(
            person_id=d.person.public_id,
            probability=round(d.probability, 6),
            decision=d.decision,
            evidence=list(d.evidence),
            identities=[
                DuplicateIdentity(
                    given_names=i.given_names,
                    family_name=i.family_name,
                    date_of_birth=i.date_of_birth or None,
                    nationality=i.nationality or None,
                )
                for i in d.person.identities.all()
            ],
        )
        for d in found
    ]
    do_record_personal_data_read(
        Actor.for_token(request.auth.token),
        [person, *(d.person for d in found)],
        "api_possible_duplicates",
    )
    return out


@router.post(
    "/people/{person_id}/merges",
    response={201: MergeOut},
    summary="Ask to merge another person into this one; a second person approves",
)
@idempotent
def request_merge(request, person_id: uuid.UUID, payload: MergeIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    keep = _force_person(request, person_id)
    other = _force_person(request, payload.merge_with, field="merge_with")
    merge = actions.do_request_merge(
        Actor.for_token(request.auth.token), keep=keep, merge=other, reason=payload.reason
    )
    return Status(201, _merge_out(merge))


@router.post(
    "/people/merges/{merge_id}/approve",
    response=MergeOut,
    summary="Approve a merge asked for by someone else in your force",
)
@idempotent
def approve_merge(request, merge_id: uuid.UUID):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    merge = get_object_or_404(
        PersonMerge.objects.select_related("keep", "merge"),
        public_id=merge_id,
        force=request.auth.organisation,
    )
    actions.do_approve_merge(Actor.for_token(request.auth.token), merge)
    merge.refresh_from_db()
    return _merge_out(merge)
