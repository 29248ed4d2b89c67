"""API for police: cases, the people in them, and case events."""

import datetime as dt
import uuid

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from safeshare.accounts.actors import Actor
from safeshare.api_kit import ApiProblem, require_scope
from safeshare.api_schemas import IdentityFields, ProtectionSummary, StrictSchema
from safeshare.cases import actions
from safeshare.cases.lifecycle import CaseEvent as CaseEventType
from safeshare.cases.lifecycle import OffenceCategory, PartyRole
from safeshare.cases.models import Case, Party
from safeshare.idempotency.service import idempotent
from safeshare.kernel.roles import Role, Scope
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.identity import IdentityIn
from safeshare.people.models import Person

router = Router(tags=["Cases"])


class CaseIn(StrictSchema):
    crime_reference: str = Field(min_length=1, max_length=40, examples=["20/12345/26"])
    offence_category: OffenceCategory
    counting_rules_code: str = Field(default="", max_length=10)


class PartyOut(Schema):
    id: int
    role: str
    person_id: uuid.UUID
    protection: ProtectionSummary | None


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


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.public_id,
        crime_reference=case.crime_reference,
        force_code=case.force.code,
        offence_category=case.offence_category,
        state=case.state,
        ongoing=case.is_ongoing,
        parties=[
            PartyOut(
                id=p.pk,
                role=p.role,
                person_id=p.person.public_id,
                protection=_protection_summary(p),
            )
            for p in case.parties.select_related("person")
        ],
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
        identity = IdentityIn(**payload.model_dump(exclude={"role", "migrant", "person_id"}))
    party = actions.do_add_party(
        case,
        Actor.for_token(request.auth.token),
        role=payload.role,
        identity=identity,
        person=person,
        migrant=payload.migrant,
    )
    return Status(
        201,
        PartyOut(
            id=party.pk,
            role=party.role,
            person_id=party.person.public_id,
            protection=_protection_summary(party),
        ),
    )


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
