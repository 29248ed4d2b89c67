"""API for protections, clearances, reviews and overrides.

IE sees only decisions, protection references and whom to contact (R18); protocol officers see
identities so that they can decide possible matches; police see their own force's protections.
"""

import datetime as dt
import uuid

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from safeshare.accounts.actors import Actor
from safeshare.api_kit import ApiProblem, require_scope
from safeshare.api_schemas import IdentityFields, StrictSchema
from safeshare.cases.lifecycle import InformationSource, RegularisationStatus
from safeshare.idempotency.service import idempotent
from safeshare.kernel.contact import ContactPoint
from safeshare.kernel.roles import Role, Scope
from safeshare.ledger.audit import do_record_personal_data_read
from safeshare.people.models import Person
from safeshare.protocol import actions, outcomes
from safeshare.protocol.clearance import (
    WOULD_RESOLVE,
    ClearanceOutcome,
    EvidenceRequest,
    describe_requests,
    missing_for_search,
)
from safeshare.protocol.contacts import clearance_contact, protection_contact
from safeshare.protocol.enforcement import enforcement_actions
from safeshare.protocol.models import Clearance, OutcomeReport, Override, Protection, Review
from safeshare.protocol.policy import ExceptionCategory
from safeshare.protocol.protection import ProtectionStatus
from safeshare.protocol.references import normalise_reference

router = Router(tags=["Protections and clearances"])
IE_ROLES = (Role.IE_CASEWORKER, Role.IE_SENIOR_APPROVER)


class ContactOut(Schema):
    """A contact point: whom to contact, how and when (ADR 0053). Unset parts are null."""

    team: str
    telephone: str | None = None
    email: str | None = None
    hours: str | None = Field(
        default=None, description="For example, Monday to Friday, 8am to 6pm."
    )
    out_of_hours: str | None = Field(
        default=None, description="What to do when the team is closed."
    )

    @classmethod
    def of(cls, contact: ContactPoint | None) -> "ContactOut | None":
        if not contact:
            return None
        return cls(
            team=contact.team,
            telephone=contact.telephone or None,
            email=contact.email or None,
            hours=contact.hours or None,
            out_of_hours=contact.out_of_hours or None,
        )


class ProtectionOut(Schema):
    reference: str
    status: str
    protected: bool = Field(description="True while the protection blocks enforcement.")
    message: str
    contact_point: str
    contact: ContactOut | None = Field(
        default=None, description="Whom to contact while the protection blocks enforcement."
    )
    opened_at: dt.datetime | None = None
    status_reasons: list[str] | None = Field(
        default=None, description="Why the status is what it is (police and protocol officers)."
    )


class ClearanceIn(IdentityFields):
    action: str = Field(description="An enforcement action code from the versioned list.")
    information_sources: list[InformationSource] = Field(
        min_length=1, description="Every source of the information behind the action (R19)."
    )
    scheduled_for: dt.date | None = None


class ClearanceOut(Schema):
    id: uuid.UUID
    action: str
    decision: ClearanceOutcome
    status: str
    protection_reference: str | None
    message: str
    contact_point: str | None = Field(description="Whom to contact, on one line.")
    contact: ContactOut | None = Field(
        default=None,
        description="Whom to contact, with telephone, email, hours and out-of-hours route.",
    )
    evidence_requested: list[EvidenceRequest] = Field(
        default_factory=list,
        description=(
            "For a hold caused by missing evidence: what would settle it. A new clearance "
            "request for the same action with it is decided again by the matcher."
        ),
    )
    policy_id: str
    policy_version: str
    created_at: dt.datetime


class CandidateOut(Schema):
    protection_reference: str
    protection_status: str
    identities: list[dict]


class ReviewOut(Schema):
    id: int
    reference: str = Field(
        description="The short reference people read and say over the phone, as the pages show it."
    )
    status: str
    verdict: str | None
    clearance_id: uuid.UUID
    clearance_reference: str = Field(description="The clearance's short reference.")
    action: str
    subject: dict
    candidates: list[CandidateOut]
    explanation: list[str]
    created_at: dt.datetime


class ResolveIn(StrictSchema):
    verdict: Review.Verdict
    reasons: str = Field(min_length=10, max_length=2000)


class OffenceIn(StrictSchema):
    code: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1, max_length=300)
    linked_to_public_protection: bool = False
    convicted: bool = False


class OverrideIn(StrictSchema):
    clearance_id: uuid.UUID
    exception_category: ExceptionCategory
    reasons: str = Field(min_length=1, max_length=4000)
    suspected_offence: OffenceIn | None = None
    modern_slavery_indicators: bool = False


class OverrideDecisionIn(StrictSchema):
    approve: bool = True
    reasons: str = Field(min_length=1, max_length=4000)
    statutory_defence_considered: bool = False


class OverrideOut(Schema):
    id: uuid.UUID
    clearance_id: uuid.UUID
    exception_category: str
    status: str
    clearance_decision: str
    custodian_ruling_awaited: bool = Field(
        description=(
            "Under a firewall: the protocol custodian has yet to rule whether the subject is "
            "the protected person, and the override cannot be approved until they have."
        )
    )
    message: str = Field(description="What the override is waiting for, in words.")


class ActionOut(Schema):
    code: str
    name: str
    description: str


def _is_own_force_protection(protection: Protection, organisation) -> bool:
    """A force's officers see the protections it opened or that its cases hold open."""
    return (
        protection.opened_by_id == organisation.pk
        or protection.cases.filter(force=organisation).exists()
    )


def _overrides_for(client):
    """Overrides a caller may decide: those on a protocol officer's force's protections, or
    those a senior approver's own unit asked for."""
    overrides = Override.objects.select_related("clearance")
    if client.role == Role.PROTOCOL_OFFICER:
        return overrides.filter(
            Q(clearance__protections__opened_by=client.organisation)
            | Q(clearance__protections__cases__force=client.organisation)
        ).distinct()
    return overrides.filter(clearance__requested_by=client.organisation)


def _actor(request) -> Actor:
    return Actor.for_token(request.auth.token)


def _evidence_requested(clearance: Clearance) -> list[EvidenceRequest]:
    """The matcher's request for evidence, when the clearance is held (and IE is told so)."""
    if (clearance.ie_decision or clearance.decision) != ClearanceOutcome.HOLD:
        return []
    for line in clearance.match_explanation or ():
        text = str(line).strip()
        if text.startswith(WOULD_RESOLVE):
            return [EvidenceRequest(f.strip()) for f in text[len(WOULD_RESOLVE) :].split(",")]
    return []


def clearance_out(clearance: Clearance) -> ClearanceOut:
    """All that IE may see of a clearance (R18): decision, reference, message and contact."""
    return ClearanceOut(
        id=clearance.public_id,
        action=clearance.action_code,
        decision=ClearanceOutcome(clearance.ie_decision or clearance.decision),
        status=clearance.status,
        protection_reference=clearance.ie_protection_reference or None,
        message=clearance.ie_message,
        contact_point=clearance.ie_contact_point or None,
        contact=ContactOut.of(clearance_contact(clearance)),
        evidence_requested=_evidence_requested(clearance),
        policy_id=clearance.policy_id,
        policy_version=clearance.policy_version,
        created_at=clearance.created_at,
    )


@router.get(
    "/enforcement-actions",
    response=list[ActionOut],
    summary="The versioned list of enforcement actions that need a clearance",
)
def list_actions(request):
    return [
        ActionOut(code=a.code, name=a.name, description=a.description)
        for a in enforcement_actions().actions
    ]


@router.get(
    "/protections/{reference}",
    response=ProtectionOut,
    summary="A protection by its public reference",
)
def get_protection(request, reference: str):
    client = require_scope(request, Scope.PROTECTIONS_READ)
    try:
        normalised = normalise_reference(reference)
    except ValueError as error:
        raise ApiProblem(404, "not_found", "No protection has that reference.") from error
    protection = Protection.objects.filter(reference=normalised).first()
    if protection is None:
        raise ApiProblem(404, "not_found", "No protection has that reference.")
    protected = protection.protects
    message = (
        "Protected — do not act — contact " + protection.contact_point + "."
        if protected
        else "This protection has ended."
    )
    out = ProtectionOut(
        reference=protection.reference,
        status=protection.status,
        protected=protected,
        message=message,
        contact_point=protection.contact_point,
        contact=ContactOut.of(protection_contact(protection)) if protected else None,
    )
    if client.role in IE_ROLES:
        do_record_personal_data_read(_actor(request), [protection.person], "api_protection_check")
        return out
    if client.role not in (Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER):
        raise ApiProblem(403, "forbidden", "Your role cannot read protections.")
    if not _is_own_force_protection(protection, client.organisation):
        raise ApiProblem(404, "not_found", "No protection has that reference.")
    out.opened_at = protection.opened_at
    out.status_reasons = list(protection.status_reasons)
    do_record_personal_data_read(_actor(request), [protection.person], "api_protection_read")
    return out


class ProtectionListItem(Schema):
    reference: str
    status: str
    protected: bool = Field(description="True while the protection blocks enforcement.")
    contact_point: str
    opened_at: dt.datetime
    status_changed_at: dt.datetime
    status_reasons: list[str]


class ProtectionPage(Schema):
    items: list[ProtectionListItem]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


def _own_force_protections(organisation):
    """The protections a force opened or that its cases hold open (as ``get_protection``)."""
    return Protection.objects.filter(
        Q(opened_by=organisation) | Q(cases__force=organisation)
    ).distinct()


@router.get(
    "/protections",
    response=ProtectionPage,
    summary="Your force's protections, oldest first, a page at a time",
)
def list_protections(
    request,
    cursor: str | None = Query(
        None, pattern=r"^[0-9]{1,18}$", description="next_cursor from the page before"
    ),
    limit: int = Query(50, ge=1, le=200),
    status: ProtectionStatus | None = None,
    changed_since: dt.datetime | None = None,
):
    """Police and protocol officers list the protections their force opened or holds a case
    for. Immigration Enforcement checks one protection at a time by its reference and never
    lists the register (docs/adr/0032)."""
    client = require_scope(
        request, Scope.PROTECTIONS_READ, Role.POLICE_OFFICER, Role.PROTOCOL_OFFICER
    )
    if not 1 <= limit <= 200:
        raise ApiProblem(
            422, "validation_error", "Some fields are not valid.", {"limit": "From 1 to 200"}
        )
    if cursor and (not cursor.isdigit() or len(cursor) > 18):
        raise ApiProblem(
            422, "validation_error", "Some fields are not valid.", {"cursor": "Not a cursor"}
        )
    protections = _own_force_protections(client.organisation).filter(pk__gt=int(cursor or 0))
    if status:
        protections = protections.filter(status=status.value)
    if changed_since:
        if changed_since.tzinfo is None:  # no offset given: the service's own time zone
            changed_since = timezone.make_aware(changed_since)
        try:  # in UTC: RFC 3339 allows offsets to ±23:59, PostgreSQL only to ±15:59
            since = changed_since.astimezone(dt.UTC)
        except OverflowError:
            raise ApiProblem(
                422,
                "validation_error",
                "Some fields are not valid.",
                {"changed_since": "A date and time before the year 10000"},
            ) from None
        protections = protections.filter(status_changed_at__gte=since)
    page = list(protections.select_related("person").order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    out = ProtectionPage(
        items=[
            ProtectionListItem(
                reference=p.reference,
                status=p.status,
                protected=p.protects,
                contact_point=p.contact_point,
                opened_at=p.opened_at,
                status_changed_at=p.status_changed_at,
                status_reasons=list(p.status_reasons),
            )
            for p in page
        ],
        next_cursor=str(page[-1].pk) if more else None,
    )
    do_record_personal_data_read(_actor(request), [p.person for p in page], "api_protection_list")
    return out


@router.post(
    "/clearances",
    response={201: ClearanceOut},
    summary="Ask for a clearance before an enforcement action",
)
@idempotent
def request_clearance(request, payload: ClearanceIn):
    require_scope(request, Scope.CLEARANCES_WRITE, *IE_ROLES)
    codes = enforcement_actions().codes
    if payload.action not in codes:
        raise ApiProblem(
            422,
            "validation_error",
            "Some fields are not valid.",
            {"action": "Unknown action. Use one of: " + ", ".join(codes)},
        )
    subject = payload.model_dump(
        exclude={"action", "information_sources", "scheduled_for"},
        exclude_none=True,
        mode="json",
    )
    needed = missing_for_search(
        " ".join([subject.get("given_names") or "", *(subject.get("aliases") or [])]),
        subject.get("family_name"),
        subject.get("date_of_birth"),
        subject.get("passport_number"),
        subject.get("home_office_reference"),
    )
    if needed:
        # Neither clear nor hold: a clear must mean a protected person would have been found.
        raise ApiProblem(
            422,
            "subject_too_thin",
            "There is not enough about the subject to search the register, so no decision "
            f"can be given. Add {describe_requests(needed)}.",
            {str(field): "Needed to search the register." for field in needed},
        )
    result = actions.do_request_clearance(
        _actor(request),
        action_code=payload.action,
        subject=subject,
        information_sources=payload.information_sources,
        scheduled_for=payload.scheduled_for,
    )
    return Status(201, clearance_out(result.clearance))


@router.get(
    "/clearances/{clearance_id}",
    response=ClearanceOut,
    summary="One of your organisation's clearances",
)
def get_clearance(request, clearance_id: uuid.UUID):
    client = require_scope(request, Scope.CLEARANCES_WRITE, *IE_ROLES)
    clearance = get_object_or_404(
        Clearance, public_id=clearance_id, requested_by=client.organisation
    )
    people = list(Person.objects.filter(protections__clearances=clearance).distinct())
    # The subject IE asked about is personal data too, found on the register or not.
    do_record_personal_data_read(
        _actor(request), people, "api_clearance_read", unregistered=0 if people else 1
    )
    return clearance_out(clearance)


def _reviews_for(client):
    return (
        Review.objects.filter(
            Q(candidates__opened_by=client.organisation)
            | Q(candidates__cases__force=client.organisation)
        )
        .distinct()
        .select_related("clearance")
    )


def review_out(review: Review) -> ReviewOut:
    candidates = [
        CandidateOut(
            protection_reference=p.reference,
            protection_status=p.status,
            identities=[i.as_fields() for i in p.person.identities.all()],
        )
        for p in review.candidates.select_related("person")
    ]
    return ReviewOut(
        id=review.pk,
        reference=review.reference,
        status=review.status,
        verdict=review.verdict or None,
        clearance_id=review.clearance.public_id,
        clearance_reference=review.clearance.reference,
        action=review.clearance.action_code,
        subject=review.clearance.subject,
        candidates=candidates,
        explanation=review.clearance.match_explanation,
        created_at=review.created_at,
    )


@router.get("/reviews", response=list[ReviewOut], summary="Possible matches waiting for you")
def list_reviews(request, status: Review.Status = Review.Status.OPEN):
    client = require_scope(request, Scope.REVIEWS_READ, Role.PROTOCOL_OFFICER)
    reviews = list(_reviews_for(client).filter(status=status)[:200])
    out = [review_out(r) for r in reviews]
    do_record_personal_data_read(
        _actor(request),
        Person.objects.filter(protections__reviews__in=reviews).distinct(),
        "api_review_list",
    )
    return out


@router.post(
    "/reviews/{review_id}/resolve",
    response=ReviewOut,
    summary="Decide a possible match: the same person or not",
)
@idempotent
def resolve_review(request, review_id: int, payload: ResolveIn):
    client = require_scope(request, Scope.REVIEWS_WRITE, Role.PROTOCOL_OFFICER)
    review = get_object_or_404(_reviews_for(client), pk=review_id)
    review = actions.do_resolve_review(
        review, _actor(request), verdict=payload.verdict, reasons=payload.reasons
    )
    return review_out(review)


def override_out(override: Override) -> OverrideOut:
    awaited = override.status == Override.Status.PENDING and actions.custodian_ruling_awaited(
        override.clearance
    )
    return OverrideOut(
        id=override.public_id,
        clearance_id=override.clearance.public_id,
        exception_category=override.exception_category,
        status=override.status,
        # What IE was told (under a firewall a hold is told as "blocked"), never more.
        clearance_decision=override.clearance.ie_decision or override.clearance.decision,
        custodian_ruling_awaited=awaited,
        message=actions.override_waiting_message(override, awaited=awaited),
    )


@router.post(
    "/overrides",
    response={201: OverrideOut},
    summary="Ask to override a block under a named exception",
)
@idempotent
def request_override(request, payload: OverrideIn):
    client = require_scope(request, Scope.OVERRIDES_WRITE, *IE_ROLES)
    clearance = get_object_or_404(
        Clearance, public_id=payload.clearance_id, requested_by=client.organisation
    )
    override = actions.do_request_override(
        clearance,
        _actor(request),
        category=payload.exception_category.value,
        reasons=payload.reasons,
        suspected_offence=payload.suspected_offence.model_dump()
        if payload.suspected_offence
        else None,
        modern_slavery_indicators=payload.modern_slavery_indicators,
    )
    return Status(201, override_out(override))


@router.post(
    "/overrides/{override_id}/approve",
    response=OverrideOut,
    summary="Approve or refuse an override (a second, senior person)",
)
@idempotent
def decide_override(request, override_id: uuid.UUID, payload: OverrideDecisionIn):
    client = require_scope(
        request, Scope.OVERRIDES_WRITE, Role.IE_SENIOR_APPROVER, Role.PROTOCOL_OFFICER
    )
    override = get_object_or_404(_overrides_for(client), public_id=override_id)
    override = actions.do_decide_override(
        override,
        _actor(request),
        approve=payload.approve,
        reasons=payload.reasons,
        statutory_defence_considered=payload.statutory_defence_considered,
    )
    return override_out(override)


class RegularisationIn(StrictSchema):
    status: RegularisationStatus


class NrmDecisionIn(StrictSchema):
    stage: str = Field(examples=["positive_reasonable_grounds"])


def _force_protection(request, reference: str) -> Protection:
    client = request.auth
    try:
        normalised = normalise_reference(reference)
    except ValueError as error:
        raise ApiProblem(404, "not_found", "No protection has that reference.") from error
    protection = (
        Protection.objects.filter(reference=normalised)
        .filter(Q(cases__force=client.organisation) | Q(opened_by=client.organisation))
        .distinct()
        .first()
    )
    if protection is None:
        raise ApiProblem(404, "not_found", "No protection has that reference.")
    return protection


@router.post(
    "/protections/{reference}/regularisation",
    response=ProtectionOut,
    summary="Record the person's regularisation status (R11)",
)
@idempotent
def record_regularisation(request, reference: str, payload: RegularisationIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    protection = _force_protection(request, reference)
    actions.do_update_regularisation(protection, payload.status, _actor(request))
    return get_protection(request, reference)


@router.post(
    "/protections/{reference}/nrm-decision",
    response=ProtectionOut,
    summary="Record a National Referral Mechanism decision (R27)",
)
@idempotent
def record_nrm_decision(request, reference: str, payload: NrmDecisionIn):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    protection = _force_protection(request, reference)
    actions.do_record_nrm_decision(protection, _actor(request), stage=payload.stage)
    return get_protection(request, reference)


class PublicOrderDisqualificationIn(StrictSchema):
    decided_by: str = Field(
        min_length=3, max_length=200, description="The named person who made the decision."
    )
    reasons: str = Field(min_length=40, max_length=4000, description="Why, in full.")
    decided_on: dt.date = Field(description="When the decision was made (not in the future).")


@router.post(
    "/protections/{reference}/public-order-disqualification",
    response=ProtectionOut,
    summary="Record a public order disqualification: its own reasoned decision (R27)",
)
@idempotent
def record_public_order_disqualification(
    request, reference: str, payload: PublicOrderDisqualificationIn
):
    require_scope(request, Scope.CASES_WRITE, Role.POLICE_OFFICER)
    protection = _force_protection(request, reference)
    actions.do_record_public_order_disqualification(
        protection,
        _actor(request),
        decided_by=payload.decided_by,
        reasons=payload.reasons,
        decided_on=payload.decided_on,
    )
    return get_protection(request, reference)


class OutcomeIn(StrictSchema):
    outcome: OutcomeReport.Outcome = Field(
        description="action_taken (with action_taken_at), cancelled, or not_yet."
    )
    action_taken_at: dt.datetime | None = Field(
        default=None, description="When the action was taken, with its time zone."
    )


class OutcomeOut(Schema):
    clearance_id: uuid.UUID
    outcome: str
    action_taken_at: dt.datetime | None
    valid_basis: bool = Field(
        description="Whether a valid clear for this action covered the time it was taken."
    )
    basis_reason: str
    oversight_alerted: bool
    clear_state: str = Field(
        description="valid, expired, suspended, used, cancelled, blocked or hold."
    )
    clear_valid_until: dt.datetime | None
    reported_at: dt.datetime


def outcome_out(report: OutcomeReport) -> OutcomeOut:
    clearance = report.clearance
    is_clear = clearance.decision == ClearanceOutcome.CLEAR.value
    return OutcomeOut(
        clearance_id=clearance.public_id,
        outcome=report.outcome,
        action_taken_at=report.action_taken_at,
        valid_basis=report.valid_basis,
        basis_reason=report.basis_reason,
        oversight_alerted=report.alerted,
        clear_state=outcomes.clear_state(clearance, timezone.now()),
        clear_valid_until=outcomes.clear_expires_at(clearance) if is_clear else None,
        reported_at=report.reported_at,
    )


@router.post(
    "/clearances/{clearance_id}/outcome",
    response={201: OutcomeOut},
    summary="Report what was done after a clearance: action taken (when), cancelled, not yet",
)
@idempotent
def report_outcome(request, clearance_id: uuid.UUID, payload: OutcomeIn):
    client = require_scope(request, Scope.CLEARANCES_WRITE, *IE_ROLES)
    clearance = get_object_or_404(
        Clearance, public_id=clearance_id, requested_by=client.organisation
    )
    report = actions.do_report_outcome(
        clearance,
        _actor(request),
        outcome=payload.outcome.value,
        action_taken_at=payload.action_taken_at,
    )
    return Status(201, outcome_out(report))


class ClearancePage(Schema):
    items: list[ClearanceOut]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= for the next page; null on the last page."
    )


@router.get(
    "/clearances",
    response=ClearancePage,
    summary="Your organisation's clearances, oldest first, a page at a time",
)
def list_clearances(
    request,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    decision: str | None = None,
    status: str | None = None,
):
    client = require_scope(request, Scope.CLEARANCES_WRITE, *IE_ROLES)
    if not 1 <= limit <= 200:
        raise ApiProblem(
            422, "validation_error", "Some fields are not valid.", {"limit": "From 1 to 200"}
        )
    if cursor and (not cursor.isdigit() or len(cursor) > 18):
        raise ApiProblem(
            422, "validation_error", "Some fields are not valid.", {"cursor": "Not a cursor"}
        )
    clearances = Clearance.objects.filter(
        requested_by=client.organisation, pk__gt=int(cursor or 0)
    )
    if decision:
        clearances = clearances.filter(decision=decision)
    if status:
        clearances = clearances.filter(status=status)
    page = list(clearances.order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return ClearancePage(
        items=[clearance_out(c) for c in page],
        next_cursor=str(page[-1].pk) if more else None,
    )
